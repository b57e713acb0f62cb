"""The analysis's former per-row loops, kept as references: suite.analyze replaced each by a vectorised
or batched form, and tests/analyze/test_loops_vectorised.py holds each form equal to its loop (the same
values, bit for bit) over generated inputs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from suite.analyze.steps import FAILED_JOB, Step, _failed_at, parse_steps


def tap_by_job(rows: Iterable[dict[str, Any]]) -> dict[int, list[Step]]:
    """StepTap's former row-by-row loop: every row with an int id records its parsed steps."""
    by_job: dict[int, list[Step]] = {}
    for row in rows:
        job_id = row.get("id") if isinstance(row, dict) else None
        if type(job_id) is int:
            by_job[job_id] = parse_steps(row.get("steps"))
    return by_job


def step_groups(
    job_ids: Sequence[int],
    job_names: Sequence[str],
    conclusions: Sequence[str | None],
    by_job: dict[int, list[Step]],
) -> tuple[dict[tuple[str, int | None, str], list[Step]], list[Any]]:
    """step_figures' former loop over every job: the groups (in insertion order) and failed_at."""
    groups: dict[tuple[str, int | None, str], list[Step]] = {}
    failed_at = []
    for job_id, job, conclusion in zip(job_ids, job_names, conclusions, strict=True):
        steps = by_job.get(int(job_id), [])
        for st in steps:
            groups.setdefault((str(job), st.number, st.name), []).append(st)
        if conclusion in FAILED_JOB:
            failed_at.append(_failed_at(int(job_id), str(job), steps))
    return groups, failed_at

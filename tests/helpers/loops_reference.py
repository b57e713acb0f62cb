"""The analysis's former per-row loops, kept as references: suite.analyze replaced each by a vectorised
or batched form, and tests/analyze/test_loops_vectorised.py holds each form equal to its loop (the same
values, bit for bit) over generated inputs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from suite.analyze.cost import Jobs, _union_within
from suite.analyze.stats import distribution
from suite.analyze.steps import DEFINITION, FAILED_JOB, FAILING, SLOWEST, Step, parse_steps
from suite.analyze.tables import DispatchTable
from suite.analyze.tasks import Task
from suite.rundir.ledger import accepted_mask


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


def step_figures_loop(
    job_ids: Sequence[int],
    job_names: Sequence[str],
    conclusions: Sequence[str | None],
    by_job: dict[int, list[Step]],
    reasons: dict[str, str],
) -> dict[str, Any]:
    """step_figures' former form, a list of Steps per group: by_step, slowest and failed_at."""
    groups, failed_at = step_groups(job_ids, job_names, conclusions, by_job)
    first = {job: i for i, (job, _, _) in reversed(list(enumerate(groups)))}
    ordered = sorted(
        groups.items(), key=lambda kv: (first[kv[0][0]], kv[0][1] is None, kv[0][1] or 0, kv[0][2])
    )
    by_step = []
    for (job, number, name), steps in ordered:
        durations = [st.duration for st in steps if st.duration is not None]
        if not durations:
            address = f"steps[{json.dumps(job)}][{json.dumps(number)}].duration_s"
            reasons.setdefault(address, "no step of this key had both started_at and completed_at (skipped)")
        by_step.append(
            {
                "job_name": job,
                "number": number,
                "name": name,
                "steps": len(steps),
                "timed": len(durations),
                "failed": sum(st.conclusion in FAILING for st in steps),
                "duration_s": distribution(durations),
            }
        )
    timed = [f for f in by_step if f["timed"]]
    slowest = sorted(timed, key=lambda f: -(f["duration_s"]["p95"] or 0.0))[:SLOWEST]
    if not timed:
        reasons.setdefault("steps", "no job of this test carried a step with started_at and completed_at")
    return {"definition": DEFINITION, "by_step": by_step, "slowest": slowest, "failed_at": failed_at}


def _failed_at(job_id: int, job: str, steps: list[Step]) -> dict[str, Any]:
    for st in steps:
        if st.conclusion in FAILING:
            return {
                "job_id": job_id,
                "job_name": job,
                "step_number": st.number,
                "step_name": st.name,
                "step_conclusion": st.conclusion,
                "reason": None,
            }
    why = "the job carried no steps" if not steps else "no step concluded failure, timed_out or cancelled"
    return {
        "job_id": job_id,
        "job_name": job,
        "step_number": None,
        "step_name": None,
        "step_conclusion": None,
        "reason": why,
    }


def task_seconds_loop(
    tasks: Sequence[Task], jobs: Jobs, window: tuple[float, float]
) -> list[tuple[str, float, float, float]]:
    """cost.task_seconds' former loop: each busy job's interval gathered per runner name as tuples,
    then per task the union of its intervals by _union_within."""
    w0, w1 = window
    on: dict[str, list[tuple[float, float]]] = {}
    for i in np.flatnonzero(jobs.busy).tolist():
        runner = jobs.runners[i]
        if runner:
            on.setdefault(runner, []).append((float(jobs.start[i]), float(jobs.end[i])))
    out = []
    for t in tasks:
        if t.created is None:
            continue
        lo = max(t.created, w0)
        hi = min(t.stopped if t.stopped is not None else w1, w1)
        if hi <= lo:
            continue
        up = hi if t.started is None else min(max(t.started, lo), hi)
        cold = up - lo
        busy = _union_within(on.get(t.task_id, []), up, hi)
        out.append((t.task_id, cold, busy, (hi - lo) - cold - busy))
    return out


def running_max_before_loop(
    values: Sequence[float], starts: Sequence[int], floor: Sequence[float]
) -> list[float]:
    out = []
    bounds = [*starts, len(values)]
    for k in range(len(starts)):
        reach = floor[k]
        for v in values[bounds[k] : bounds[k + 1]]:
            out.append(reach)
            reach = max(reach, v)
    return out


def sequential_sums_loop(values: Sequence[float], starts: Sequence[int]) -> list[float]:
    bounds = [*starts, len(values)]
    out = []
    for k in range(len(starts)):
        total = 0.0
        for v in values[bounds[k] : bounds[k + 1]]:
            total += v
        out.append(total)
    return out


def accepted_rows_loop(ledger: DispatchTable) -> list[int]:
    """scope's former dict: per suite_id its last 2xx row, in order of the suite_id's first 2xx row."""
    rows = np.flatnonzero(accepted_mask(ledger.status))
    last = dict(zip(ledger.suite_id[rows].tolist(), rows.tolist(), strict=True))
    return list(last.values())


def not_dispatched_loop(ledger: DispatchTable, accepted_rows: Sequence[int]) -> list[tuple[str, int]]:
    """not_dispatched's former set: (suite_id, its last row) of the suite_ids never accepted."""
    accepted = set(ledger.suite_id[np.asarray(accepted_rows, np.int64)].tolist())
    rows = np.flatnonzero(~accepted_mask(ledger.status))
    last: dict[str, int] = {}
    for suite_id, row in zip(ledger.suite_id[rows].tolist(), rows.tolist(), strict=True):
        if suite_id not in accepted:
            last[suite_id] = row
    return list(last.items())


def dispatch_columns_loop(suite_ids: list[Any], scheduled: list[float], sent: list[float]) -> dict[str, Any]:
    """suite.analyze.item_columns.dispatch_columns as it was written, one ledger row at a time."""
    first: dict[str, list[float]] = {}
    for sid, at, out in zip(suite_ids, scheduled, sent, strict=True):
        if sid is None:
            continue
        old = first.get(str(sid))
        if old is None:
            first[str(sid)] = [at, out, out]
            continue
        if old[1] != old[1] and out == out:  # a retry that was sent: the first send counts
            old[0] = old[0] if old[0] == old[0] else at
            old[1] = out
        if out == out:
            old[2] = out
    return {"suite_id": list(first), "columns": [tuple(v) for v in first.values()]}

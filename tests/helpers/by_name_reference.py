"""The oracle for result.json's by_job_name and by_workflow: record by record, from the parsed Job and
Run objects (tests/helpers/analyze_records.py), each figure by its definition in docs/architecture.md."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from suite.analyze.stats import distribution
from tests.helpers.analyze_records import Job, Run


def counts(jobs: list[Job]) -> dict[str, int]:
    return {
        "count": len(jobs),
        "succeeded": sum(j.conclusion == "success" for j in jobs),
        "failed": sum(j.conclusion in ("failure", "timed_out") for j in jobs),
        "cancelled": sum(j.conclusion == "cancelled" for j in jobs),
        "skipped": sum(j.conclusion == "skipped" for j in jobs),
        "incomplete": sum(j.status != "completed" for j in jobs),
        "ran": sum(j.interval is not None for j in jobs),
    }


def workflow_of(run: Run) -> str:
    """The file name of the run's path, else its name."""
    return run.path.rsplit("/", 1)[-1] if run.path else run.name


def _timings(jobs: list[Job]) -> dict[str, Any]:
    return {
        "queue_time_s": distribution([q for j in jobs if (q := j.queue_s) is not None]),
        "execution_time_s": distribution([x for j in jobs if (x := j.execution_s) is not None]),
    }


def _empty(figures: dict[str, Any], address: str, of: str, reasons: dict[str, str]) -> None:
    if figures["queue_time_s"]["count"] == 0:
        reasons.setdefault(f"{address}.queue_time_s", f"no job {of} started")
    if figures["execution_time_s"]["count"] == 0:
        reasons.setdefault(f"{address}.execution_time_s", f"no job {of} ran to completion")


def by_job_name(jobs: list[Job], run_of: dict[int, Run], reasons: dict[str, str]) -> dict[str, Any]:
    """jobs: this test's jobs in the result's order; run_of: run id -> its Run."""
    out: dict[str, Any] = {}
    for name in dict.fromkeys(j.name for j in jobs):
        mine = [j for j in jobs if j.name == name]
        totals = []
        for j in mine:
            created = run_of[j.run_id].created
            if j.interval is not None and j.completed is not None and created is not None:
                totals.append(j.completed - created)
        figures = {"jobs": counts(mine), **_timings(mine), "total_time_s": distribution(totals)}
        address, of = f"jobs[{json.dumps(name)}]", f"named {json.dumps(name)}"
        _empty(figures, address, of, reasons)
        if not totals:
            reasons.setdefault(f"{address}.total_time_s", f"no job {of} ran to completion")
        out[name] = figures
    return out


def by_workflow(
    jobs: list[Job], run_of: dict[int, Run], found: Iterable[Run], reasons: dict[str, str]
) -> dict[str, Any]:
    """found: this test's collected runs, one per accepted suite_id that found one (as the headline)."""
    found = list(found)
    last: dict[int, float] = {}
    for j in jobs:
        if j.completed is not None:
            last[j.run_id] = max(last.get(j.run_id, j.completed), j.completed)
    with_jobs = list(dict.fromkeys(workflow_of(run_of[j.run_id]) for j in jobs))
    names = with_jobs + sorted({workflow_of(r) for r in found} - set(with_jobs))
    out: dict[str, Any] = {}
    for name in names:
        mine = [j for j in jobs if workflow_of(run_of[j.run_id]) == name]
        runs = [r for r in found if workflow_of(r) == name]
        totals = [
            last[r.id] - r.created
            for r in runs
            if r.status == "completed" and r.created is not None and r.id in last
        ]
        figures = {
            "runs": len(runs),
            "jobs": counts(mine),
            **_timings(mine),
            "total_time_s": distribution(totals),
        }
        address = f"workflows[{json.dumps(name)}]"
        _empty(figures, address, f"of workflow {json.dumps(name)}", reasons)
        if not totals:
            reasons.setdefault(f"{address}.total_time_s", "no completed run with a completed job")
        out[name] = figures
    return out

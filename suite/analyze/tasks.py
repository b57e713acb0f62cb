"""ECS task lifecycle from EventBridge "ECS Task State Change" events; cold start = createdAt → startedAt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.analyze.stats import distribution
from suite.analyze.timeline import JobArrays
from suite.isotime import ts
from suite.rundir.result_schema import Distribution, Tasks


@dataclass(frozen=True)
class Task:
    task_id: str
    created: float | None
    started: float | None
    stopped: float | None
    last_status: str | None

    @property
    def cold_start_s(self) -> float | None:
        if self.created is None or self.started is None:
            return None
        return self.started - self.created


def task_id_from_arn(arn: str) -> str:
    """arn:aws:ecs:region:acct:task/<cluster>/<32 hex> -> the task id (the runner name)."""
    return arn.rsplit("/", 1)[-1]


def tasks_from_events(events: Iterable[dict[str, Any]]) -> list[Task]:
    """One Task per task id; each lifecycle field is taken from the first event that carries it."""
    fields: dict[str, dict[str, Any]] = {}
    ordered = sorted(events, key=lambda e: ts(e.get("time")) or 0.0)
    for event in ordered:
        detail = event.get("detail") or {}
        arn = detail.get("taskArn")
        if not arn:
            continue
        f = fields.setdefault(task_id_from_arn(str(arn)), {})
        for key in ("createdAt", "startedAt", "stoppedAt"):
            if f.get(key) is None and detail.get(key):
                f[key] = ts(detail[key])
        if detail.get("lastStatus"):
            f["lastStatus"] = detail["lastStatus"]
    return [
        Task(tid, f.get("createdAt"), f.get("startedAt"), f.get("stoppedAt"), f.get("lastStatus"))
        for tid, f in sorted(fields.items())
    ]


def task_summary(tasks: list[Task], jobs: JobArrays) -> tuple[Tasks, dict[str, Any]]:
    """Per task: created -> started (cold start) -> its first job of this test (runner_name == task id).

    Times are as AWS and GitHub stamped them (both are server clocks; no local clock offset applies).
    A task that ran none of this test's jobs has first_job null; a job on a task with no lifecycle
    event is not in this list. Returns the `tasks` section and per task its columns (the task table's,
    suite.rundir.tables TASK_COLUMNS less test_run_id; times as epoch seconds, NaN for null).
    """
    a = jobs
    use = a.ran & ~a.runner.isin(None)
    earliest = np.full(len(a.runner.values), np.inf)
    np.minimum.at(earliest, a.runner.codes[use], a.started[use])
    first_job = {
        name: t for name, t in zip(a.runner.values, earliest.tolist(), strict=True) if name and t != np.inf
    }

    def times(values: Iterable[float | None]) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    created = times(t.created for t in tasks)
    started = times(t.started for t in tasks)
    first = times(first_job.get(t.task_id) for t in tasks)
    cols: dict[str, Any] = {
        "task_id": [t.task_id for t in tasks],
        "created_at": created,
        "started_at": started,
        "first_job_at": first,
        "stopped_at": times(t.stopped for t in tasks),
        "last_status": [t.last_status for t in tasks],
        "cold_start_s": started - created,
        "started_to_first_job_s": first - started,
        "created_to_first_job_s": first - created,
    }

    def dist(key: str) -> Distribution:
        values = cols[key]
        return distribution(values[~np.isnan(values)])

    section: Tasks = {
        "count": len(tasks),
        "with_jobs": int(np.count_nonzero(~np.isnan(first))),
        "cold_start_s": dist("cold_start_s"),
        "started_to_first_job_s": dist("started_to_first_job_s"),
        "created_to_first_job_s": dist("created_to_first_job_s"),
    }
    return section, cols

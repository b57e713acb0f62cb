"""ECS task lifecycle from EventBridge "ECS Task State Change" events; cold start = createdAt → startedAt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from suite.analyze.stats import distribution
from suite.analyze.timeline import JobArrays
from suite.isotime import stamp, ts
from suite.rundir.result_schema import Distribution, TaskRow, Tasks


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


def task_summary(tasks: list[Task], jobs: JobArrays) -> Tasks:
    """Per task: created -> started (cold start) -> its first job of this test (runner_name == task id).

    Times are as AWS and GitHub stamped them (both are server clocks; no local clock offset applies).
    A task that ran none of this test's jobs has first_job null; a job on a task with no lifecycle
    event is not in this list.
    """
    a = jobs
    use = a.ran & ~a.runner.isin(None)
    earliest = np.full(len(a.runner.values), np.inf)
    np.minimum.at(earliest, a.runner.codes[use], a.started[use])
    first_job = {
        name: t for name, t in zip(a.runner.values, earliest.tolist(), strict=True) if name and t != np.inf
    }
    rows: list[TaskRow] = []
    for t in tasks:
        first = first_job.get(t.task_id)
        rows.append(
            {
                "task_id": t.task_id,
                "created": stamp(t.created),
                "started": stamp(t.started),
                "first_job": stamp(first),
                "stopped": stamp(t.stopped),
                "last_status": t.last_status,
                "cold_start_s": t.cold_start_s,
                "started_to_first_job_s": None if first is None or t.started is None else first - t.started,
                "created_to_first_job_s": None if first is None or t.created is None else first - t.created,
            }
        )

    def dist(
        key: Literal["cold_start_s", "started_to_first_job_s", "created_to_first_job_s"],
    ) -> Distribution:
        return distribution(float(x) for r in rows if (x := r[key]) is not None)

    return {
        "count": len(tasks),
        "with_jobs": sum(r["first_job"] is not None for r in rows),
        "cold_start_s": dist("cold_start_s"),
        "started_to_first_job_s": dist("started_to_first_job_s"),
        "created_to_first_job_s": dist("created_to_first_job_s"),
        "per_task": rows,
    }

"""result.json's `failures`: one cause per job that did not succeed, from GitHub's conclusion and the ECS
task that ran the job (raw/tasks.jsonl, joined by runner name == task id). Pure: rows in, figures out.

The rules, in this order (docs/architecture.md, Definitions, holds them; tests/analyze/test_failures.py
checks each):

1. conclusion timed_out -> timed_out; 2. conclusion cancelled -> cancelled;
3. unknown when the job's task cannot be known: no runner_name, the run did not collect task events
   (the manifest's not_collected `tasks`, e.g. an `existing` fleet), or no event of that task;
4. the task stopped during the job (started_at <= stoppedAt <= completed_at + STOP_GRACE_S) with an
   out-of-memory mark (a container exitCode 137, or OutOfMemory in stopCode, stoppedReason or a
   container's reason) -> out_of_memory;
5. the task stopped during the job before GitHub completed it (stoppedAt < completed_at) -> runner_lost;
6. else failed (the job's own failure: its runner outlived it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.analyze.tasks import task_id_from_arn
from suite.analyze.timeline import JobArrays
from suite.isotime import ts
from suite.rundir.result_schema import FailureCounts, Failures

NOT_SUCCEEDED = ("failure", "timed_out", "cancelled", "startup_failure")  # compare's failure_rate 1s
CAUSES = ("timed_out", "cancelled", "out_of_memory", "runner_lost", "failed", "unknown")
OOM_EXIT_CODE = 137  # 128 + SIGKILL: the kernel's OOM killer (and what Fargate reports for it)
OOM_MARK = "outofmemory"  # in stopCode, stoppedReason, containers[].reason, case and spaces ignored
STOP_GRACE_S = 60.0  # a task stopping this long after its job's completed_at still stopped "during" it
NO_RUNNER = "the job has no runner_name, so no ECS task to look at"
NO_TASK_EVENT = "raw/tasks.jsonl has no stop event or lifecycle event of the job's ECS task"


@dataclass(frozen=True)
class TaskStop:
    """What the task state-change events say about one task's end (stopped: None while it runs)."""

    stopped: float | None
    out_of_memory: bool


def task_stops(events: Iterable[dict[str, Any]]) -> dict[str, TaskStop]:
    """Per task id: its first stoppedAt and whether any of its events carries an out-of-memory mark."""
    stopped: dict[str, float | None] = {}
    oom: dict[str, bool] = {}
    for event in events:
        detail = event.get("detail") or {}
        arn = detail.get("taskArn")
        if not arn:
            continue
        tid = task_id_from_arn(str(arn))
        at = ts(detail.get("stoppedAt")) if detail.get("stoppedAt") else None
        first = stopped.get(tid)
        stopped[tid] = at if first is None else (first if at is None else min(first, at))
        oom[tid] = oom.get(tid, False) or _out_of_memory(detail)
    return {tid: TaskStop(stopped[tid], oom[tid]) for tid in stopped}


def _out_of_memory(detail: dict[str, Any]) -> bool:
    containers = [c for c in detail.get("containers") or [] if isinstance(c, dict)]
    texts = [detail.get("stopCode"), detail.get("stoppedReason"), *(c.get("reason") for c in containers)]
    marked = any(OOM_MARK in str(t).replace(" ", "").lower() for t in texts if t)
    return marked or any(c.get("exitCode") == OOM_EXIT_CODE for c in containers)


def failure_causes(
    jobs: JobArrays, stops: dict[str, TaskStop], tasks_not_collected: str | None
) -> tuple[np.ndarray, dict[str, int]]:
    """Per job its cause (None: the job did not fail), and per reason the jobs whose cause is unknown."""
    causes = np.full(len(jobs), None, dtype=object)
    unknown: dict[str, int] = {}
    conclusions = jobs.conclusion.objects_table()[jobs.conclusion.codes]
    runners = jobs.runner.objects_table()[jobs.runner.codes]
    for i in np.flatnonzero(jobs.conclusion.isin(*NOT_SUCCEEDED)).tolist():
        why = None
        if conclusions[i] in ("timed_out", "cancelled"):
            causes[i] = conclusions[i]
            continue
        runner = runners[i]
        if runner is None:
            why = NO_RUNNER
        elif tasks_not_collected:
            why = tasks_not_collected
        elif str(runner) not in stops:
            why = NO_TASK_EVENT
        if why is not None:
            causes[i] = "unknown"
            unknown[why] = unknown.get(why, 0) + 1
            continue
        causes[i] = _task_cause(stops[str(runner)], float(jobs.started[i]), float(jobs.completed[i]))
    return causes, unknown


def _task_cause(stop: TaskStop, started: float, completed: float) -> str:
    """out_of_memory, runner_lost or failed for a failed job whose task's events are known (NaN: unknown)."""
    if stop.stopped is None:
        return "failed"  # the task had not stopped when the events were collected
    after_start = np.isnan(started) or stop.stopped >= started
    done = not np.isnan(completed)
    during = after_start and (not done or stop.stopped <= completed + STOP_GRACE_S)
    if during and stop.out_of_memory:
        return "out_of_memory"
    if during and (not done or stop.stopped < completed):
        return "runner_lost"
    return "failed"


def failures_section(jobs: JobArrays, causes: np.ndarray, unknown: dict[str, int]) -> Failures:
    """The counts in total and per job name (in order of each name's first job)."""
    names = jobs.name.objects_table()[jobs.name.codes]
    failed = causes != None  # noqa: E711  (elementwise over objects)
    failed_names, failed_causes = names[failed], causes[failed]
    by_name: dict[str, FailureCounts] = {}
    for name in dict.fromkeys(names.tolist()):  # every job name, those without a failure too
        by_name[str(name)] = _counts(failed_causes[failed_names == name])
    # the total over the failed jobs only: a job that did not fail (None) has no cause to count
    total = _counts(failed_causes)
    return Failures(total=total, by_job_name=by_name, unknown_reasons=dict(unknown))


def _counts(causes: np.ndarray) -> FailureCounts:
    counts = {c: int(np.count_nonzero(causes == c)) for c in CAUSES}
    return FailureCounts(
        did_not_succeed=int(np.count_nonzero(causes != None)),  # noqa: E711  (elementwise over objects)
        timed_out=counts["timed_out"],
        cancelled=counts["cancelled"],
        out_of_memory=counts["out_of_memory"],
        runner_lost=counts["runner_lost"],
        failed=counts["failed"],
        unknown=counts["unknown"],
    )

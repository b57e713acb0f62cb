"""Headroom shown honestly: the jobs-waiting series and slot occupancy. Pure: rows in, figures out.

jobs waiting(t) = the number of this test's jobs created but not yet started at t: each job that was
not skipped waits over the half-open interval [created_at, end), end = its started_at, or (never
started) its completed_at (cancelled while queued), or (neither) the window's end; the series is the
exact step function over those intervals (suite.analyze.concurrency's sweep: ends before starts at one
instant), its max the exact maximum, its mean time-weighted over the window.

slot occupancy = (busy + booting runner-seconds, each clipped to the window) / (configured runners ×
window seconds), beside utilization = busy / (configured × window): occupancy >= utilization always.
Busy is runners.busy_runner_s (jobs' [started, completed)). A runner slot is booting, per ECS task
observed in raw/tasks.jsonl (EventBridge task state changes):

- from its createdAt to its startedAt (PROVISIONING/PENDING: the cold start; a task never started
  boots until it stopped, or the window's end), and
- from its startedAt until its first job of this test started (or it stopped, or the window's end)
  for as long as a job of this test was waiting: a RUNNING task that has not taken a waiting job is
  not yet a ready runner (the runner registering, or the job being handed to it).

Nothing observed booting (no task in raw/tasks.jsonl with a createdAt): occupancy is null with the
reason, never utilization.
"""

from __future__ import annotations

import math

import numpy as np

from suite.analyze.concurrency import concurrency_arrays, sweep_arrays
from suite.analyze.tasks import Task
from suite.analyze.timeline import JobArrays
from suite.rundir.result_types import JobsWaiting, Occupancy

OCCUPANCY_DEFINITION = (
    "slot occupancy = (busy + booting runner-seconds in the window) / (configured runners x window "
    "seconds); booting = an ECS task's createdAt -> startedAt, then startedAt -> its first job while a "
    "job of this test was waiting"
)
WAITING_DEFINITION = (
    "jobs created but not yet started: [created_at, started_at) per job, an exact step function"
)


def waiting_intervals(jobs: JobArrays, horizon: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Each waiting job's [created, end) (see the module's definition); horizon: the window's end."""
    a = jobs
    use = ~a.conclusion.isin("skipped") & ~np.isnan(a.created)
    created = a.created[use]
    end = np.where(~np.isnan(a.started[use]), a.started[use], a.completed[use])
    open_ = np.isnan(end)
    if horizon is None:
        created, end = created[~open_], end[~open_]
    else:
        end = np.where(open_, horizon, end)
    return created, np.fmax(created, end)


def jobs_waiting(
    jobs: JobArrays, window: tuple[float, float] | None, reasons: dict[str, str]
) -> tuple[JobsWaiting, np.ndarray, np.ndarray]:
    """The `jobs_waiting` section, and its step function as (times, levels) arrays (sweep_arrays)."""
    starts, ends = waiting_intervals(jobs, window[1] if window else None)
    if not starts.size:
        reasons["jobs_waiting.max"] = "no job of this test with a created_at"
        reasons["jobs_waiting.mean"] = reasons["jobs_waiting.max"]
        none: JobsWaiting = {"max": None, "mean": None, "definition": WAITING_DEFINITION}
        return none, np.empty(0), np.empty(0, dtype=np.int64)
    conc = concurrency_arrays(starts, ends, *(window or (None, None)))
    if conc.mean is None:
        reasons["jobs_waiting.mean"] = "no window (no job completed)"
    section: JobsWaiting = {"max": conc.max, "mean": conc.mean, "definition": WAITING_DEFINITION}
    return section, conc.times, conc.levels


def positive_time(times: np.ndarray, levels: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per [lo_i, hi_i): the seconds inside it during which the step function (times, levels) is > 0
    (the level is 0 before the first time and after a step to 0)."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    if times.size == 0:
        return np.zeros(lo.size)
    held = np.diff(times) * (levels[:-1] > 0)
    cumulative = np.concatenate([[0.0], np.cumsum(held)])
    tail = float(levels[-1] > 0)  # a series that never returns to 0 stays positive

    def at(t: np.ndarray) -> np.ndarray:
        inside = np.interp(t, times, cumulative)
        return inside + np.where(t > times[-1], (t - times[-1]) * tail, 0.0)

    return np.clip(at(np.fmax(lo, hi)) - at(lo), 0.0, None)


def booting_seconds(tasks: list[Task], jobs: JobArrays, window: tuple[float, float]) -> tuple[float, int]:
    """Booting runner-seconds inside the window (the module's definition) and the tasks counted."""
    a = jobs
    use = a.ran & ~a.runner.isin(None)
    earliest = np.full(len(a.runner.values), np.inf)
    np.minimum.at(earliest, a.runner.codes[use], a.started[use])
    first_job = dict(zip(a.runner.values, earliest.tolist(), strict=True))
    seen = [t for t in tasks if t.created is not None]
    if not seen:
        return 0.0, 0
    w0, w1 = window
    created = np.asarray([t.created for t in seen], dtype=float)
    stopped = np.asarray([w1 if t.stopped is None else t.stopped for t in seen], dtype=float)
    # a task never started boots until it stopped (or the window's end)
    started = np.fmin(np.asarray([np.nan if t.started is None else t.started for t in seen]), stopped)
    first = np.asarray([first_job.get(t.task_id, math.inf) for t in seen], dtype=float)
    ready_end = np.fmin(first, stopped)
    cold = np.clip(np.minimum(started, w1) - np.maximum(created, w0), 0.0, None)
    w_starts, w_ends = waiting_intervals(jobs, w1)
    times, levels = sweep_arrays(w_starts, w_ends)
    lo, hi = np.maximum(started, w0), np.minimum(ready_end, w1)
    idle_waiting = positive_time(times, levels, lo, np.fmax(lo, hi))
    return math.fsum((cold + idle_waiting).tolist()), len(seen)


def occupancy(
    tasks: list[Task],
    jobs: JobArrays,
    configured: int | None,
    window: tuple[float, float] | None,
    busy_runner_s: float | None,
    utilization: float | None,
    reasons: dict[str, str],
) -> Occupancy:
    out: Occupancy = {
        "slot_occupancy": None,
        "utilization": utilization,
        "busy_runner_s": busy_runner_s,
        "booting_runner_s": None,
        "tasks_observed": sum(t.created is not None for t in tasks),
        "definition": OCCUPANCY_DEFINITION,
    }
    why = None
    if not out["tasks_observed"]:
        why = "no ECS task with a createdAt in raw/tasks.jsonl: nothing observed booting"
    elif window is None or window[1] <= window[0]:
        why = "no window (no job completed)"
    else:
        out["booting_runner_s"], _ = booting_seconds(tasks, jobs, window)
        if not configured or configured <= 0:
            why = f"configured runner count is {configured}"
        elif busy_runner_s is None:
            why = "no busy runner-seconds observed (no job of this test ran)"
    if why is not None:
        reasons["occupancy.slot_occupancy"] = why
        if out["booting_runner_s"] is None:
            reasons["occupancy.booting_runner_s"] = why
        return out
    assert window is not None and configured and out["booting_runner_s"] is not None
    assert busy_runner_s is not None
    span = configured * (window[1] - window[0])
    out["slot_occupancy"] = (busy_runner_s + out["booting_runner_s"]) / span
    return out

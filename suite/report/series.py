"""The series behind report.html's charts, from result.json and the run directory's raw records. Pure.

Everything here is derived from what `suite report DIR` has: the result (per_job, the in-memory
`timeline` and `per_task` columns, throughput) plus ledger.jsonl (dispatch times); the live page gives
raw/tasks.jsonl's events (ECS task lifecycle) and raw/metrics.jsonl's rows (Container Insights samples)
instead of the result's columns. Times are epoch seconds on GitHub's clock. per_job is read as
columns (suite.rundir.column_rows: numpy over its time and figure columns), never a dict per job.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from suite.analyze.tasks import Task, tasks_from_events
from suite.isotime import ts
from suite.report.queue_series import QueuePoints, Send, queue_points, sends  # noqa: F401 (re-exported)
from suite.report.task_series import (  # noqa: F401 (TaskSeries, task_metrics, usage_metrics: re-exported)
    MAX_POINTS,
    TaskSeries,
    task_metrics,
    usage_metrics,
)
from suite.rundir.column_rows import ColumnRows, rows_of
from suite.rundir.result_schema import PER_JOB_KEYS

Rows = Iterable[dict[str, Any]]  # read once, in order (rows streamed from a JSONL file)

MAX_BARS = 600  # throughput bars before minutes are merged into wider bins
MAX_LANES = 40  # Gantt lanes drawn
MAX_GANTT_JOBS = 20_000  # Gantt bars drawn (a time slice from the start of the window beyond this)


@dataclass(frozen=True)
class Window:
    start: float
    end: float


def window_of(result: dict[str, Any], *extra: Iterable[float]) -> Window | None:
    """The result's window; without one, the extent of whatever times the chart has."""
    w = result.get("window") or {}
    start, end = ts(w.get("start")), ts(w.get("end"))
    if start is not None and end is not None and end > start:
        return Window(start, end)
    parts = [np.asarray(seq if isinstance(seq, np.ndarray) else list(seq), dtype=float) for seq in extra]
    times = np.concatenate(parts) if parts else np.empty(0)
    if times.size >= 2 and times.max() > times.min():
        return Window(float(times.min()), float(times.max()))
    return None


# --- concurrency ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Steps:
    """A step function (value holds from t[i] until t[i+1]); `binned` says it is a per-bin maximum."""

    t: list[float]
    v: list[float]
    binned: bool = False


LEVELS = {"concurrency": "running", "jobs_waiting": "waiting"}  # result key -> its `timeline` column


def concurrency_steps(
    result: dict[str, Any], max_points: int = MAX_POINTS, key: str = "concurrency"
) -> Steps:
    """result[key]'s step function over the window (key: concurrency, or jobs_waiting), from the
    in-memory `timeline` columns: the instants where that level changes (from 0 before the first)."""
    cols = result.get("timeline") or {}
    times = np.asarray(cols.get("time", ()), dtype=np.float64)
    levels = np.asarray(cols.get(LEVELS[key], ()), dtype=np.float64)
    changed = levels != np.concatenate([[0.0], levels[:-1]]) if levels.size else np.zeros(0, bool)
    t, v = times[changed], levels[changed]
    w = window_of(result, t)
    if w is not None:
        # the level at the window start is 0 unless a change point says otherwise; hold to the end
        if not t.size or t[0] > w.start:
            t, v = np.append(w.start, t), np.append(0.0, v)
        t, v = np.append(t, w.end), np.append(v, v[-1])
    if t.size <= max_points:
        return Steps(t.tolist(), v.tolist())
    return _max_per_bin(t, v, max_points)


def waiting_steps(result: dict[str, Any], max_points: int = MAX_POINTS) -> Steps:
    """The jobs-waiting series (jobs created, not yet started) as concurrency_steps draws its own."""
    return concurrency_steps(result, max_points, "jobs_waiting")


def _max_per_bin(t: np.ndarray, v: np.ndarray, bins: int) -> Steps:
    """Downsample a step function (its points, in order) to `bins` bins, each the maximum level held
    inside it (peaks kept): a bin's level carried in from the points before it, and its own points'.

    The points are taken in order, each into the first bin whose end is past it and no earlier than the
    previous point's bin (a point past every bin's end is in none): the bins as a walk through the
    points in order would fill them, done by numpy."""
    t0, t1 = float(t[0]), float(t[-1])
    width = (t1 - t0) / bins or 1.0
    ends = t0 + (np.arange(bins) + 1) * width  # each bin's end, as t0 + (b + 1) * width
    into = np.maximum.accumulate(np.searchsorted(ends, t, side="right"))  # bins (== bins: none)
    taken = int(np.searchsorted(into, bins))  # the points inside some bin come first (into ascends)
    filled = np.cumsum(np.bincount(into[:taken], minlength=bins))  # points taken by each bin's end
    before = np.concatenate([[0], filled[:-1]])
    peak = v[np.maximum(before - 1, 0)]  # the level carried into the bin (bin 0 holds the first point)
    own = np.flatnonzero(filled > before)
    if own.size:
        peak[own] = np.maximum(peak[own], np.maximum.reduceat(v[:taken], before[own]))
    levels = peak.tolist()
    times = [t0 + b * width for b in range(bins)] + [t1]
    return Steps(times, [*levels, levels[-1]], binned=True)


def _jobs(result: dict[str, Any]) -> ColumnRows:
    """The result's per-job columns (none for a result without them)."""
    return rows_of(result.get("per_job"), PER_JOB_KEYS)


# --- throughput per minute -----------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    starts: list[float]  # bin start times
    width_s: float
    completed: list[int]
    started: list[int]
    jobs_per_min: float | None


def throughput_bins(result: dict[str, Any], max_bars: int = MAX_BARS) -> Throughput:
    """Started and completed jobs per minute of the window (merged into wider bins for long runs)."""
    thru = result.get("throughput") or {}
    jobs = _jobs(result)
    began, ended = jobs.floats("started"), jobs.floats("completed")
    completed = ended[~np.isnan(ended) & ~np.isnan(began)]
    started = began[~np.isnan(began)]
    w = window_of(result, completed, started)
    if w is None:
        return Throughput([], 60.0, [], [], thru.get("jobs_per_min"))
    minutes = max(1, math.ceil((w.end - w.start) / 60.0))
    per_bin = max(1, math.ceil(minutes / max_bars))
    width = 60.0 * per_bin
    n = math.ceil(minutes / per_bin)

    def count(times: np.ndarray) -> list[int]:
        inside = times[(times >= w.start) & (times <= w.end)]
        bins = np.minimum(n - 1, np.floor_divide(inside - w.start, width).astype(np.int64))
        counts: list[int] = np.bincount(bins, minlength=n).tolist()
        return counts

    return Throughput(
        [w.start + i * width for i in range(n)],
        width,
        count(completed),
        count(started),
        thru.get("jobs_per_min"),
    )


# --- per-runner timeline (Gantt) -----------------------------------------------------------------


@dataclass
class Lane:
    runners: list[str] = field(default_factory=list)
    cold: list[tuple[float, float]] = field(default_factory=list)  # task created -> started
    idle: list[tuple[float, float]] = field(default_factory=list)  # task up, no job
    jobs: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))
    end: float = -math.inf


@dataclass(frozen=True)
class Gantt:
    lanes: list[Lane]
    lanes_total: int
    jobs_drawn: int
    jobs_total: int
    view: Window | None
    cold_starts: int


OUTCOMES = ("cancelled", "failure", "other", "success")  # a Gantt bar's outcome; sorted as text sorts
_OUTCOME_OF = {"success": 3, "failure": 1, "timed_out": 1, "cancelled": 0}  # conclusion -> OUTCOMES index
_OTHER = OUTCOMES.index("other")


def lifecycles(result: dict[str, Any], task_events: Rows | None = None) -> list[Task]:
    """The ECS tasks' lifecycles: from `task_events` (raw/tasks.jsonl's rows, the live page), else from
    the result's in-memory `per_task` columns (the analysis read the events once: suite.analyze.tasks)."""
    if task_events is not None:
        return tasks_from_events(task_events)
    cols = result.get("per_task") or {}

    def times(key: str) -> list[float | None]:
        return [None if v != v else v for v in np.asarray(cols.get(key, ()), dtype=np.float64).tolist()]

    ids = list(cols.get("task_id") or ())
    made, up, down = times("created_at"), times("started_at"), times("stopped_at")
    status = list(cols.get("last_status") or [None] * len(ids))
    return [Task(*row) for row in zip(ids, made, up, down, status, strict=True)]


def gantt(
    result: dict[str, Any],
    task_events: Rows | None = None,
    max_lanes: int = MAX_LANES,
    max_jobs: int = MAX_GANTT_JOBS,
) -> Gantt:
    """Runners packed into lanes: a lane is a runner slot holding tasks that ran one after another.

    Ephemeral runners are one ECS task (and one job) each, so a lane reads: cold start, job, cold start
    of the replacement, job... A persistent runner keeps its own lane. Tasks come from the lifecycle
    events (created -> started is the cold start; `lifecycles`), jobs from per_job (runner_name == task id).
    """
    cols = _jobs(result)
    began, ended = cols.floats("started"), cols.floats("completed")
    drawn = cols.per_value("runner_name", bool, bool) & ~np.isnan(began) & ~np.isnan(ended)
    rows = np.flatnonzero(drawn)
    outcome = cols.per_value("conclusion", lambda c: _OUTCOME_OF.get(c, _OTHER), np.int64)[rows]
    s_, e_ = began[rows], ended[rows]
    jobs_total = int(rows.size)
    tasks = {t.task_id: t for t in lifecycles(result, task_events)}
    w = window_of(result, s_, e_)
    if w is None:
        return Gantt([], 0, 0, jobs_total, None, 0)
    pad = 0.03 * (w.end - w.start)
    view = Window(w.start - pad, w.end + pad)
    if jobs_total > max_jobs:  # a time slice: the first max_jobs jobs by (start, end, outcome)
        # only the jobs starting no later than the max_jobs-th start are ordered to find it (a stable
        # order restricted to some rows keeps their order), then only the jobs drawn
        kth = np.partition(s_, max_jobs - 1)[max_jobs - 1]
        early = np.flatnonzero(s_ <= kth)
        nth = early[np.lexsort((outcome[early], e_[early], s_[early]))[max_jobs - 1]]
        view = Window(view.start, float(e_[nth]))
        inside = np.flatnonzero(s_ < view.end)
        rows, s_, e_, outcome = rows[inside], s_[inside], e_[inside], outcome[inside]
    order = np.lexsort((outcome, e_, s_))  # by start, end, outcome (one runner's jobs in this order)
    rows, s_, e_, outcome = rows[order], s_[order], e_[order], outcome[order]
    by_runner: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    names = cols.values_at("runner_name", rows)
    for s, e, name, k in zip(s_.tolist(), e_.tolist(), names, outcome.tolist(), strict=True):
        by_runner[str(name)].append((s, e, OUTCOMES[k]))

    return packed(by_runner, tasks, view, max_lanes, jobs_total)


def packed(
    by_runner: dict[str, list[tuple[float, float, str]]],
    tasks: dict[str, Any],
    view: Window,
    max_lanes: int,
    jobs_total: int,
) -> Gantt:
    """The runners alive inside `view` packed into lanes (the first that is free when one begins), each
    lane's cold starts, idle spans and jobs by outcome. by_runner: per runner its (start, end, outcome)
    jobs in start order; tasks: the lifecycles by task id."""
    # every runner (task) that was alive inside the view: [begin, end] of its life
    lives: list[tuple[float, float, str]] = []
    for name in set(by_runner) | set(tasks):
        task = tasks.get(name)
        own = by_runner.get(name, [])
        begin_c = [x for x in (task.created if task else None, own[0][0] if own else None) if x is not None]
        if not begin_c:
            continue
        begin = min(begin_c)
        stop = task.stopped if task else None
        end = stop if stop is not None else max([e for _, e, _ in own] or [view.end if task else begin])
        if task and stop is None and task.started is not None:
            end = max(end, view.end)  # still running at the end of the view
        if end < view.start or begin > view.end:
            continue
        lives.append((begin, end, name))
    lives.sort()

    lanes: list[Lane] = []
    free: list[tuple[float, int]] = []  # (lane end, lane index)
    cold_starts = 0
    for begin, end, name in lives:
        if free and free[0][0] <= begin:
            _, idx = heapq.heappop(free)
        else:
            idx = len(lanes)
            lanes.append(Lane())
        lane = lanes[idx]
        lane.runners.append(name)
        lane.end = end
        heapq.heappush(free, (end, idx))
        task = tasks.get(name)
        up = begin
        if task and task.created is not None and task.started is not None:
            lane.cold.append((task.created, task.started))
            cold_starts += 1
            up = task.started
        cursor = up
        for s, e, kind in by_runner.get(name, []):
            if s > cursor:
                lane.idle.append((cursor, s))
            lane.jobs[kind].append((s, e))
            cursor = max(cursor, e)
        if end > cursor and task is not None and task.started is not None:
            lane.idle.append((cursor, end))
    drawn = sum(len(v) for lane in lanes[:max_lanes] for v in lane.jobs.values())
    return Gantt(lanes[:max_lanes], len(lanes), drawn, jobs_total, view, cold_starts)

"""The report's per-job series as they were computed one dict per job (suite/report/series.py before the
columns): the reference the column code is held equal to (tests/report/test_job_columns.py)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from suite.analyze.tasks import tasks_from_events
from suite.isotime import ts
from suite.report.series import (
    LEVELS,
    MAX_BARS,
    MAX_GANTT_JOBS,
    MAX_LANES,
    MAX_POINTS,
    Gantt,
    QueuePoints,
    Rows,
    Steps,
    Throughput,
    Window,
    packed,
    window_of,
)


def queue_points(result: dict[str, Any], ledger: Rows, max_points: int = MAX_POINTS) -> QueuePoints:
    shift = float(result.get("clock_offset_s") or 0.0)
    sent = {
        str(row["suite_id"]): t + shift
        for row in ledger
        if row.get("suite_id") is not None and (t := ts(row.get("sent_at"))) is not None
    }
    jobs = [  # only the fields drawn: a million whole rows would not fit in memory comfortably
        (j.get("suite_id"), j.get("created"), q, j.get("queue_from_schedule_s"))
        for j in result.get("per_job") or []
        if (q := j.get("queue_s")) is not None
    ]
    stride = max(1, math.ceil(len(jobs) / max_points))
    xs, gh, sched = [], [], []
    from_ledger = 0
    for suite_id, created, queue_s, from_schedule in jobs[::stride]:
        x = sent.get(str(suite_id))
        if x is not None:
            from_ledger += 1
        else:
            x = ts(created)
        if x is None:
            continue
        xs.append(x)
        gh.append(queue_s)
        sched.append(from_schedule)
    return QueuePoints(xs, gh, sched, x_is_dispatch=bool(xs) and from_ledger == len(xs), stride=stride)


def throughput_bins(result: dict[str, Any], max_bars: int = MAX_BARS) -> Throughput:
    """Started and completed jobs per minute of the window (merged into wider bins for long runs)."""
    thru = result.get("throughput") or {}
    per_job = result.get("per_job") or []
    completed = [t for j in per_job if (t := ts(j.get("completed"))) is not None and j.get("started")]
    started = [t for j in per_job if (t := ts(j.get("started"))) is not None]
    w = window_of(result, completed, started)
    if w is None:
        return Throughput([], 60.0, [], [], thru.get("jobs_per_min"))
    minutes = max(1, math.ceil((w.end - w.start) / 60.0))
    per_bin = max(1, math.ceil(minutes / max_bars))
    width = 60.0 * per_bin
    n = math.ceil(minutes / per_bin)

    def count(times: list[float]) -> list[int]:
        out = [0] * n
        for t in times:
            if w.start <= t <= w.end:
                out[min(n - 1, int((t - w.start) // width))] += 1
        return out

    return Throughput(
        [w.start + i * width for i in range(n)],
        width,
        count(completed),
        count(started),
        thru.get("jobs_per_min"),
    )


def _outcome(job: dict[str, Any]) -> str:
    c = job.get("conclusion")
    if c == "success":
        return "success"
    if c in ("failure", "timed_out"):
        return "failure"
    if c == "cancelled":
        return "cancelled"
    return "other"


def gantt(
    result: dict[str, Any],
    task_events: Rows,
    max_lanes: int = MAX_LANES,
    max_jobs: int = MAX_GANTT_JOBS,
) -> Gantt:
    """Runners packed into lanes: a lane is a runner slot holding tasks that ran one after another.

    Ephemeral runners are one ECS task (and one job) each, so a lane reads: cold start, job, cold start
    of the replacement, job... A persistent runner keeps its own lane. Tasks come from the lifecycle
    events (created -> started is the cold start), jobs from per_job (runner_name == task id).
    """
    jobs = sorted(
        (
            (s, e, str(j.get("runner_name")), _outcome(j))
            for j in result.get("per_job") or []
            if j.get("runner_name")
            and (s := ts(j.get("started"))) is not None
            and (e := ts(j.get("completed"))) is not None
        ),
    )
    jobs_total = len(jobs)
    tasks = {t.task_id: t for t in tasks_from_events(task_events)}
    w = window_of(result, (j[0] for j in jobs), (j[1] for j in jobs))
    if w is None:
        return Gantt([], 0, 0, jobs_total, None, 0)
    pad = 0.03 * (w.end - w.start)
    view = Window(w.start - pad, w.end + pad)
    if jobs_total > max_jobs:  # a time slice: the first max_jobs jobs by start
        view = Window(view.start, jobs[max_jobs - 1][1])
        jobs = [j for j in jobs if j[0] < view.end]
    by_runner: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for s, e, runner, outcome in jobs:
        by_runner[runner].append((s, e, outcome))

    return packed(by_runner, tasks, view, max_lanes, jobs_total)  # the lane packing is shared


def dispatch(result: dict[str, Any], ledger: Rows | None, max_points: int, max_curve: int) -> dict[str, Any]:
    """suite.report.page_series.dispatch as it was, over series.sends' dict and sorted lists."""
    from suite.report import series as S
    from suite.report.page_series import _cumulative

    shift = float(result.get("clock_offset_s") or 0.0)
    first = {sid: (a, b) for sid, (a, b, _) in S.sends(result, ledger).items()}
    on_time = sorted(a + shift for a, _ in first.values() if a is not None)
    sends = sorted(b + shift for _, b in first.values() if b is not None)
    lag = sorted((a + shift, b - a) for a, b in first.values() if a is not None and b is not None)
    stride = max(1, math.ceil(len(lag) / max_points))
    return {
        "scheduled": _cumulative(on_time, max_curve),
        "sent": _cumulative(sends, max_curve),
        "lag_t": [p[0] for p in lag[::stride]],
        "lag_s": [p[1] for p in lag[::stride]],
        "counts": {"scheduled": len(on_time), "sent": len(sends), "not_sent": len(first) - len(sends)},
        "stride": stride,
    }


def concurrency_steps(
    result: dict[str, Any], max_points: int = MAX_POINTS, key: str = "concurrency"
) -> Steps:
    """The step function as a list of points, downsampled by a walk through them (series.py before numpy)."""
    cols = result.get("timeline") or {}
    times = [float(t) for t in cols.get("time", ())]
    levels = [float(v) for v in cols.get(LEVELS[key], ())]
    points = [
        (t, v)
        for i, (t, v) in enumerate(zip(times, levels, strict=True))
        if v != (levels[i - 1] if i else 0.0)
    ]
    w = window_of(result, (p[0] for p in points))
    if w is not None:
        if not points or points[0][0] > w.start:
            points.insert(0, (w.start, 0.0))
        points.append((w.end, points[-1][1]))
    if len(points) <= max_points:
        return Steps([p[0] for p in points], [p[1] for p in points])
    t0, t1 = points[0][0], points[-1][0]
    width = (t1 - t0) / max_points or 1.0
    peak = [0.0] * max_points
    level = points[0][1]
    i = 0
    for b in range(max_points):
        hi = t0 + (b + 1) * width
        best = level  # the level carried into the bin
        while i < len(points) and points[i][0] < hi:
            level = points[i][1]
            best = max(best, level)
            i += 1
        peak[b] = best
    return Steps([t0 + b * width for b in range(max_points)] + [t1], [*peak, peak[-1]], binned=True)

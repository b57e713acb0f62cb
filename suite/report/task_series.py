"""The CPU and memory per task series behind report.html's resources chart (suite.report.series re-exports
them): from the result's in-memory task-usage columns, or (the live page) from the metric rows. Pure."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.analyze.resources import CPU, CPU_RESERVED, MEM, MEM_RESERVED
from suite.isotime import ts

Rows = Iterable[dict[str, Any]]
MAX_POINTS = 20_000  # points per scatter/step series before downsampling (every chart of suite.report.series)


# --- CPU and memory per task ---------------------------------------------------------------------


@dataclass(frozen=True)
class TaskSeries:
    """metric -> task id -> [(t, value)] sorted by time, plus the largest reservation seen."""

    series: dict[str, dict[str, list[tuple[float, float]]]]
    reserved: dict[str, float | None]
    samples: int
    stride: int = 1


def task_metrics(metric_rows: Rows, max_points: int = MAX_POINTS) -> TaskSeries:
    series: dict[str, dict[str, list[tuple[float, float]]]] = {CPU: defaultdict(list), MEM: defaultdict(list)}
    reserved: dict[str, float | None] = {CPU: None, MEM: None}
    of = {CPU_RESERVED: CPU, MEM_RESERVED: MEM}
    n = 0
    for row in metric_rows:
        name = row.get("metric")
        t, value = ts(row.get("timestamp")), row.get("value")
        if t is None or value is None:
            continue
        if name in series:
            series[str(name)][str(row.get("task_id"))].append((t, float(value)))
            n += 1
        elif name in of:
            key = of[str(name)]
            reserved[key] = max(float(value), reserved[key] or 0.0)
    stride = max(1, math.ceil(n / max_points))
    out = {m: {task: sorted(v)[::stride] for task, v in per.items()} for m, per in series.items()}
    return TaskSeries(out, reserved, n, stride)


def usage_metrics(usage: dict[str, Any], max_points: int = MAX_POINTS) -> TaskSeries:
    """task_metrics of the task-usage columns (the result's in-memory `task_usage`, suite.analyze.samples:
    one row per task and instant, ordered by task then time), with no metric row read again."""
    task_ids = np.asarray(usage.get("task_id", ()), dtype=object)
    times = np.asarray(usage.get("time", ()), dtype=float)
    picked = {CPU: "cpu_units", MEM: "memory_mib"}
    kept = {m: ~np.isnan(np.asarray(usage.get(c, ()), dtype=float)) for m, c in picked.items()}
    n = sum(int(np.count_nonzero(k)) for k in kept.values())
    stride = max(1, math.ceil(n / max_points))
    series: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for metric, column in picked.items():
        sel = np.flatnonzero(kept[metric])
        tasks, t = task_ids[sel], times[sel]
        v = np.asarray(usage.get(column, ()), dtype=float)[sel]
        per: dict[str, list[tuple[float, float]]] = {}
        cuts = (np.flatnonzero(tasks[1:] != tasks[:-1]) + 1).tolist()  # the rows: one run per task
        for lo, hi in zip([0, *cuts], [*cuts, sel.size], strict=True):
            if hi > lo:
                per[str(tasks[lo])] = _every(t[lo:hi], v[lo:hi], stride)
        series[metric] = per
    reserved: dict[str, float | None] = {}
    for metric, column in ((CPU, "cpu_reserved"), (MEM, "memory_reserved")):
        values = np.asarray(usage.get(column, ()), dtype=float)
        values = values[~np.isnan(values)]
        reserved[metric] = max(float(values.max()), 0.0) if values.size else None
    return TaskSeries(series, reserved, n, stride)


def _every(t: np.ndarray, v: np.ndarray, stride: int) -> list[tuple[float, float]]:
    """sorted(zip(t, v))[::stride]: the points in order of time (then value), every stride-th; taken as
    they are when their times already increase (the task-usage table's rows do), without a sort."""
    if t.size < 2 or bool(np.all(t[1:] > t[:-1])):
        return list(zip(t[::stride].tolist(), v[::stride].tolist(), strict=True))
    return sorted(zip(t.tolist(), v.tolist(), strict=True))[::stride]

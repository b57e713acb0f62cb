"""The in-task sampler's readings (raw/samples.jsonl) as task samples, and the choice of source per task.

A reading holds raw counters: the task's cumulative CPU time `cpu_ns`, `memory_bytes` in use, its
limits, at `timestamp_ms` (terraform/templates/sampler.sh). From them, per task, the same rows as
Container Insights' (suite.analyze.resources joins both alike):

- CpuUtilized (CPU units, 1024 per vCPU) from two consecutive readings a, b of one task:
  (b.cpu_ns − a.cpu_ns) / ((b.timestamp_ms − a.timestamp_ms) × 1e6) × 1024, stamped at b. No rate
  when b is not after a, when they are more than MAX_GAP_S apart (a rate over a longer gap would
  spread what ran in it over the whole gap), or when the counter went down (a counter reset: a
  container of the task restarted). Readings of different tasks are never paired, and a task's
  single reading gives no rate.
- MemoryUtilized (MiB) = memory_bytes / 2^20, CpuReserved = cpu_limit_vcpu × 1024, MemoryReserved =
  memory_limit_mib (null limits give no row), each stamped at its reading.

Readings of one task at one instant count once (the last in the file). Per task, the source is the
sampler when the task has at least one reading, else Container Insights: never both for one task.
Pure: rows in, rows out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import chain
from typing import Any

import numpy as np

from suite.analyze.resources import CPU, CPU_RESERVED, MEM, MEM_RESERVED, SampleArrays, sample_arrays
from suite.rundir.column_chunks import ColumnChunks

METRIC_KEYS = ("task_id", "metric", "timestamp", "value")
MAX_GAP_S = 15.0  # three periods of the deployed sampler (5 s): a longer gap gives no CPU rate
MIB = float(1 << 20)


def stamp_ms(ms: float) -> str:
    """An epoch-millisecond instant as ISO-8601 with milliseconds, exactly (no float rounding)."""
    whole, frac = divmod(round(ms), 1000)
    return datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:03d}Z"


def cpu_rate(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    """CPU units used between two readings of one task (a before b), or None (see the module)."""
    dt_ms = b["timestamp_ms"] - a["timestamp_ms"]
    used_ns = b["cpu_ns"] - a["cpu_ns"]
    if dt_ms <= 0 or dt_ms > MAX_GAP_S * 1000 or used_ns < 0:
        return None
    return float(used_ns) / (dt_ms * 1e6) * 1024.0


def by_task(readings: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per task id, its readings in time order, one per instant (the last read)."""
    tasks: dict[str, dict[Any, dict[str, Any]]] = {}
    for r in readings:
        tasks.setdefault(r["task_id"], {})[r["timestamp_ms"]] = r
    return {task: [at[t] for t in sorted(at)] for task, at in tasks.items()}


def reading_rows(readings: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The metric rows {task_id, metric, timestamp, value} the readings give (see the module)."""
    return _rows(by_task(readings))


def _rows(tasks: dict[str, list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for task, ordered in tasks.items():
        before: dict[str, Any] | None = None
        for r in ordered:
            stamp = stamp_ms(r["timestamp_ms"])
            cpu_limit, memory_limit = r.get("cpu_limit_vcpu"), r.get("memory_limit_mib")
            rate = cpu_rate(before, r) if before is not None else None
            for metric, value in (
                (CPU, rate),
                (MEM, r["memory_bytes"] / MIB),
                (CPU_RESERVED, None if cpu_limit is None else cpu_limit * 1024.0),
                (MEM_RESERVED, None if memory_limit is None else float(memory_limit)),
            ):
                if value is not None:
                    yield {"task_id": task, "metric": metric, "timestamp": stamp, "value": value}
            before = r


def one_source_rows(
    metrics: Iterable[dict[str, Any]], readings: Iterable[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """The metric rows of every task from one source, as resource_samples takes them: the sampler's for
    the tasks with readings, Container Insights' for the others (what the resources chart draws)."""
    tasks = by_task(readings)
    yield from _rows(tasks)
    yield from (m for m in metrics if m.get("task_id") not in tasks)


def resource_samples(metrics: Iterable[dict[str, Any]], readings: Iterable[dict[str, Any]]) -> SampleArrays:
    """Every task's samples from one source: the sampler's rows for the tasks with readings, the
    Container Insights rows (raw/metrics.jsonl) of the other tasks only."""
    tasks = by_task(readings)
    sampled = frozenset(tasks)  # every reading gives a MemoryUtilized row: a task with one has samples
    if isinstance(metrics, ColumnChunks):  # the metric rows as columns (suite.rundir.fast_jsonl)
        own = ColumnChunks.of_rows(_rows(tasks), METRIC_KEYS)
        return sample_arrays(own.then(metrics.where("task_id", lambda t: t not in sampled)), sampled=sampled)
    insights = (m for m in metrics if m.get("task_id") not in sampled)
    return sample_arrays(chain(_rows(tasks), insights), sampled=sampled)


USAGE = (
    (CPU, "cpu_units"),
    (MEM, "memory_mib"),
    (CPU_RESERVED, "cpu_reserved"),
    (MEM_RESERVED, "memory_reserved"),
)
SAMPLER, INSIGHTS = "sampler", "container_insights"


def task_usage(arrays: SampleArrays) -> dict[str, Any]:
    """The task-usage table's columns (suite/rundir/tables.py, less test_run_id) from the samples the
    analysis joined: one row per (task, instant) that has a figure, ordered by (task id's first sight,
    time), the four metrics side by side (NaN where that metric has no sample at that instant; two
    samples of one metric at one instant: the last read). source: sampler for a task with readings,
    container_insights otherwise. A numpy pivot: no object per reading."""
    parts = [(k, arrays.columns[m]) for k, (m, _) in enumerate(USAGE) if m in arrays.columns]
    names = np.empty(len(arrays.task_codes), dtype=object)
    for name, code in arrays.task_codes.items():
        names[code] = name
    source = np.array([SAMPLER if n in arrays.sampled else INSIGHTS for n in names.tolist()], dtype=object)
    if parts and _one_grid(parts):  # Container Insights' usual rows: every metric at the same instants
        task, time = parts[0][1][0], parts[0][1][1]
        out: dict[str, Any] = {"task_id": names[task], "time": time.copy(), "source": source[task]}
        given = {k: cols[2] for k, cols in parts}
        for k, (_, column) in enumerate(USAGE):
            out[column] = given[k].copy() if k in given else np.full(task.size, np.nan)
        return out
    task = np.concatenate([p[1][0] for p in parts]) if parts else np.empty(0, np.int64)
    time = np.concatenate([p[1][1] for p in parts]) if parts else np.empty(0)
    value = np.concatenate([p[1][2] for p in parts]) if parts else np.empty(0)
    which = np.concatenate([np.full(p[1][0].size, p[0]) for p in parts]) if parts else np.empty(0, np.int64)
    order = np.lexsort((which, time, task))  # stable: one metric's samples at one instant stay in read order
    task, time, value, which = task[order], time[order], value[order], which[order]
    new_pair = np.ones(task.size, bool)
    new_pair[1:] = (task[1:] != task[:-1]) | (time[1:] != time[:-1])
    pair = np.cumsum(new_pair) - 1
    last = np.ones(task.size, bool)  # the last sample of each (pair, metric)
    last[:-1] = (pair[1:] != pair[:-1]) | (which[1:] != which[:-1])
    grid = np.full((int(new_pair.sum()), len(USAGE)), np.nan)
    grid[pair[last], which[last]] = value[last]
    codes = task[new_pair]
    out = {"task_id": names[codes], "time": time[new_pair], "source": source[codes]}
    for k, (_, column) in enumerate(USAGE):
        out[column] = grid[:, k]
    return out


def _one_grid(parts: list[tuple[int, tuple[np.ndarray, np.ndarray, np.ndarray]]]) -> bool:
    """Whether every metric has one sample at each of the same (task, instant)s, in order: the pivot is
    then the metrics' value columns side by side (no sort of all the samples together)."""
    task, time = parts[0][1][0], parts[0][1][1]
    if any(not (np.array_equal(t, task) and np.array_equal(at, time)) for _, (t, at, _v) in parts[1:]):
        return False
    same_task = task[1:] == task[:-1]
    return bool(np.all((task[1:] > task[:-1]) | (same_task & (time[1:] > time[:-1]))))

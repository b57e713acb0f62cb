"""Per-job CPU and memory from Container Insights task samples (runner_name == task id).

A job's figures come from its task's samples whose timestamp lies in the job's half-open interval
[started, completed). Samples are one per minute, so a short job can have none: its figures are
None with a reason, never 0. Percentages are of the task's own CpuReserved / MemoryReserved samples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from suite.analyze.stats import mean
from suite.analyze.timeline import Job, _parse, ts

CPU, CPU_RESERVED, MEM, MEM_RESERVED = "CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved"

Samples = dict[tuple[str, str], list[tuple[float, float]]]  # (task_id, metric) -> [(t, value)] by t


@dataclass(frozen=True)
class JobResources:
    samples: int
    cpu_max: float | None
    cpu_mean: float | None
    cpu_max_pct: float | None
    cpu_mean_pct: float | None
    memory_max: float | None
    memory_mean: float | None
    memory_max_pct: float | None
    memory_mean_pct: float | None
    reason: str | None


FIGURES = (
    "cpu_max",
    "cpu_mean",
    "cpu_max_pct",
    "cpu_mean_pct",
    "memory_max",
    "memory_mean",
    "memory_max_pct",
    "memory_mean_pct",
)


def index_samples(rows: Iterable[dict[str, Any]]) -> Samples:
    out: Samples = defaultdict(list)
    for row in rows:
        t = ts(row.get("timestamp"))
        value = row.get("value")
        if t is None or value is None:
            continue
        out[(str(row["task_id"]), str(row["metric"]))].append((t, float(value)))
    for values in out.values():
        values.sort()
    return dict(out)


def _seconds(x: float) -> str:
    return f"{x:.0f}" if x == int(x) else f"{x:.1f}"


def _inside(samples: Samples, task: str, metric: str, start: float, end: float) -> list[float]:
    return [v for t, v in samples.get((task, metric), []) if start <= t < end]


def _reserved(samples: Samples, task: str, metric: str, start: float, end: float) -> float | None:
    """The task's reservation: its samples inside the interval, else any of its samples (constant)."""
    values = _inside(samples, task, metric, start, end) or [v for _, v in samples.get((task, metric), [])]
    return mean(values)


def _pct(value: float | None, reserved: float | None) -> float | None:
    if value is None or not reserved:
        return None
    return 100.0 * value / reserved


def _empty(reason: str) -> JobResources:
    return JobResources(0, None, None, None, None, None, None, None, None, reason)


def job_resources(job: Job, samples: Samples) -> JobResources:
    task = job.runner_name
    iv = job.interval
    if iv is None:
        if job.conclusion == "skipped":
            return _empty("job was skipped: it never ran on a runner")
        if job.started is None:
            return _empty("job never started (no started_at)")
        return _empty("job has not completed (no completed_at)")
    if not task:
        return _empty("job has no runner_name to join with Container Insights task metrics")
    start, end = iv
    if not any(key[0] == task for key in samples):
        return _empty(f"no Container Insights samples at all for task {task}")
    cpu = _inside(samples, task, CPU, start, end)
    mem = _inside(samples, task, MEM, start, end)
    if not cpu and not mem:
        return _empty(
            f"no Container Insights sample inside the job's {_seconds(end - start)} s interval "
            "(samples are 1 per minute)"
        )
    cpu_res = _reserved(samples, task, CPU_RESERVED, start, end)
    mem_res = _reserved(samples, task, MEM_RESERVED, start, end)
    missing = [name for name, values in ((CPU, cpu), (MEM, mem)) if not values]
    missing += [name for name, res in ((CPU_RESERVED, cpu_res), (MEM_RESERVED, mem_res)) if not res]
    reason = f"no {', '.join(missing)} sample for task {task} inside the job's interval" if missing else None
    cpu_max, cpu_mean = (max(cpu), mean(cpu)) if cpu else (None, None)
    mem_max, mem_mean = (max(mem), mean(mem)) if mem else (None, None)
    return JobResources(
        samples=max(len(cpu), len(mem)),
        cpu_max=cpu_max,
        cpu_mean=cpu_mean,
        cpu_max_pct=_pct(cpu_max, cpu_res),
        cpu_mean_pct=_pct(cpu_mean, cpu_res),
        memory_max=mem_max,
        memory_mean=mem_mean,
        memory_max_pct=_pct(mem_max, mem_res),
        memory_mean_pct=_pct(mem_mean, mem_res),
        reason=reason,
    )


# ---- the same join for every job at once (what compute_result uses; job_resources is its oracle) ----
@dataclass(frozen=True)
class SampleArrays:
    """Samples as columns: per metric, task codes / times / values sorted by (task, time)."""

    task_codes: dict[str, int]
    columns: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


def sample_arrays(rows: Iterable[dict[str, Any]]) -> SampleArrays:
    """One pass over the metric rows, keeping only (task, metric) -> timestamps and values."""
    groups: dict[tuple[str, str], tuple[list[str], list[float]]] = {}
    for row in rows:
        value = row.get("value")
        when = row.get("timestamp")
        if value is None or not when:
            continue
        key = (row["task_id"], row["metric"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = ([], [])
        group[0].append(when if isinstance(when, str) else str(when))
        group[1].append(value)
    codes: dict[str, int] = {}
    per_metric: dict[str, list[tuple[int, list[str], list[float]]]] = {}
    for (task, metric), (stamps, values) in groups.items():
        code = codes.setdefault(str(task), len(codes))
        per_metric.setdefault(str(metric), []).append((code, stamps, values))
    out = {}
    for metric, parts in per_metric.items():
        ta = np.concatenate([np.full(len(st), code, np.int64) for code, st, _ in parts])
        tt = np.fromiter(map(_parse, chain.from_iterable(st for _, st, _ in parts)), float, ta.size)
        tv = np.fromiter((float(x) for _, _, vs in parts for x in vs), float, ta.size)
        order = np.lexsort((tt, ta))
        out[metric] = (ta[order], tt[order], tv[order])
    return SampleArrays(codes, out)


@dataclass(frozen=True)
class ResourceColumns:
    """Per job (in the order given): samples, the eight FIGURES (None when unknown) and the reason."""

    samples: list[int]
    figures: dict[str, list[float | None]]
    reasons: list[str | None]


def _segments(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(max, sum) of values[lo:hi] per segment (NaN where empty); exact for any segments."""
    n = lo.size
    maxs = np.full(n, np.nan)
    sums = np.full(n, np.nan)
    nonempty = np.flatnonzero(hi > lo)
    if nonempty.size == 0:
        return maxs, sums
    order = nonempty[np.argsort(lo[nonempty], kind="stable")]
    slo, shi = lo[order], hi[order]
    disjoint = np.ones(order.size, bool)
    disjoint[1:] = slo[1:] >= np.maximum.accumulate(shi)[:-1]
    disjoint[:-1] &= disjoint[1:]  # a segment overlapped by the next one is done the slow way too
    fast = order[disjoint]
    if fast.size:
        idx = np.empty(2 * fast.size, np.int64)
        idx[0::2], idx[1::2] = lo[fast], hi[fast]
        ext = np.append(values, 0.0)
        maxs[fast] = np.maximum.reduceat(ext, idx)[0::2]
        sums[fast] = np.add.reduceat(ext, idx)[0::2]
    for k in order[~disjoint].tolist():
        seg = values[lo[k] : hi[k]]
        maxs[k], sums[k] = seg.max(), seg.sum()
    return maxs, sums


def _nan_to_none(a: np.ndarray) -> list[float | None]:
    return [None if x != x else x for x in a.tolist()]


def join_resources(jobs: list[Job], index: SampleArrays) -> ResourceColumns:
    """job_resources for every job, vectorised: the samples inside each job's [started, completed)
    found by binary search on (task, time) keys, max and sum per job by segment reductions."""
    n = len(jobs)
    reasons: list[str | None] = [None] * n
    code = np.full(n, -1, np.int64)
    start = np.zeros(n)
    end = np.zeros(n)
    for i, job in enumerate(jobs):
        iv = job.interval
        if iv is None:
            if job.conclusion == "skipped":
                reasons[i] = "job was skipped: it never ran on a runner"
            elif job.started is None:
                reasons[i] = "job never started (no started_at)"
            else:
                reasons[i] = "job has not completed (no completed_at)"
        elif not job.runner_name:
            reasons[i] = "job has no runner_name to join with Container Insights task metrics"
        elif (c := index.task_codes.get(job.runner_name)) is None:
            reasons[i] = f"no Container Insights samples at all for task {job.runner_name}"
        else:
            code[i], start[i], end[i] = c, iv[0], iv[1]
    joined = code >= 0
    # exact order of every time involved, as integer ranks: key = task code x ranks + rank
    all_t = [start[joined], end[joined]] + [col[1] for col in index.columns.values()]
    uniq = np.unique(np.concatenate(all_t)) if n else np.empty(0)
    span = np.int64(uniq.size + 1)
    k_start = code * span + np.searchsorted(uniq, start)
    k_end = code * span + np.searchsorted(uniq, end)

    counts: dict[str, np.ndarray] = {}
    maxs: dict[str, np.ndarray] = {}
    means: dict[str, np.ndarray] = {}
    for metric in (CPU, MEM, CPU_RESERVED, MEM_RESERVED):
        task, t, v = index.columns.get(metric, (np.empty(0, np.int64), np.empty(0), np.empty(0)))
        keys = task * span + np.searchsorted(uniq, t)
        lo = np.searchsorted(keys, k_start, side="left")
        hi = np.searchsorted(keys, k_end, side="left")
        lo[~joined] = hi[~joined] = 0
        counts[metric] = hi - lo
        mx, sm = _segments(v, lo, hi)
        maxs[metric] = mx
        with np.errstate(invalid="ignore", divide="ignore"):
            means[metric] = sm / counts[metric]
        if metric in (CPU_RESERVED, MEM_RESERVED):
            # no reservation sample inside the interval: the task's mean over all of its samples
            ntask = len(index.task_codes)
            tot = np.bincount(task, weights=v, minlength=ntask)
            cnt = np.bincount(task, minlength=ntask)
            with np.errstate(invalid="ignore", divide="ignore"):
                task_mean = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
            fill = joined & (counts[metric] == 0)
            means[metric][fill] = task_mean[code[fill]]

    n_cpu, n_mem = counts[CPU], counts[MEM]
    cpu_res, mem_res = means[CPU_RESERVED], means[MEM_RESERVED]
    none = ~joined | (n_cpu == 0)
    none_m = ~joined | (n_mem == 0)
    cpu_max = np.where(none, np.nan, maxs[CPU])
    cpu_mean = np.where(none, np.nan, means[CPU])
    mem_max = np.where(none_m, np.nan, maxs[MEM])
    mem_mean = np.where(none_m, np.nan, means[MEM])

    def pct(value: np.ndarray, reserved: np.ndarray) -> np.ndarray:
        ok = ~np.isnan(value) & ~np.isnan(reserved) & (reserved != 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(ok, 100.0 * value / np.where(ok, reserved, 1.0), np.nan)

    figures = {
        "cpu_max": cpu_max,
        "cpu_mean": cpu_mean,
        "cpu_max_pct": pct(cpu_max, cpu_res),
        "cpu_mean_pct": pct(cpu_mean, cpu_res),
        "memory_max": mem_max,
        "memory_mean": mem_mean,
        "memory_max_pct": pct(mem_max, mem_res),
        "memory_mean_pct": pct(mem_mean, mem_res),
    }
    no_res_cpu = np.isnan(cpu_res) | (cpu_res == 0)
    no_res_mem = np.isnan(mem_res) | (mem_res == 0)
    for i in np.flatnonzero(joined & ((n_cpu == 0) | (n_mem == 0) | no_res_cpu | no_res_mem)).tolist():
        runner = jobs[i].runner_name
        if n_cpu[i] == 0 and n_mem[i] == 0:
            for key in figures:
                figures[key][i] = np.nan
            reasons[i] = (
                f"no Container Insights sample inside the job's {_seconds(end[i] - start[i])} s interval "
                "(samples are 1 per minute)"
            )
            continue
        missing = [name for name, c in ((CPU, n_cpu[i]), (MEM, n_mem[i])) if c == 0]
        missing += [
            name for name, bad in ((CPU_RESERVED, no_res_cpu[i]), (MEM_RESERVED, no_res_mem[i])) if bad
        ]
        reasons[i] = f"no {', '.join(missing)} sample for task {runner} inside the job's interval"
    samples = np.where(joined, np.maximum(n_cpu, n_mem), 0)
    return ResourceColumns(samples.tolist(), {k: _nan_to_none(figures[k]) for k in FIGURES}, reasons)

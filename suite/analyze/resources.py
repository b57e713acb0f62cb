"""Per-job CPU and memory from task samples (runner_name == task id).

A job's figures come from its task's samples whose timestamp lies in the job's half-open interval
[started, completed). A task's samples are the in-task sampler's (suite.analyze.samples: every few
seconds) when it has readings, else Container Insights' (one per minute, so a short job can have
none): never both for one task. A job without a sample has None figures with a reason, never 0.
Percentages are of the task's own CpuReserved / MemoryReserved samples. Each job's resource_source
says which source its figures come from (None when it has none).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from suite.analyze.columns import Cat, Codes, chunks, nullable, objects, sorted_by
from suite.analyze.timeline import JobArrays
from suite.isotime import Stamps
from suite.rundir.column_chunks import Encoded
from suite.rundir.result_schema import RESOURCE_FIGURES

CPU, CPU_RESERVED, MEM, MEM_RESERVED = "CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved"

FIGURES = RESOURCE_FIGURES  # per job: cpu_max .. memory_mean_pct


def _seconds(x: float) -> str:
    return f"{x:.0f}" if x == int(x) else f"{x:.1f}"


# ---- the same join for every job at once (what compute_result uses; job_resources is its oracle) ----
@dataclass(frozen=True)
class SampleArrays:
    """Samples as columns: per metric, task codes / times / values sorted by (task, time); times:
    every distinct sample time, sorted."""

    task_codes: dict[str, int]
    columns: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    times: np.ndarray
    sampled: frozenset[str] = frozenset()  # tasks whose samples are the in-task sampler's


SAMPLER, CONTAINER_INSIGHTS = "sampler", "container_insights"  # a job's resource_source


_ABSENT = object()  # a metric row without task_id/metric: an error, but only for a row that is used


def sample_arrays(rows: Iterable[dict[str, Any]], sampled: frozenset[str] = frozenset()) -> SampleArrays:
    """One pass over the metric rows (those with a value and a timestamp), kept as columns. sampled:
    the tasks whose rows come from the in-task sampler (suite.analyze.samples.resource_samples)."""
    stamps = Stamps()
    task_codes, metric_codes = Codes(), Codes()
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    keys = ("task_id", "metric", "timestamp", "value")
    for tasks, metrics, when, values in chunks(rows, keys, absent=_ABSENT):
        if None in values or not all(when.distinct if isinstance(when, Encoded) else when):
            keep = [i for i, (w, v) in enumerate(zip(when, values, strict=True)) if v is not None and w]
            tasks, metrics = [tasks[i] for i in keep], [metrics[i] for i in keep]
            when, values = [when[i] for i in keep], [values[i] for i in keep]
        for key, col in (("task_id", tasks), ("metric", metrics)):
            if _ABSENT in col:
                raise KeyError(key)
        n = len(values)
        parts.append(
            (
                task_codes.column(tasks),
                metric_codes.column(metrics),
                stamps.column(when),
                np.fromiter(values, float, n),
            )
        )
    task = Cat.build(task_codes, [p[0] for p in parts], str)
    metric = Cat.build(metric_codes, [p[1] for p in parts], str)
    tt = np.concatenate([p[2] for p in parts]) if parts else np.empty(0)
    tv = np.concatenate([p[3] for p in parts]) if parts else np.empty(0)
    out = {}
    for code, name in enumerate(metric.values):
        sel = np.flatnonzero(metric.codes == code)
        ta, t, v = task.codes[sel], tt[sel], tv[sel]
        if not sorted_by(ta, t):
            order = np.lexsort((t, ta))
            ta, t, v = ta[order], t[order], v[order]
        out[name] = (ta, t, v)
    distinct = np.unique(np.fromiter(stamps.values(), float, len(stamps)))  # stamps parsed for kept rows only
    return SampleArrays({name: code for code, name in enumerate(task.values)}, out, distinct, sampled)


@dataclass(frozen=True)
class ResourceColumns:
    """Per job (in the order given): samples (int), the eight FIGURES as float columns (NaN when
    unknown), the reason and the source (object: str or None); `figures` gives the FIGURES as lists
    with None when unknown."""

    samples: np.ndarray
    values: dict[str, np.ndarray]
    reasons: np.ndarray
    sources: np.ndarray

    @cached_property
    def figures(self) -> dict[str, list[float | None]]:
        return {k: nullable(self.values[k]) for k in FIGURES}


def _segments(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(max, sum) of values[lo:hi] per segment (NaN where empty), for segments in order of lo (lo
    non-decreasing); exact for any such segments."""
    maxs = np.full(lo.size, np.nan)
    sums = np.full(lo.size, np.nan)
    order = np.flatnonzero(hi > lo)
    if order.size == 0:
        return maxs, sums
    slo, shi = lo[order], hi[order]
    disjoint = np.ones(order.size, bool)
    disjoint[1:] = slo[1:] >= np.maximum.accumulate(shi)[:-1]
    disjoint[:-1] &= disjoint[1:]  # a segment overlapped by the next one is done the slow way too
    fast = order[disjoint]
    if fast.size:
        idx = np.empty(2 * fast.size, np.int64)
        idx[0::2], idx[1::2] = slo[disjoint], shi[disjoint]
        ext = np.append(values, 0.0)
        maxs[fast] = np.maximum.reduceat(ext, idx)[0::2]
        sums[fast] = np.add.reduceat(ext, idx)[0::2]
    for k in order[~disjoint].tolist():
        seg = values[lo[k] : hi[k]]
        maxs[k], sums[k] = seg.max(), seg.sum()
    return maxs, sums


SKIPPED = "job was skipped: it never ran on a runner"
NOT_STARTED = "job never started (no started_at)"
NOT_COMPLETED = "job has not completed (no completed_at)"
NO_RUNNER = "job has no runner_name to join with Container Insights task metrics"
_NO_INSIGHTS_SAMPLE = "no Container Insights sample inside the job's {} s interval (samples are 1 per minute)"
_NO_SAMPLER_READING = "no sampler reading inside the job's {} s interval"


def join_resources(jobs: JobArrays, index: SampleArrays, not_collected: str | None = None) -> ResourceColumns:
    """job_resources for every job, vectorised: the samples inside each job's [started, completed)
    found by binary search on (task, time) keys, max and sum per job by segment reductions.
    not_collected: why the run read no samples at all (the manifest's), every job that ran's reason."""
    a = jobs
    n = len(a)
    reasons = np.full(n, None, dtype=object)
    skipped, no_start = a.conclusion.isin("skipped"), np.isnan(a.started)
    reasons[~a.busy & skipped] = SKIPPED
    reasons[~a.busy & ~skipped & no_start] = NOT_STARTED
    reasons[~a.busy & ~skipped & ~no_start] = NOT_COMPLETED
    names = a.runner.values
    task_of = np.fromiter((index.task_codes.get(v, -1) if v else -1 for v in names), np.int64, len(names))
    job_task = task_of[a.runner.codes] if names else np.full(n, -1, np.int64)
    no_runner = a.busy & a.runner.isin(None)
    reasons[no_runner] = NO_RUNNER
    unknown = a.busy & ~no_runner & (job_task < 0)
    if unknown.any():
        text = objects((f"no Container Insights samples at all for task {v}" for v in names), len(names))
        reasons[unknown] = text[a.runner.codes[unknown]]
    joined = a.busy & (job_task >= 0)
    code = np.where(joined, job_task, -1)
    start = np.where(joined, a.start, 0.0)
    end = np.where(joined, a.end, 0.0)
    # exact order as integer keys: task code x (distinct sample times + 1) + rank, where a job's rank at
    # time s is the number of distinct sample times < s (so a sample at t is before s iff t < s)
    times = index.times
    span = np.int64(times.size + 1)
    k_start = code * span + np.searchsorted(times, start)
    k_end = code * span + np.searchsorted(times, end)
    # the reductions run over the jobs in key order (each metric's segments then come in order of lo);
    # by_key[i] is the job at position i of that order
    by_key = np.argsort(k_start, kind="stable")
    k_start_sorted, k_end_sorted, joined_sorted = k_start[by_key], k_end[by_key], joined[by_key]

    def unsorted(x: np.ndarray) -> np.ndarray:
        out = np.empty_like(x)
        out[by_key] = x
        return out

    counts: dict[str, np.ndarray] = {}
    maxs: dict[str, np.ndarray] = {}
    means: dict[str, np.ndarray] = {}
    found: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None  # the last (task, t, lo, hi)
    for metric in (CPU, MEM, CPU_RESERVED, MEM_RESERVED):
        task, t, v = index.columns.get(metric, (np.empty(0, np.int64), np.empty(0), np.empty(0)))
        if found is not None and np.array_equal(found[0], task) and np.array_equal(found[1], t):
            lo, hi = found[2], found[3]  # sampled at the same (task, time)s as the last: the same slices
        else:
            keys = task * span + np.searchsorted(times, t)
            lo = np.searchsorted(keys, k_start_sorted, side="left")
            hi = np.searchsorted(keys, k_end_sorted, side="left")
            hi[~joined_sorted] = lo[~joined_sorted]  # no task to join: no samples
            found = (task, t, lo, hi)
        count = hi - lo
        mx, sm = _segments(v, lo, hi)
        counts[metric] = unsorted(count)
        if metric in (CPU, MEM):
            maxs[metric] = unsorted(mx)
        with np.errstate(invalid="ignore", divide="ignore"):
            means[metric] = unsorted(sm / count)
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
    none_inside = joined & (n_cpu == 0) & (n_mem == 0)
    by_sampler = np.fromiter((v in index.sampled for v in names), bool, len(names))
    job_sampler = by_sampler[a.runner.codes] & joined if names else np.zeros(n, bool)
    if none_inside.any():
        for key in figures:
            figures[key][none_inside] = np.nan
        for mask, text_of in (
            (none_inside & ~job_sampler, _NO_INSIGHTS_SAMPLE),
            (none_inside & job_sampler, _NO_SAMPLER_READING),
        ):
            if mask.any():
                spans, which = np.unique(end[mask] - start[mask], return_inverse=True)
                reasons[mask] = objects((text_of.format(_seconds(x)) for x in spans.tolist()), spans.size)[
                    which.ravel()
                ]
    partly = joined & ~none_inside & ((n_cpu == 0) | (n_mem == 0) | no_res_cpu | no_res_mem)
    for i in np.flatnonzero(partly).tolist():
        missing = [name for name, c in ((CPU, n_cpu[i]), (MEM, n_mem[i])) if c == 0]
        missing += [
            name for name, bad in ((CPU_RESERVED, no_res_cpu[i]), (MEM_RESERVED, no_res_mem[i])) if bad
        ]
        runner = names[a.runner.codes[i]]
        reasons[i] = f"no {', '.join(missing)} sample for task {runner} inside the job's interval"
    samples = np.where(joined, np.maximum(n_cpu, n_mem), 0)
    sources = np.full(n, None, dtype=object)
    sources[(samples > 0) & job_sampler] = SAMPLER
    sources[(samples > 0) & ~job_sampler] = CONTAINER_INSIGHTS
    if not_collected is not None:
        reasons[a.busy] = not_collected
    return ResourceColumns(samples, figures, reasons, sources)


def not_collected_reasons(not_collected: dict[str, str]) -> dict[str, str]:
    """result.json reasons for the figures of what the run did not collect (the manifest's
    `not_collected`: `metrics` → resources, `tasks` → the task figures), so they are null with why."""
    out = {}
    if "metrics" in not_collected:
        out["resources"] = not_collected["metrics"]
    if "tasks" in not_collected:
        out["tasks.cold_start_s"] = not_collected["tasks"]
        out["tasks.started_to_first_job_s"] = not_collected["tasks"]
    return out

"""Per-job CPU and memory from Container Insights task samples (runner_name == task id).

A job's figures come from its task's samples whose timestamp lies in the job's half-open interval
[started, completed). Samples are one per minute, so a short job can have none: its figures are
None with a reason, never 0. Percentages are of the task's own CpuReserved / MemoryReserved samples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from suite.analyze.stats import mean
from suite.analyze.timeline import Job, ts

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

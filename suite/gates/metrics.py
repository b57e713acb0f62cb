"""The metrics two runs can be compared on (`suite compare` and a profile's ``compare_gates``).

The samples each one is made of are read by suite.decisions.compare.samples.

Gated by default (`gated`): the metrics whose better direction does not depend on the question asked:
queue, execution and workflow total time (lower is better) and the job failure rate. The others are
reported and judged better / worse / `~` but decide nothing unless a gate names them: absolute CPU and
memory grow with the task's reservation (an upsize "uses more"), their share of the reservation
(headroom) and utilization are a trade-off between cost and waiting, and throughput follows the
offered load of an open-model profile.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    lower_is_better: bool
    resolution: float  # smallest change that can be told apart (1 s: GitHub timestamps)
    gated: bool = False  # decides the verdict when no gate is given
    kind: str = "median"  # "median": compared by medians (Mann-Whitney); "rate": a proportion (Fisher)


METRICS: tuple[Metric, ...] = (
    Metric("queue_time_s", "queue time", "s", True, 1.0, gated=True),
    Metric("execution_time_s", "execution time", "s", True, 1.0, gated=True),
    Metric("total_time_s", "workflow total time", "s", True, 1.0, gated=True),
    Metric("failure_rate", "job failure rate", "fraction of jobs", True, 0.01, gated=True, kind="rate"),
    Metric("cpu_mean", "job CPU (mean)", "CPU units", True, 0.0),
    Metric("cpu_mean_pct", "job CPU (mean) of task CPU", "%", True, 0.0),
    Metric("memory_max", "job memory (max)", "MiB", True, 0.0),
    Metric("memory_max_pct", "job memory (max) of task memory", "%", True, 0.0),
    Metric("throughput_per_min", "throughput", "jobs/min", False, 0.0),
    Metric("utilization", "utilization", "busy fraction", True, 0.0),
)
METRIC_KEYS = tuple(m.key for m in METRICS)
GATED_BY_DEFAULT = tuple(m.key for m in METRICS if m.gated)

"""The metrics two runs can be compared on (`suite compare` and a profile's ``compare_gates``).

The samples each one is made of are read by suite.decisions.compare.samples.
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


METRICS: tuple[Metric, ...] = (
    Metric("queue_time_s", "queue time", "s", True, 1.0),
    Metric("execution_time_s", "execution time", "s", True, 1.0),
    Metric("total_time_s", "workflow total time", "s", True, 1.0),
    Metric("cpu_mean", "job CPU (mean)", "CPU units", True, 0.0),
    Metric("memory_max", "job memory (max)", "MiB", True, 0.0),
    Metric("throughput_per_min", "throughput", "jobs/min", False, 0.0),
    Metric("utilization", "utilization", "busy fraction", True, 0.0),
)
METRIC_KEYS = tuple(m.key for m in METRICS)

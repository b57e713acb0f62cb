"""Regression gates: how much worse a candidate may be than its base before it is a regression.

    execution_time_s.p50 +10%     the candidate's median execution time may be at most 10% higher
    queue_time_s.p95 +30s         its queue-time p95 may be at most 30 s higher (`s` optional)
    throughput_per_min.p50 -5%    its median per-minute throughput may be at most 5% lower

`+` bounds an increase, `-` a decrease. A p50 gate fails only when the change beyond the limit is
also statistically significant (Holm-adjusted Mann-Whitney p < 0.05): a gate never fires on noise. Other
statistics (mean, p90, p95, p99, max) have no test: they compare the two runs' figures directly. A
rate (failure_rate) is gated by its mean, `failure_rate.mean +0.02` (at most 2 points more), with
Fisher's exact test as the p50 gates have Mann-Whitney's. A gate whose metric has fewer than 6 samples
in a run cannot be judged: the comparison is inconclusive (exit 1), never a pass by default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from suite.errors import UsageError, clip
from suite.gates.metrics import METRIC_KEYS, METRICS

RATE_KEYS = tuple(m.key for m in METRICS if m.kind == "rate")

STATS = ("p50", "mean", "p90", "p95", "p99", "max")
_GATE = re.compile(r"^\s*([a-z_]+)\.([a-z0-9]+)\s+([+-])\s*(\d+(?:\.\d+)?)\s*(%|s)?\s*$")


@dataclass(frozen=True)
class Gate:
    expr: str
    metric: str
    stat: str
    sign: int  # +1: bounds an increase; -1: bounds a decrease
    amount: float
    relative: bool

    def limit(self, base: float) -> float:
        delta = abs(base) * self.amount / 100.0 if self.relative else self.amount
        return base + self.sign * delta

    def exceeded(self, base: float, cand: float) -> bool:
        return cand > self.limit(base) if self.sign > 0 else cand < self.limit(base)


def parse_gate(expr: str) -> Gate:
    m = _GATE.match(expr)
    shown = repr(clip(expr, 60))  # an error line never carries it whole
    if not m:
        raise UsageError(
            f"gate {shown}: expected `<metric>.<stat> +N%` (or -N%, +Ns), e.g. `execution_time_s.p50 +10%`"
        )
    metric, stat, sign, amount, unit = m.groups()
    if metric not in METRIC_KEYS:
        raise UsageError(f"gate {shown}: unknown metric {metric!r}; metrics: {', '.join(METRIC_KEYS)}")
    if stat not in STATS:
        raise UsageError(f"gate {shown}: unknown statistic {stat!r}; statistics: {', '.join(STATS)}")
    if metric in RATE_KEYS and stat != "mean":
        raise UsageError(
            f"gate {shown}: {metric} is a proportion of jobs: gate its mean, e.g. `{metric}.mean +0.02`"
        )
    return Gate(expr.strip(), metric, stat, 1 if sign == "+" else -1, float(amount), unit == "%")

"""Compare two run directories metric by metric (suite compare BASE CAND).

Verdict rule (per metric), designed against false alarms:
- inconclusive: either run has fewer than 6 samples (no 95% interval for the median exists); the
  verdict says how many are needed.
- better / worse: the Holm-adjusted two-sided Mann-Whitney p < 0.05 AND the change of the median is
  practically meaningful: |Δ median| >= 5% of the base median and >= the metric's resolution (1 s for
  times: GitHub timestamps have 1 s resolution). Direction: lower is better for every metric but
  throughput.
- `~`: otherwise (no significant, meaningful difference).

Regression (exit 1): any gate fails; with no gate given (flags or the profile's `compare_gates`), any
metric judged `worse`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from suite.analyze.stats import percentile
from suite.decisions.compare.samples import METRICS, Metric, RunSamples, load_run
from suite.decisions.compare.stats import MIN_SAMPLES, holm, mann_whitney_p, median_ci
from suite.errors import UsageError
from suite.gates.compare import Gate, parse_gate

SCHEMA = "suite.compare/v1"
ALPHA = 0.05
MIN_RELATIVE_CHANGE = 0.05
PROFILE_KEYS = ("name", "workflow", "inputs", "pattern", "seed")


@dataclass
class MetricComparison:
    metric: str
    label: str
    unit: str
    lower_is_better: bool
    n_base: int
    n_cand: int
    base_median: float | None = None
    base_ci: list[float] | None = None
    cand_median: float | None = None
    cand_ci: list[float] | None = None
    change: float | None = None
    change_pct: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    verdict: str = "inconclusive"
    reason: str = ""


@dataclass
class GateResult:
    expr: str
    base: float | None
    cand: float | None
    limit: float | None
    ok: bool
    reason: str


@dataclass
class Comparison:
    base: str
    candidate: str
    profile: str | None
    forced: bool
    metrics: list[MetricComparison]
    gates: list[GateResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def regression(self) -> bool:
        if self.gates:
            return any(not g.ok for g in self.gates)
        return any(m.verdict == "worse" for m in self.metrics)

    @property
    def verdict(self) -> str:
        return "regression" if self.regression else "no regression"

    def metric(self, key: str) -> MetricComparison:
        return next(m for m in self.metrics if m.metric == key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "base": self.base,
            "candidate": self.candidate,
            "profile": self.profile,
            "forced": self.forced,
            "rule": (
                f"better/worse: Holm-adjusted two-sided Mann-Whitney p < {ALPHA} and |Δ median| >= "
                f"{MIN_RELATIVE_CHANGE:.0%} of base (and >= 1 s for times); inconclusive below "
                f"{MIN_SAMPLES} samples per run; medians with distribution-free 95% order-statistic CIs"
            ),
            "metrics": [asdict(m) for m in self.metrics],
            "gates": [asdict(g) for g in self.gates],
            "regression": self.regression,
            "verdict": self.verdict,
            "notes": self.notes,
        }


def profile_differences(base: dict[str, Any], cand: dict[str, Any]) -> list[str]:
    return [f"{k}: {base.get(k)!r} != {cand.get(k)!r}" for k in PROFILE_KEYS if base.get(k) != cand.get(k)]


def compare_dirs(
    base_dir: Path, cand_dir: Path, gates: list[str] | None = None, force: bool = False
) -> Comparison:
    base, cand = load_run(base_dir), load_run(cand_dir)
    diffs = profile_differences(base.profile, cand.profile)
    notes = []
    if diffs:
        if not force:
            raise UsageError(
                f"{base_dir.name} and {cand_dir.name} ran different profiles ({'; '.join(diffs)}); "
                "compare runs of one profile, or pass --force"
            )
        notes.append("forced: the runs' profiles differ: " + "; ".join(diffs))
    if base.environment != cand.environment:
        notes.append(f"environments differ: {base.environment} vs {cand.environment}")
    exprs = list(gates or []) or list(cand.profile.get("compare_gates") or [])
    return compare_samples(base, cand, [parse_gate(e) for e in exprs], force, notes)


def compare_samples(
    base: RunSamples, cand: RunSamples, gates: list[Gate], force: bool = False, notes: list[str] | None = None
) -> Comparison:
    rows = [_metric(m, base.samples[m.key], cand.samples[m.key]) for m in METRICS]
    for row, p_adj in zip(rows, holm([r.p_value for r in rows]), strict=True):
        row.p_adjusted = p_adj
        _judge(row, next(m for m in METRICS if m.key == row.metric))
    comparison = Comparison(
        base=base.test_run_id,
        candidate=cand.test_run_id,
        profile=cand.profile.get("name"),
        forced=force,
        metrics=rows,
        notes=list(notes or []),
    )
    comparison.gates = [_gate(g, comparison.metric(g.metric), base, cand) for g in gates]
    return comparison


def _metric(m: Metric, a: list[float], b: list[float]) -> MetricComparison:
    row = MetricComparison(m.key, m.label, m.unit, m.lower_is_better, len(a), len(b))
    if a:
        ci = median_ci(a)
        row.base_median = ci.median
        row.base_ci = None if ci.low is None or ci.high is None else [ci.low, ci.high]
    if b:
        ci = median_ci(b)
        row.cand_median = ci.median
        row.cand_ci = None if ci.low is None or ci.high is None else [ci.low, ci.high]
    if row.base_median is not None and row.cand_median is not None:
        row.change = row.cand_median - row.base_median
        row.change_pct = 100.0 * row.change / abs(row.base_median) if row.base_median != 0 else None
    if len(a) >= MIN_SAMPLES and len(b) >= MIN_SAMPLES:
        row.p_value = mann_whitney_p(a, b)
    return row


def _judge(row: MetricComparison, m: Metric) -> None:
    if row.p_value is None or row.p_adjusted is None or row.change is None or row.base_median is None:
        row.verdict = "inconclusive"
        row.reason = (
            f"too few samples: need >= {MIN_SAMPLES} per run, have {row.n_base} (base) and {row.n_cand} "
            "(candidate)"
        )
        return
    needed = max(MIN_RELATIVE_CHANGE * abs(row.base_median), m.resolution)
    meaningful = abs(row.change) >= needed and row.change != 0
    significant = row.p_adjusted < ALPHA
    if significant and meaningful:
        worse = (row.change > 0) == m.lower_is_better
        row.verdict = "worse" if worse else "better"
        row.reason = f"p_adj {row.p_adjusted:.2g} < {ALPHA}, |Δ| {abs(row.change):.3g} >= {needed:.3g}"
    else:
        row.verdict = "~"
        why = []
        if not significant:
            why.append(f"p_adj {row.p_adjusted:.2g} >= {ALPHA}")
        if not meaningful:
            why.append(f"|Δ| {abs(row.change):.3g} < {needed:.3g}")
        row.reason = "; ".join(why)


def _stat(values: list[float], stat: str) -> float | None:
    if not values:
        return None
    if stat == "mean":
        return math.fsum(values) / len(values)
    if stat == "max":
        return max(values)
    return percentile(values, float(stat[1:]))


def _gate(g: Gate, row: MetricComparison, base: RunSamples, cand: RunSamples) -> GateResult:
    b, c = _stat(base.samples[g.metric], g.stat), _stat(cand.samples[g.metric], g.stat)
    if b is None or c is None:
        return GateResult(g.expr, b, c, None, False, "no samples in one of the runs")
    limit = g.limit(b)
    if not g.exceeded(b, c):
        return GateResult(g.expr, b, c, limit, True, "within the limit")
    if g.stat != "p50":
        return GateResult(g.expr, b, c, limit, False, f"{c:.4g} beyond the limit {limit:.4g}")
    if row.p_adjusted is None:
        return GateResult(g.expr, b, c, limit, False, f"beyond the limit and {row.reason}")
    if row.p_adjusted < ALPHA:
        return GateResult(
            g.expr, b, c, limit, False, f"beyond the limit {limit:.4g}, p_adj {row.p_adjusted:.2g}"
        )
    return GateResult(
        g.expr, b, c, limit, True, f"beyond the limit but not significant (p_adj {row.p_adjusted:.2g})"
    )

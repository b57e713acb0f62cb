"""Compare two run directories metric by metric (suite compare BASE CAND).

Per metric, designed against false alarms:
- inconclusive: either run has fewer than 6 samples (no 95% interval for the median exists); the
  verdict says how many are needed.
- better / worse: the Holm-adjusted two-sided p < 0.05 (Mann-Whitney U on the samples; Fisher's exact
  test for the failure rate) AND the change is practically meaningful: |Δ| >= 5% of the base value and
  >= the metric's resolution (1 s for times, 0.01 for the failure rate). The value compared is the
  median (the rate for the failure rate). Direction: lower is better for every metric but throughput.
  The Holm family is every metric of the comparison.
- `~`: otherwise (no significant, meaningful difference).
- not comparable: execution and total time (times of work that succeeded) when a run has too few
  successful jobs to judge them AND the failure rate is better or worse: the failure rate decides,
  these times do not hold the verdict as inconclusive (a size that ends out-of-memory kills is judged
  on that).

The comparison's verdict (exit code), over the GATED metrics: the gates given (`--gate`, else the
profile's `compare_gates`), else the metrics gated by default (suite.gates.metrics: queue, execution
and workflow total time, job failure rate; absolute CPU/memory, their share of the task, utilization
and throughput are reported, never gated by default):
- regression (exit 1): a gate failed; with no gate given, a gated metric is `worse`;
- inconclusive (exit 1): none of that, but a gated metric could not be judged (fewer than 6 samples
  in a run, or none): it cannot be shown to hold, so it does not pass by default;
- better (exit 0): none of that, and at least one gated metric is `better`;
- no regression (exit 0): otherwise.
A run whose own verdict is incomplete (interrupted, or not yet collected) is refused without --force.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from suite.analyze.stats import percentile
from suite.decisions.compare import sizing
from suite.decisions.compare.samples import METRICS, Metric, RunSamples, load_run
from suite.decisions.compare.stats import MIN_SAMPLES, fisher_p, holm, mann_whitney_p, median_ci, rate_ci
from suite.errors import UsageError, clip
from suite.gates.compare import Gate, parse_gate

SCHEMA = "suite.compare/v1"
ALPHA = 0.05
MIN_RELATIVE_CHANGE = 0.05
PROFILE_KEYS = ("name", "workflow", "inputs", "pattern", "seed")
VERDICTS = ("regression", "inconclusive", "better", "no regression")
INCOMPLETE = "incomplete"  # a run's own verdict: interrupted, or not yet collected


@dataclass
class MetricComparison:
    metric: str
    label: str
    unit: str
    lower_is_better: bool
    gated: bool  # decides the comparison's verdict
    statistic: str  # what base_median / cand_median hold: "median", or "rate" (the failure rate)
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
    status: str = ""  # "ok" | "fail" | "inconclusive" (could not be judged: too few samples)

    def __post_init__(self) -> None:
        self.status = self.status or ("ok" if self.ok else "fail")


@dataclass
class Comparison:
    base: str
    candidate: str
    profile: str | None
    forced: bool
    metrics: list[MetricComparison]
    gates: list[GateResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sizing: list[sizing.SizingRow] = field(default_factory=list)
    money: tuple[dict[str, Any], dict[str, Any]] | None = None  # (base, candidate): sizing.money_of

    @property
    def gated(self) -> list[MetricComparison]:
        return [m for m in self.metrics if m.gated]

    @property
    def verdict(self) -> str:
        """The rule in the module docstring."""
        if self.gates:
            failed = any(g.status == "fail" for g in self.gates)
            undecided = any(g.status == "inconclusive" for g in self.gates)
        else:
            failed = any(m.verdict == "worse" for m in self.gated)
            undecided = any(m.verdict == "inconclusive" for m in self.gated)
        if failed:
            return "regression"
        if undecided:
            return "inconclusive"
        return "better" if any(m.verdict == "better" for m in self.gated) else "no regression"

    @property
    def regression(self) -> bool:
        return self.verdict == "regression"

    @property
    def failed(self) -> bool:
        """Exit 1: a regression, or a gated metric that could not be judged."""
        return self.verdict in ("regression", "inconclusive")

    @property
    def verdict_reasons(self) -> list[str]:
        if self.gates:
            return [f"gate {g.expr}: {g.status} ({g.reason})" for g in self.gates if g.status != "ok"] + [
                f"{m.label}: better ({m.reason})" for m in self.gated if m.verdict == "better"
            ]
        undecided = ("worse", "inconclusive")
        return [f"{m.label}: {m.verdict} ({m.reason})" for m in self.gated if m.verdict in undecided] + [
            f"{m.label}: better ({m.reason})" for m in self.gated if m.verdict == "better"
        ]

    def metric(self, key: str) -> MetricComparison:
        return next(m for m in self.metrics if m.metric == key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "base": self.base,
            "candidate": self.candidate,
            "profile": self.profile,
            "forced": self.forced,
            "sizing": sizing.as_dict(self.sizing),
            "cost": None if self.money is None else {"base": self.money[0], "candidate": self.money[1]},
            "rule": RULE,
            "verdict_rule": VERDICT_RULE,
            "gated": [m.metric for m in self.gated],
            "metrics": [asdict(m) for m in self.metrics],
            "gates": [asdict(g) for g in self.gates],
            "regression": self.regression,
            "verdict": self.verdict,
            "verdict_reasons": self.verdict_reasons,
            "notes": self.notes,
        }


RULE = (
    f"better/worse: Holm-adjusted two-sided p < {ALPHA} (Mann-Whitney U; Fisher exact for the failure "
    f"rate) and |Δ| >= {MIN_RELATIVE_CHANGE:.0%} of base (and >= 1 s for times, 0.01 for the failure "
    f"rate); inconclusive below {MIN_SAMPLES} samples per run; medians with distribution-free 95% "
    "order-statistic CIs, rates with exact Clopper-Pearson CIs"
)
VERDICT_RULE = (
    "over the gated metrics (the gates given, else queue, execution and total time and the failure "
    "rate): regression if a gate fails (no gates: a gated metric is worse); else inconclusive if one "
    "could not be judged (too few samples); else better if one is better; else no regression. "
    "Exit 1 on regression or inconclusive."
)


def profile_differences(base: dict[str, Any], cand: dict[str, Any]) -> list[str]:
    return [
        f"{k}: {clip(repr(base.get(k)), 40)} != {clip(repr(cand.get(k)), 40)}"
        for k in PROFILE_KEYS
        if base.get(k) != cand.get(k)
    ]


def compare_dirs(
    base_dir: Path, cand_dir: Path, gates: list[str] | None = None, force: bool = False
) -> Comparison:
    base, cand = load_run(base_dir), load_run(cand_dir)
    diffs = profile_differences(base.profile, cand.profile)
    notes = []
    if diffs:
        if not force:
            # the differences clipped: the error stays one line a terminal shows whole (four fields that
            # differ made it 314 characters)
            raise UsageError(
                f"{clip(base_dir.name, 60)} and {clip(cand_dir.name, 60)} ran different profiles "
                f"({clip('; '.join(diffs), 110)}); compare runs of one profile, or pass --force"
            )
        notes.append("forced: the runs' profiles differ: " + "; ".join(diffs))
    for label, run, path in (("base", base, base_dir), ("candidate", cand, cand_dir)):
        if run.verdict != INCOMPLETE:
            continue
        if not force:
            raise UsageError(
                f"the {label} run {path} is INCOMPLETE (interrupted, or not yet collected): its samples "
                f"are partial; if it was not collected, `suite collect {path}` first; or pass --force to "
                "compare what it measured"
            )
        notes.append(f"forced: the {label} run {run.test_run_id} is INCOMPLETE (its samples are partial)")
    if base.environment != cand.environment:
        notes.append(f"environments differ: {base.environment} vs {cand.environment}")
    exprs = list(gates or []) or list(cand.profile.get("compare_gates") or [])
    comparison = compare_samples(base, cand, [parse_gate(e) for e in exprs], force, notes)
    comparison.sizing = sizing.sizing_rows(base.fleet, cand.fleet)
    comparison.money = (base.money, cand.money)
    return comparison


def compare_samples(
    base: RunSamples, cand: RunSamples, gates: list[Gate], force: bool = False, notes: list[str] | None = None
) -> Comparison:
    rows = [_metric(m, base.samples[m.key], cand.samples[m.key]) for m in METRICS]
    for row, p_adj in zip(rows, holm([r.p_value for r in rows]), strict=True):
        row.p_adjusted = p_adj
        _judge(row, next(m for m in METRICS if m.key == row.metric))
    _failures_decide(rows)
    comparison = Comparison(
        base=base.test_run_id,
        candidate=cand.test_run_id,
        profile=cand.profile.get("name"),
        forced=force,
        metrics=rows,
        notes=list(notes or []),
    )
    comparison.gates = [_gate(g, comparison.metric(g.metric), base, cand) for g in gates]
    if gates:  # the gates decide: the metrics they name are the gated ones
        named = {g.metric for g in gates}
        for row in comparison.metrics:
            row.gated = row.metric in named
    return comparison


SUCCEEDED_ONLY = ("execution_time_s", "total_time_s")  # sampled over work that succeeded (samples.py)


def _failures_decide(rows: list[MetricComparison]) -> None:
    """The "not comparable" rule of the module docstring."""
    failure = next((r for r in rows if r.metric == "failure_rate"), None)
    if failure is None or failure.verdict not in ("better", "worse"):
        return
    for row in rows:
        if row.metric in SUCCEEDED_ONLY and row.verdict == "inconclusive":
            row.verdict = "not comparable"
            row.reason = (
                f"too few jobs succeeded to compare ({row.n_base} base, {row.n_cand} candidate); the "
                f"failure rate is {failure.verdict} and decides"
            )


def _metric(m: Metric, a: list[float], b: list[float]) -> MetricComparison:
    row = MetricComparison(m.key, m.label, m.unit, m.lower_is_better, m.gated, m.kind, len(a), len(b))
    if m.kind == "rate":
        return _rate(row, a, b)
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


def _rate(row: MetricComparison, a: list[float], b: list[float]) -> MetricComparison:
    """A proportion (samples 0 or 1): the rate and its exact CI; Fisher's exact test."""
    if a:
        rate, low, high = rate_ci(a)
        row.base_median, row.base_ci = rate, [low, high]
    if b:
        rate, low, high = rate_ci(b)
        row.cand_median, row.cand_ci = rate, [low, high]
    if row.base_median is not None and row.cand_median is not None:
        row.change = row.cand_median - row.base_median
        row.change_pct = 100.0 * row.change / row.base_median if row.base_median != 0 else None
    if len(a) >= MIN_SAMPLES and len(b) >= MIN_SAMPLES:
        row.p_value = fisher_p(a, b)
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
    if b is None or c is None or row.n_base < MIN_SAMPLES or row.n_cand < MIN_SAMPLES:
        why = f"cannot be judged: need >= {MIN_SAMPLES} samples per run, have {row.n_base} and {row.n_cand}"
        limit = None if b is None else g.limit(b)
        return GateResult(g.expr, b, c, limit, False, why, "inconclusive")
    limit = g.limit(b)
    if not g.exceeded(b, c):
        return GateResult(g.expr, b, c, limit, True, "within the limit")
    if g.stat != "p50" and row.statistic != "rate":  # the median and the rate have a test; others not
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

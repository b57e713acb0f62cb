"""`suite compare` output: a terminal table, Markdown, or JSON."""

from __future__ import annotations

import json

from tabulate import tabulate

from suite.decisions.compare.core import ALPHA, MIN_RELATIVE_CHANGE, Comparison, MetricComparison
from suite.decisions.compare.stats import MIN_SAMPLES
from suite.report.fmt import NULL

HEADERS = [
    "metric",
    "n base/cand",
    "base median [95% CI]",
    "cand median [95% CI]",
    "Δ",
    "p (Holm)",
    "verdict",
]


def _g(x: float | None) -> str:
    return NULL if x is None else f"{x:.4g}"


def _median(median: float | None, ci: list[float] | None) -> str:
    if median is None:
        return NULL
    return f"{_g(median)} [{_g(ci[0])}, {_g(ci[1])}]" if ci else f"{_g(median)} [n < {MIN_SAMPLES}]"


def _change(m: MetricComparison) -> str:
    if m.change is None:
        return NULL
    if m.change_pct is None:
        return f"{m.change:+.4g}"
    return f"{m.change_pct:+.1f}%"


def _p(m: MetricComparison) -> str:
    if m.p_value is None or m.p_adjusted is None:
        return NULL
    return f"{m.p_value:.2g} ({m.p_adjusted:.2g})"


def rows(c: Comparison) -> list[list[str]]:
    return [
        [
            f"{m.label} ({m.unit})",
            f"{m.n_base}/{m.n_cand}",
            _median(m.base_median, m.base_ci),
            _median(m.cand_median, m.cand_ci),
            _change(m),
            _p(m),
            m.verdict if m.verdict != "inconclusive" else f"inconclusive: {m.reason}",
        ]
        for m in c.metrics
    ]


RULE = (
    f"worse/better = Holm-adjusted two-sided Mann-Whitney p < {ALPHA} and |Δ median| >= "
    f"{MIN_RELATIVE_CHANGE:.0%} of base (>= 1 s for times); `~` otherwise; inconclusive below "
    f"{MIN_SAMPLES} samples per run. CIs: distribution-free order statistics."
)


def _gate_lines(c: Comparison) -> list[str]:
    return [
        f"{'ok  ' if g.ok else 'FAIL'} {g.expr}: base {_g(g.base)}, candidate {_g(g.cand)}, "
        f"limit {_g(g.limit)} ({g.reason})"
        for g in c.gates
    ]


def terminal(c: Comparison) -> str:
    lines = [f"compare {c.base} (base) -> {c.candidate} (candidate), profile {c.profile}"]
    lines.append(tabulate(rows(c), headers=HEADERS, tablefmt="simple", disable_numparse=True))
    lines.extend(["  " + line for line in _gate_lines(c)])
    lines.extend(f"  note: {n}" for n in c.notes)
    lines.append(f"  {RULE}")
    lines.append(f"verdict: {c.verdict.upper()}")
    return "\n".join(lines)


def markdown(c: Comparison) -> str:
    lines = [
        f"## Compare `{c.base}` → `{c.candidate}` ({c.profile})",
        "",
        tabulate(rows(c), headers=HEADERS, tablefmt="github", disable_numparse=True),
        "",
    ]
    if c.gates:
        lines += ["Gates:", ""] + [f"- {line}" for line in _gate_lines(c)] + [""]
    lines += [f"- note: {n}" for n in c.notes]
    lines += [f"_{RULE}_", "", f"**Verdict: {c.verdict}**", ""]
    return "\n".join(lines)


def as_json(c: Comparison) -> str:
    return json.dumps(c.to_dict(), indent=2)

"""`suite compare` output: a terminal table, Markdown, or JSON.

On a terminal the output fits its width: a table wider than the terminal is shown as one block per row
(its label, then its cells as `header value` under it), and prose lines wrap. Piped, the tables keep
their full width (a log or a file is read with scrolling).
"""

from __future__ import annotations

import json

from tabulate import tabulate

from suite.decisions.compare import sizing
from suite.decisions.compare.core import RULE, VERDICT_RULE, Comparison, MetricComparison
from suite.decisions.compare.stats import MIN_SAMPLES
from suite.report.fmt import NULL
from suite.report.terminal_table import fitted_table, output_width, wrapped

HEADERS = [
    "metric",
    "gated",
    "n base/cand",
    "base median [95% CI]",
    "cand median [95% CI]",
    "Δ",
    "p (Holm)",
    "verdict",
]
# the headers of a row's block when the table is too wide for the terminal
SHORT_HEADERS = ["", "", "n", "base", "cand", "Δ", "p (Holm)", "verdict"]


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


def _label(m: MetricComparison) -> str:
    return f"{m.label} ({m.unit}{', rate' if m.statistic == 'rate' else ''})"


def rows(c: Comparison) -> list[list[str]]:
    return [
        [
            _label(m),
            "gated" if m.gated else "",
            f"{m.n_base}/{m.n_cand}",
            _median(m.base_median, m.base_ci),
            _median(m.cand_median, m.cand_ci),
            _change(m),
            _p(m),
            m.verdict if m.verdict not in ("inconclusive", "not comparable") else f"{m.verdict}: {m.reason}",
        ]
        for m in c.metrics
    ]


_STATUS = {"ok": "ok  ", "fail": "FAIL", "inconclusive": "INCONCLUSIVE"}
SIZING_HEADERS = ["fleet sizing", "base", "candidate", "change"]


def _gate_lines(c: Comparison) -> list[str]:
    return [
        f"{_STATUS[g.status]} {g.expr}: base {_g(g.base)}, candidate {_g(g.cand)}, "
        f"limit {_g(g.limit)} ({g.reason})"
        for g in c.gates
    ]


def sizing_rows(c: Comparison) -> list[list[str]]:
    table = [
        [r.label, sizing.show(r.key, r.base), sizing.show(r.key, r.candidate), "DIFFERS" if r.differs else ""]
        for r in c.sizing
    ]
    if c.money is not None:  # what each sizing cost and what the right-size verdict said, beside it
        table += sizing.cost_rows(*c.money)
    return table


def sizing_table(c: Comparison, fmt: str) -> str:
    return tabulate(sizing_rows(c), headers=SIZING_HEADERS, tablefmt=fmt, disable_numparse=True)


def terminal(c: Comparison, width: int | None = -1) -> str:
    """The comparison for a terminal `width` columns wide (-1: this process's stdout; None: no limit)."""
    width = output_width() if width == -1 else width
    lines = [f"compare {c.base} (base) -> {c.candidate} (candidate), profile {c.profile}"]
    if c.sizing:  # first: what was compared
        lines += [fitted_table(sizing_rows(c), SIZING_HEADERS, width), f"  {sizing.summary(c.sizing)}", ""]
    lines.append(fitted_table(rows(c), HEADERS, width, SHORT_HEADERS))
    lines.extend(["  " + line for line in _gate_lines(c)])
    lines.extend(f"  note: {n}" for n in c.notes)
    lines.append(f"  {RULE}")
    lines.append(f"  verdict: {VERDICT_RULE}")
    lines.extend(f"  - {r}" for r in c.verdict_reasons)
    lines.append(f"verdict: {c.verdict.upper()}")
    return "\n".join(out for line in lines for part in line.split("\n") for out in wrapped(part, width))


def markdown(c: Comparison) -> str:
    lines = [f"## Compare `{c.base}` → `{c.candidate}` ({c.profile})", ""]
    if c.sizing:
        lines += [sizing_table(c, "github"), "", f"_{sizing.summary(c.sizing)}_", ""]
    lines += [tabulate(rows(c), headers=HEADERS, tablefmt="github", disable_numparse=True), ""]
    if c.gates:
        lines += ["Gates:", ""] + [f"- {line}" for line in _gate_lines(c)] + [""]
    lines += [f"- note: {n}" for n in c.notes]
    lines += [f"_{RULE}_", "", f"_Verdict rule: {VERDICT_RULE}_", ""]
    lines += [f"- {r}" for r in c.verdict_reasons]
    lines += ["", f"**Verdict: {c.verdict.upper()}**", ""]
    return "\n".join(lines)


def as_json(c: Comparison) -> str:
    return json.dumps(c.to_dict(), indent=2)

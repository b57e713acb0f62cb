"""Pass/fail gates: expressions over result.json fields, like k6 thresholds.

    queue_time_s.p95 < 120        workflows.success_rate >= 0.99        concurrency.max <= runners.configured

A profile lists them under ``thresholds:``; each entry is an expression, or a mapping
``{expr: "...", abort_on_fail: true}``. An ``abort_on_fail`` threshold is also evaluated while the run
dispatches (on what has been observed so far, see suite.pipeline.abort): once it definitely fails, the run
stops adding load, drains and reports, and the threshold fails in the verdict.

Both sides of an expression are checked when the profile loads: the syntax, and that every field is
one of :data:`KNOWN_FIELDS` (the numeric fields of suite.result/v1: suite.rundir.result_schema)
or lies under one of :data:`OPEN_FIELDS` (maps keyed by data, such as API endpoints).

One job name's or one workflow's figures are named by a selector (suite.gates.selectors):
``jobs["build / npm"].execution_time_s.p95 < 300``, ``workflows["runner_test.yml"].total_time_s.p95 < 600``.

A threshold that reads a missing or null figure cannot be judged (suite.gates.verdict: inconclusive),
with that reason (honesty rule 2); one whose job name or workflow the run does not have fails (`absent`;
the reason lists the names it has).
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from suite.errors import UsageError, clip
from suite.gates import selectors
from suite.gates.verdict import needed_samples
from suite.rundir.result_schema import DIST_STATS, DISTRIBUTIONS, NUMBERS, NUMERIC_FIELDS, OPEN_FIELDS

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_PATH = rf"(?:{selectors.PATH}|[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*)"
_NUMBER = r"-?\d+(?:\.\d+)?"
_EXPR = re.compile(rf"^\s*({_PATH})\s*(<=|>=|==|!=|<|>)\s*({_NUMBER}|{_PATH})\s*$")
EXAMPLE = "queue_time_s.p95 < 120"

# --- the numeric fields of suite.result/v1 (suite/analyze/result.py and what it calls) -------------

# The fields come from the typed catalogue of result.json (suite.rundir.result_schema), not a copy of it.
SCALARS: tuple[str, ...] = NUMBERS
KNOWN_FIELDS: tuple[str, ...] = NUMERIC_FIELDS
_KNOWN = frozenset(KNOWN_FIELDS)


@dataclass(frozen=True)
class Threshold:
    expr: str
    abort_on_fail: bool = False

    def to_data(self) -> str | dict[str, Any]:
        """The profile-file form: the bare expression, or a mapping when it carries a flag."""
        return {"expr": self.expr, "abort_on_fail": True} if self.abort_on_fail else self.expr


def field_problem(path: str) -> str | None:
    """Why ``path`` is not a numeric result.json field, or None when it is one."""
    if selectors.is_selector(path):
        return selectors.problem(path)
    if path in _KNOWN or any(path.startswith(p + ".") for p in OPEN_FIELDS):
        return None
    if path in DISTRIBUTIONS:
        return f"{path} is a distribution; name one of its figures: {path}.{{{','.join(DIST_STATS)}}}"
    head = path.split(".")[0]
    close = difflib.get_close_matches(path, KNOWN_FIELDS, n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    known_heads = sorted({f.split(".")[0] for f in KNOWN_FIELDS})
    if head not in known_heads:
        heads = ", ".join(known_heads[:8]) + f", ... ({len(known_heads)}: see docs/architecture.md)"
        return f"{clip(path, 60)} is not a field of result.json{hint}; top-level fields: {heads}"
    under = sorted({f for f in KNOWN_FIELDS if f.split(".")[0] == head})
    shown = ", ".join(under[:8]) + (", ..." if len(under) > 8 else "")
    return f"{clip(path, 60)} is not a field of result.json{hint}; fields under {head}: {shown}"


def problem(expr: str) -> str | None:
    """Why ``expr`` is not a valid threshold (syntax or an unknown field), or None when it is."""
    m = _EXPR.match(expr)
    if not m:
        return (
            f"{clip(expr, 80)!r} is not a threshold: expected `<field> <op> <number or field>`, "
            f"e.g. `{EXAMPLE}`; ops: {' '.join(_OPS)}"
        )
    for side in (m.group(1), m.group(3)):
        if not re.fullmatch(_NUMBER, side):
            why = field_problem(side)
            if why:
                return why
    return None


def parse(expr: str) -> tuple[str, str, str]:
    m = _EXPR.match(expr)
    if not m:
        raise UsageError(f"threshold {problem(expr)}")
    return m.group(1), m.group(2), m.group(3)


def _lookup(result: Mapping[str, Any], path: str) -> tuple[float | None, str | None]:
    node: Any = result
    selected = selectors.split(path)
    if selected is not None:
        node, why = selectors.lookup(result, selected)
        if why is not None:
            return None, why
    else:
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None, f"{path} is not a field of result.json"
            node = node[part]
    if node is None:
        return None, f"{path} is null ({_reason(result, path)})"
    if isinstance(node, bool) or not isinstance(node, int | float):
        return None, f"{path} is not a number"
    return float(node), None


def _reason(result: Mapping[str, Any], path: str) -> str:
    reasons = result.get("reasons") or {}
    parts = path.split(".")
    for i in range(len(parts), 0, -1):  # the most specific reason recorded for the path
        why = reasons.get(".".join(parts[:i]))
        if why:
            return str(why)
    return "not observed"


def as_threshold(item: str | Threshold | Mapping[str, Any]) -> Threshold:
    """A threshold from its profile / manifest form (expression, or {expr, abort_on_fail})."""
    if isinstance(item, Threshold):
        return item
    if isinstance(item, str):
        return Threshold(item)
    return Threshold(str(item["expr"]), bool(item.get("abort_on_fail")))


def evaluate(item: str | Threshold | Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, Any]:
    t = as_threshold(item)
    left, op, right = parse(t.expr)
    value, why = _lookup(result, left)
    if re.fullmatch(_NUMBER, right):
        target: float | None = float(right)
    else:
        target, why_right = _lookup(result, right)
        why = why or why_right
    out: dict[str, Any] = {"expr": t.expr, "value": value, "ok": False, "reason": why}
    if why is None and value is not None and target is not None:
        out["ok"] = bool(_OPS[op](value, target))
    support = [s for s in (_support(result, left), _support(result, right)) if s is not None]
    if support:  # the side with the fewest samples to spare (suite.gates.verdict judges it)
        out["sampled"], out["samples"], out["needs"] = min(support, key=lambda s: s[1] - s[2])
    if selectors.absent(result, left) or selectors.absent(result, right):
        out["absent"] = True  # a name the run does not have: a fail, not an unobserved figure
    if t.abort_on_fail:
        out["abort_on_fail"] = True
    return out


def _support(result: Mapping[str, Any], path: str) -> tuple[str, int, int] | None:
    """(path, samples, samples needed) when `path` reads a statistic of a distribution whose count is
    known (suite.gates.verdict.needed_samples); None otherwise."""
    head, _, stat = path.rpartition(".")
    if not head or stat not in DIST_STATS or stat == "count":
        return None
    count, why = _lookup(result, f"{head}.count")
    if why is not None or count is None:
        return None
    return path, int(count), needed_samples(stat)


def evaluate_all(
    items: Iterable[str | Threshold | Mapping[str, Any]], result: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every threshold over the result. A threshold that aborted the run fails, whatever its final value."""
    aborted = (result.get("dispatch") or {}).get("aborted") or {}
    out = []
    for item in items:
        row = evaluate(item, result)
        if aborted and row["expr"] == aborted.get("threshold"):
            row["ok"] = False
            row["reason"] = f"aborted the run at {aborted.get('at')}: {aborted.get('reason')}"
        out.append(row)
    return out


def definite_failures(
    items: Iterable[str | Threshold | Mapping[str, Any]], result: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The abort_on_fail thresholds that fail on a figure that exists (a null one is not yet known)."""
    out = []
    for item in items:
        t = as_threshold(item)
        if not t.abort_on_fail:
            continue
        row = evaluate(t, result)
        if row["reason"] is None and row["ok"] is False:
            out.append(row)
    return out

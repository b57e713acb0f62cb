"""Pass/fail gates: expressions over result.json fields, like k6 thresholds.

    queue_time_s.p95 < 120        workflows.success_rate >= 0.99        concurrency.max == runners.configured

A threshold that reads a missing or null figure fails, with that reason (honesty rule 2).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from suite.errors import UsageError

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_PATH = r"[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*"
_NUMBER = r"-?\d+(?:\.\d+)?"
_EXPR = re.compile(rf"^\s*({_PATH})\s*(<=|>=|==|!=|<|>)\s*({_NUMBER}|{_PATH})\s*$")


def parse(expr: str) -> tuple[str, str, str]:
    m = _EXPR.match(expr)
    if not m:
        raise UsageError(
            f"threshold {expr!r}: expected `<field> <op> <number or field>`, e.g. `queue_time_s.p95 < 120`; "
            f"ops: {' '.join(_OPS)}"
        )
    return m.group(1), m.group(2), m.group(3)


def _lookup(result: Mapping[str, Any], path: str) -> tuple[float | None, str | None]:
    node: Any = result
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
    head = path.split(".")[0]
    return str(reasons.get(path) or reasons.get(head) or "not observed")


def evaluate(expr: str, result: Mapping[str, Any]) -> dict[str, Any]:
    left, op, right = parse(expr)
    value, why = _lookup(result, left)
    if re.fullmatch(_NUMBER, right):
        target: float | None = float(right)
    else:
        target, why_right = _lookup(result, right)
        why = why or why_right
    if why is not None or value is None or target is None:
        return {"expr": expr, "value": value, "ok": False, "reason": why}
    return {"expr": expr, "value": value, "ok": bool(_OPS[op](value, target)), "reason": None}


def evaluate_all(exprs: list[str] | tuple[str, ...], result: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [evaluate(e, result) for e in exprs]

"""Validation of a YAML node tree: every failure is one UsageError naming file:line and field path.

:class:`Checker` checks the generic shapes (mappings with did-you-mean for unknown keys, numbers,
integers, choices, strings); :class:`NodeFields` lets a pattern type (suite.schedule.patterns) read
its fields through it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, NoReturn

from suite.errors import UsageError
from suite.profiles.yamlpos import Node, brief, where
from suite.schedule.patterns import MIN_RATE_PER_MIN, MIN_SECONDS, Fields, fmt

MAX_DURATION_S = 7 * 24 * 3600  # one week: any longer dispatch window is a typo
MAX_RATE_PER_MIN = 10_000.0
MAX_STRING_CHARS = 500  # a name, an expression: longer is a mistake (and error lines may quote it)


def show(value: Any) -> str:
    """A YAML value as an error message names it."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return brief(value)


class Checker:
    """Validates Node trees; every failure is one UsageError naming file:line and field path."""

    required_hints: ClassVar[Mapping[str, str]] = {}  # key -> what it must be, added to its "missing" error

    def __init__(self, source: str, environment: str | None = None) -> None:
        self.source = source
        self.environment = environment

    def fail(self, line: int, path: str, message: str) -> NoReturn:
        suffix = ""
        if self.environment is not None and not path.startswith("environments."):
            suffix = f" (with environment '{self.environment}' applied)"
        raise UsageError(f"{where(self.source, line)}: {path or 'document'}: {message}{suffix}")

    # generic shapes

    def mapping(
        self,
        node: Node,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        what: str = "",
        *,
        null_ok: bool = False,
    ) -> dict[str, Node]:
        if node.value is None and null_ok:
            return {}
        if not node.is_mapping:
            # the whole document is not quoted: it may be any file (suite run ../../etc/passwd)
            got = show(node.value) if node.path else f"a {type(node.value).__name__}, not a YAML mapping"
            self.fail(node.line, node.path, f"must be a mapping with keys {', '.join(allowed)}, got {got}")
        for key, child in node.value.items():
            if key not in allowed:
                msg = f"unknown key{what}; allowed: {', '.join(allowed)}"
                close = difflib.get_close_matches(key, allowed, n=1)
                if close:
                    msg += f" (did you mean '{close[0]}'?)"
                self.fail(child.line, child.path, msg)
        for key in required:
            if key not in node.value:
                hint = self.required_hints.get(key)
                self.fail(
                    node.line,
                    node.child_path(key),
                    f"missing; required{what}" + (f": {hint}" if hint else ""),
                )
        mapping: dict[str, Node] = node.value
        return mapping

    def number(
        self,
        node: Node,
        *,
        minimum: float = 0.0,
        exclusive: bool = True,
        maximum: float | None = None,
        unit: str = "",
    ) -> float:
        desc = f"a number {'>' if exclusive else '>='} {fmt(minimum)}"
        if maximum is not None:
            desc += f" and <= {fmt(maximum)}"
        desc += unit
        v = node.value
        ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        if ok:
            ok = (v > minimum if exclusive else v >= minimum) and (maximum is None or v <= maximum)
        if not ok:
            self.fail(node.line, node.path, f"must be {desc}, got {show(v)}")
        return float(v)

    def rate(self, node: Node, *, allow_zero: bool = False) -> float:
        return self._at_least(
            node,
            self.number(node, exclusive=not allow_zero, maximum=MAX_RATE_PER_MIN, unit=" (per minute)"),
            MIN_RATE_PER_MIN,
            " per minute",
            allow_zero,
        )

    def seconds(self, node: Node, *, allow_zero: bool = False) -> float:
        return self._at_least(
            node,
            self.number(node, exclusive=not allow_zero, maximum=MAX_DURATION_S, unit=" (seconds)"),
            MIN_SECONDS,
            " s",
            allow_zero,
        )

    def _at_least(self, node: Node, value: float, smallest: float, unit: str, allow_zero: bool) -> float:
        """0 (where allowed) or at least ``smallest``: the resolution below which a schedule is noise."""
        if 0 < value < smallest:
            zero = "0 or " if allow_zero else ""
            self.fail(
                node.line, node.path, f"must be {zero}at least {fmt(smallest)}{unit}, got {show(node.value)}"
            )
        return value

    def integer(self, node: Node, lo: int | None = None, hi: int | None = None) -> int:
        v = node.value
        ok = isinstance(v, int) and not isinstance(v, bool)
        if ok and ((lo is not None and v < lo) or (hi is not None and v > hi)):
            ok = False
        if not ok:
            if lo is not None and hi is not None:
                desc = f"an integer {lo}..{hi}"
            elif lo is not None:
                desc = f"an integer >= {lo}"
            else:
                desc = "an integer"
            self.fail(node.line, node.path, f"must be {desc}, got {show(v)}")
        return int(v)

    def choice(self, node: Node, options: Sequence[str]) -> str:
        if not isinstance(node.value, str) or node.value not in options:
            self.fail(node.line, node.path, f"must be one of {', '.join(options)}, got {show(node.value)}")
        value: str = node.value
        return value

    def string(self, node: Node, *, example: str = "", max_chars: int = MAX_STRING_CHARS) -> str:
        if not isinstance(node.value, str) or not node.value.strip():
            hint = f" such as {example!r}" if example else ""
            self.fail(node.line, node.path, f"must be a non-empty string{hint}, got {show(node.value)}")
        if len(node.value) > max_chars:
            self.fail(node.line, node.path, f"{len(node.value)} characters; at most {max_chars} are allowed")
        value: str = node.value
        return value.strip()


class NodeFields:
    """A pattern's fields as :class:`~suite.schedule.patterns.Fields`, read from its YAML node."""

    def __init__(self, checker: Checker, node: Node, values: dict[str, Node]) -> None:
        self.checker = checker
        self.node = node
        self.values = values

    def has(self, key: str) -> bool:
        return key in self.values

    def given(self, key: str) -> bool:
        return key in self.values and self.values[key].value is not None

    def rate(self, key: str, *, allow_zero: bool = False) -> float:
        return self.checker.rate(self.values[key], allow_zero=allow_zero)

    def seconds(self, key: str, *, allow_zero: bool = False) -> float:
        return self.checker.seconds(self.values[key], allow_zero=allow_zero)

    def integer(self, key: str, lo: int, hi: int) -> int:
        return self.checker.integer(self.values[key], lo, hi)

    def items(self, key: str, keys: tuple[str, ...], hi: int, what: str) -> Iterator[Fields]:
        node = self.values[key]
        if not node.is_list or not node.value or len(node.value) > hi:
            got = f"{len(node.value)} {key}" if node.is_list else show(node.value)
            self.checker.fail(
                node.line,
                node.path,
                f"must be a list of 1..{hi} {key}, each {{{', '.join(keys)}}}, got {got}",
            )
        for item in node.value:
            yield NodeFields(self.checker, item, self.checker.mapping(item, keys, keys, what))

    def fail(self, key: str, message: str) -> NoReturn:
        if self.given(key):
            child = self.values[key]
            self.checker.fail(child.line, child.path, message)
        self.checker.fail(self.node.line, self.node.child_path(key), message)

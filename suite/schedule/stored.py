"""A pattern read back from a mapping ``to_dict`` wrote (manifest.json's ``profile.pattern``).

The file may be damaged, so every value is checked again by the same rules as a profile's (finite
numbers, the smallest rate and duration above 0, counts in their bounds): a ValueError naming the field,
never another exception.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

from suite.schedule.patterns import (
    MIN_RATE_PER_MIN,
    MIN_SECONDS,
    PATTERN_TYPES,
    PATTERNS,
    Fields,
    Pattern,
    fmt,
)


class _MappingFields:
    """Fields of a mapping written by ``to_dict`` (validated when it was written; read back from a file
    that may be damaged, so every value is checked again: ValueError naming the field, never another
    exception)."""

    def __init__(self, data: Mapping[str, Any], path: str = "pattern") -> None:
        if not isinstance(data, Mapping):
            raise ValueError(f"{path}: must be a mapping, got {type(data).__name__}")
        self.data = data
        self.path = path

    def has(self, key: str) -> bool:
        return key in self.data

    def given(self, key: str) -> bool:
        return self.data.get(key) is not None

    def _get(self, key: str) -> Any:
        if key not in self.data:
            self.fail(key, "missing")
        return self.data[key]

    def _number(self, key: str, smallest: float, allow_zero: bool) -> float:
        v = self._get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            self.fail(key, f"must be a finite number, got {type(v).__name__}")
        if v < smallest and not (allow_zero and v == 0):
            self.fail(key, f"must be {'0 or ' if allow_zero else ''}at least {fmt(smallest)}, got {fmt(v)}")
        return float(v)

    def rate(self, key: str, *, allow_zero: bool = False) -> float:
        return self._number(key, MIN_RATE_PER_MIN, allow_zero)

    def seconds(self, key: str, *, allow_zero: bool = False) -> float:
        return self._number(key, MIN_SECONDS, allow_zero)

    def integer(self, key: str, lo: int, hi: int) -> int:
        v = self._get(key)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            self.fail(key, f"must be an integer {lo}..{hi}")
        return int(v)

    def items(self, key: str, keys: tuple[str, ...], hi: int, what: str) -> Iterator[Fields]:
        items = self._get(key)
        if not isinstance(items, list) or not 1 <= len(items) <= hi:
            self.fail(key, f"must be a list of 1..{hi} mappings")
        for i, item in enumerate(items):
            yield _MappingFields(item, f"{self.path}.{key}[{i}]")

    def fail(self, key: str, message: str) -> NoReturn:
        raise ValueError(f"{self.path}.{key}: {message}")


def pattern_from_dict(data: Mapping[str, Any]) -> Pattern:
    """The pattern ``to_dict`` wrote (ValueError when it is not one)."""
    cls = PATTERNS.get(str(data.get("type"))) if isinstance(data, Mapping) else None
    if cls is None:
        shown = repr(data.get("type"))[:40] if isinstance(data, Mapping) else type(data).__name__
        raise ValueError(f"pattern.type: {shown} is not one of {', '.join(PATTERN_TYPES)}")
    return cls.read(_MappingFields(data))

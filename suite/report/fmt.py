"""Formatting of figures for human views. A missing figure prints as `null`, never as 0."""

from __future__ import annotations

from typing import Any

NULL = "null"


def num(value: Any, digits: int = 2) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction (0..1) as a percentage."""
    return NULL if value is None else f"{100.0 * value:.{digits}f}%"

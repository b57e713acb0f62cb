"""The verdict as every report shows it: its name in upper case, its reasons, and the banner of an
incomplete run (report.html, summary.md, the terminal summary and junit.xml share these words)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from suite.gates.verdict import INCOMPLETE, INCOMPLETE_REASONS, INCONCLUSIVE, PASS


def verdict_name(result: Mapping[str, Any]) -> str:
    """PASS, FAIL, INCONCLUSIVE or INCOMPLETE (UNKNOWN for a result without a verdict)."""
    return str(result.get("verdict") or "unknown").upper()


def verdict_reasons(result: Mapping[str, Any]) -> list[str]:
    return [str(r) for r in result.get("verdict_reasons") or []]


def banner(result: Mapping[str, Any]) -> str | None:
    """The warning an incomplete run carries at the top of every report (why it is incomplete); None
    for any other verdict."""
    if result.get("verdict") != INCOMPLETE:
        return None
    why = "; ".join(r for r in verdict_reasons(result) if r.startswith(INCOMPLETE_REASONS))
    why = why or "the run did not cover its whole load"
    return f"INCOMPLETE RUN: {why}. Its figures are not a measurement of the profile and never a baseline."


def other_reasons(result: Mapping[str, Any]) -> list[str]:
    """The verdict's reasons that the banner does not state (all of them when there is no banner)."""
    if result.get("verdict") != INCOMPLETE:
        return verdict_reasons(result)
    return [r for r in verdict_reasons(result) if not r.startswith(INCOMPLETE_REASONS)]


def threshold_mark(row: Mapping[str, Any]) -> Any:
    """A threshold's result cell: True (pass), "inconclusive", or False (fail)."""
    status = row.get("status")
    if status == INCONCLUSIVE:
        return INCONCLUSIVE
    if status is not None:
        return status == PASS
    return row.get("ok") is True

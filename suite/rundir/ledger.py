"""ledger.jsonl: one row per scheduled dispatch, appended as the run goes (the dispatch stage's record).

A row's fields: seq, suite_id, scheduled_at, sent_at (null: never sent), status (GitHub's HTTP status,
null when there was no answer), workflow_run_id, error, and attempts / reconciled / failures when the
dispatcher retried or reconciled. A suite_id may have several rows; the last accepted one counts.

Accepted: a dispatch is accepted when GitHub answered 2xx (ACCEPTED_STATUS). Every reader of the ledger
asks is_accepted (or accepted_mask over a column of statuses).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict

from suite.clock import iso_ms

ACCEPTED_STATUS = range(200, 300)  # GitHub answered 2xx: the dispatch is accepted


class Failure(TypedDict):
    """One try whose outcome was unknown (no answer, or a 5xx) before the row's final answer."""

    sent_at: str
    status: int | None
    error: str | None


class LedgerRow(TypedDict):
    seq: int
    suite_id: str
    scheduled_at: str
    sent_at: str | None
    status: int | None
    workflow_run_id: int | None
    error: str | None
    attempts: NotRequired[int]
    reconciled: NotRequired[bool]
    failures: NotRequired[list[Failure]]


def is_accepted(status: Any) -> bool:
    """True when `status` (a ledger row's, an int or null) is a 2xx answer."""
    return status is not None and int(status) in ACCEPTED_STATUS


def accepted_mask(status: Any) -> Any:
    """is_accepted over a numpy array of statuses (NaN where the ledger has null): a boolean array."""
    return (status >= ACCEPTED_STATUS.start) & (status < ACCEPTED_STATUS.stop)


def accepted_suite_ids(ledger: Iterable[dict[str, Any]]) -> dict[str, int | None]:
    """suite_id -> workflow_run_id (None when GitHub did not return one) for every accepted dispatch."""
    out: dict[str, int | None] = {}
    for row in ledger:
        if is_accepted(row.get("status")):
            out[row["suite_id"]] = row.get("workflow_run_id")
    return out


def dispatch_row(
    seq: int,
    suite_id: str,
    scheduled: float,
    sent: float,
    status: int | None,
    run_id: int | None,
    error: str | None,
) -> LedgerRow:
    """The row of a dispatch that was sent (at `sent`, scheduled at `scheduled`; epoch seconds)."""
    return {
        "seq": seq,
        "suite_id": suite_id,
        "scheduled_at": iso_ms(scheduled),
        "sent_at": iso_ms(sent),
        "status": status,
        "workflow_run_id": run_id,
        "error": error,
    }


def not_sent_row(seq: int, suite_id: str, scheduled: float, reason: str) -> LedgerRow:
    """The ledger row of a scheduled dispatch that was never sent, and why."""
    return {
        "seq": seq,
        "suite_id": suite_id,
        "scheduled_at": iso_ms(scheduled),
        "sent_at": None,
        "status": None,
        "workflow_run_id": None,
        "error": f"not dispatched: {reason}",
        "attempts": 0,
    }


def recovered_row(
    pending: dict[str, Any], run_id: int | None, failures: list[Failure], why: str
) -> LedgerRow:
    """The row of the dispatch in flight when the process died (`pending`: inflight.json), once
    reconciled: status 200 with `run_id` when GitHub lists its run, else not dispatched because `why`."""
    row: LedgerRow = {
        "seq": pending["seq"],
        "suite_id": pending["suite_id"],
        "scheduled_at": pending["scheduled_at"],
        "sent_at": pending["sent_at"],
        "status": 200 if run_id is not None else None,
        "workflow_run_id": run_id,
        "error": None if run_id is not None else f"not dispatched: {why}",
    }
    return with_attempts(row, len(failures), run_id is not None, failures)


def with_attempts(
    row: LedgerRow, attempts: int, reconciled: bool, failures: list[Failure] | None = None
) -> LedgerRow:
    """`row` with how it came about: requests sent, whether a reconciliation found its run, and the
    tries whose outcome was unknown (when given)."""
    row["attempts"] = attempts
    row["reconciled"] = reconciled
    if failures is not None:
        row["failures"] = failures
    return row

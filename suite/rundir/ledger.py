"""ledger.jsonl: one row per scheduled dispatch, appended as the run goes (the dispatch stage's record).

A row's fields: seq, suite_id, scheduled_at, sent_at (null: never sent), status (GitHub's HTTP status,
null when there was no answer), workflow_run_id, error, and attempts / reconciled / failures when the
dispatcher retried or reconciled. A suite_id may have several rows; the last accepted one counts.

Accepted: a dispatch is accepted when GitHub answered 2xx (ACCEPTED_STATUS). Every reader of the ledger
asks is_accepted (or accepted_mask over a column of statuses).

Torn last line: a process killed (or a disk that failed) in the middle of an append can leave a last line
without its newline that is not JSON. repair_torn_tail sets it aside in `ledger.torn` (with a note) and
cuts it from the ledger, but only when it is provably incomplete and its dispatch is accounted for
elsewhere (inflight.json for a dispatch being sent, schedule.json for one never sent); a damaged line
anywhere else is damaged input, never repaired.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from suite.clock import iso_ms
from suite.rundir.io_errors import write_error

ACCEPTED_STATUS = range(200, 300)  # GitHub answered 2xx: the dispatch is accepted
TORN_FILE = "ledger.torn"  # partial last lines set aside, one JSON line each with a note
_SEQ = re.compile(r'^\{"seq":(\d{1,9}),')
# a torn row not in inflight.json is set aside only when its own text shows it was never sent: a sent
# dispatch's row cut short by damage would otherwise be recorded again as never sent, and its run lost
_NEVER_SENT = re.compile(r'"sent_at":\s*null')
_SUITE_ID = re.compile(r'^\{"seq":\d+,"suite_id":"([^"\\]*)"')  # how the appender starts every row


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


def repair_torn_tail(ledger: Path, inflight: Path, schedule: Path) -> str | None:
    """Set aside a torn last line of `ledger` (no newline, not JSON) when its dispatch is accounted for:
    `inflight` names it (it was being sent: suite collect reconciles it from there), or it is one of the
    dispatches `schedule` holds and its text shows `"sent_at": null` (never sent: suite collect records it
    again). The line's text goes to
    `ledger.torn` beside the ledger with a note, then the ledger is cut back to its last whole row.
    Returns what was done, in a sentence (None: nothing to repair, or not provably a torn append).
    """
    if not ledger.is_file():  # absent, or a directory: damaged input, for the reading side to name
        return None
    data = ledger.read_bytes()
    if not data or data.endswith(b"\n"):
        return None
    keep = data.rfind(b"\n") + 1  # 0 when the torn line is the only one
    tail = data[keep:].decode("utf-8", errors="replace")
    try:
        json.loads(tail)
        return None  # a whole row without its newline is not torn: nothing was lost
    except json.JSONDecodeError:
        pass
    accounted = _accounted_by(tail, inflight, schedule)
    if accounted is None:
        return None
    note = {
        "note": f"an incomplete last line of {ledger.name} (no newline, not JSON), set aside: {accounted}",
        "ledger_bytes_kept": keep,
        "text": tail,
    }
    torn = ledger.with_name(TORN_FILE)
    try:
        with torn.open("a") as f:
            f.write(json.dumps(note) + "\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise write_error(torn, exc) from None
    try:
        os.truncate(ledger, keep)
    except OSError as exc:
        raise write_error(ledger, exc) from None
    cut = len(data) - keep
    return f"{ledger}: an incomplete last line ({cut} bytes) set aside in {TORN_FILE}: {accounted}"


def _accounted_by(tail: str, inflight: Path, schedule: Path) -> str | None:
    """Why the torn line's dispatch is not lost (it names the dispatch in inflight.json, or one of the
    schedule's), or None. What the line names (its seq, its suite_id) must match; a line too short to
    name either is accounted for by either file."""
    seq_named = _SEQ.match(tail)
    id_named = _SUITE_ID.match(tail)
    seq = int(seq_named.group(1)) if seq_named else None
    suite_id = id_named.group(1) if id_named else None
    pending = _json_or_none(inflight)
    if (
        pending is not None
        and seq in (pending.get("seq"), None)
        and suite_id in (pending.get("suite_id"), None)
    ):
        return "its dispatch is in inflight.json and is reconciled from there"
    scheduled = _json_or_none(schedule)
    if scheduled is not None:
        prefix = f"{scheduled.get('suite_id_prefix')}-"
        count = len(scheduled.get("offsets_s") or [])
        in_schedule = (seq is None or 1 <= seq <= count) and (suite_id is None or suite_id.startswith(prefix))
        if in_schedule and _NEVER_SENT.search(tail):
            return "its dispatch is in schedule.json and gets its row again"
    return None


def _json_or_none(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None

"""Reconciliation: is there a run for a dispatch whose answer never arrived? Asked by display_title.

Every workflow names its run after the dispatch's suite_id (run-name), so the run a dispatch created is
the run whose display_title is that suite_id among the runs created since the dispatch was sent. "Since"
is on GitHub's clock: the send's local time moved by the offset measured from GitHub's `Date` header
(suite.github.clock_offset.created_since), so a clock minutes or hours off GitHub's matches the same
runs as a correct one.

Two moments ask:
- reconcile: right after an answer was lost or was a 5xx, before the dispatcher decides whether to send
  again (suite.dispatch.dispatcher);
- reconcile_unknown: every later `suite collect`, for each suite_id whose ledger says "outcome unknown"
  (the answer was lost and the listing failed too). Found: a row accepting the run is appended, with the
  unknown row's attempts and failures (its history kept); the listing answered and no run has the title:
  a row saying it was not dispatched (known now); the listing failed again: nothing is written and the
  next `suite collect` asks again. Nothing is ever sent from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from suite.clock import Clock
from suite.errors import SuiteError
from suite.github.clock_offset import OffsetSource, created_since, window_offset
from suite.isotime import parse_iso
from suite.rundir.jsonio import JsonlAppender, read_jsonl
from suite.rundir.ledger import Failure, LedgerRow, is_accepted, with_attempts

RECONCILE_LISTINGS = 2  # list-runs reads per reconciliation (a new run can take a moment to be listed)
RECONCILE_WAIT_S = 5.0  # between those reads
OUTCOME_UNKNOWN = "outcome unknown"  # the error prefix of a ledger row whose dispatch may have created a run
LEDGER_FILE = "ledger.jsonl"
NOT_FOUND_LATER = (
    "not dispatched: its outcome was unknown and a later `suite collect` found no run with its title"
)


class RunFinder(OffsetSource, Protocol):
    def find_run(self, display_title: str, created_since_iso: str) -> dict[str, Any] | None: ...


def reconcile(client: RunFinder, clock: Clock, suite_id: str, sent: float) -> dict[str, Any] | None:
    """The run a dispatch of `suite_id` sent at local time `sent` created, if GitHub lists one; else None.

    Raises SuiteError when the runs cannot be listed (then the outcome stays unknown).
    """
    since = created_since(sent, window_offset(client))
    for i in range(RECONCILE_LISTINGS):
        if i:
            clock.sleep(RECONCILE_WAIT_S)
        run = client.find_run(suite_id, since)
        if run is not None:
            return run
    return None


def unknown_rows(ledger: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per suite_id never accepted whose last row says its outcome is unknown: that row (ledger order)."""
    accepted = {r.get("suite_id") for r in ledger if is_accepted(r.get("status"))}
    last: dict[Any, dict[str, Any]] = {}
    for row in ledger:
        if row.get("suite_id") not in accepted:
            last[row.get("suite_id")] = row
    return [
        row
        for row in last.values()
        if row.get("sent_at") and str(row.get("error") or "").startswith(OUTCOME_UNKNOWN)
    ]


def reconcile_unknown(run_dir: Path, client: RunFinder, clock: Clock) -> list[LedgerRow]:
    """Every outcome-unknown dispatch of the run directory's ledger asked again (module docstring);
    returns the rows appended. A listing that fails leaves its row unknown for the next collect."""
    path = run_dir / LEDGER_FILE
    if not path.exists():
        return []
    rows: list[LedgerRow] = []
    for unknown in unknown_rows(read_jsonl(path)):
        try:
            run = reconcile(client, clock, str(unknown["suite_id"]), parse_iso(str(unknown["sent_at"])))
        except SuiteError:  # still cannot tell: asked again by the next `suite collect`
            continue
        rows.append(_known_row(unknown, int(run["id"]) if run is not None else None))
    if rows:
        with JsonlAppender(path) as ledger:
            for row in rows:
                ledger.append(row)
    return rows


def _known_row(unknown: dict[str, Any], run_id: int | None) -> LedgerRow:
    """The row that settles an outcome-unknown one: accepted with `run_id`, or not dispatched."""
    row: LedgerRow = {
        "seq": unknown["seq"],
        "suite_id": unknown["suite_id"],
        "scheduled_at": unknown["scheduled_at"],
        "sent_at": unknown["sent_at"],
        "status": 200 if run_id is not None else None,
        "workflow_run_id": run_id,
        "error": None if run_id is not None else NOT_FOUND_LATER,
    }
    failures: list[Failure] = list(unknown.get("failures") or [])
    return with_attempts(row, int(unknown.get("attempts") or len(failures)), run_id is not None, failures)

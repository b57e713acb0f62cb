"""Dispatch stage: send the schedule's workflow dispatches on time, appending ledger.jsonl as it goes.

Open model: the schedule is fixed before the run starts. A dispatch that goes out late is recorded
late (sent_at − scheduled_at is the dispatch lag); none is skipped silently.

Never dispatched twice: a dispatch whose outcome is unknown (no answer, or a 5xx) is reconciled first
by listing the runs created since shortly before it, on GitHub's clock, and matching display_title ==
suite_id (the workflows' run-name; suite.dispatch.reconcile); only when no such run appears is it sent
again (at most MAX_ATTEMPTS in all). When the runs cannot be listed either, the row says "outcome
unknown" and every later `suite collect` asks again (reconcile_unknown). The ledger row says what
happened: `attempts`, `reconciled`, and each failed try under `failures`.

Clocks: before the first dispatch the offset between our clock and GitHub's must be measured
(suite.github.clock_offset.check_offset; exit 3 naming the problem otherwise), because every
`created` bound of a reconciliation is our send time moved onto GitHub's clock by it.

Killed mid-dispatch: the row is appended once the answer is known, so a process killed (SIGKILL)
between sending and appending would leave a run GitHub created but the ledger does not list. The
dispatch being sent is therefore written to `inflight.json` first and removed once its row is in the
ledger; `suite collect` finds it there and reconciles it by display_title (recover_inflight).

Interrupted (Ctrl-C, or killed): the schedule is on disk (`schedule.json`, written before the first
dispatch), so every scheduled dispatch that was never sent gets a ledger row saying so, with why
(record_unsent): at Ctrl-C as the run stops, after a kill by `suite collect`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from suite.clock import Clock, iso_ms, sleep_until
from suite.dispatch.reconcile import OUTCOME_UNKNOWN, RunFinder, reconcile
from suite.errors import SuiteError
from suite.github.client import DispatchResult
from suite.github.clock_offset import NAMED_SKEW_S, check_offset
from suite.isotime import parse_iso
from suite.rundir.jsonio import JsonlAppender, read_json, read_jsonl, stream_jsonl, write_json
from suite.rundir.ledger import (
    Failure,
    LedgerRow,
    dispatch_row,
    is_accepted,
    not_sent_row,
    recovered_row,
    with_attempts,
)
from suite.rundir.paths import INFLIGHT_FILE, SCHEDULE_FILE

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # dispatch requests per suite_id, each after a reconciliation found no run
INTERRUPTED = "interrupted before the answer was recorded"
NEVER_SENT = "the run was interrupted before it was sent"


class InFlight:
    """The dispatch being sent, on disk (`inflight.json` in the run directory) until its ledger row is
    written. Without a path (tests, callers without a run directory) it records nothing."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def mark(self, row: dict[str, object]) -> None:
        if self.path is not None:
            write_json(self.path, row)

    def clear(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


class Dispatcher(RunFinder, Protocol):
    def dispatch(
        self, workflow_file: str, ref: str, inputs: dict[str, str], return_run_details: bool = True
    ) -> DispatchResult: ...


def recover_inflight(run_dir: Path, client: RunFinder, clock: Clock) -> LedgerRow | None:
    """After an interruption: the dispatch that was being sent when the process died, reconciled by
    display_title and appended to the ledger (found: status 200 with its run id, `reconciled`; not
    found: not dispatched, with why). None when nothing was in flight or its row is already in the
    ledger. inflight.json is removed once the row is written; if the runs cannot be listed (SuiteError)
    it stays, for the next `suite collect`.
    """
    path = run_dir / INFLIGHT_FILE
    if not path.exists():
        return None
    pending: dict[str, Any] = read_json(path)
    ledger_path = run_dir / "ledger.jsonl"
    if any(r.get("suite_id") == pending["suite_id"] for r in read_jsonl(ledger_path)):
        path.unlink()
        return None
    failures: list[Failure] = list(pending.get("failures") or [])
    failures.append({"sent_at": pending["attempt_sent_at"], "status": None, "error": INTERRUPTED})
    run = reconcile(client, clock, str(pending["suite_id"]), parse_iso(pending["attempt_sent_at"]))
    run_id = int(run["id"]) if run is not None else None
    row = recovered_row(pending, run_id, failures, f"{INTERRUPTED}; GitHub lists no run")
    with JsonlAppender(ledger_path) as ledger:
        ledger.append(row)
    path.unlink()
    return row


def write_schedule(run_dir: Path, plan: DispatchPlan, start: float) -> None:
    """The fixed schedule, on disk before the first dispatch (what record_unsent compares against)."""
    record = {"start": start, "start_at": iso_ms(start), "suite_id_prefix": plan.suite_id_prefix}
    write_json(run_dir / SCHEDULE_FILE, {**record, "offsets_s": plan.offsets_s})


def record_unsent(run_dir: Path, reason: str = NEVER_SENT) -> list[LedgerRow]:
    """After an interruption: a ledger row (not dispatched, with `reason`) for every scheduled dispatch
    the ledger has no row for, so none is dropped silently. The dispatch in inflight.json, whose outcome
    is unknown, is left to recover_inflight. Returns the rows appended (none for a run that dispatched
    everything, or one from before schedule.json existed)."""
    path = run_dir / SCHEDULE_FILE
    if not path.exists():
        return []
    schedule = read_json(path)
    recorded = {r.get("suite_id") for r in stream_jsonl(run_dir / "ledger.jsonl")}
    if (run_dir / INFLIGHT_FILE).exists():
        recorded.add(read_json(run_dir / INFLIGHT_FILE).get("suite_id"))
    plan = DispatchPlan("", "", {}, list(schedule["offsets_s"]), str(schedule["suite_id_prefix"]))
    start = float(schedule["start"])
    rows = [
        not_sent_row(seq, plan.suite_id(seq), start + offset, reason)
        for seq, offset in enumerate(plan.offsets_s, 1)
        if plan.suite_id(seq) not in recorded
    ]
    if rows:
        with JsonlAppender(run_dir / "ledger.jsonl") as ledger:
            for row in rows:
                ledger.append(row)
    return rows


@dataclass(frozen=True)
class DispatchPlan:
    workflow_file: str
    ref: str
    inputs: dict[str, str]
    offsets_s: list[float]  # arrival offsets from the start, sorted
    suite_id_prefix: str

    def suite_id(self, seq: int) -> str:
        return f"{self.suite_id_prefix}-{seq:05d}"


def run_dispatches(
    plan: DispatchPlan,
    client: Dispatcher,
    clock: Clock,
    ledger: JsonlAppender,
    start: float,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], str | None] | None = None,
    inflight: Path | None = None,
) -> int:
    """Dispatch every scheduled workflow; returns how many GitHub accepted.

    `should_stop` (asked before each dispatch) returns a reason to stop adding load (abort_on_fail):
    that dispatch and every later one get a ledger row with status null and the reason, never dropped.
    `inflight`: where the dispatch being sent is recorded until its ledger row is written.
    Raises EnvironmentFailure before the first dispatch when GitHub's clock offset cannot be measured
    (suite.github.clock_offset.check_offset); an offset of any size is named here (over NAMED_SKEW_S)
    and corrected in every reconciliation.
    """
    offset = check_offset(client)
    if abs(offset) > NAMED_SKEW_S:
        log.warning(
            "GitHub's clock is %+.0f s from this machine's: runs are matched to dispatches on GitHub's "
            "clock (corrected by the offset measured from its Date header)",
            offset,
        )
    with _no_collector_pauses():
        return _dispatch_all(plan, client, clock, ledger, start, on_progress, should_stop, InFlight(inflight))


@contextmanager
def _no_collector_pauses() -> Iterator[None]:
    """Python's cyclic garbage collector off while dispatching: a full collection in a process with a
    large heap (an in-process twin, moto) stops every thread for hundreds of milliseconds, which would
    show as dispatch lag. Reference counting still frees almost everything; one collection runs after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def _dispatch_all(
    plan: DispatchPlan,
    client: Dispatcher,
    clock: Clock,
    ledger: JsonlAppender,
    start: float,
    on_progress: Callable[[int, int], None] | None,
    should_stop: Callable[[], str | None] | None,
    inflight: InFlight,
) -> int:
    accepted = 0
    state = {"return_run_details": True}
    for seq, offset in enumerate(plan.offsets_s, 1):
        scheduled = start + offset
        sleep_until(clock, scheduled)
        reason = should_stop() if should_stop else None
        if reason is not None:
            for rest, later in enumerate(plan.offsets_s[seq - 1 :], seq):
                ledger.append(not_sent_row(rest, plan.suite_id(rest), start + later, reason))
            break
        suite_id = plan.suite_id(seq)
        inputs = {**plan.inputs, "suite_id": suite_id}
        row = _dispatch_one(
            plan, client, clock, _Recorder(ledger, inflight), seq, suite_id, scheduled, inputs, state
        )
        status = row["status"]
        accepted += is_accepted(status)
        if on_progress:
            on_progress(seq, len(plan.offsets_s))
    return accepted


class _Recorder:
    """The ledger, with the in-flight record kept in step: marked before each send, cleared once the
    row is appended."""

    def __init__(self, ledger: JsonlAppender, inflight: InFlight) -> None:
        self.ledger = ledger
        self.inflight = inflight

    def sending(self, row: dict[str, object]) -> None:
        self.inflight.mark(row)

    def append(self, row: LedgerRow) -> None:
        self.ledger.append(row)
        self.inflight.clear()


def _dispatch_one(
    plan: DispatchPlan,
    client: Dispatcher,
    clock: Clock,
    ledger: _Recorder,
    seq: int,
    suite_id: str,
    scheduled: float,
    inputs: dict[str, str],
    state: dict[str, bool],
) -> LedgerRow:
    failures: list[Failure] = []
    first_sent: float | None = None
    while True:
        sent = clock.now()
        first_sent = sent if first_sent is None else first_sent
        pending = dispatch_row(seq, suite_id, scheduled, first_sent, None, None, INTERRUPTED)
        ledger.sending({**pending, "attempt_sent_at": iso_ms(sent), "failures": failures})
        try:
            result = client.dispatch(
                plan.workflow_file, plan.ref, inputs, return_run_details=state["return_run_details"]
            )
            if result.status == 400 and state["return_run_details"]:
                # Older GitHub Enterprise Server rejects return_run_details; nothing was created, so the
                # plain form is safe to send. Its run is found later by display_title == suite_id.
                state["return_run_details"] = False
                sent = clock.now()
                result = client.dispatch(plan.workflow_file, plan.ref, inputs, return_run_details=False)
        except SuiteError as exc:  # the ledger keeps the attempt; the caller decides (abort, report)
            row = dispatch_row(seq, suite_id, scheduled, first_sent, None, None, str(exc))
            with_attempts(row, len(failures) + 1, False, failures)
            ledger.append(row)
            raise
        if not result.outcome_unknown:
            break
        failures.append({"sent_at": iso_ms(sent), "status": result.status or None, "error": result.error})
        try:
            run = reconcile(client, clock, suite_id, sent)
        except SuiteError as exc:  # cannot tell: never send again blindly
            row = dispatch_row(seq, suite_id, scheduled, first_sent, None, None, f"{OUTCOME_UNKNOWN}: {exc}")
            with_attempts(row, len(failures), False, failures)
            ledger.append(row)
            return row
        if run is not None:
            row = dispatch_row(seq, suite_id, scheduled, first_sent, 200, int(run["id"]), None)
            with_attempts(row, len(failures), True, failures)
            ledger.append(row)
            return row
        if len(failures) >= MAX_ATTEMPTS:
            break
    ok = is_accepted(result.status)
    error = None if ok else (result.error or f"HTTP {result.status}")
    status = result.status or None
    row = dispatch_row(seq, suite_id, scheduled, first_sent, status, result.workflow_run_id, error)
    with_attempts(row, len(failures) + (0 if result.outcome_unknown else 1), False, failures or None)
    ledger.append(row)
    return row

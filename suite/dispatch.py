"""Dispatch stage: send the schedule's workflow dispatches on time, appending ledger.jsonl as it goes.

Open model: the schedule is fixed before the run starts. A dispatch that goes out late is recorded
late (sent_at − scheduled_at is the dispatch lag); none is skipped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from suite.clock import Clock, iso_ms, sleep_until
from suite.errors import SuiteError
from suite.github.client import DispatchResult
from suite.rundir import JsonlAppender


class Dispatcher(Protocol):
    def dispatch(
        self, workflow_file: str, ref: str, inputs: dict[str, str], return_run_details: bool = True
    ) -> DispatchResult: ...


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
) -> int:
    """Dispatch every scheduled workflow; returns how many GitHub accepted."""
    accepted = 0
    return_run_details = True
    for seq, offset in enumerate(plan.offsets_s, 1):
        scheduled = start + offset
        sleep_until(clock, scheduled)
        suite_id = plan.suite_id(seq)
        inputs = {**plan.inputs, "suite_id": suite_id}
        sent = clock.now()
        try:
            result = client.dispatch(
                plan.workflow_file, plan.ref, inputs, return_run_details=return_run_details
            )
        except SuiteError as exc:  # the ledger keeps the attempt; the caller decides (abort, report)
            ledger.append(_row(seq, suite_id, scheduled, sent, None, None, str(exc)))
            raise
        if result.status == 400 and return_run_details:
            # Older GitHub Enterprise Server rejects return_run_details; nothing was created, so the
            # plain form is safe to send. Its run is found later by display_title == suite_id.
            return_run_details = False
            sent = clock.now()
            result = client.dispatch(plan.workflow_file, plan.ref, inputs, return_run_details=False)
        ok = 200 <= result.status < 300
        accepted += ok
        error = None if ok else (result.error or f"HTTP {result.status}")
        ledger.append(_row(seq, suite_id, scheduled, sent, result.status, result.workflow_run_id, error))
        if on_progress:
            on_progress(seq, len(plan.offsets_s))
    return accepted


def _row(
    seq: int,
    suite_id: str,
    scheduled: float,
    sent: float,
    status: int | None,
    run_id: int | None,
    error: str | None,
) -> dict[str, object]:
    return {
        "seq": seq,
        "suite_id": suite_id,
        "scheduled_at": iso_ms(scheduled),
        "sent_at": iso_ms(sent),
        "status": status,
        "workflow_run_id": run_id,
        "error": error,
    }

"""abort_on_fail: say when to stop adding load, from the live observer's partial result.

The live observer (suite.pipeline.observer) reads the run as collection will afterwards, only once: runs
by a conditional list-runs poll, each run's jobs when it is first seen completed. After each of its
polls it hands this check the result computed over what it has seen (suite.analyze.result, the same
definitions as the final report), and the profile's ``abort_on_fail`` thresholds are evaluated on it. A
threshold fails *definitely* only on a figure that exists: a null figure (no job has completed yet) is
not yet known and never aborts. Jobs are known once their run completes, so a figure such as queue
time is seen one job's length after the job started (the price of reading each run's jobs once).

The dispatch loop asks :meth:`AbortCheck.should_stop` before each dispatch; from the first failure
on it answers with the reason, dispatch stops and writes a not-dispatched ledger row for every
remaining slot, and the run drains and reports as usual (``dispatch.aborted`` in result.json).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from suite.clock import Clock, iso
from suite.gates.thresholds import Threshold, definite_failures, evaluate, parse
from suite.report.fmt import num


def read_ledger(path: Path) -> list[dict[str, Any]]:
    """The ledger so far; a line being written right now (no newline yet) is left for the next look."""
    rows = []
    text = path.read_text() if path.exists() else ""
    for line in text.splitlines(keepends=True):
        if line.endswith("\n") and line.strip():
            rows.append(json.loads(line))
    return rows


class LedgerTail:
    """The ledger so far, read incrementally: each look reads only the bytes appended since the last one
    (the live observer looks several times per page read; the file only grows while a run dispatches).
    A line being written right now (no newline yet) is left for the next look. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def rows(self) -> list[dict[str, Any]]:
        """Every complete row so far (a new list: callers may keep it)."""
        with self._lock:
            if self.path.exists():
                with self.path.open("rb") as f:
                    f.seek(self._offset)
                    tail = f.read()
                end = tail.rfind(b"\n") + 1  # up to the last whole line
                for line in tail[:end].splitlines():
                    if line.strip():
                        self._rows.append(json.loads(line))
                self._offset += end
            return list(self._rows)


class AbortCheck:
    def __init__(self, thresholds: Sequence[Threshold], clock: Clock) -> None:
        self.thresholds = [t for t in thresholds if t.abort_on_fail]
        self.clock = clock
        self.checks = 0
        self.failure: dict[str, Any] | None = None  # the first definite failure and when it was seen
        self.aborted: dict[str, Any] | None = None  # set once dispatch acted on it

    def should_stop(self) -> str | None:
        """The reason to stop adding load, or None; the first answer with a reason is recorded."""
        failure = self.failure
        if failure is None:
            return None
        if self.aborted is None:
            self.aborted = {**failure, "at": iso(self.clock.now())}
        return str(failure["reason"])

    def check(self, result: dict[str, Any], observed: float, scheduled: int | None = None) -> None:
        """One observation: `result` is result.json over what was seen by `observed` (clock time), of a
        run of `scheduled` dispatches (None: as many as the result says were dispatched)."""
        if not self.thresholds or self.failure is not None:
            return
        self.checks += 1
        failed = [
            row
            for row in definite_failures(self.thresholds, result)
            if not could_still_pass(row["expr"], result, scheduled)
        ]
        if failed:
            first = failed[0]
            runs = result["workflows"]["collected"] if "workflows" in result else 0
            started = result["queue_time_s"]["count"]
            self.failure = {
                "threshold": first["expr"],
                "value": first["value"],
                "observed_at": iso(observed),
                "checks": self.checks,
                "reason": (
                    f"abort_on_fail threshold `{first['expr']}` failed (value {num(first['value'])}) on "
                    f"the {runs} run(s) and {started} started job(s) observed by {iso(observed)}"
                ),
            }


SUCCESS_RATE = "workflows.success_rate"


def as_it_stands(result: dict[str, Any]) -> dict[str, Any]:
    """A partial result's workflow success rate over the workflows that have finished (succeeded or
    failed), null before any has: over every dispatch, as the final result has it, a run still in
    progress would count as a failure. Changed in place; returned."""
    wf = result.get("workflows")
    if isinstance(wf, dict):
        finished = int(wf.get("succeeded") or 0) + int(wf.get("failed") or 0)
        wf["success_rate"] = int(wf.get("succeeded") or 0) / finished if finished else None
    return result


def could_still_pass(expr: str, result: dict[str, Any], scheduled: int | None) -> bool:
    """Whether a threshold on the workflow success rate could still pass when the run ends: it is judged
    at both ends of what the final rate can be (every workflow not yet finished, dispatched or not,
    succeeding; every one failing). Any other threshold: False (its figure as it stands decides). A
    threshold on one workflow file's success rate (a selector) is never judged before the run ends."""
    left = parse(expr)[0]
    if not left.endswith("success_rate"):
        return False
    wf = result.get("workflows") or {}
    if left != SUCCESS_RATE or not isinstance(wf, dict):
        return True
    total = max(int(scheduled or 0), int(wf.get("dispatched") or 0))
    if total == 0:
        return True
    succeeded, failed = int(wf.get("succeeded") or 0), int(wf.get("failed") or 0)
    for rate in ((total - failed) / total, succeeded / total):
        if evaluate(expr, {**result, "workflows": {**wf, SUCCESS_RATE.split(".")[1]: rate}})["ok"]:
            return True
    return False

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from suite.clock import Clock, iso
from suite.gates.thresholds import Threshold, definite_failures
from suite.report.fmt import num


def read_ledger(path: Path) -> list[dict[str, Any]]:
    """The ledger so far; a line being written right now (no newline yet) is left for the next look."""
    rows = []
    text = path.read_text() if path.exists() else ""
    for line in text.splitlines(keepends=True):
        if line.endswith("\n") and line.strip():
            rows.append(json.loads(line))
    return rows


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

    def check(self, result: dict[str, Any], observed: float) -> None:
        """One observation: `result` is result.json over what was seen by `observed` (clock time)."""
        if not self.thresholds or self.failure is not None:
            return
        self.checks += 1
        failed = definite_failures(self.thresholds, result)
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

"""abort_on_fail: watch a run while it dispatches and say when to stop adding load.

Every ``every_s`` (clock seconds) a background thread observes the run the way collection will
afterwards, only cheaper: one list-runs read (conditional, so an unchanged page is a free 304), and
the jobs of each of this test's runs that had not completed at the previous look (a completed run's
jobs are read once). It computes result.json over what it has seen (suite.analyze.result, the same
definitions as the final report) and evaluates the profile's ``abort_on_fail`` thresholds on it. A
threshold fails *definitely* only on a figure that exists: a null figure (no job has started yet) is
not yet known and never aborts.

The dispatch loop asks :meth:`AbortMonitor.should_stop` before each dispatch; from the first failure
on it answers with the reason, dispatch stops and writes a not-dispatched ledger row for every
remaining slot, and the run drains and reports as usual (``dispatch.aborted`` in result.json).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from suite.analyze.result import compute_result
from suite.clock import Clock, iso, start_thread, wait_event
from suite.errors import SuiteError
from suite.gates.thresholds import Threshold, definite_failures
from suite.github.clock_offset import created_since
from suite.report.fmt import num

log = logging.getLogger(__name__)

DEFAULT_EVERY_S = 60.0


class RunReader(Protocol):
    def clock_offset_low_s(self) -> float | None: ...

    def list_runs(self, created_since_iso: str | None = None) -> list[dict[str, Any]]: ...

    def list_jobs(self, run_id: int) -> list[dict[str, Any]]: ...


def _read_ledger(path: Path) -> list[dict[str, Any]]:
    """The ledger so far; a line being written right now (no newline yet) is left for the next look."""
    rows = []
    text = path.read_text() if path.exists() else ""
    for line in text.splitlines(keepends=True):
        if line.endswith("\n") and line.strip():
            rows.append(json.loads(line))
    return rows


class AbortMonitor:
    def __init__(
        self,
        thresholds: Sequence[Threshold],
        client: RunReader,
        clock: Clock,
        ledger_path: Path,
        manifest: dict[str, Any],
        since: float,
        every_s: float = DEFAULT_EVERY_S,
    ) -> None:
        self.thresholds = [t for t in thresholds if t.abort_on_fail]
        self.client = client
        self.clock = clock
        self.ledger_path = ledger_path
        self.manifest = manifest
        # on GitHub's clock (the offset measured so far); scoping is by suite_id / run id
        self.since_iso = created_since(since, client.clock_offset_low_s() or 0.0)
        self.every_s = every_s
        self.checks = 0
        self.failure: dict[str, Any] | None = None  # the first definite failure and when it was seen
        self.aborted: dict[str, Any] | None = None  # set once dispatch acted on it
        self._jobs: dict[int, list[dict[str, Any]]] = {}
        self._done: set[int] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> AbortMonitor:
        if self.thresholds:
            self._thread = start_thread(self.clock, self._loop, "abort-monitor")
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def __enter__(self) -> AbortMonitor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        while not wait_event(self.clock, self._stop, self.every_s) and self.failure is None:
            try:
                self.check_once()
            except SuiteError as exc:  # an observation that failed is skipped, never an abort
                log.warning("abort_on_fail check skipped: %s", exc)

    def should_stop(self) -> str | None:
        """The reason to stop adding load, or None; the first answer with a reason is recorded."""
        failure = self.failure
        if failure is None:
            return None
        if self.aborted is None:
            self.aborted = {**failure, "at": iso(self.clock.now())}
        return str(failure["reason"])

    def check_once(self) -> dict[str, Any]:
        """One observation: the partial result, with any definite failure recorded. Returns the result."""
        ledger = _read_ledger(self.ledger_path)
        ids = {int(r["workflow_run_id"]) for r in ledger if r.get("workflow_run_id") is not None}
        suite_ids = {str(r["suite_id"]) for r in ledger}
        runs = [
            r
            for r in self.client.list_runs(self.since_iso)
            if int(r.get("id") or 0) in ids or r.get("display_title") in suite_ids
        ]
        for run in runs:
            run_id = int(run["id"])
            if run_id not in self._done:
                self._jobs[run_id] = self.client.list_jobs(run_id)
                if run.get("status") == "completed":
                    self._done.add(run_id)
        jobs = [j for run_jobs in self._jobs.values() for j in run_jobs]
        observed = self.clock.now()
        result = compute_result(self.manifest, ledger, runs, jobs, [], [], [])
        self.checks += 1
        failed = definite_failures(self.thresholds, result)
        if failed and self.failure is None:
            first = failed[0]
            started = result["queue_time_s"]["count"]
            self.failure = {
                "threshold": first["expr"],
                "value": first["value"],
                "observed_at": iso(observed),
                "checks": self.checks,
                "reason": (
                    f"abort_on_fail threshold `{first['expr']}` failed (value {num(first['value'])}) on "
                    f"the {len(runs)} run(s) and {started} started job(s) observed by {iso(observed)}"
                ),
            }
        return result

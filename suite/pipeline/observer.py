"""The one live observer of a run: what the progress line, abort_on_fail and the live dashboard all read.

While the run dispatches, a thread polls GitHub every `poll_s` of the run's clock (the preflight derives
it from a per-workflow poll budget: suite.dispatch.preflight.progress_poll_s): one conditional list-runs
read (suite.collect.runs.RunTracker; an unchanged page is a 304, which GitHub does not count), the
runners every RUNNERS_EVERY-th poll, and the jobs of each run the first time it is seen completed, read
ONCE and kept for the collection's checkpoint (suite.collect.checkpoint) so the collection never reads
them again: watching costs no request the run would not make anyway. While dispatching they are held in
memory and written to the checkpoint when dispatch ends (`keep`), so the dispatch window writes nothing
but its ledger and in-flight record (a full disk stops dispatch on the ledger, as before); a run killed
mid-dispatch reads them again in `suite collect`. A poll is skipped when nothing can
have changed (every dispatched run already seen completed, no new dispatch since). While the run
drains, the drain's own polls (suite.collect.runs.wait_for_runs) feed it through `on_drain_poll`.

The partial result is result.json's analysis (suite.analyze.result.compute_result, thresholds judged as
`suite report` judges them) over the ledger, runs and jobs read so far: computed at most once every
RECOMPUTE_S real seconds, and only when something new was read, by whichever reader asks first (the
abort check in this thread, the dashboard in its server's thread): never in the dispatch loop.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from suite.analyze.result import LATE_AFTER_REAL_S, compute_result, with_thresholds
from suite.analyze.tasks import tasks_from_events
from suite.clock import Clock, start_thread, wait_event
from suite.collect.checkpoint import Checkpoint
from suite.collect.runs import RunTracker, busy_runners, transient
from suite.dispatch.preflight import DRAIN_POLL_S, MAX_DRAIN_POLL_S, RUNNERS_EVERY
from suite.errors import EnvironmentFailure
from suite.gates.thresholds import evaluate_all
from suite.isotime import parse_iso
from suite.pipeline.abort import AbortCheck, LedgerTail, as_it_stands
from suite.rundir.paths import RunDir

log = logging.getLogger(__name__)

RECOMPUTE_S = 2.0  # real seconds: the partial result is computed at most this often
STATUS_KEYS = (
    "stage",
    "updated_at",
    "clock_speed",
    "dispatch",
    "runs",
    "polled_age_s",
    "jobs",
    "runners",
    "api",
    "eta_real_s",
    "eta_of",
    "report",
    "message",
)


class LiveObserver:
    """The state of one run as observed so far (see the module docstring)."""

    def __init__(
        self,
        client: Any,
        clock: Clock,
        rd: RunDir,
        manifest: dict[str, Any],
        tracker: RunTracker | None = None,
        abort: AbortCheck | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.rd = rd
        self.manifest = manifest
        self.tracker = tracker or RunTracker(client)
        self.checkpoint = Checkpoint(rd.raw)
        self.abort = abort
        self.configured: int | None = (manifest.get("fleet") or {}).get("runner_count")
        profile = manifest.get("profile") or {}
        self.jobs_per_workflow: int | None = profile.get("jobs_per_workflow")
        self.thresholds: list[Any] = list(profile.get("thresholds") or [])
        self.stage = ""  # "dispatch" from start(); "waiting for runs" from the first drain poll
        self.total = 0
        self.slots: list[float] = []  # clock times the schedule's dispatches are due
        self.poll_s = 0.0
        self.counts: dict[str, int] | None = None
        self.runners: tuple[int, int] | None = None  # (busy, online)
        self.polled_at: float | None = None  # the last poll that got its answers
        self.tried_at: float | None = None  # the last poll tried
        self.drain_deadline: float | None = None
        self.wait: str | None = None  # a governor wait in progress
        self.api: dict[str, Any] = {}
        self.message: str | None = None
        self.polls = 0
        self.ledger = LedgerTail(self.rd.file("ledger.jsonl"))  # one incremental read for every look
        self._ledger_rows = -1  # ledger rows at the last poll: a new dispatch means a poll is worth it
        self._version = 0  # bumped by every read that brought something new
        self._lock = threading.Lock()
        self._partial: dict[str, Any] | None = None
        self._partial_key: tuple[int, int] | None = None
        self._computed_at = float("-inf")
        self._held: dict[int, list[dict[str, Any]]] | None = None  # jobs read while dispatching
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.final: dict[str, Any] | None = None  # the finished run: result.json and its rows
        self.task_tail: Any = None  # suite.collect.task_events.TaskEventsTail, when the page is watched
        self.task_rows: list[dict[str, Any]] = []  # the ECS task events read so far (the page's lanes)

    # ------------------------------------------------------------------ the dispatch window

    def start(self, slots: list[float], poll_s: float) -> LiveObserver:
        """Dispatch starts: `slots` are the clock times each dispatch is due; poll every `poll_s`."""
        self.slots, self.total, self.poll_s, self.stage = slots, len(slots), poll_s, "dispatch"
        self.polled_at = self.tried_at = self.clock.now()  # the first poll one interval in
        self._held = {}
        self._thread = start_thread(self.clock, self._loop, "live-observer")
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def keep(self) -> None:
        """Dispatch ended: the jobs read while dispatching go to the checkpoint; from now on as read."""
        held, self._held = self._held or {}, None
        for run_id, jobs in held.items():
            self.checkpoint.add_jobs(run_id, jobs)

    def _loop(self) -> None:
        while not wait_event(self.clock, self._stop, self.poll_s):
            try:
                self.poll()
                if self.abort is not None:
                    self.abort.check(self.partial(force=True), self.clock.now(), self.total)
            except Exception:  # an observation that failed is skipped, never the end of the run
                log.warning("live observation skipped", exc_info=True)

    def poll(self) -> bool:
        """One poll (module docstring). A read GitHub still fails after the client's tries is skipped:
        the counts keep their age; a 401/403/404 is raised. True when it got its answers."""
        self.tried_at = self.clock.now()
        ledger = self.ledger.rows()
        if self._ledger_rows == len(ledger) and self.tracker.done():
            return False
        self.tracker.set_ledger(ledger)
        try:
            counts = self.tracker.poll()
            runners = busy_runners(self.client) if self.polls % RUNNERS_EVERY == 0 else self.runners
            self._read_completed_jobs()
        except EnvironmentFailure as exc:
            if not transient(exc):
                raise
            return False
        self._ledger_rows = len(ledger)
        self.polls += 1
        self.counts, self.runners, self.polled_at = counts, runners, self.clock.now()
        self._read_tasks()
        self.note_api()
        self._version += 1
        return True

    def _read_tasks(self) -> None:
        """The fleet's task events since the last read (AWS, not GitHub: no API budget); a failed read is
        skipped (the collection reads them all after the run)."""
        if self.task_tail is None:
            return
        try:
            self.task_rows.extend(self.task_tail.read(self.clock.now()))
        except Exception:  # an observation, never a reason to stop the run
            log.warning("live task events skipped", exc_info=True)

    # ------------------------------------------------------------------ the drain

    def on_drain_poll(self, counts: dict[str, int]) -> None:
        """A drain poll (wait_for_runs, in the run's thread) read the runs: read the newly completed ones'
        jobs (a failure is left to the collection, which reads what the checkpoint lacks)."""
        self.stage = "waiting for runs"
        self.counts, self.polled_at = counts, self.clock.now()
        self._read_tasks()
        try:
            self._read_completed_jobs()
        except EnvironmentFailure as exc:
            if not transient(exc):
                raise
        self.note_api()
        self._version += 1

    def drain_poll_s(self, counts: dict[str, int]) -> float:
        """Clock seconds to the next drain poll: half the time the runs still out should take at the rate
        runs have completed since the first slot, within DRAIN_POLL_S..MAX_DRAIN_POLL_S, so a long
        backlog (an overloaded fleet, after an abort) is not read every 30 s, and the last runs are."""
        now = self.clock.now()
        done, left = counts.get("completed", 0), len(self.tracker.outstanding())
        since = now - self.slots[0] if self.slots else 0.0
        if done == 0 or since <= 0:
            return DRAIN_POLL_S
        return min(MAX_DRAIN_POLL_S, max(DRAIN_POLL_S, 0.5 * left * since / done))

    def jobs_of(self, run_id: int) -> list[dict[str, Any]] | None:
        """A completed run's jobs as read (held while dispatching, else in the checkpoint), or None."""
        held = self._held
        return held[run_id] if held is not None and run_id in held else self.checkpoint.jobs_of(run_id)

    def _read_completed_jobs(self) -> None:
        runs = self.tracker.result()
        for run in runs:
            if run.get("status") == "completed" and self.jobs_of(run["id"]) is None:
                jobs = self.client.list_jobs(run["id"], filter="all")
                held = self._held
                if held is not None:
                    held[run["id"]] = jobs
                else:
                    self.checkpoint.add_jobs(run["id"], jobs)
        if self._held is None:
            self.checkpoint.add_runs(runs)

    def _ledger_len(self) -> int:
        return len(self.ledger.rows())

    def note_api(self) -> None:
        """The API figures as of now (read in the run's threads; the server thread reads this copy)."""
        stats = self.client.api_stats()
        budget = self.client.rate_budget() or {}
        self.api = {
            "counted": stats["counted"],
            "not_modified": stats["not_modified"],
            "remaining": budget.get("remaining"),
            "governor": self.client.governor_status(),
            "waiting": self.wait,
        }

    # ------------------------------------------------------------------ what is shown

    def partial(self, force: bool = False) -> dict[str, Any]:
        """result.json over what was read so far (module docstring: when it is recomputed)."""
        with self._lock:
            ledger = self.ledger.rows()
            key = (self._version, len(ledger))
            due = time.monotonic() - self._computed_at >= RECOMPUTE_S
            if self._partial is None or (key != self._partial_key and (due or force)):
                runs = self.tracker.result()
                jobs = [j for r in runs for j in self.jobs_of(r["id"]) or []]
                result = as_it_stands(compute_result(self.manifest, ledger, runs, jobs, [], [], []))
                self._partial = with_thresholds(result, evaluate_all(self.thresholds, result))
                self._partial_key, self._computed_at = key, time.monotonic()
            return self._partial

    def status(self) -> dict[str, Any]:
        """The live status object (docs/architecture.md: Live dashboard); null where not observed."""
        now = self.clock.now()
        ledger = self.ledger.rows()
        sent = [r for r in ledger if r.get("sent_at") is not None]
        late_s = LATE_AFTER_REAL_S * self.clock.speed  # result.json's dispatch.late rule
        late = sum(1 for r in sent if parse_iso(r["sent_at"]) - parse_iso(r["scheduled_at"]) > late_s)
        eta, eta_of = None, "dispatch window"
        if self.stage == "dispatch" and self.slots:
            eta = max(0.0, self.slots[-1] - now) / self.clock.speed
        elif self.stage == "waiting for runs":
            eta_of = "drain timeout (at most)"
            left = None if self.drain_deadline is None else max(0.0, self.drain_deadline - now)
            eta = None if left is None else left / self.clock.speed
        else:
            eta_of = self.stage
        return {
            "stage": self.stage or "collecting",
            "updated_at": now,
            "clock_speed": self.clock.speed,
            "dispatch": {
                "sent": len(sent),
                "scheduled": self.total,
                "due": sum(1 for t in self.slots if t <= now),
                "late": late,
                "not_sent": len(ledger) - len(sent),
            },
            "runs": self.counts,
            "polled_age_s": None if self.polled_at is None else (now - self.polled_at) / self.clock.speed,
            "jobs": self._jobs(),
            "runners": None
            if self.runners is None
            else {"busy": self.runners[0], "online": self.runners[1], "configured": self.configured},
            "api": {**self.api, "waiting": self.wait},
            "eta_real_s": eta,
            "eta_of": eta_of,
            "report": None,
            "message": self.message,
        }

    def _jobs(self) -> dict[str, int | None]:
        """Jobs waiting / running from the runs' statuses (exact only when a workflow has one job: a run
        in progress may hold queued jobs otherwise), done from the jobs read; booting: the fleet's tasks
        whose last event is PROVISIONING, PENDING or ACTIVATING (read live only while the page is
        watched; null otherwise)."""
        done = sum(len(self.jobs_of(r["id"]) or []) for r in self.tracker.result())
        counts = self.counts
        one = self.jobs_per_workflow == 1 and counts is not None
        return {
            "waiting": counts["queued"] + counts.get("missing", 0) if one and counts else None,
            "running": counts["in_progress"] if one and counts else None,
            "booting": None if self.task_tail is None else booting(self.task_rows),
            "done": done if counts is not None else None,
        }

    def page(self) -> dict[str, Any]:
        """What the page draws now: the partial result with the live status, or the finished run's."""
        from suite.report.page import page_data  # the report room: loaded when a page is asked for

        if self.final is not None:
            return self.final
        ledger = self.ledger.rows()
        return page_data(self.partial(), ledger, list(self.task_rows), (), self.status())

    def finish(self, result: dict[str, Any], report_path: Path | None, stage: str = "done") -> None:
        """The run ended: the page shows result.json exactly, with the report's path."""
        from suite.report.page import page_data
        from suite.rundir.jsonio import read_jsonl

        self.stage = stage
        snapshots = _rows(self.rd.raw_file("runners.jsonl"), read_jsonl)
        if snapshots:  # the runners as the run's last snapshot found them, not as the last poll did
            online = [r for r in snapshots[-1].get("runners") or [] if r.get("status") == "online"]
            self.runners = (sum(bool(r.get("busy")) for r in online), len(online))
        self.note_api()
        status = self.status() | {"report": None if report_path is None else str(report_path)}
        rows = {n: _rows(self.rd.raw_file(f"{n}.jsonl"), read_jsonl) for n in ("tasks", "metrics")}
        ledger = self.ledger.rows()
        self.final = page_data(result, ledger, rows["tasks"], rows["metrics"], status)


BOOTING = ("PROVISIONING", "PENDING", "ACTIVATING")  # ECS task states before RUNNING


def booting(events: list[dict[str, Any]]) -> int:
    """Tasks whose last state is one before RUNNING (and that have not stopped)."""
    return sum(1 for t in tasks_from_events(events) if t.last_status in BOOTING and t.stopped is None)


def _rows(path: Path, read: Any) -> list[dict[str, Any]]:
    return list(read(path)) if path.exists() else []

"""What the progress line of a run shows, observed as the run goes: dispatches, runs, runners, API cost.

During the dispatch window, every preflight.progress_poll_s of the run's clock (60 s, or 30 polls spread
over a longer window), one conditional list-runs poll and one runners read (the preflight budgets them).
The line shows those counts with their age, busy runners against the CONFIGURED count (online beside
it), and an ETA in real seconds (the twin's virtual seconds divided by its clock speed). After the
window, the drain polls (every DRAIN_POLL_S) replace the counts. The dispatched count is the ledger's:
after an abort it is what was sent, not what was scheduled."""

from __future__ import annotations

from typing import Any

from suite.clock import Clock
from suite.collect.runs import RunTracker, busy_runners, transient
from suite.errors import EnvironmentFailure
from suite.github.client import GitHubClient
from suite.pipeline.progress import Progress
from suite.pipeline.status_line import Field, dispatched_line, fmt_eta, runners_field, runs_field
from suite.rundir.jsonio import read_jsonl
from suite.rundir.paths import RunDir


class RunProgress:
    """The progress line of one run (or one `suite collect`): call on_dispatch / on_poll as the run goes."""

    def __init__(
        self,
        progress: Progress,
        client: GitHubClient,
        clock: Clock,
        rd: RunDir,
        configured_runners: int | None,
        tracker: RunTracker | None = None,
    ) -> None:
        self.progress = progress
        self.client = client
        self.clock = clock
        self.rd = rd
        self.configured = configured_runners
        self.tracker = tracker or RunTracker(client)
        self.stage = ""
        self.done = self.total = 0
        self.ends_at: float | None = None  # clock time the schedule's last dispatch is due
        self.poll_s = 0.0
        self.counts: dict[str, int] | None = None
        self.runners: tuple[int, int] | None = None  # (busy, online)
        self.polled_at: float | None = None  # the last poll that got its answers
        self.tried_at: float | None = None  # the last poll tried
        self.wait: str | None = None  # a governor wait in progress, said in the line
        self.api: list[Field] = []  # read in the run's thread: the terminal's refresh thread reads only this
        client.on_wait(self._on_wait)

    # ------------------------------------------------------------------ events

    def dispatching(self, ends_at: float, total: int, poll_s: float) -> None:
        """The dispatch window starts: it ends at `ends_at` (clock time); poll every `poll_s` within it."""
        self.stage, self.ends_at, self.total, self.done = "dispatch", ends_at, total, 0
        self.poll_s = poll_s
        self.polled_at = self.clock.now()  # the first poll one interval in: nothing is queued before
        self.tried_at = self.polled_at

    def on_dispatch(self, done: int, total: int) -> None:
        self.done, self.total, self.wait = done, total, None
        if self.tried_at is None or self.clock.now() - self.tried_at >= self.poll_s:
            self.poll()
        self.api = api_fields(self.client)
        self.progress.show(self.fields, force=done == total)

    def poll(self) -> None:
        """One conditional list-runs poll and one runners read. A read GitHub still fails after the
        client's tries is skipped (an observation, never a reason to stop dispatching): the line keeps
        the last counts with their age, and the next poll is one interval later."""
        self.tried_at = self.clock.now()
        self.tracker.set_ledger(read_jsonl(self.rd.file("ledger.jsonl")))
        try:
            counts = self.tracker.poll()
            runners = busy_runners(self.client)
        except EnvironmentFailure as exc:
            if not transient(exc):
                raise
            return
        self.counts, self.runners = counts, runners
        self.polled_at = self.clock.now()

    def on_poll(self, counts: dict[str, int]) -> None:
        """A drain poll (suite.collect.runs.wait_for_runs): the runs' counts as of now."""
        self.stage, self.ends_at, self.wait = "waiting for runs", None, None
        self.counts, self.polled_at = counts, self.clock.now()
        self.api = api_fields(self.client)
        self.progress.show(self.fields)

    def dispatched_line(self) -> str:
        """The true dispatched count, from the ledger (after an abort: what was sent, of the schedule)."""
        return dispatched_line(read_jsonl(self.rd.file("ledger.jsonl")))

    def _on_wait(self, seconds: float, reason: str) -> None:
        if seconds >= 5.0 or reason.startswith("rate limited"):
            self.wait = f"API: waiting {fmt_eta(seconds / self.clock.speed)} ({reason})"
            self.api = api_fields(self.client)
            self.progress.show(self.fields, force=True)

    # ------------------------------------------------------------------ the line

    def real_s(self, clock_s: float) -> float:
        return clock_s / self.clock.speed

    def fields(self) -> list[Field]:
        now = self.clock.now()
        # a governor wait in progress comes first: it is why nothing else moves
        out: list[Field] = [Field("wait", 0, self.wait)] if self.wait else []
        if self.stage == "dispatch":
            out.append(Field("stage", 0, f"dispatch {self.done}/{self.total}"))
            out.append(Field("bar", 3, "", bar=(self.done, self.total)))
            if self.ends_at is not None:
                eta = fmt_eta(self.real_s(self.ends_at - now))
                out.append(Field("eta", 1, f"ETA {eta}"))
        elif self.stage:
            out.append(Field("stage", 0, self.stage))
        if self.counts is not None:
            age = None if self.polled_at is None else self.real_s(now - self.polled_at)
            out.append(runs_field(self.counts, age))
        if self.runners is not None and self.stage == "dispatch":
            out.append(runners_field(*self.runners, self.configured))
        return out + self.api


def api_fields(client: GitHubClient) -> list[Field]:
    stats = client.api_stats()
    budget: dict[str, Any] = client.rate_budget() or {}
    left = f"{budget['remaining']} left" if "remaining" in budget else ""
    full = f"API {stats['counted']} counted, {stats['not_modified']} 304" + (f" · {left}" if left else "")
    return [
        Field("api", 4, full, f"API {left}" if left else ""),
        Field("governor", 5, client.governor_status()),
    ]

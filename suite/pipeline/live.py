"""What the progress line of a run shows, observed as the run goes: dispatches, runs, runners, API cost.

The counts come from the run's one live observer (suite.pipeline.observer), which polls in its own
thread every preflight.progress_poll_s of the run's clock during the dispatch window (the poll budget),
and is fed by the drain's polls (every DRAIN_POLL_S) after it: the dispatch loop itself never reads
GitHub for the line. The line shows those counts with their age, busy runners against the CONFIGURED
count (online beside it), the live dashboard's URL when one is served, and an ETA in real seconds (the
twin's virtual seconds divided by its clock speed). The dispatched count is the ledger's: after an
abort it is what was sent, not what was scheduled."""

from __future__ import annotations

from typing import Any

from suite.github.client import GitHubClient
from suite.pipeline.observer import LiveObserver
from suite.pipeline.progress import Progress
from suite.pipeline.status_line import Field, dispatched_line, fmt_eta, runners_field, runs_field
from suite.rundir.jsonio import read_jsonl


class RunProgress:
    """The progress line of one run (or one `suite collect`): call on_dispatch / on_poll as the run goes."""

    def __init__(self, progress: Progress, observer: LiveObserver, url: str | None = None) -> None:
        self.progress = progress
        self.observer = observer
        self.client = observer.client
        self.clock = observer.clock
        self.rd = observer.rd
        self.configured = observer.configured
        self.tracker = observer.tracker
        self.url = url  # the live dashboard's, when one is served
        self.done = self.total = 0
        self.ends_at: float | None = None  # clock time the schedule's last dispatch is due
        self.api: list[Field] = []  # read in the run's thread: the terminal's refresh thread reads only this
        self.client.on_wait(self._on_wait)

    @property
    def stage(self) -> str:
        return self.observer.stage

    @property
    def counts(self) -> dict[str, int] | None:
        return self.observer.counts

    @property
    def runners(self) -> tuple[int, int] | None:
        return self.observer.runners

    @property
    def polled_at(self) -> float | None:
        return self.observer.polled_at

    # ------------------------------------------------------------------ events

    def dispatching(self, slots: list[float], poll_s: float) -> None:
        """The dispatch window starts: dispatch i is due at slots[i] (clock time); the observer polls
        every `poll_s` within it."""
        self.ends_at, self.total, self.done = (slots[-1] if slots else self.clock.now()), len(slots), 0
        self.observer.start(slots, poll_s)

    def on_dispatch(self, done: int, total: int) -> None:
        self.done, self.total, self.observer.wait = done, total, None
        self.api = api_fields(self.client)
        self.progress.show(self.fields, force=done == total)

    def on_poll(self, counts: dict[str, int]) -> None:
        """A drain poll (suite.collect.runs.wait_for_runs): the runs' counts as of now."""
        self.observer.wait = None
        self.observer.on_drain_poll(counts)
        self.ends_at = None
        self.api = api_fields(self.client)
        self.progress.show(self.fields)

    def dispatched_line(self) -> str:
        """The true dispatched count, from the ledger (after an abort: what was sent, of the schedule)."""
        return dispatched_line(read_jsonl(self.rd.file("ledger.jsonl")))

    def _on_wait(self, seconds: float, reason: str) -> None:
        if seconds >= 5.0 or reason.startswith("rate limited"):
            self.observer.wait = f"API: waiting {fmt_eta(seconds / self.clock.speed)} ({reason})"
            self.api = api_fields(self.client)
            self.progress.show(self.fields, force=True)

    # ------------------------------------------------------------------ the line

    def real_s(self, clock_s: float) -> float:
        return clock_s / self.clock.speed

    def fields(self) -> list[Field]:
        now = self.clock.now()
        # a governor wait in progress comes first: it is why nothing else moves
        wait = self.observer.wait
        out: list[Field] = [Field("wait", 0, wait)] if wait else []
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
        if self.url:
            out.append(Field("url", 3, f"live: {self.url}", self.url))
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

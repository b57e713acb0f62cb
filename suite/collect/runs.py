"""Collect, GitHub side: this test's runs (known by run id or display_title == suite_id; nothing else is
in scope), re-read until completed or the drain timeout, then every run's jobs (filter=all, paginated).

Idempotent: `suite collect DIR` runs it again from the ledger and overwrites raw/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from suite.clock import Clock, iso
from suite.github.client import GitHubError
from suite.github.clock_offset import OffsetSource, created_since, window_offset
from suite.isotime import parse_iso
from suite.rundir.ledger import accepted_suite_ids


class RunsReader(OffsetSource, Protocol):
    def list_runs(
        self, created_since_iso: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]: ...

    def list_jobs(self, run_id: int, filter: str = "all") -> list[dict[str, Any]]: ...


class RunTracker:
    """The latest state of this test's runs, kept with as few counted requests as possible.

    Each poll lists runs created since the oldest run still not completed (its `created_at`, GitHub's
    clock), or, for a run not yet seen, since its dispatch was scheduled, moved onto GitHub's clock by
    the measured offset (suite.github.clock_offset.created_since), so finished runs drop out of the
    listing and a poll reads about one page. Conditional requests: an unchanged page costs nothing.
    """

    def __init__(self, client: RunsReader, ledger: Iterable[dict[str, Any]] = ()) -> None:
        self.client = client
        self.runs: dict[str, dict[str, Any]] = {}
        self.wanted: dict[str, int | None] = {}
        self._scheduled: dict[str, float] = {}
        self.polls = 0
        self.set_ledger(ledger)

    def set_ledger(self, ledger: Iterable[dict[str, Any]]) -> None:
        rows = list(ledger)
        self.wanted = accepted_suite_ids(rows)
        self._scheduled = {r["suite_id"]: parse_iso(r["scheduled_at"]) for r in rows if r.get("scheduled_at")}

    def outstanding(self) -> list[str]:
        return [t for t in self.wanted if self.runs.get(t, {}).get("status") != "completed"]

    def since(self) -> str | None:
        """The `created` bound of the next poll (GitHub's clock); None when every wanted run is completed."""
        seen: list[float] = []
        unseen: list[float] = []
        for title in self.outstanding():
            run = self.runs.get(title)
            if run is not None and run.get("created_at"):
                seen.append(parse_iso(run["created_at"]))
            else:
                unseen.append(self._scheduled.get(title, 0.0))
        bounds = [iso(min(seen))] if seen else []
        if unseen:
            bounds.append(created_since(min(unseen), window_offset(self.client)))
        return min(bounds) if bounds else None  # ISO strings of one format order as their instants

    def poll(self) -> dict[str, int]:
        since = self.since()
        if since is not None:
            self.polls += 1
            for run in self.client.list_runs(created_since_iso=since):
                if _ours(run, self.wanted):
                    self.runs[run["display_title"]] = run
        return self.counts()

    def counts(self) -> dict[str, int]:
        return _status_counts([self.runs[t] for t in self.wanted if t in self.runs], len(self.wanted))

    def done(self) -> bool:
        return bool(self.wanted) and not self.outstanding()

    def result(self) -> list[dict[str, Any]]:
        return [self.runs[t] for t in self.wanted if t in self.runs]


def wait_for_runs(
    client: RunsReader,
    clock: Clock,
    ledger: list[dict[str, Any]],
    drain_timeout_s: float,
    poll_s: float = 30.0,
    on_progress: Callable[[dict[str, int]], None] | None = None,
    tracker: RunTracker | None = None,
) -> list[dict[str, Any]]:
    """Re-read this test's runs (conditional list-runs) until every accepted dispatch's run is
    completed or the drain timeout passes; returns each run as last read."""
    tracker = tracker or RunTracker(client)
    tracker.set_ledger(ledger)
    if not tracker.wanted:
        return []
    deadline = clock.now() + drain_timeout_s
    while True:
        counts = tracker.poll()
        if on_progress:
            on_progress(counts)
        if tracker.done() or clock.now() >= deadline:
            return sorted(tracker.result(), key=lambda r: int(r["id"]))
        clock.sleep(poll_s)


def _ours(run: dict[str, Any], wanted: dict[str, int | None]) -> bool:
    title = run.get("display_title")
    if title not in wanted:
        return False
    run_id = wanted[title]
    return run_id is None or run_id == run.get("id")


def _status_counts(runs: list[dict[str, Any]], expected: int) -> dict[str, int]:
    counts = {"queued": 0, "in_progress": 0, "completed": 0}
    for r in runs:
        key = r.get("status") if r.get("status") in counts else "queued"
        counts[str(key)] += 1
    counts["missing"] = max(0, expected - len({r.get("display_title") for r in runs}))
    return counts


def busy_runners(client: Any) -> tuple[int, int] | None:
    """(busy, online) self-hosted runners, or None when the token may not list runners."""
    try:
        runners = client.list_runners()
    except GitHubError as exc:
        if exc.status in (403, 404):
            return None
        raise
    online = [r for r in runners if r.get("status") == "online"]
    return sum(bool(r.get("busy")) for r in online), len(online)


def collect_jobs(client: RunsReader, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = []
    for run in sorted(runs, key=lambda r: r["id"]):
        jobs.extend(client.list_jobs(run["id"], filter="all"))
    return jobs

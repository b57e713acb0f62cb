"""Collect, GitHub side: this test's runs (known by run id or display_title == suite_id; nothing else is
in scope), re-read until completed or the drain timeout, then every run's jobs (filter=all, paginated).

Resumable: completed runs and each completed run's jobs are checkpointed in raw/ as they are read
(suite.collect.checkpoint), and `suite collect DIR` goes on from there, then rewrites raw/runs.jsonl and
raw/jobs.jsonl. A read that keeps failing: the client retries it with backoff (COLLECT_GET_TRIES tries);
still failing, that poll or that run's jobs is left for later and collection goes on, until
FAILED_READS_IN_A_ROW reads in a row fail (GitHub is down): then CollectionLeft says what is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from suite.clock import Clock, iso
from suite.collect.checkpoint import Checkpoint
from suite.errors import EnvironmentFailure
from suite.github.client import GitHubError
from suite.github.clock_offset import OffsetSource, created_since, window_offset
from suite.github.errors import RateLimited
from suite.github.transport import RETRY_STATUSES
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


# The collection's budget for a read that keeps failing (5xx, connection reset, rate limited): the client
# tries it COLLECT_GET_TRIES times, waiting 1, 2, 4 ... 60 s in between (243 s of clock time in all);
# still failing, it is left for later; FAILED_READS_IN_A_ROW such reads in a row end the collection
# (exit 3, what is left named, `suite collect DIR` goes on from the checkpoint).
COLLECT_GET_TRIES = 10
FAILED_READS_IN_A_ROW = 3


class CollectionLeft(EnvironmentFailure):
    """GitHub kept failing: the collection stopped with reads left (checkpointed: `suite collect` goes on)."""


def transient(exc: EnvironmentFailure) -> bool:
    """A failure worth trying again later: no answer, a 5xx, or rate limited after the client's waits.
    (A 401, 403 or 404 is a configuration problem: waiting does not help.)"""
    if isinstance(exc, RateLimited):
        return True
    if isinstance(exc, GitHubError):
        return exc.status in RETRY_STATUSES
    return True


def _why(exc: EnvironmentFailure | None) -> str:
    """A bounded description of the last failure (never GitHub's text, which may be anything)."""
    if isinstance(exc, GitHubError):
        return f"last answer HTTP {exc.status}"
    return "last try got no answer"


def wait_for_runs(
    client: RunsReader,
    clock: Clock,
    ledger: list[dict[str, Any]],
    drain_timeout_s: float,
    poll_s: float | Callable[[dict[str, int]], float] = 30.0,
    on_progress: Callable[[dict[str, int]], None] | None = None,
    tracker: RunTracker | None = None,
    checkpoint: Checkpoint | None = None,
) -> list[dict[str, Any]]:
    """Re-read this test's runs (conditional list-runs) until every accepted dispatch's run is
    completed or the drain timeout passes; returns each run as last read. `poll_s`: the clock seconds
    between polls, or a function of the last poll's counts giving them. With a checkpoint, the runs
    it holds completed are not read again and each run seen completed is added to it. A poll that
    fails after the client's retries is missed (the next one reads the same runs);
    FAILED_READS_IN_A_ROW failed polls raise CollectionLeft."""
    tracker = tracker or RunTracker(client)
    tracker.set_ledger(ledger)
    if not tracker.wanted:
        return []
    if checkpoint is not None:
        for run in checkpoint.completed_runs():
            if _ours(run, tracker.wanted):
                tracker.runs[run["display_title"]] = run
    deadline = clock.now() + drain_timeout_s
    failed = 0
    while True:
        try:
            counts = tracker.poll()
            failed = 0
        except EnvironmentFailure as exc:
            if not transient(exc):
                raise
            failed += 1
            if failed >= FAILED_READS_IN_A_ROW:
                left = len(tracker.outstanding())
                raise CollectionLeft(
                    f"GitHub kept failing ({failed} polls in a row, {_why(exc)}): "
                    f"{left} of {len(tracker.wanted)} runs not yet read completed"
                ) from None
            counts = tracker.counts()
        if checkpoint is not None:
            checkpoint.add_runs(tracker.result())
        if on_progress:
            on_progress(counts)
        if tracker.done() or clock.now() >= deadline:
            return sorted(tracker.result(), key=lambda r: int(r["id"]))
        clock.sleep(min(poll_s(counts) if callable(poll_s) else poll_s, max(0.0, deadline - clock.now())))


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


def collect_jobs(
    client: RunsReader, runs: list[dict[str, Any]], checkpoint: Checkpoint | None = None
) -> list[dict[str, Any]]:
    """Every job of `runs`, by run id. With a checkpoint, a completed run's jobs already read are taken
    from it, and those read now are added to it. A run whose jobs still fail after the client's retries
    is left for later and the others are read, unless FAILED_READS_IN_A_ROW fail in a row; then, or
    when any run is left, CollectionLeft says how many."""
    jobs: list[dict[str, Any]] = []
    left: list[int] = []
    failed = 0
    last: EnvironmentFailure | None = None
    for run in sorted(runs, key=lambda r: r["id"]):
        completed = run.get("status") == "completed"
        kept = checkpoint.jobs_of(run["id"]) if checkpoint is not None and completed else None
        if kept is not None:
            jobs.extend(kept)
            continue
        if failed >= FAILED_READS_IN_A_ROW:
            left.append(run["id"])
            continue
        try:
            read = client.list_jobs(run["id"], filter="all")
        except EnvironmentFailure as exc:
            if not transient(exc):
                raise
            failed, last = failed + 1, exc
            left.append(run["id"])
            continue
        failed = 0
        if checkpoint is not None and completed:
            checkpoint.add_jobs(run["id"], read)
        jobs.extend(read)
    if left:
        raise CollectionLeft(
            f"GitHub kept failing ({_why(last)}): jobs of {len(left)} of {len(runs)} runs not yet read"
        )
    return jobs

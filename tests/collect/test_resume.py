"""Reading runs and jobs on a GitHub that keeps failing (the twin answering every request 502): a read
still failing after the client's tries is left for later, the collection goes on, stops after
FAILED_READS_IN_A_ROW failures in a row naming what is left, and what the checkpoint holds is never read
again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suite.collect.checkpoint import JOBS_CHECKPOINT, Checkpoint
from suite.collect.runs import FAILED_READS_IN_A_ROW, CollectionLeft, collect_jobs, wait_for_runs
from suite.github.client import GitHubClient, GitHubError
from suite.twin.faults import Faults, FaultsConfig
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin
from tests.helpers.twin import client_for, twin_config

TRIES = 2


@pytest.fixture
def twin_with_runs() -> Iterator[tuple[Twin, GitHubClient, list[dict[str, Any]]]]:
    """A twin where 5 workflows ran to completion, a client trying each read TRIES times, the runs."""
    twin = Twin(twin_config(fleet=FleetConfig(runners=5))).start()
    client = client_for(twin, get_tries=TRIES)
    try:
        for i in range(5):
            client.dispatch("runner_test.yml", "main", {"suite_id": f"r-{i}", "sleep_duration": "5"})
        twin.clock.sleep(600)
        runs = sorted(client.list_runs(), key=lambda r: r["id"])
        assert len(runs) == 5 and {r["status"] for r in runs} == {"completed"}
        yield twin, client, runs
    finally:
        client.close()
        twin.stop()


def failing(twin: Twin) -> None:
    twin.github.faults = Faults(FaultsConfig(error_rate=1.0))


def test_jobs_read_go_to_the_checkpoint_and_are_not_read_again(twin_with_runs: Any, tmp_path: Path):
    twin, client, runs = twin_with_runs
    jobs = collect_jobs(client, runs, Checkpoint(tmp_path))
    assert len(jobs) == 5
    failing(twin)
    before = twin.github.requests
    assert collect_jobs(client, runs, Checkpoint(tmp_path)) == jobs  # all from the checkpoint
    assert twin.github.requests == before


def test_github_failing_stops_after_reads_in_a_row_and_names_what_is_left(
    twin_with_runs: Any, tmp_path: Path
):
    twin, client, runs = twin_with_runs
    checkpoint = Checkpoint(tmp_path)
    collect_jobs(client, runs[:2], checkpoint)  # two runs' jobs read before GitHub broke down
    failing(twin)
    before = twin.github.requests
    with pytest.raises(CollectionLeft) as info:
        collect_jobs(client, runs, Checkpoint(tmp_path))
    assert str(info.value) == "GitHub kept failing (last answer HTTP 502): jobs of 3 of 5 runs not yet read"
    # the two runs checkpointed cost nothing; each of the three others was tried TRIES times
    assert twin.github.requests - before == FAILED_READS_IN_A_ROW * TRIES == 3 * TRIES
    twin.github.faults = Faults(FaultsConfig())
    assert len(collect_jobs(client, runs, Checkpoint(tmp_path))) == 5


def test_a_read_that_fails_is_left_and_the_next_ones_are_read(twin_with_runs: Any, tmp_path: Path):
    twin, client, runs = twin_with_runs
    # a 502 on every try of the first run's jobs only: seed-independent, by failing exactly TRIES answers
    twin.github.faults = _Plan([True] * TRIES)
    with pytest.raises(CollectionLeft, match="jobs of 1 of 5 runs not yet read"):
        collect_jobs(client, runs, Checkpoint(tmp_path))
    kept = Checkpoint(tmp_path)
    assert kept.jobs_of(runs[0]["id"]) is None
    assert all(kept.jobs_of(r["id"]) is not None for r in runs[1:])


def test_a_refusal_that_waiting_cannot_cure_is_raised_at_once(twin_with_runs: Any, tmp_path: Path):
    _, client, runs = twin_with_runs
    gone = [{**runs[0], "id": 999_999}]  # GitHub answers 404: not a reason to wait
    with pytest.raises(GitHubError) as info:
        collect_jobs(client, gone, Checkpoint(tmp_path))
    assert info.value.status == 404 and not isinstance(info.value, CollectionLeft)


def test_polls_that_keep_failing_end_the_wait_naming_the_runs_not_read(twin_with_runs: Any):
    twin, client, runs = twin_with_runs
    failing(twin)
    ledger = [{"suite_id": r["display_title"], "scheduled_at": r["created_at"], "status": 200} for r in runs]
    with pytest.raises(CollectionLeft) as info:
        wait_for_runs(client, twin.clock, ledger, drain_timeout_s=3600, poll_s=30)
    assert str(info.value) == (
        f"GitHub kept failing ({FAILED_READS_IN_A_ROW} polls in a row, last answer HTTP 502): "
        "5 of 5 runs not yet read completed"
    )


def test_collections_repeated_after_any_failures_end_with_every_job_once(
    twin_with_runs: Any, tmp_path_factory: pytest.TempPathFactory
):
    """Whatever answers fail (a plan of 502s, one per request), collecting again until a collection
    finishes gives exactly the jobs a clean read gives, and each run's jobs were recorded once."""
    twin, client, runs = twin_with_runs
    clean = collect_jobs(client, runs)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.booleans(), max_size=30))
    def check(plan: list[bool]) -> None:
        twin.github.faults = _Plan(plan)
        raw = tmp_path_factory.mktemp("raw")
        jobs: list[dict[str, Any]] | None = None
        for _ in range(len(plan) + 1):  # each collection that gives up spends at least one failure
            try:
                jobs = collect_jobs(client, runs, Checkpoint(raw))
                break
            except CollectionLeft:
                continue
        assert jobs == clean
        recorded = [json.loads(line)["run_id"] for line in (raw / JOBS_CHECKPOINT).read_text().splitlines()]
        assert sorted(recorded) == [r["id"] for r in runs]

    check()


class _Plan(Faults):
    """Answer 502 where the plan says True, request by request; none once it is spent."""

    def __init__(self, plan: list[bool]) -> None:
        super().__init__(FaultsConfig())
        self.plan = list(plan)

    def draw(self, is_dispatch: bool) -> str:
        return "error" if self.plan and self.plan.pop(0) else "none"

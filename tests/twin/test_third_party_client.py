"""A widely used third-party GitHub client, PyGithub, drives the twin as it drives GitHub (issue 16, Done
when): its primary rate-limit handling waits until `x-ratelimit-reset` and then succeeds; it dispatches a
workflow, lists runs through its pagination (the `Link` header), a workflow's runs and a run's jobs.

PyGithub computes its wait as `x-ratelimit-reset` minus the machine's clock and sleeps on real time, so
that test runs a speed-1 twin (whose clock reads real time) with a 2-second primary window, and waits on
the client's completion with a bounded timeout, never on a fixed sleep. The rest runs on the stepped
clock: PyGithub does not read the time there."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from github import Auth, Github
from github.GithubRetry import GithubRetry

from suite.twin.fleet import FleetConfig
from suite.twin.limits import LimitsConfig
from suite.twin.service import Twin
from tests.helpers.twin import twin_config

COMPLETION_TIMEOUT_S = 60.0  # a hang guard: the client's own wait is about 2 s
WAIT_LOG = re.compile(r"Setting next backoff to ([0-9.]+)s")  # GithubRetry's INFO line


def pygithub(twin: Twin, per_page: int = 30) -> Github:
    # no client-side pacing (PyGithub's default sleeps 0.25 s between requests, 1 s between writes):
    # the twin's limits are what is tested; PyGithub's default retry (GithubRetry) is kept
    return Github(
        base_url=twin.github_url,
        auth=Auth.Token(twin.token),
        per_page=per_page,
        retry=GithubRetry(),
        seconds_between_requests=None,
        seconds_between_writes=None,
        lazy=True,  # get_repo without GET /repos/{owner}/{repo}, which the twin does not serve
    )


def run_bounded(call: Callable[[], Any]) -> Any:
    """`call()` in a thread; its result once it completes, failing the test after the timeout."""
    out: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            out["value"] = call()
        except BaseException as exc:
            out["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="pygithub", daemon=True).start()
    assert done.wait(COMPLETION_TIMEOUT_S), "the client did not complete"
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_pygithub_waits_until_the_primary_reset_then_succeeds(caplog: pytest.LogCaptureFixture):
    limits = LimitsConfig(primary_per_hour=3, primary_window_s=2)
    twin = Twin(twin_config(speed=1.0, clock="virtual", limits=limits)).start()
    caplog.set_level(logging.DEBUG, logger="github.GithubRetry")
    try:
        gh = pygithub(twin)
        repo = gh.get_repo(twin.config.repo)

        def read_until_refused_once() -> list[str]:
            paths = []
            # a window may end between two reads: read on until the twin has refused one (at most
            # two windows' worth), each read returning only once PyGithub's retry succeeded
            for _ in range(2 * limits.primary_per_hour + 1):
                paths.append(repo.get_workflow("runner_test.yml").path)
                if twin.github.limit.refused:
                    break
            return paths

        paths = run_bounded(read_until_refused_once)
        assert set(paths) == {".github/workflows/runner_test.yml"}  # every read succeeded
        assert twin.github.limit.refused == 1  # one 403, then the wait: never a retry into another 403
        # PyGithub set its wait from the reset (on a twin a week behind it computed a negative wait
        # and set 0 s): reset − its now + 1 s, at most the window + 1 s
        waits = [float(m[1]) for r in caplog.records if (m := WAIT_LOG.search(r.getMessage()))]
        assert len(waits) == 1 and 0 < waits[0] <= limits.primary_window_s + 1
        # its retry arrived at or after the announced reset: it opened the next window
        assert twin.github.limit._window_start[twin.token] >= twin.github.limit.refused_resets[0]
    finally:
        twin.stop()


@pytest.fixture
def stepped() -> Iterator[Twin]:
    twin = Twin(twin_config(fleet=FleetConfig(runners=3))).start()
    try:
        yield twin
    finally:
        twin.stop()


def test_pygithub_dispatches_paginates_and_reads_jobs(stepped: Twin):
    gh = pygithub(stepped, per_page=2)
    repo = gh.get_repo(stepped.config.repo)
    workflow = repo.get_workflow("runner_test.yml")
    assert workflow.path == ".github/workflows/runner_test.yml" and workflow.state == "active"
    ids = []
    for i in range(5):
        inputs = {"suite_id": f"pg-{i}", "sleep_duration": "20", "job_count": "2"}
        run = workflow.create_dispatch("main", inputs, throw=True, return_run_details=True)
        ids.append(run.id)
    assert workflow.create_dispatch("main", {"suite_id": "pg-5", "sleep_duration": "20"}) is True  # 204
    listed = repo.get_workflow_runs()
    assert listed.totalCount == 6
    titles = [r.display_title for r in listed]  # three pages of two, followed through `Link`
    assert titles == [f"pg-{i}" for i in range(5, -1, -1)]
    assert [r.id for r in workflow.get_runs()][1:] == ids[::-1]  # GET .../workflows/{id}/runs
    assert repo.get_workflow_runs(status="queued", branch="main").totalCount == 6
    assert repo.get_workflow_runs(event="push").totalCount == 0
    deadline = stepped.clock.now() + 3600
    while repo.get_workflow_run(ids[0]).status != "completed":
        assert stepped.clock.now() < deadline
        stepped.clock.sleep(5)
    run = repo.get_workflow_run(ids[0])
    assert run.conclusion == "success"
    jobs = list(run.jobs("all"))
    assert len(jobs) == 2 and {j.conclusion for j in jobs} == {"success"}
    assert all(len(j.runner_name) == 32 and j.steps for j in jobs)
    assert repo.get_workflow_runs(status="success").totalCount >= 1
    runners = list(repo.get_self_hosted_runners())
    assert runners and all(r.status == "online" for r in runners)

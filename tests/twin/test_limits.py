"""Issue 3: the twin enforces GitHub's limits and injects faults; the client's governor and the
dispatch reconciliation deal with them; the preflight refuses runs that cannot fit. Real HTTP on
loopback against in-process twins with limits on."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import httpx
import pytest

from suite.dispatch.dispatcher import DispatchPlan, run_dispatches
from suite.dispatch.preflight import Budget, check, estimate, with_rate_limit
from suite.errors import UsageError
from suite.fleet.environments import local_target
from suite.pipeline.run import run_profile
from suite.rundir.jsonio import JsonlAppender
from suite.twin.faults import FaultsConfig
from suite.twin.fleet import FleetConfig
from suite.twin.limits import LimitsConfig
from suite.twin.service import Twin
from tests.helpers.twin import client_for, twin_config

SPEED = 600.0
BODY = {"ref": "main", "inputs": {"suite_id": "s-1", "sleep_duration": "5"}}


def make_twin(
    limits: LimitsConfig | None = None, faults: FaultsConfig | None = None, speed: float = SPEED
) -> Twin:
    config = twin_config(
        speed=speed,
        fleet=FleetConfig(runners=2),
        limits=limits or LimitsConfig(),
        faults=faults or FaultsConfig(),
    )
    return Twin(config).start()


def raw(twin: Twin) -> httpx.Client:
    return httpx.Client(base_url=twin.github_url, headers={"Authorization": f"Bearer {twin.token}"})


def dispatch_url(twin: Twin) -> str:
    return f"/repos/{twin.config.repo}/actions/workflows/runner_test.yml/dispatches"


def test_content_creation_limit_answers_403_with_retry_after_and_creates_nothing():
    twin = make_twin(LimitsConfig(content_per_minute=3), speed=60.0)  # 4 requests inside a minute
    try:
        with raw(twin) as http:
            answers = []
            for i in range(4):
                body = {**BODY, "inputs": {**BODY["inputs"], "suite_id": f"s-{i}"}}
                answers.append(http.post(dispatch_url(twin), json=body))
        assert [r.status_code for r in answers] == [204, 204, 204, 403]
        refused = answers[3]
        assert "secondary rate limit" in refused.json()["message"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "x-ratelimit-remaining" in refused.headers
        assert sorted(r.display_title for r in twin.fleet.runs.values()) == ["s-0", "s-1", "s-2"]
    finally:
        twin.stop()


def test_points_per_minute_limit():
    twin = make_twin(LimitsConfig(points_per_minute=6), speed=60.0)
    try:
        with raw(twin) as http:
            codes = [http.get(f"/repos/{twin.config.repo}/actions/runners").status_code for _ in range(8)]
        assert codes[:6] == [200] * 6 and 403 in codes[6:]
    finally:
        twin.stop()


def test_primary_limit_403_with_remaining_0_and_reset_and_304_is_free():
    twin = make_twin(LimitsConfig(primary_per_hour=3))
    try:
        with raw(twin) as http:
            url = f"/repos/{twin.config.repo}/actions/runners"
            first = http.get(url)
            etag = first.headers["etag"]
            assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
            assert http.get(url).status_code == 200
            assert http.get(url).status_code == 200  # 3 counted: the 304 was free
            refused = http.get(url)
        assert refused.status_code == 403
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert int(refused.headers["x-ratelimit-reset"]) > twin.clock.now() - 5
        assert "rate limit exceeded" in refused.json()["message"]
    finally:
        twin.stop()


def test_limits_switch_off():
    twin = make_twin(LimitsConfig(enabled=False, content_per_minute=1, points_per_minute=5))
    try:
        with raw(twin) as http:
            codes = [http.post(dispatch_url(twin), json=BODY).status_code for _ in range(3)]
        assert codes == [204, 204, 204]
    finally:
        twin.stop()


def test_governor_waits_out_the_secondary_limit_and_loses_nothing():
    twin = make_twin(LimitsConfig(content_per_minute=2), speed=60.0)  # 4 dispatches inside a minute
    try:
        with client_for(twin, min_mutation_interval_s=0.0) as client:
            results = [
                client.dispatch("runner_test.yml", "main", {"suite_id": f"g-{i}", "sleep_duration": "5"})
                for i in range(4)
            ]
            stats = client.api_stats()
        assert [r.status for r in results] == [200] * 4
        assert stats["rate_limited"] >= 1 and stats["retries"] >= 1
        assert stats["waited_s"] >= 1.0
        titles = sorted(r.display_title for r in twin.fleet.runs.values())
        assert titles == ["g-0", "g-1", "g-2", "g-3"]  # each exactly once
    finally:
        twin.stop()


def test_mutations_are_at_least_1_s_apart_on_the_twin_clock():
    # The twin stamps a run's arrival; the governor spaces the *sends*. On the stepped clock a request
    # takes no virtual time, so arrivals are exactly the governor's spacing apart, however busy the machine
    twin = make_twin()
    try:
        with client_for(twin) as client:
            for i in range(3):
                client.dispatch("runner_test.yml", "main", {"suite_id": f"m-{i}", "sleep_duration": "5"})
        created = sorted(r.created for r in twin.fleet.runs.values())
        assert all(b - a >= 1 for a, b in itertools.pairwise(created)), created
    finally:
        twin.stop()


def test_faults_502_reset_and_lost_dispatch():
    for faults, expect in [
        (FaultsConfig(error_rate=1.0), (502, 0)),
        (FaultsConfig(reset_rate=1.0), (0, 0)),
        (FaultsConfig(lost_dispatch_rate=1.0), (0, 1)),
    ]:
        twin = make_twin(faults=faults)
        try:
            with client_for(twin) as client:
                result = client.dispatch(
                    "runner_test.yml", "main", {"suite_id": "f-1", "sleep_duration": "5"}
                )
            assert (result.status, len(twin.fleet.runs)) == expect, faults
            assert result.outcome_unknown
        finally:
            twin.stop()


def test_gets_are_retried_through_5xx_and_resets():
    twin = make_twin(faults=FaultsConfig(error_rate=0.2, reset_rate=0.1, seed=7))
    try:
        with client_for(twin) as client:
            for _ in range(20):
                client.list_runners()
            stats = client.api_stats()
        assert stats["retries"] > 0 and stats["connection_errors"] > 0
        assert stats["waited_s"] == pytest.approx(stats["backoff_s"] + stats["paced_s"], abs=0.01)
    finally:
        twin.stop()


def test_lost_dispatch_responses_are_reconciled_never_sent_twice(tmp_path: Path):
    # every dispatch answer lost: each run exists once, found by display_title, no second dispatch
    twin = make_twin(faults=FaultsConfig(lost_dispatch_rate=1.0))
    try:
        clock = local_target(twin.state()).clock
        plan = DispatchPlan("runner_test.yml", "main", {"sleep_duration": "5"}, [0.0, 10.0, 20.0], "rec")
        with client_for(twin) as client, JsonlAppender(tmp_path / "ledger.jsonl") as ledger:
            accepted = run_dispatches(plan, client, clock, ledger, clock.now())
        rows = [json.loads(line) for line in (tmp_path / "ledger.jsonl").read_text().splitlines()]
        assert accepted == 3
        titles = sorted(r.display_title for r in twin.fleet.runs.values())
        assert titles == ["rec-00001", "rec-00002", "rec-00003"]
        for row in rows:
            assert row["reconciled"] is True and row["attempts"] == 1 and row["status"] == 200
            assert twin.fleet.runs[row["workflow_run_id"]].display_title == row["suite_id"]
            assert row["failures"][0]["status"] is None
    finally:
        twin.stop()


def test_dispatch_whose_reconciliation_cannot_list_runs_is_not_sent_again(tmp_path: Path):
    twin = make_twin(faults=FaultsConfig(error_rate=1.0))  # every request 502, list-runs too
    try:
        clock = local_target(twin.state()).clock
        plan = DispatchPlan("runner_test.yml", "main", {"sleep_duration": "5"}, [0.0], "err")
        with client_for(twin) as client, JsonlAppender(tmp_path / "ledger.jsonl") as ledger:
            accepted = run_dispatches(plan, client, clock, ledger, clock.now())
        (row,) = [json.loads(line) for line in (tmp_path / "ledger.jsonl").read_text().splitlines()]
        assert accepted == 0 and not twin.fleet.runs
        assert row["attempts"] == 1 and row["reconciled"] is False and row["status"] is None
        assert row["error"].startswith("outcome unknown") and row["failures"][0]["status"] == 502
    finally:
        twin.stop()


# ---- preflight ------------------------------------------------------------------------------------


def test_estimate_counts_each_part():
    b = estimate(workflows=300, jobs_per_workflow=1, duration_s=15000, drain_timeout_s=1800)
    # 15000 s of dispatching: 30 polls (the most), one every 500 s; the runners at every 4th: 8
    assert (b.dispatches, b.job_reads, b.progress_reads, b.runner_reads) == (300, 300, 38, 2)
    assert b.drain_reads == 30 + 3  # 900 s / 30 s polls + one full listing of 300 runs
    assert b.retry_margin == 30
    assert b.total == 703  # 300 + 300 + 38 + 33 + 2 + 30
    # the spike: 0.25 reads per workflow = 9 reads, 7 polls (each 1.25 reads) 223 s apart: 7 + 2 runners
    assert estimate(36, 1, 1560, 2400).progress_reads == 9
    assert estimate(10, 150, 60, 60).job_reads == 20  # 150 jobs: two pages per run


def test_available_counts_resets_during_the_run():
    b = estimate(100, 1, 7200, 1800)
    now = T = 1_800_000_000.0
    core = {"limit": 5000, "remaining": 10, "reset": T + 600, "used": 4990}
    got = with_rate_limit(b, {"resources": {"core": core}}, now, 1800)
    # ends at now + 7200 + 900: resets at +600, +4200, +7800 -> 3 x 5000
    assert got.available == 10 + 3 * 5000 and got.fits
    assert with_rate_limit(b, {}, now, 1800).available is None  # GHES without rate limiting


def test_check_refuses_with_the_numbers():
    b = Budget(10, 1, 60, 10, 10, 2, 3, 2, 1, limit=60, remaining=20, reset_at=1e9, available=20)
    with pytest.raises(UsageError) as info:
        check(b)
    text = str(info.value)
    assert "28 counted requests" in text and "20 are available" in text and "20 of 60 remaining" in text


PROFILE = """\
workflow: runner_test
inputs: {sleep_duration: 30}
pattern: {type: steady, rate_per_min: 2, duration_s: 300}
drain_timeout_s: 600
"""


def test_run_refused_by_preflight_when_the_limit_is_tightened(tmp_path: Path, capsys):
    twin = make_twin(LimitsConfig(primary_per_hour=20))
    try:
        path = tmp_path / "tight.yaml"
        path.write_text(PROFILE)
        with pytest.raises(UsageError) as info:
            run_profile(path, "local", tmp_path / "reports", target=local_target(twin.state()))
        assert info.value.exit_code == 2
        assert "cannot fit" in str(info.value) and "20 of 20 remaining" in str(info.value)
        assert not (tmp_path / "reports").exists()  # refused before anything was written
        assert not twin.fleet.runs
        assert twin.token not in str(info.value)
    finally:
        twin.stop()


def test_preflight_prints_the_plan(tmp_path: Path, capsys):
    twin = make_twin()
    try:
        path = tmp_path / "small.yaml"
        path.write_text(PROFILE.replace("duration_s: 300", "duration_s: 60"))
        _code, rd = run_profile(path, "local", tmp_path / "reports", target=local_target(twin.state()))
        out = capsys.readouterr().out
        assert "API budget: 2 dispatches + 2 job reads" in out
        api = json.loads((rd / "result.json").read_text())["api"]
        assert api["dispatched_workflows"] == 2
        assert api["per_workflow"] == round(api["counted"] / 2, 3)
        for path_ in rd.rglob("*"):  # the token is in no file of the run directory
            if path_.is_file():
                assert twin.token not in path_.read_text(errors="replace"), path_
        assert twin.token not in out
    finally:
        twin.stop()

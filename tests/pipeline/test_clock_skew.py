"""Issue 14: a clock minutes off GitHub's, with dispatch answers lost. On the in-process twin (stepped
clock, GitHub's limits on), GitHub's clock set `github_skew_s` from the suite's: every workflow is
dispatched exactly once, collected, and the report equals the twin's own record job by job.

Before the fix, reconciliation and the run tracker listed runs `created >= our time − 300 s`: with our
clock 400 s or more ahead of GitHub's, a lost answer's run was not found (dispatched twice) and runs
were never listed (reported missing)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from suite.fleet.environments import local_target
from suite.pipeline.run import collect, run_profile
from suite.rundir.job_rows import read_run_result
from suite.twin.faults import FaultsConfig
from suite.twin.fleet import FleetConfig
from suite.twin.limits import LimitsConfig
from suite.twin.service import Twin
from suite.twin.truth_check import mismatches
from tests.helpers.twin import twin_config

SPEED = 1200.0
WORKFLOWS = 40

# steady 2 workflows/min for 20 virtual minutes = 40 workflows of one 60 s job, on 4 runners
STEADY_40 = """\
workflow: runner_test
inputs: {sleep_duration: 60, job_count: 1, job_type: parallel}
pattern: {type: steady, rate_per_min: 2, duration_s: 1200}
seed: 0
drain_timeout_s: 3600
"""

LOST_30 = FaultsConfig(lost_dispatch_rate=0.3, seed=1)


def run_skewed(tmp_path: Path, skew_s: float, faults: FaultsConfig) -> tuple[Twin, Path]:
    """One run of STEADY_40 against a twin whose GitHub clock is `skew_s` from the suite's; the twin
    is left running (the caller stops it)."""
    config = twin_config(
        speed=SPEED,
        fleet=FleetConfig(runners=4, ephemeral=True),
        limits=LimitsConfig(enabled=True),
        faults=faults,
        github_skew_s=skew_s,
    )
    twin = Twin(config).start()
    path = tmp_path / "steady40.yaml"
    path.write_text(STEADY_40)
    try:
        _, rd = run_profile(path, "local", tmp_path / "reports", target=local_target(twin.state()))
    except BaseException:
        twin.stop()
        raise
    return twin, rd


def read_run(rd: Path) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    result = read_run_result(rd)  # result.json + the job table's rows
    ledger = [json.loads(line) for line in (rd / "ledger.jsonl").read_text().splitlines()]
    return result, ledger, json.loads((rd / "manifest.json").read_text())


def assert_once_and_collected(twin: Twin, rd: Path, skew_s: float) -> list[dict[str, Any]]:
    result, ledger, manifest = read_run(rd)
    # GitHub's clock as the suite measured it: the skew, to the Date header's second
    assert skew_s - 1.0 < manifest["clock_offset_s"] <= skew_s
    titles = Counter(r.display_title for r in twin.fleet.runs.values() if r.display_title.startswith(rd.name))
    assert len(titles) == WORKFLOWS and set(titles.values()) == {1}  # each dispatched exactly once
    assert len(ledger) == WORKFLOWS
    for row in ledger:  # each accepted, with the twin's run of that suite_id
        assert row["status"] == 200
        assert twin.fleet.runs[row["workflow_run_id"]].display_title == row["suite_id"]
    wf = result["workflows"]
    assert wf["dispatched"] == wf["collected"] == WORKFLOWS
    assert wf["missing"] == [] and wf["not_dispatched"] == []
    assert result["jobs"]["count"] == WORKFLOWS
    assert mismatches(result, json.loads((rd / "truth.json").read_text())) == []
    return ledger


@pytest.mark.parametrize("skew_s", [-900.0, 900.0], ids=["our-clock-900s-ahead", "our-clock-900s-behind"])
def test_900_s_skew_with_30_percent_lost_answers_dispatches_once_and_collects_all(
    tmp_path: Path, skew_s: float
) -> None:
    twin, rd = run_skewed(tmp_path, skew_s, LOST_30)
    try:
        ledger = assert_once_and_collected(twin, rd, skew_s)
        # AWS stamps on the world's clock, as GitHub does: every job (60 s or more) is joined to its
        # task's Container Insights minutes although our clock is off (a skew of whole minutes keeps
        # the twin's samples on the minute, as CloudWatch's are)
        assert json.loads((rd / "result.json").read_text())["resources"]["jobs_with_samples"] == WORKFLOWS
        lost = twin.github.faults.injected_dispatch["lost"]
        assert lost >= 0.2 * WORKFLOWS  # the 30% happened (seeded: the same on every run)
        # every lost answer was reconciled by display_title on GitHub's clock, never sent again
        reconciled = [row for row in ledger if row.get("reconciled")]
        assert len(reconciled) == lost
        assert all(row["attempts"] == 1 and row["failures"][0]["status"] is None for row in reconciled)
        api = json.loads((rd / "result.json").read_text())["api"]
        assert api["dispatches_by_workflow"]["runner_test.yml"]["dispatches"] == WORKFLOWS
    finally:
        twin.stop()


@pytest.mark.parametrize("skew_s", [-400.0, -600.0], ids=["ahead-400s", "ahead-600s"])
def test_regression_our_clock_400_and_600_s_ahead(tmp_path: Path, skew_s: float) -> None:
    """The issue's cases: 2 workflows dispatched twice and 4 / 10 of 20 reported missing, exit 0."""
    twin, rd = run_skewed(tmp_path, skew_s, FaultsConfig(lost_dispatch_rate=0.1, seed=1))
    try:
        assert twin.github.faults.injected_dispatch["lost"] > 0
        assert_once_and_collected(twin, rd, skew_s)
    finally:
        twin.stop()


def test_an_outcome_unknown_row_is_reconciled_by_a_later_collect(tmp_path: Path) -> None:
    """A lost answer whose reconciliation failed too: the ledger says outcome unknown, the report
    misses that workflow's job. The next `suite collect` finds the run by its title (on GitHub's
    clock, 900 s behind ours), appends the accepted row with the history, and the report equals truth."""
    twin, rd = run_skewed(tmp_path, -900.0, FaultsConfig())
    try:
        _, ledger, _ = read_run(rd)
        victim = ledger[7]
        failure = {"sent_at": victim["sent_at"], "status": None, "error": "connection reset"}
        unknown = {
            **victim,
            "status": None,
            "workflow_run_id": None,
            "error": "outcome unknown: cannot reach GitHub",
            "attempts": 1,
            "reconciled": False,
            "failures": [failure],
        }
        (rd / "ledger.jsonl").write_text(
            "".join(json.dumps(unknown if r is victim else r) + "\n" for r in ledger)
        )
        (rd / "raw" / "runs.jsonl").unlink()  # as the failed run left it: not yet collected
        code = collect(rd, local_target(twin.state()))
        result, after, _ = read_run(rd)
        assert len(after) == WORKFLOWS + 1  # the unknown row kept, the settling row appended
        settled = after[-1]
        assert settled["suite_id"] == victim["suite_id"] and settled["status"] == 200
        assert settled["workflow_run_id"] == victim["workflow_run_id"] and settled["reconciled"] is True
        assert settled["attempts"] == 1 and settled["failures"] == [failure]  # its history
        assert settled["sent_at"] == victim["sent_at"] and settled["scheduled_at"] == victim["scheduled_at"]
        assert result["workflows"]["dispatched"] == result["workflows"]["collected"] == WORKFLOWS
        assert result["workflows"]["not_dispatched"] == []
        assert mismatches(result, json.loads((rd / "truth.json").read_text())) == []
        assert code == 0
        # known now: a second collect asks nothing and appends nothing
        collect(rd, local_target(twin.state()))
        assert len(read_run(rd)[1]) == WORKFLOWS + 1
    finally:
        twin.stop()


# 4 workflows/min of one 60 s job on 4 runners (about 2/min sustainable): the queue grows until the
# abort_on_fail threshold stops the load
OVERLOAD = """\
workflow: runner_test
inputs: {sleep_duration: 60, job_count: 1, job_type: parallel}
pattern: {type: steady, rate_per_min: 4, duration_s: 1800}
seed: 0
drain_timeout_s: 3600
thresholds:
  - {expr: "queue_time_s.p95 < 240", abort_on_fail: true}
"""


def test_abort_on_fail_sees_the_runs_with_our_clock_900_s_ahead(tmp_path: Path) -> None:
    """The abort monitor lists runs on GitHub's clock too: before, its bound (our start − 60 s) lay
    900 s in GitHub's future, it saw no run and never stopped the load."""
    twin = Twin(
        twin_config(speed=SPEED, fleet=FleetConfig(runners=4, ephemeral=True), github_skew_s=-900.0)
    ).start()
    try:
        path = tmp_path / "overload.yaml"
        path.write_text(OVERLOAD)
        code, rd = run_profile(path, "local", tmp_path / "reports", target=local_target(twin.state()))
    finally:
        twin.stop()
    result, _, _ = read_run(rd)
    assert code == 1 and result["dispatch"]["aborted"] is not None
    assert 0 < result["dispatch"]["not_dispatched"] < 120
    assert result["workflows"]["missing"] == []
    assert mismatches(result, json.loads((rd / "truth.json").read_text())) == []

"""`--env existing` end to end on the twin: a suite.yaml pointing at the twin's GitHub API (and, with a
cluster, at its moto server through AWS_ENDPOINT_URL, the SDK's own setting), resolved as `suite run
--env existing` resolves it; only the clock is the twin's stepped one, so the test never waits on the
wall clock. Without a cluster the fleet is measured GitHub-side only: every timing figure equals the
twin's truth, CPU and memory are null with the reason. With a cluster, the ECS join is done as on `local`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from suite.cli.main import main
from suite.fleet.environments import NO_CLUSTER, NO_CLUSTER_TASKS, Target
from suite.fleet.existing import existing_config
from suite.fleet.targets import existing_target
from suite.pipeline.run import collect, report, run_profile
from suite.rundir.job_rows import job_rows, read_run_result
from suite.twin.service import Twin
from suite.twin.truth_check import mismatches
from tests.helpers.existing_fleet import suite_yaml
from tests.helpers.twin import client_for, start_twin
from tests.helpers.twin_runs import write_profile

PROFILE = """\
# Burst: six 90 s jobs on a fleet the suite does not manage.
workflow: runner_test
inputs: {sleep_duration: 90, job_count: 1, job_type: parallel}
pattern: {type: burst, count: 6}
drain_timeout_s: 1800
thresholds: ["workflows.success_rate >= 1"]
"""


@pytest.fixture
def twin(monkeypatch: pytest.MonkeyPatch) -> Iterator[Twin]:
    tw = start_twin(speed=300.0)
    try:
        tw.clock.sleep(95)  # every runner online (cold start <= 90 s)
        monkeypatch.setenv("GITHUB_TOKEN", tw.token)
        yield tw
    finally:
        tw.stop()


def on_twin_clock(twin: Twin) -> Target:
    """The target `--env existing` resolves from suite.yaml, on the twin's stepped clock."""
    return dataclasses.replace(existing_target(existing_config()), clock=twin.clock)


def run_existing(tmp_path: Path, twin: Twin, target: Target) -> tuple[int, dict[str, Any], Path]:
    code, rd = run_profile(
        write_profile(tmp_path, "burst", PROFILE), "existing", tmp_path / "reports", target=target
    )
    return code, read_run_result(rd), rd


def truth_of(twin: Twin, rd: Path) -> dict[str, Any]:
    with client_for(twin) as client:
        return client.twin_truth(json.loads((rd / "manifest.json").read_text())["test_run_id"] + "-")


def test_a_fleet_without_a_cluster_is_measured_github_side(tmp_path, monkeypatch, twin):
    suite_yaml(tmp_path, monkeypatch, twin, "  runner_count: 4\n")
    target = on_twin_clock(twin)
    assert target.cluster is None and target.not_collected() == {
        "metrics": NO_CLUSTER,
        "tasks": NO_CLUSTER_TASKS,
    }
    code, result, rd = run_existing(tmp_path, twin, target)

    assert code == 0 and result["verdict"] == "pass" and result["environment"] == "existing"
    for name in ("result.json", "summary.md", "report.html", "jobs.csv", "junit.xml"):
        assert (rd / name).stat().st_size > 0, name
    assert not (rd / "truth.json").exists()  # an existing fleet has no truth; the test asks the twin
    truth = truth_of(twin, rd)
    assert mismatches(result, truth) == [] and len(truth["jobs"]) == 6
    assert result["workflows"]["dispatched"] == result["workflows"]["collected"] == 6
    # GitHub-side figures are all there; CPU and memory are null with the reason, never 0
    assert result["queue_time_s"]["count"] == result["execution_time_s"]["count"] == 6
    assert result["resources"]["cpu"]["max"]["count"] == 0 and result["resources"]["jobs_with_samples"] == 0
    assert result["reasons"]["resources"] == NO_CLUSTER
    assert result["reasons"]["tasks.cold_start_s"] == NO_CLUSTER_TASKS
    assert {(j["cpu_max"], j["memory_max"], j["resource_reason"]) for j in result["per_job"]} == {
        (None, None, NO_CLUSTER)
    }
    assert (rd / "raw" / "metrics.jsonl").read_text() == "" and (rd / "raw" / "tasks.jsonl").read_text() == ""
    manifest = json.loads((rd / "manifest.json").read_text())
    assert manifest["fleet"]["cluster"] is None and manifest["fleet"]["region"] is None
    assert manifest["not_collected"] == {"metrics": NO_CLUSTER, "tasks": NO_CLUSTER_TASKS}
    # utilization = busy runner-seconds / (the 4 configured in suite.yaml x window)
    busy = sum(j["execution_s"] for j in truth["jobs"])
    assert result["runners"]["configured"] == 4
    assert result["runners"]["utilization"] == pytest.approx(busy / (4 * result["window"]["duration_s"]))
    assert NO_CLUSTER in (rd / "summary.md").read_text() and NO_CLUSTER in (rd / "report.html").read_text()

    # `suite collect` on it, as the CLI resolves --env existing from suite.yaml (every run is completed,
    # so collecting never waits: the wall clock does no harm): the same figures, read again
    before = {k: result[k] for k in ("queue_time_s", "execution_time_s", "per_job", "runners", "reasons")}
    assert main(["collect", str(rd)]) == 0
    again = read_run_result(rd)
    assert {k: again[k] for k in before} == before
    assert report(rd) == 0  # and `suite report`, from the run directory alone


def test_without_a_configured_runner_count_utilization_is_null_with_the_reason(tmp_path, monkeypatch, twin):
    suite_yaml(tmp_path, monkeypatch, twin)
    _, result, _ = run_existing(tmp_path, twin, on_twin_clock(twin))
    runners = result["runners"]
    assert runners["configured"] is None and runners["utilization"] is None
    assert "runner_count in suite.yaml" in result["reasons"]["runners.utilization"]
    assert (
        runners["observed"] == len({j["runner_name"] for j in result["per_job"]}) >= 1
    )  # beside it, not for it
    assert runners["busy_runner_s"] > 0


def test_with_a_cluster_the_ecs_join_is_done_as_on_local(tmp_path, monkeypatch, twin):
    fleet = twin.config.fleet
    state = twin.state()
    suite_yaml(
        tmp_path,
        monkeypatch,
        twin,
        f"  runner_count: 4\n  cluster: {fleet.cluster}\n  service: {fleet.service}\n"
        f"  region: {fleet.region}\n  task_events_log_group: {state['task_events_log_group']}\n",
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", twin.aws.endpoint)  # the SDK's setting: boto3 reads it itself
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "twin")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "twin")
    target = on_twin_clock(twin)
    assert target.aws_endpoint is None and target.not_collected() == {}
    code, result, rd = run_existing(tmp_path, twin, target)

    assert code == 0 and mismatches(result, truth_of(twin, rd)) == []
    # every job lasts 90 s > 60 s, so each holds at least one of its task's per-minute samples
    assert result["resources"]["jobs_with_samples"] == 6 and "resources" not in result["reasons"]
    assert all(j["cpu_max"] > 0 and j["memory_max"] > 0 for j in result["per_job"])
    assert all(j["resource_reason"] is None for j in result["per_job"])
    assert (rd / "raw" / "metrics.jsonl").stat().st_size > 0 and (
        rd / "raw" / "tasks.jsonl"
    ).stat().st_size > 0
    assert result["tasks"]["cold_start_s"]["count"] > 0
    assert json.loads((rd / "manifest.json").read_text())["not_collected"] == {}
    assert collect(rd, target=target) == 0
    assert job_rows(rd) == result["per_job"]

"""`suite status` and `suite doctor` with --env existing, against an in-process twin: its GitHub API over
loopback, its moto server (through AWS_ENDPOINT_URL) when a cluster is configured."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from suite.cli.main import main
from suite.fleet.environments import NO_CLUSTER
from suite.twin.service import Twin
from tests.helpers.existing_fleet import suite_yaml
from tests.helpers.twin import start_twin


@pytest.fixture
def twin(monkeypatch: pytest.MonkeyPatch) -> Iterator[Twin]:
    tw = start_twin(speed=300.0)
    try:
        tw.clock.sleep(130)  # every runner online (cold start <= 90 s) and minute 120's metrics in moto
        monkeypatch.setenv("GITHUB_TOKEN", tw.token)
        yield tw
    finally:
        tw.stop()


def on_moto(monkeypatch: pytest.MonkeyPatch, twin: Twin) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", twin.aws.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "twin")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "twin")
    f = twin.config.fleet
    return f"  cluster: {f.cluster}\n  service: {f.service}\n  region: {f.region}\n"


def test_status_of_a_fleet_without_ecs(tmp_path, monkeypatch, twin, capsys):
    suite_yaml(tmp_path, monkeypatch, twin, "  runner_count: 4\n")
    assert main(["status", "--env", "existing"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"existing fleet · {twin.config.repo} at {twin.github_url} · GitHub-side only (no ECS cluster "
        "configured: CPU and memory are not measured)"
    )
    assert (
        out[1]
        == "  4 runners online with the labels self-hosted, ecs-fargate (4 registered), of 4 configured"
    )
    assert len(out) == 2  # ready: nothing missing

    suite_yaml(tmp_path, monkeypatch, twin, "  runner_count: 6\n")
    assert main(["status", "--env", "existing"]) == 0
    assert "  not ready: 4 of 6 runners are online with the fleet's labels" in capsys.readouterr().out

    suite_yaml(tmp_path, monkeypatch, twin)
    assert main(["status", "--env", "existing"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "  4 runners online with the labels self-hosted, ecs-fargate (4 registered); configured runner count "
        "not set (runner_count in suite.yaml)"
    )


def test_status_of_an_ecs_fleet_reads_the_service(tmp_path, monkeypatch, twin, capsys):
    suite_yaml(tmp_path, monkeypatch, twin, on_moto(monkeypatch, twin))
    f = twin.config.fleet
    ecs = boto3.client("ecs", region_name=f.region)  # moto, through AWS_ENDPOINT_URL
    ecs.create_cluster(clusterName=f.cluster)
    ecs.register_task_definition(
        family="runner", containerDefinitions=[{"name": "runner", "image": "runner", "memory": 512}]
    )
    ecs.create_service(cluster=f.cluster, serviceName=f.service, taskDefinition="runner", desiredCount=0)
    assert main(["status", "--env", "existing"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(f"ECS cluster {f.cluster}, service {f.service} in {f.region}")
    # no runner_count in suite.yaml: the service's desiredCount (0 here) is what the fleet should run
    assert out[1].startswith("  0 of 0 tasks RUNNING, 0 runners online with the labels")

    ecs.update_service(cluster=f.cluster, service=f.service, desiredCount=2)
    assert main(["status", "--env", "existing"]) == 0
    out = capsys.readouterr().out
    assert "the service runs 0 of 2 tasks" in out  # the twin's tasks are not moto's: none is RUNNING


def test_doctor_without_ecs_checks_github_and_warns_about_cpu_and_memory(tmp_path, monkeypatch, twin, capsys):
    suite_yaml(tmp_path, monkeypatch, twin, "  runner_count: 4\n")
    assert main(["doctor", "--env", "existing"]) == 0  # warnings only
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"existing: GitHub {twin.github_url} ({twin.config.repo}) · no ECS cluster"
    assert "✓  GitHub credential" in out and "✓  workflows" in out
    assert (
        "✓  runners" in out
        and "4 runners online with the labels ecs-fargate, self-hosted, of 4 configured" in out
    )
    rows = {line[3:22].strip(): line[22:].strip() for line in out.splitlines() if line[:1] in "✓✗!"}
    assert rows["AWS credentials"] == f"not used: {NO_CLUSTER}"
    assert rows["Container Insights"] == rows["task events"] == "not used: no ECS cluster configured"
    assert out.count("a fleet on ECS: set cluster and service under existing: in suite.yaml") == 1


def test_doctor_with_a_cluster_checks_container_insights(tmp_path, monkeypatch, twin, capsys):
    state = twin.state()
    extra = on_moto(monkeypatch, twin) + f"  task_events_log_group: {state['task_events_log_group']}\n"
    suite_yaml(tmp_path, monkeypatch, twin, extra)
    assert main(["doctor", "--env", "existing"]) == 0
    out = capsys.readouterr().out
    assert f"✓  Container Insights  enhanced: task metrics for 4 tasks of {state['cluster']}" in out
    assert "✓  AWS credentials" in out and "✓  task events" in out


def test_doctor_names_runners_with_other_labels(tmp_path, monkeypatch, twin, capsys):
    suite_yaml(tmp_path, monkeypatch, twin)
    path = tmp_path / "suite.yaml"
    path.write_text(path.read_text().replace("[self-hosted, ecs-fargate]", "[self-hosted, openshift]"))
    assert main(["doctor", "--env", "existing"]) == 3
    out = capsys.readouterr().out
    assert (
        "✗  runners" in out
        and "0 runners online with the labels openshift, self-hosted (4 registered)" in out
    )
    assert "check existing.runner_labels in suite.yaml matches theirs" in out

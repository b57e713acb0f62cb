"""Readiness: ECS tasks RUNNING (moto) and GitHub runners online (the twin) named after those tasks."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.moto_api import state_manager

from suite.errors import EnvironmentFailure
from suite.fleet import readiness
from suite.fleet.environments import local_target
from suite.fleet.runners import RunnerAdmin
from suite.twin.service import Twin
from tests.helpers.clocks import FakeClock

LABELS = ["self-hosted", "linux", "x64", "ecs-fargate"]
REGION = "us-east-1"


def runner(name: str, status: str = "online", labels: list[str] = LABELS) -> dict[str, Any]:
    return {
        "id": hash(name) % 10_000,
        "name": name,
        "status": status,
        "labels": [{"name": lb} for lb in labels],
    }


def test_check_ready_when_every_task_has_an_online_labelled_runner() -> None:
    tasks = ["a" * 32, "b" * 32]
    state = readiness.check(2, tasks, [runner(t) for t in tasks] + [runner("c" * 32, "offline")], LABELS)
    assert state.ready and state.missing() == ""


def test_check_says_exactly_what_is_missing() -> None:
    tasks = ["a" * 32, "b" * 32, "d" * 32]
    runners = [runner("a" * 32), runner("b" * 32, "offline"), runner("d" * 32, labels=["self-hosted"])]
    state = readiness.check(4, tasks, runners, LABELS)
    assert not state.ready
    text = state.missing()
    assert "the service runs 3 of 4 tasks" in text
    assert "1 of 4 runners are online" in text
    assert f"runners registered but not online: {'b' * 32}" in text
    assert f"runner {'d' * 32} lacks the fleet label(s) ecs-fargate, linux, x64" in text


def test_runner_not_named_after_a_task_does_not_count() -> None:
    state = readiness.check(1, ["a" * 32], [runner("some-other-runner")], LABELS)
    assert not state.ready
    assert f"running tasks GitHub lists no runner for: {'a' * 32}" in state.missing()


def test_wait_ready_times_out_with_the_missing_parts() -> None:
    clock = FakeClock()
    lines: list[str] = []
    with pytest.raises(EnvironmentFailure) as err:
        readiness.wait_ready(
            2,
            LABELS,
            lambda: ["a" * 32],
            lambda: [],
            timeout_s=60,
            poll_s=10,
            clock=clock,
            progress=lines.append,
        )
    assert "not ready within 60 s" in str(err.value)
    assert "the service runs 1 of 2 tasks" in str(err.value)
    assert clock.t >= 50 and lines == ["waiting: 1/2 tasks RUNNING, 0/2 runners online"]


def test_wait_ready_returns_once_runners_come_online() -> None:
    clock = FakeClock()
    tasks = ["a" * 32, "b" * 32]
    online_after = 30.0

    def runners() -> list[dict[str, Any]]:
        return [runner(t) for t in tasks] if clock.t >= online_after else [runner(tasks[0])]

    state = readiness.wait_ready(2, LABELS, lambda: tasks, runners, timeout_s=300, poll_s=10, clock=clock)
    assert state.ready and clock.t == online_after


@pytest.fixture
def ecs() -> Any:
    with mock_aws():
        # moto moves a task's status on every describe; keep RUNNING tasks RUNNING
        state_manager.set_transition(
            model_name="ecs::task", transition={"progression": "manual", "times": 10**6}
        )
        client = boto3.client("ecs", region_name=REGION)
        ec2 = boto3.client("ec2", region_name=REGION)
        client.create_cluster(clusterName="fleet")
        inst = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
        doc = {"instanceId": inst["InstanceId"], "region": REGION, "accountId": "123456789012"}
        client.register_container_instance(cluster="fleet", instanceIdentityDocument=json.dumps(doc))
        client.register_task_definition(
            family="runner", containerDefinitions=[{"name": "r", "image": "x", "memory": 512}]
        )
        yield client
        state_manager.unset_transition("ecs::task")


def test_running_task_ids_reads_the_services_running_tasks(ecs: Any) -> None:
    # moto's create_service starts no tasks: run them as the service would (group service:NAME)
    started = ecs.run_task(cluster="fleet", taskDefinition="runner", count=3, group="service:runners")[
        "tasks"
    ]
    ecs.run_task(cluster="fleet", taskDefinition="runner", count=1, group="service:other")
    ids = readiness.running_task_ids(ecs, "fleet", "runners")
    assert sorted(ids) == sorted(readiness.task_id(t["taskArn"]) for t in started)

    ecs.stop_task(cluster="fleet", task=started[0]["taskArn"])
    remaining = readiness.running_task_ids(ecs, "fleet", "runners")
    assert readiness.task_id(started[0]["taskArn"]) not in remaining

    # GitHub lists runners for two of the remaining tasks only
    runners = [runner(remaining[0])]
    state = readiness.check(3, remaining, runners, LABELS)
    assert not state.ready
    assert "the service runs 2 of 3 tasks" in state.missing()
    assert f"no runner for: {remaining[1]}" in state.missing()


def test_readiness_against_the_twins_github(twin: Twin) -> None:
    """The twin's runners endpoint (real HTTP) with the task ids of its simulated ECS service.

    The twin's first tasks come online after their cold start (45-90 virtual s), so the wait runs on the
    twin's own virtual clock, as `suite deploy` does."""
    with RunnerAdmin(twin.github_url, twin.config.repo, twin.token) as gh:
        clock = twin.clock
        want = twin.config.fleet.runners
        state = readiness.wait_ready(
            want,
            list(twin.config.fleet.labels),
            lambda: [t.task_id for t in twin.fleet.online_runners()],
            gh.list_runners,
            timeout_s=600,
            poll_s=5,
            clock=clock,
        )
        assert state.ready and len(state.online_matching) == want
        with pytest.raises(EnvironmentFailure, match="lacks the fleet label"):
            readiness.wait_ready(
                want,
                ["gpu"],
                lambda: [t.task_id for t in twin.fleet.online_runners()],
                gh.list_runners,
                timeout_s=0,
                clock=clock,
            )


def test_without_tasks_every_online_labelled_runner_counts() -> None:
    runners = [runner("r1"), runner("r2", "offline"), runner("r3", labels=["self-hosted"]), runner("r4")]
    state = readiness.check(3, None, runners, LABELS)
    assert not state.ready and sorted(state.online_matching) == ["r1", "r4"]
    assert state.missing().startswith("2 of 3 runners are online with the fleet's labels")
    assert "runner r3 lacks the fleet label(s) ecs-fargate, linux, x64" in state.missing()
    assert "tasks" not in state.progress_line()
    assert readiness.check(2, None, runners, LABELS).ready


def test_the_wait_runs_on_the_targets_clock_and_says_virtual() -> None:
    clock = FakeClock(speed=60.0)
    with pytest.raises(EnvironmentFailure) as err:
        readiness.wait_ready(2, LABELS, None, lambda: [runner("r1")], timeout_s=900, poll_s=5, clock=clock)
    assert "not ready within 900 s (virtual): 1 of 2 runners are online" in str(err.value)
    assert clock.sleeps == [5.0] * 180  # virtual seconds, slept on the clock


def test_wait_target_online_reads_the_twins_github(twin: Twin) -> None:
    state = readiness.wait_target_online(local_target(twin.state()), timeout_s=600)
    assert state.ready and len(state.online_matching) == twin.config.fleet.runners

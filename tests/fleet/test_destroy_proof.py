"""The destroy proof against moto's Resource Groups Tagging API, and the offline-runner cleanup."""

from __future__ import annotations

import json
from typing import Any

import boto3
import httpx
import pytest
from moto import mock_aws

from suite.errors import EnvironmentFailure
from suite.fleet import leaks
from suite.fleet.runners import RunnerAdmin
from tests.helpers.clocks import FakeClock

REGION = "us-east-1"
FLEET = "proof-fleet"
TAG = [{"Key": "suite:fleet", "Value": FLEET}]


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        yield {
            s: boto3.client(s, region_name=REGION)
            for s in ("resourcegroupstaggingapi", "ecs", "logs", "iam", "secretsmanager")
        }


def _fleet(c: dict[str, Any]) -> None:
    c["ecs"].create_cluster(clusterName=FLEET, tags=[{"key": "suite:fleet", "value": FLEET}])
    c["ecs"].register_task_definition(
        family=f"{FLEET}-runner",
        containerDefinitions=[{"name": "runner", "image": "x", "memory": 512}],
        tags=[{"key": "suite:fleet", "value": FLEET}],
    )
    c["logs"].create_log_group(logGroupName=f"/ecs/{FLEET}/runners", tags={"suite:fleet": FLEET})
    c["secretsmanager"].create_secret(Name=f"{FLEET}/github-runner-credential", Tags=TAG)
    c["iam"].create_role(RoleName=f"{FLEET}-exec-2026", AssumeRolePolicyDocument=json.dumps({}), Tags=TAG)
    # another fleet's resources are none of this proof's business
    c["logs"].create_log_group(logGroupName="/ecs/other/runners", tags={"suite:fleet": "other"})


def test_leftovers_are_listed_after_the_timeout(aws: dict[str, Any]) -> None:
    _fleet(aws)
    clock = FakeClock()
    with pytest.raises(EnvironmentFailure) as err:
        leaks.prove_gone(
            aws["resourcegroupstaggingapi"],
            aws["ecs"],
            FLEET,
            iam=aws["iam"],
            timeout_s=30,
            poll_s=10,
            clock=clock,
        )
    text = str(err.value)
    assert "resource(s) tagged suite:fleet=proof-fleet remain after destroy" in text
    assert f":cluster/{FLEET}" in text and f"log-group:/ecs/{FLEET}/runners" in text
    assert f"secret:{FLEET}/github-runner-credential" in text and f"role/{FLEET}-exec-2026" in text
    assert "other" not in text
    assert clock.t >= 20  # it waited for the Tagging API to catch up before failing


def test_clean_after_destroy_and_deregistered_task_definitions_do_not_count(aws: dict[str, Any]) -> None:
    _fleet(aws)
    # what terraform destroy does
    aws["ecs"].delete_cluster(cluster=FLEET)
    aws["ecs"].deregister_task_definition(taskDefinition=f"{FLEET}-runner:1")
    aws["logs"].delete_log_group(logGroupName=f"/ecs/{FLEET}/runners")
    aws["secretsmanager"].delete_secret(
        SecretId=f"{FLEET}/github-runner-credential", ForceDeleteWithoutRecovery=True
    )
    aws["iam"].delete_role(RoleName=f"{FLEET}-exec-2026")
    report = leaks.prove_gone(aws["resourcegroupstaggingapi"], aws["ecs"], FLEET, iam=aws["iam"], timeout_s=0)
    assert report.clean
    assert [a.rsplit("/", 1)[-1] for a in report.retired_task_definitions] == [f"{FLEET}-runner:1"]


def test_a_leftover_that_disappears_while_waiting(aws: dict[str, Any]) -> None:
    aws["logs"].create_log_group(logGroupName=f"/ecs/{FLEET}/runners", tags={"suite:fleet": FLEET})

    class DeletingClock(FakeClock):
        def sleep(self, seconds: float) -> None:
            super().sleep(seconds)
            aws["logs"].delete_log_group(logGroupName=f"/ecs/{FLEET}/runners")

    clock = DeletingClock()
    assert leaks.prove_gone(
        aws["resourcegroupstaggingapi"], aws["ecs"], FLEET, timeout_s=60, poll_s=15, clock=clock
    ).clean
    assert clock.t == 15


def _github(runners: list[dict[str, Any]], deleted: list[int]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer t0ken"
        if request.method == "GET" and request.url.path == "/repos/o/r/actions/runners":
            return httpx.Response(200, json={"total_count": len(runners), "runners": runners})
        if request.method == "DELETE":
            deleted.append(int(request.url.path.rsplit("/", 1)[-1]))
            return httpx.Response(204)
        return httpx.Response(404)

    return httpx.MockTransport(handle)


def test_remove_offline_runners_of_the_fleet_only() -> None:
    labels = [{"name": n} for n in ("self-hosted", "linux", "x64", "ecs-fargate")]
    runners = [
        {"id": 1, "name": "a" * 32, "status": "offline", "labels": labels},  # the fleet's, offline: removed
        {"id": 2, "name": "b" * 32, "status": "online", "labels": labels},  # online: kept
        {"id": 3, "name": "laptop", "status": "offline", "labels": labels},  # not a task id: kept
        {"id": 4, "name": "c" * 32, "status": "offline", "labels": labels[:1]},  # other labels: kept
    ]
    deleted: list[int] = []
    with RunnerAdmin("https://api.example", "o/r", "t0ken", transport=_github(runners, deleted)) as gh:
        assert "t0ken" not in repr(gh)
        removal = gh.remove_offline(["self-hosted", "ecs-fargate"])
    assert deleted == [1] and removal.removed == ["a" * 32] and removal.failed == []


def test_listing_runners_without_admin_rights_says_so() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(403, json={"message": "nope"}))
    with (
        RunnerAdmin("https://api.example", "org", "t", scope="org", transport=transport) as gh,
        pytest.raises(EnvironmentFailure, match="403 listing the runners of orgs/org"),
    ):
        gh.list_runners()

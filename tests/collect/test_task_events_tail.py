"""The live page's read of ECS task events (TaskEventsTail) against moto's CloudWatch Logs: each read
returns the events not returned before, an event delivered late (inside the overlap) is still read
once, and the booting count follows each task's last state."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from suite.clock import iso
from suite.collect.task_events import TAIL_OVERLAP_S, TaskEventsTail
from suite.pipeline.observer import booting

REGION, GROUP = "us-east-1", "/ecs/fleet/task-events"
# CloudWatch Logs (and moto) refuse events from the future or older than 14 days: an hour ago, whole
T0 = float(int(time.time()) - 3600)


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for k, v in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(k, v)
    with mock_aws():
        client = boto3.client("logs", region_name=REGION)
        client.create_log_group(logGroupName=GROUP)
        client.create_log_stream(logGroupName=GROUP, logStreamName="events")
        yield client


def event(task: str, status: str, at: float) -> dict[str, Any]:
    arn = f"arn:aws:ecs:{REGION}:123456789012:task/fleet/{task}"
    detail = {"taskArn": arn, "lastStatus": status, "createdAt": iso(T0)}
    if status == "RUNNING":
        detail["startedAt"] = iso(at)
    return {"detail-type": "ECS Task State Change", "time": iso(at), "detail": detail}


def put(logs: Any, *events: dict[str, Any]) -> None:
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="events",
        logEvents=[{"timestamp": int(_t(e) * 1000), "message": json.dumps(e)} for e in events],
    )


def _t(e: dict[str, Any]) -> float:
    from suite.isotime import parse_iso

    return parse_iso(e["time"])


def test_each_event_is_read_once_and_a_late_one_inside_the_overlap_is_not_lost(logs: Any) -> None:
    tail = TaskEventsTail(logs, GROUP, T0 - 60)
    put(logs, event("a", "PROVISIONING", T0), event("b", "PROVISIONING", T0 + 1))
    first = tail.read(T0 + 30)
    assert [e["detail"]["lastStatus"] for e in first] == ["PROVISIONING", "PROVISIONING"]
    assert booting(first) == 2
    put(logs, event("a", "RUNNING", T0 + 40))
    second = tail.read(T0 + 60)
    assert [(e["detail"]["taskArn"][-1], e["detail"]["lastStatus"]) for e in second] == [("a", "RUNNING")]
    assert booting(first + second) == 1
    # delivered late: stamped before the last read's end, inside the overlap
    put(logs, event("b", "RUNNING", T0 + 50))
    third = tail.read(T0 + 90)
    assert [(e["detail"]["taskArn"][-1], e["detail"]["lastStatus"]) for e in third] == [("b", "RUNNING")]
    assert booting(first + second + third) == 0
    assert tail.read(T0 + 100) == []  # nothing new: nothing returned twice
    assert TAIL_OVERLAP_S >= 60

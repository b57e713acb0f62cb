"""Collecting the sampler's readings from CloudWatch Logs (moto, fed by the twin's AWS side): each task's
stream over its own window, every reading as read, other lines left out, page after page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from suite.collect.samples import collect_samples, sampler_log_group, sampler_stream
from suite.twin.aws import AwsTwin, twin_client

CLUSTER = "runner-suite-twin"
T0 = int(time.time()) // 60 * 60 - 3600  # CloudWatch Logs (moto too) refuses events over 14 days old


def reading(task: str, t: float, cpu_ns: int = 0) -> dict[str, Any]:
    return {
        "task_id": task,
        "timestamp_ms": int(t * 1000),
        "cpu_ns": cpu_ns,
        "memory_bytes": 300 << 20,
        "cpu_limit_vcpu": 1.0,
        "memory_limit_mib": 2048,
    }


@pytest.fixture(scope="module")
def aws() -> Iterator[AwsTwin]:
    twin = AwsTwin(CLUSTER, "runners", "us-east-1")
    twin.start()
    yield twin
    twin.stop()


class SmallPages:
    """The logs client asked for pages of 2 events (real CloudWatch pages at 10,000 or 1 MB)."""

    def __init__(self, logs: Any) -> None:
        self._logs = logs
        self.exceptions = logs.exceptions
        self.calls = 0

    def describe_log_groups(self, **kw: Any) -> Any:
        return self._logs.describe_log_groups(**kw)

    def get_log_events(self, **kw: Any) -> Any:
        self.calls += 1
        return self._logs.get_log_events(limit=2, **kw)


def test_each_tasks_readings_inside_its_window_as_read(aws: AwsTwin) -> None:
    a, b = "a" * 32, "b" * 32
    aws.publish([], [], upto=T0 + 100, readings=[reading(a, T0 + 5 * k, k * 10**9) for k in range(12)])
    aws.publish([], [], upto=T0 + 100, readings=[reading(b, T0 + 5 * k) for k in range(12)])
    # what the sampler's stream also holds: its notes on stderr, and a line naming another task
    aws._logs.put_log_events(
        logGroupName=sampler_log_group(CLUSTER),
        logStreamName=sampler_stream(a),
        logEvents=[
            {"timestamp": (T0 + 61) * 1000, "message": "sampler: task stats not read"},
            {"timestamp": (T0 + 62) * 1000, "message": '{"task_id": "' + b + '", "timestamp_ms": 1}'},
            {"timestamp": (T0 + 63) * 1000, "message": '{"task_id": "' + a + '", "cpu_ns": "12"}'},
        ],
    )
    logs = SmallPages(twin_client("logs", aws.endpoint, "us-east-1"))
    got = collect_samples(
        logs, CLUSTER, {a: (T0 + 10, T0 + 30), b: (T0 + 50, T0 + 55), "c" * 32: (T0, T0 + 60)}
    )
    assert got == [
        *(reading(a, T0 + t, t // 5 * 10**9) for t in (10, 15, 20, 25, 30)),
        *(reading(b, T0 + t) for t in (50, 55)),
    ]
    assert logs.calls > 4  # a's five readings came over several pages


def test_a_fleet_without_the_sampler_log_group_gives_no_readings(aws: AwsTwin) -> None:
    logs = twin_client("logs", aws.endpoint, "us-east-1")
    assert collect_samples(logs, "another-cluster", {"a" * 32: (T0, T0 + 60)}) == []

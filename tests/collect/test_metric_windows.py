"""Task metrics are read per task over its own job window, in calls of at most 30 minutes and 500
queries (a 300-task run read over the whole window took moto 100 s; see suite/collect/task_metrics.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from suite.clock import iso
from suite.collect.task_metrics import (
    CALL_SLICE_S,
    MAX_QUERIES_PER_CALL,
    METRICS,
    NAMESPACE,
    collect_metrics,
    plan_metric_calls,
    task_windows,
)

CLUSTER, SERVICE, REGION = "fleet", "runners", "us-east-1"
T0 = int(time.time()) // 3600 * 3600 - 4 * 3600  # a whole hour, four hours ago


def job(task: str, start: float, end: float) -> dict[str, Any]:
    return {
        "runner_name": task,
        "created_at": iso(start - 5),
        "started_at": iso(start),
        "completed_at": iso(end),
    }


def test_task_window_is_first_job_start_to_last_job_end_plus_a_minute_each_side():
    jobs = [job("a", T0 + 100, T0 + 200), job("a", T0 + 400, T0 + 470), job("b", T0, T0 + 30)]
    jobs.append({"runner_name": None, "created_at": iso(T0)})  # never picked up: no task
    assert task_windows(jobs) == {"a": (T0 + 35, T0 + 530), "b": (T0 - 65, T0 + 90)}


def test_calls_are_disjoint_slices_holding_only_overlapping_tasks():
    windows = {"a": (T0 + 10.0, T0 + 130.0), "b": (T0 + 3000.0, T0 + 3100.0), "long": (T0, T0 + 5000.0)}
    calls = plan_metric_calls(windows, slice_s=1800)
    assert calls == [
        ((T0, T0 + 1800), ["a", "long"]),
        ((T0 + 1800, T0 + 3600), ["b", "long"]),
        ((T0 + 3600, T0 + 5040), ["long"]),
    ]
    assert all(hi - lo <= CALL_SLICE_S for (lo, hi), _ in calls)
    assert plan_metric_calls({}) == []


@pytest.fixture
def cloudwatch(monkeypatch: pytest.MonkeyPatch) -> Any:
    for k, v in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(k, v)
    with mock_aws():
        yield boto3.client("cloudwatch", region_name=REGION)


def record_calls(cloudwatch: Any) -> list[dict[str, Any]]:
    """Every GetMetricData request's parameters, as botocore sends them."""
    calls: list[dict[str, Any]] = []

    def keep(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    cloudwatch.meta.events.register("provide-client-params.cloudwatch.GetMetricData", keep)
    return calls


def put(cloudwatch: Any, task: str, minutes: range) -> None:
    dims = [
        {"Name": "ClusterName", "Value": CLUSTER},
        {"Name": "ServiceName", "Value": SERVICE},
        {"Name": "TaskId", "Value": task},
    ]
    data = [
        {
            "MetricName": m,
            "Dimensions": dims,
            "Timestamp": datetime.fromtimestamp(T0 + 60 * i, UTC),
            "Value": float(i),
        }
        for i in minutes
        for m in METRICS
    ]
    for k in range(0, len(data), 1000):
        cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data[k : k + 1000])


def test_each_task_gets_exactly_its_own_window_and_no_datapoint_twice(cloudwatch: Any):
    # each task publishes for an hour and a half; each ran one job of two minutes, 4 minutes apart, so
    # the windows cross the 30-minute call boundaries
    tasks = [f"{i:032x}" for i in range(20)]
    for t in tasks:
        put(cloudwatch, t, range(90))
    jobs = [job(t, T0 + 240 * i + 30, T0 + 240 * i + 150) for i, t in enumerate(tasks)]
    windows = task_windows(jobs)
    calls = record_calls(cloudwatch)
    rows = collect_metrics(cloudwatch, CLUSTER, SERVICE, tasks, T0, T0 + 90 * 60, windows)
    assert len(calls) == 3  # 30-minute slices from the first window (T0 - 1 min) to the last (T0 + 80 min)
    assert all((c["EndTime"] - c["StartTime"]).total_seconds() <= CALL_SLICE_S for c in calls)
    # job i runs [4i min + 30 s, 4i min + 150 s): window [4i min - 30 s, 4i min + 210 s), read on whole
    # minutes: [4i - 1, 4i + 4) -> the samples of minutes 4i - 1 .. 4i + 3 (none before T0)
    want = {
        (t, m, iso(T0 + 60 * k), float(k))
        for i, t in enumerate(tasks)
        for m in METRICS
        for k in range(max(0, 4 * i - 1), 4 * i + 4)
    }
    got = [(r["task_id"], r["metric"], r["timestamp"], r["value"]) for r in rows]
    assert len(got) == len(want) and set(got) == want
    assert rows == sorted(rows, key=lambda r: (r["task_id"], r["metric"], r["timestamp"]))
    assert set(rows[0]) == {"task_id", "metric", "timestamp", "value", "source"}


def test_more_than_500_queries_in_one_slice_are_split_across_calls(cloudwatch: Any):
    tasks = [f"{i:032x}" for i in range(MAX_QUERIES_PER_CALL // len(METRICS) + 1)]
    for t in tasks:
        put(cloudwatch, t, range(1))
    calls = record_calls(cloudwatch)
    rows = collect_metrics(cloudwatch, CLUSTER, SERVICE, tasks, T0, T0 + 60)
    assert [len(c["MetricDataQueries"]) for c in calls] == [MAX_QUERIES_PER_CALL, len(METRICS)]
    assert len(rows) == len(tasks) * len(METRICS)
    assert {r["task_id"] for r in rows} == set(tasks)


def test_without_windows_every_task_is_read_over_the_whole_range(cloudwatch: Any):
    put(cloudwatch, "a" * 32, range(0, 70))
    rows = collect_metrics(cloudwatch, CLUSTER, SERVICE, ["a" * 32], T0 + 60, T0 + 3600 + 30)
    assert sorted({r["timestamp"] for r in rows}) == [iso(T0 + 60 * k) for k in range(1, 61)]

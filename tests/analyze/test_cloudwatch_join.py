"""The fleet join's inputs from real (moto) CloudWatch: GetMetricData for enhanced Container Insights,
else the performance log group's Type=Task events (standard Container Insights has no TaskId dimension)."""

import json
import time
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from suite.clock import iso
from suite.collect.task_metrics import (
    NAMESPACE,
    SOURCE_GMD,
    SOURCE_PERFORMANCE_LOG,
    collect_performance_metrics,
    collect_task_metrics,
    performance_log_group,
)
from tests.helpers.analyze_records import Job, index_samples, job_resources

CLUSTER, SERVICE, REGION = "fleet", "runners", "eu-west-1"
T0 = int(time.time()) // 60 * 60 - 3600  # a whole minute an hour ago (CloudWatch Logs drops future events)
A, B, OTHER = "a" * 32, "b" * 32, "f" * 32


def perf_event(task, minute, cpu, mem, kind="Task"):
    return {
        "Version": "0",
        "Type": kind,
        "TaskId": task,
        "TaskDefinitionFamily": "runner",
        "ClusterName": CLUSTER,
        "ServiceName": SERVICE,
        "CpuUtilized": cpu,
        "CpuReserved": 1024.0,
        "MemoryUtilized": mem,
        "MemoryReserved": 2048,
        "Timestamp": (T0 + 60 * minute) * 1000,
        "Unit": "Bytes",
    }


@pytest.fixture
def aws(monkeypatch):
    for k, v in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(k, v)
    with mock_aws():
        yield boto3.client("cloudwatch", region_name=REGION), boto3.client("logs", region_name=REGION)


def put_performance_events(logs, events_by_stream):
    group = performance_log_group(CLUSTER)
    logs.create_log_group(logGroupName=group)
    for stream, events in events_by_stream.items():
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[
                {"timestamp": e["Timestamp"], "message": json.dumps(e)}
                for e in sorted(events, key=lambda e: e["Timestamp"])
            ],
        )


def test_standard_container_insights_falls_back_to_performance_log_events(aws):
    cloudwatch, logs = aws
    put_performance_events(
        logs,
        {
            f"FargateTelemetry-{A}": [perf_event(A, m, 100.0 * (m + 1), 500.0 + m) for m in range(3)]
            + [perf_event(A, 1, 1.0, 1.0, kind="Container")],  # container rows are not task rows
            f"FargateTelemetry-{B}": [perf_event(B, 1, 700.0, 900.0)],
            f"FargateTelemetry-{OTHER}": [perf_event(OTHER, 1, 5.0, 5.0)],  # not one of this test's tasks
            "junk": [{"Timestamp": T0 * 1000, "Type": "Task"}],  # no TaskId
        },
    )
    rows = collect_task_metrics(cloudwatch, logs, CLUSTER, SERVICE, [A, B], T0, T0 + 180)
    assert {r["source"] for r in rows} == {SOURCE_PERFORMANCE_LOG}
    assert {r["task_id"] for r in rows} == {A, B}
    assert len(rows) == 4 * 3 + 4  # A: 3 minutes x 4 metrics; B: 1 minute
    a_cpu = [(r["timestamp"], r["value"]) for r in rows if r["task_id"] == A and r["metric"] == "CpuUtilized"]
    assert a_cpu == [(iso(T0), 100.0), (iso(T0 + 60), 200.0), (iso(T0 + 120), 300.0)]
    assert rows == sorted(rows, key=lambda r: (r["task_id"], r["metric"], r["timestamp"]))
    # and the analysis joins them exactly like GetMetricData rows: job on A over [T0+30, T0+150)
    job = Job(1, 1, 1, "build", A, "completed", "success", T0 + 29, T0 + 30, T0 + 150)
    res = job_resources(job, index_samples(rows))
    assert (res.samples, res.cpu_max, res.cpu_mean, res.memory_max_pct) == (2, 300.0, 250.0, 502 / 2048 * 100)


def test_enhanced_container_insights_uses_get_metric_data_and_labels_the_source(aws):
    cloudwatch, logs = aws
    dims = [
        {"Name": "ClusterName", "Value": CLUSTER},
        {"Name": "ServiceName", "Value": SERVICE},
        {"Name": "TaskId", "Value": A},
    ]
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": m,
                "Dimensions": dims,
                "Timestamp": datetime.fromtimestamp(T0 + 60, UTC),
                "Value": v,
            }
            for m, v in (("CpuUtilized", 300.0), ("MemoryUtilized", 600.0))
        ],
    )
    put_performance_events(logs, {"s": [perf_event(A, 1, 1.0, 1.0)]})  # present, but not needed
    rows = collect_task_metrics(cloudwatch, logs, CLUSTER, SERVICE, [A], T0, T0 + 180)
    assert [(r["metric"], r["timestamp"], r["value"], r["source"]) for r in rows] == [
        ("CpuUtilized", iso(T0 + 60), 300.0, SOURCE_GMD),
        ("MemoryUtilized", iso(T0 + 60), 600.0, SOURCE_GMD),
    ]


def test_no_metrics_and_no_performance_log_group_gives_no_rows(aws):
    cloudwatch, logs = aws
    assert collect_task_metrics(cloudwatch, logs, CLUSTER, SERVICE, [A], T0, T0 + 180) == []
    assert collect_performance_metrics(logs, CLUSTER, [A], T0, T0 + 180) == []


def test_performance_events_outside_the_window_are_not_read(aws):
    _, logs = aws
    put_performance_events(logs, {"s": [perf_event(A, m, 1.0, 1.0) for m in (-10, 0, 1, 10)]})
    rows = collect_performance_metrics(logs, CLUSTER, [A], T0, T0 + 120)
    assert sorted({r["timestamp"] for r in rows}) == [iso(T0), iso(T0 + 60)]

"""The job table as OTLP metrics, low-cardinality only: every label is a pipeline name, a job name, a
result, a run state or the fleet's sizing; never a run id, a job id or a runner's name (they are the
spans' business). Cumulative points over the run's window (start = its first job's created_at, time =
its last completed_at), so a second export of the same run sends the same points
(docs/architecture.md, Exports)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import InstrumentationScope
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AggregationTemporality,
    Histogram,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

from suite import __version__
from suite.export.otlp_common import RunInfo, attributes, columns, run_result, task_result

CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
BOUNDS_S = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0)
"""Histogram bucket bounds, seconds: from a runner picking a job up at once to jobs of hours."""
METRIC_COLUMNS = (
    "repository",
    "workflow",
    "workflow_name",
    "run_id",
    "run_attempt",
    "job_name",
    "conclusion",
    "created_at",
    "started_at",
    "completed_at",
    "queue_s",
    "execution_s",
)
LABEL_KEYS = frozenset(
    {
        "cicd.pipeline.name",
        "cicd.pipeline.task.name",
        "cicd.pipeline.task.run.result",
        "cicd.pipeline.result",
        "cicd.pipeline.run.state",
        "runner_suite.fleet.runners",
        "runner_suite.fleet.ephemeral",
        "runner_suite.fleet.task_cpu",
        "runner_suite.fleet.task_memory",
        "runner_suite.fleet.cpu_architecture",
    }
)
"""Every key a metric point may carry (the test holds the points to it)."""

Labels = tuple[tuple[str, Any], ...]


def metrics_request(info: RunInfo, jobs: pa.Table) -> ExportMetricsServiceRequest | None:
    """The run directory's metrics in one request; None when the table has no job with a time."""
    cols = columns(jobs, METRIC_COLUMNS)
    starts = [t for t in cols["created_at"] if t is not None]
    ends = [t for name in ("created_at", "started_at", "completed_at") for t in cols[name] if t is not None]
    if not starts:
        return None
    window = (min(starts), max(ends))
    sizing = info.sizing.attributes()
    pipeline = [cols["workflow_name"][i] or cols["workflow"][i] for i in range(jobs.num_rows)]
    per_job: list[Labels] = [
        _labels(
            {
                "cicd.pipeline.name": pipeline[i],
                "cicd.pipeline.task.name": cols["job_name"][i],
                "cicd.pipeline.task.run.result": task_result(cols["conclusion"][i]),
                **sizing,
            }
        )
        for i in range(jobs.num_rows)
    ]
    counts: dict[Labels, int] = {}
    for labels in per_job:
        counts[labels] = counts.get(labels, 0) + 1
    metrics = [
        _histogram(
            "cicd.pipeline.run.duration",
            "Workflow runs: pending (first job created -> first job started) and executing (first job "
            "started -> last job completed), seconds",
            _run_durations(cols, pipeline, sizing),
            window,
        ),
        _histogram(
            "runner_suite.job.queue.duration",
            "Job queue time (GitHub's created_at -> started_at), seconds",
            _values(per_job, cols["queue_s"]),
            window,
        ),
        _histogram(
            "runner_suite.job.execution.duration",
            "Job execution time (started_at -> completed_at), seconds",
            _values(per_job, cols["execution_s"]),
            window,
        ),
        _count("runner_suite.job.count", "Jobs, by job name and result", counts, window),
    ]
    resource = Resource(
        attributes=attributes(
            {
                "service.name": "runner-suite",
                "service.version": __version__,
                "runner_suite.profile": info.profile,
                "runner_suite.environment": info.environment,
            }
        )
    )
    scope = InstrumentationScope(name="runner-suite", version=__version__)
    return ExportMetricsServiceRequest(
        resource_metrics=[
            ResourceMetrics(resource=resource, scope_metrics=[ScopeMetrics(scope=scope, metrics=metrics)])
        ]
    )


def _labels(pairs: dict[str, Any]) -> Labels:
    return tuple((k, v) for k, v in pairs.items() if v is not None)


def _values(labels: list[Labels], values: list[float | None]) -> dict[Labels, list[float]]:
    out: dict[Labels, list[float]] = {}
    for key, value in zip(labels, values, strict=True):
        if value is not None:  # a figure not observed is not a sample
            out.setdefault(key, []).append(value)
    return out


def _run_durations(
    cols: dict[str, list[Any]], pipeline: list[Any], sizing: dict[str, Any]
) -> dict[Labels, list[float]]:
    runs: dict[tuple[Any, Any, Any], list[int]] = {}
    for i, run_id in enumerate(cols["run_id"]):
        if run_id is not None:
            runs.setdefault((cols["repository"][i], run_id, cols["run_attempt"][i]), []).append(i)
    out: dict[Labels, list[float]] = {}
    for rows in runs.values():
        created = [cols["created_at"][i] for i in rows]
        started = [t for i in rows if (t := cols["started_at"][i]) is not None]
        completed = [cols["completed_at"][i] for i in rows]
        result = run_result([task_result(cols["conclusion"][i]) for i in rows])
        base = {"cicd.pipeline.name": pipeline[rows[0]], "cicd.pipeline.result": result, **sizing}
        if None not in created and started:
            key = _labels({**base, "cicd.pipeline.run.state": "pending"})
            out.setdefault(key, []).append((min(started) - min(created)) / 1e9)
        if started and None not in completed:
            key = _labels({**base, "cicd.pipeline.run.state": "executing"})
            out.setdefault(key, []).append((max(completed) - min(started)) / 1e9)
    return out


def _histogram(
    name: str, description: str, series: dict[Labels, list[float]], window: tuple[int, int]
) -> Metric:
    points = []
    for labels, values in series.items():
        buckets = [0] * (len(BOUNDS_S) + 1)
        for v in values:
            buckets[bisect.bisect_left(BOUNDS_S, v)] += 1  # OTLP: bucket i holds (bound[i-1], bound[i]]
        points.append(
            HistogramDataPoint(
                attributes=attributes(dict(labels)),
                start_time_unix_nano=window[0],
                time_unix_nano=window[1],
                count=len(values),
                sum=float(sum(values)),
                min=float(min(values)),
                max=float(max(values)),
                bucket_counts=buckets,
                explicit_bounds=BOUNDS_S,
            )
        )
    return Metric(
        name=name,
        description=description,
        unit="s",
        histogram=Histogram(data_points=points, aggregation_temporality=CUMULATIVE),
    )


def _count(name: str, description: str, counts: dict[Labels, int], window: tuple[int, int]) -> Metric:
    points: Iterable[NumberDataPoint] = (
        NumberDataPoint(
            attributes=attributes(dict(labels)),
            start_time_unix_nano=window[0],
            time_unix_nano=window[1],
            as_int=n,
        )
        for labels, n in counts.items()
    )
    return Metric(
        name=name,
        description=description,
        unit="{job}",
        sum=Sum(data_points=list(points), aggregation_temporality=CUMULATIVE, is_monotonic=True),
    )

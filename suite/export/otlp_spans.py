"""The job table as OTLP traces: a trace per workflow run (a run span), and per job a queue span
(created_at -> started_at) and a job span (started_at -> completed_at), both children of the run span,
with OpenTelemetry's CI/CD attributes (docs/architecture.md, Exports: the mapping table)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from suite import __version__
from suite.export.otlp_common import (
    RunInfo,
    add_attributes,
    attributes,
    columns,
    derived_id,
    run_result,
    task_result,
)

SPAN_COLUMNS = (
    "repository",
    "workflow",
    "workflow_name",
    "suite_id",
    "run_id",
    "run_attempt",
    "job_id",
    "job_name",
    "head_branch",
    "head_sha",
    "conclusion",
    "failure_cause",
    "failed_step",
    "runner_id",
    "runner_name",
    "task_id",
    "created_at",
    "started_at",
    "completed_at",
    "queue_s",
    "execution_s",
)
ERRORS = ("failure", "error", "timeout")  # the results whose span is ERROR
MAX_SPANS_PER_REQUEST = 3000  # a few hundred KB of protobuf: under a collector's default 4 MiB limit


def trace_id(repository: str | None, run_id: int, run_attempt: int | None) -> bytes:
    return derived_id(16, "trace", repository, run_id, run_attempt)


def run_span_id(repository: str | None, run_id: int, run_attempt: int | None) -> bytes:
    return derived_id(8, "run", repository, run_id, run_attempt)


def job_span_id(repository: str | None, job_id: int) -> bytes:
    return derived_id(8, "job", repository, job_id)


def queue_span_id(repository: str | None, job_id: int) -> bytes:
    return derived_id(8, "queue", repository, job_id)


def resource(info: RunInfo) -> Resource:
    return Resource(
        attributes=attributes(
            {
                "service.name": "runner-suite",
                "service.version": __version__,
                "runner_suite.test_run.id": info.test_run_id,
                "runner_suite.profile": info.profile,
                "runner_suite.environment": info.environment,
                **info.sizing.attributes(),
            }
        )
    )


def trace_requests(info: RunInfo, jobs: pa.Table) -> Iterator[ExportTraceServiceRequest]:
    """The run directory's spans, a request per MAX_SPANS_PER_REQUEST at most (whole traces). Spans
    are added in place into the request (`add`): building each message apart and copying it in takes
    twice as long."""
    cols = columns(jobs, SPAN_COLUMNS)
    runs: dict[tuple[Any, Any, Any], list[int]] = {}
    for i, run_id in enumerate(cols["run_id"]):
        if run_id is not None:  # a job without its run's id cannot be placed in a trace
            runs.setdefault((cols["repository"][i], run_id, cols["run_attempt"][i]), []).append(i)
    request, spans = _request(info)
    for (repo, run_id, attempt), rows in runs.items():
        if len(spans) and len(spans) + 1 + 2 * len(rows) > MAX_SPANS_PER_REQUEST:
            yield request
            request, spans = _request(info)
        _trace(spans, cols, repo, run_id, attempt, rows)
    if len(spans):
        yield request


def _request(info: RunInfo) -> tuple[ExportTraceServiceRequest, Any]:
    """An empty request for this run directory's resource and its spans' container."""
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.CopyFrom(resource(info))
    scope_spans = resource_spans.scope_spans.add()
    scope_spans.scope.name, scope_spans.scope.version = "runner-suite", __version__
    return request, scope_spans.spans


def _add(
    spans: Any, attrs: dict[str, Any], status: tuple[str | None, str | None] = (None, None), **fields: Any
) -> None:
    span = spans.add(**fields)
    add_attributes(span.attributes, attrs)
    result, cause = status
    if result in ERRORS:  # ERROR for a failure, an error or a timeout, with the cause when known
        span.status.code = Status.STATUS_CODE_ERROR
        span.status.message = cause or result or ""


def _trace(
    spans: Any, cols: dict[str, list[Any]], repo: Any, run_id: int, attempt: Any, rows: list[int]
) -> None:
    tid, parent = trace_id(repo, run_id, attempt), run_span_id(repo, run_id, attempt)
    first = rows[0]
    owner, _, name = (repo or "").rpartition("/")
    pipeline = cols["workflow_name"][first] or cols["workflow"][first]
    common = {"cicd.pipeline.name": pipeline, "cicd.pipeline.run.id": str(run_id)}
    created = [t for i in rows if (t := cols["created_at"][i]) is not None]
    completed = [t for i in rows if (t := cols["completed_at"][i]) is not None]
    times = created + completed + [t for i in rows if (t := cols["started_at"][i]) is not None]
    if times:  # a run none of whose jobs has a time has no span (nor have its jobs)
        result = run_result([task_result(cols["conclusion"][i]) for i in rows])
        attrs = {
            **common,
            "cicd.pipeline.action.name": "RUN",
            "cicd.pipeline.result": result,
            "cicd.pipeline.run.attempt": attempt,
            "vcs.owner.name": owner or None,
            "vcs.repository.name": name or None,
            "vcs.ref.head.name": cols["head_branch"][first],
            "vcs.ref.head.revision": cols["head_sha"][first],
            "runner_suite.suite_id": cols["suite_id"][first],
            "runner_suite.workflow.file": cols["workflow"][first],
            "error.type": result if result in ERRORS else None,
        }
        _add(
            spans,
            attrs,
            (result, None),
            trace_id=tid,
            span_id=parent,
            name=f"RUN {pipeline}",
            kind=Span.SPAN_KIND_SERVER,
            start_time_unix_nano=min(created or times),
            end_time_unix_nano=max(completed or times),
        )
    for i in rows:
        _job_spans(spans, cols, i, tid, parent, repo, common)


def _job_spans(
    spans: Any,
    cols: dict[str, list[Any]],
    i: int,
    tid: bytes,
    parent: bytes,
    repo: Any,
    common: dict[str, Any],
) -> None:
    job_id = cols["job_id"][i]
    created, started, completed = cols["created_at"][i], cols["started_at"][i], cols["completed_at"][i]
    result = task_result(cols["conclusion"][i])
    cause = cols["failure_cause"][i]
    task = {
        **common,
        "cicd.pipeline.task.name": cols["job_name"][i],
        "cicd.pipeline.task.run.id": str(job_id),
    }
    queue_end = started if started is not None else completed
    if created is not None and queue_end is not None:
        _add(
            spans,
            {**task, "runner_suite.queue_s": cols["queue_s"][i]},
            trace_id=tid,
            span_id=queue_span_id(repo, job_id),
            parent_span_id=parent,
            name=f"queue {cols['job_name'][i]}",
            kind=Span.SPAN_KIND_INTERNAL,
            start_time_unix_nano=created,
            end_time_unix_nano=queue_end,
        )
    if started is not None and completed is not None:
        runner_id = cols["runner_id"][i]
        attrs = {
            **task,
            "cicd.pipeline.task.run.result": result,
            "cicd.worker.name": cols["runner_name"][i],
            "cicd.worker.id": None if runner_id is None else str(runner_id),
            "runner_suite.task_id": cols["task_id"][i],
            "runner_suite.execution_s": cols["execution_s"][i],
            "runner_suite.failed_step": cols["failed_step"][i],
            "error.type": cause if result in ERRORS else None,
        }
        _add(
            spans,
            attrs,
            (result, cause),
            trace_id=tid,
            span_id=job_span_id(repo, job_id),
            parent_span_id=parent,
            name=str(cols["job_name"][i]),
            kind=Span.SPAN_KIND_INTERNAL,
            start_time_unix_nano=started,
            end_time_unix_nano=completed,
        )

"""OTLP export of a twin run (docs/architecture.md, Exports): what a loopback receiver gets, decoded with
the OpenTelemetry protocol's own protobuf definitions, holds a trace per workflow run, a queue span and
a job span per job under the run span, the CI/CD attributes, the table's times in nanoseconds, and
low-cardinality metrics whose job counts are result.json's."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from suite.export.otlp import export_runs
from suite.export.otlp_metrics import LABEL_KEYS
from suite.export.otlp_spans import MAX_SPANS_PER_REQUEST
from suite.isotime import parse_iso
from suite.rundir.table_io import read_table
from suite.rundir.tables import JOBS
from tests.export.job_tables import ensure_tables
from tests.export.otlp_receiver import Receiver, otlp_receiver
from tests.helpers.twin_runs import run_on_twin

ROOT = Path(__file__).resolve().parents[2]
HIGH_CARDINALITY = {
    "cicd.pipeline.run.id",
    "cicd.pipeline.task.run.id",
    "cicd.worker.name",
    "cicd.worker.id",
    "runner_suite.test_run.id",
    "runner_suite.suite_id",
    "runner_suite.task_id",
}


@pytest.fixture(scope="module")
def twin_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """multi_job on the twin: 10 workflow runs of 4 dependent jobs each."""
    tmp = tmp_path_factory.mktemp("otlp")
    body = (ROOT / "profiles" / "multi_job.yaml").read_text()
    code, result, _, rd = run_on_twin(tmp, "multi_job", body, before=lambda twin: twin.clock.sleep(95))
    assert code == 0 and result["jobs"]["count"] == 40
    ensure_tables(rd)
    return result, rd


@pytest.fixture(scope="module")
def received(twin_run: tuple[dict[str, Any], Path]) -> Receiver:
    _, rd = twin_run
    with otlp_receiver() as receiver:
        export_runs(receiver.url, [rd])
    return receiver


def attrs(kvs: Any) -> dict[str, Any]:
    out = {}
    for kv in kvs:
        kind = kv.value.WhichOneof("value")
        out[kv.key] = getattr(kv.value, kind)
    return out


def nanos(iso: str) -> int:
    return round(parse_iso(iso) * 1000) * 1_000_000


def spans_of(receiver: Receiver) -> list[Span]:
    return [
        s for req in receiver.traces() for rs in req.resource_spans for ss in rs.scope_spans for s in ss.spans
    ]


def test_requests_are_otlp_http_protobuf(received: Receiver) -> None:
    assert {r.path for r in received.received} == {"/v1/traces", "/v1/metrics"}
    assert {r.content_type for r in received.received} == {"application/x-protobuf"}


def test_a_trace_per_workflow_run_with_a_queue_and_a_job_span_per_job(
    twin_run: tuple[dict[str, Any], Path], received: Receiver
) -> None:
    result, rd = twin_run
    spans = spans_of(received)
    runs = [s for s in spans if s.kind == Span.SPAN_KIND_SERVER]
    assert len(runs) == len({j["run_id"] for j in result["per_job"]}) == 10
    assert len(spans) == 10 + 2 * 40
    by_run = {attrs(s.attributes)["cicd.pipeline.run.id"]: s for s in runs}
    table = read_table(rd, JOBS).to_pylist()
    by_job = {row["job_id"]: row for row in table}
    for job in result["per_job"]:
        run = by_run[str(job["run_id"])]
        mine = [
            s
            for s in spans
            if s.trace_id == run.trace_id
            and attrs(s.attributes).get("cicd.pipeline.task.run.id") == str(job["id"])
        ]
        queue = next(s for s in mine if s.name == f"queue {job['name']}")
        ran = next(s for s in mine if s.name == job["name"])
        assert queue.parent_span_id == ran.parent_span_id == run.span_id and not run.parent_span_id
        assert queue.span_id != ran.span_id
        # the table's times, in nanoseconds; the same instants as result.json's per_job
        row = by_job[job["id"]]
        for field, at in (
            ("created_at", queue.start_time_unix_nano),
            ("started_at", queue.end_time_unix_nano),
        ):
            assert (
                at
                == round(row[field].timestamp() * 1000) * 1_000_000
                == nanos(job[field.removesuffix("_at")])
            )
        assert ran.start_time_unix_nano == nanos(job["started"])
        assert ran.end_time_unix_nano == nanos(job["completed"])
        a = attrs(ran.attributes)
        assert a["cicd.pipeline.name"] == (row["workflow_name"] or row["workflow"]) == "k8s_like"
        assert a["cicd.pipeline.task.name"] == job["name"]
        assert a["cicd.pipeline.task.run.result"] == "success"
        assert a["cicd.worker.name"] == job["runner_name"]
        assert a.get("cicd.worker.id") == (None if row["runner_id"] is None else str(row["runner_id"]))
        assert ran.status.code == Status.STATUS_CODE_UNSET
    for run_id, run in by_run.items():
        jobs = [j for j in result["per_job"] if str(j["run_id"]) == run_id]
        assert run.name == "RUN k8s_like"
        assert run.start_time_unix_nano == min(nanos(j["created"]) for j in jobs)
        assert run.end_time_unix_nano == max(nanos(j["completed"]) for j in jobs)
        a = attrs(run.attributes)
        assert a["cicd.pipeline.result"] == "success"
        assert a["vcs.owner.name"] + "/" + a["vcs.repository.name"] == "runner-suite/twin-target"
        assert a["runner_suite.suite_id"] == jobs[0]["suite_id"]
    resource = attrs(received.traces()[0].resource_spans[0].resource.attributes)
    assert resource["service.name"] == "runner-suite"
    assert resource["runner_suite.test_run.id"] == rd.name
    assert resource["runner_suite.profile"] == "multi_job"
    assert resource["runner_suite.fleet.runners"] == 4
    assert resource["runner_suite.fleet.task_cpu"] == 1024


def test_metrics_are_low_cardinality_and_count_result_json_jobs(
    twin_run: tuple[dict[str, Any], Path], received: Receiver
) -> None:
    result, _ = twin_run
    (request,) = received.metrics()
    metrics = {m.name: m for rm in request.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
    assert set(metrics) == {
        "cicd.pipeline.run.duration",
        "runner_suite.job.queue.duration",
        "runner_suite.job.execution.duration",
        "runner_suite.job.count",
    }
    ids = {str(j["id"]) for j in result["per_job"]} | {str(j["run_id"]) for j in result["per_job"]}
    runners = {j["runner_name"] for j in result["per_job"]}
    for metric in metrics.values():
        for point in getattr(metric, metric.WhichOneof("data")).data_points:
            a = attrs(point.attributes)
            assert set(a) <= LABEL_KEYS and not set(a) & HIGH_CARDINALITY
            assert not {str(v) for v in a.values()} & (ids | runners)
            assert a["runner_suite.fleet.runners"] == 4
    counts: Counter[str] = Counter()
    for p in metrics["runner_suite.job.count"].sum.data_points:
        counts[attrs(p.attributes).get("cicd.pipeline.task.run.result", "none")] += p.as_int
    assert sum(counts.values()) == result["jobs"]["count"] == 40
    assert counts["success"] == result["jobs"]["succeeded"]
    per_name = {
        attrs(p.attributes)["cicd.pipeline.task.name"]: p.as_int
        for p in metrics["runner_suite.job.count"].sum.data_points
    }
    assert per_name == {name: fig["jobs"]["count"] for name, fig in result["by_job_name"].items()}
    queue = metrics["runner_suite.job.queue.duration"].histogram.data_points
    assert sum(p.count for p in queue) == 40
    assert sum(p.sum for p in queue) == pytest.approx(sum(j["queue_s"] for j in result["per_job"]))
    assert max(p.max for p in queue) == result["queue_time_s"]["max"]
    for p in queue:
        assert sum(p.bucket_counts) == p.count and len(p.bucket_counts) == len(p.explicit_bounds) + 1
        assert p.start_time_unix_nano == min(nanos(j["created"]) for j in result["per_job"])
        assert p.time_unix_nano == max(nanos(j["completed"]) for j in result["per_job"])
    states = Counter(
        attrs(p.attributes)["cicd.pipeline.run.state"]
        for p in metrics["cicd.pipeline.run.duration"].histogram.data_points
    )
    assert set(states) == {"pending", "executing"}
    runs = metrics["cicd.pipeline.run.duration"].histogram.data_points
    assert sum(p.count for p in runs if attrs(p.attributes)["cicd.pipeline.run.state"] == "executing") == 10


def test_exporting_again_sends_the_same_ids_and_bytes(
    twin_run: tuple[dict[str, Any], Path], received: Receiver
) -> None:
    _, rd = twin_run
    with otlp_receiver() as again:
        export_runs(again.url, [rd])
    first = {(s.trace_id, s.span_id) for s in spans_of(received)}
    assert {(s.trace_id, s.span_id) for s in spans_of(again)} == first and len(first) == 90
    assert [r.body for r in again.received] == [r.body for r in received.received]


def test_result_json_jobs_are_what_the_table_holds(twin_run: tuple[dict[str, Any], Path]) -> None:
    result, rd = twin_run
    table = read_table(rd, JOBS)
    assert sorted(table.column("job_id").to_pylist()) == sorted(j["id"] for j in result["per_job"])
    assert json.loads((rd / "result.json").read_text())["jobs"]["count"] == table.num_rows
    assert table.num_rows < MAX_SPANS_PER_REQUEST

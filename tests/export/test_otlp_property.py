"""The span rules of docs/architecture.md (Exports) as a property over any job table: per job a queue span
exactly when created_at and (started_at or completed_at) are known, a job span exactly when started_at
and completed_at are; every span in its run's trace under the run span; the times the table's, in
nanoseconds; and the job counts of the metrics the table's rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.export.otlp_common import run_info
from suite.export.otlp_metrics import metrics_request
from suite.export.otlp_spans import run_span_id, trace_id, trace_requests
from suite.rundir.table_io import schema
from suite.rundir.tables import JOBS

T0 = datetime(2026, 12, 1, tzinfo=UTC)
CONCLUSIONS = [None, "success", "failure", "cancelled", "skipped", "timed_out", "neutral", "action_required"]
when = st.one_of(st.none(), st.integers(0, 10_000_000).map(lambda ms: T0 + timedelta(milliseconds=ms)))
job = st.fixed_dictionaries(
    {
        "run_id": st.integers(1, 4),
        "job_name": st.sampled_from(["a", "b / c", "d"]),
        "conclusion": st.sampled_from(CONCLUSIONS),
        "created_at": when,
        "started_at": when,
        "completed_at": when,
    }
)


def table(jobs: list[dict[str, Any]]) -> pa.Table:
    rows = [
        {**j, "repository": "o/r", "run_attempt": 1, "job_id": 100 + i, "workflow_name": "CI"}
        for i, j in enumerate(jobs)
    ]
    return pa.Table.from_pylist(rows, schema=schema(JOBS))


def ns(at: datetime | None) -> int | None:
    return None if at is None else round(at.timestamp() * 1000) * 1_000_000


@settings(max_examples=150, deadline=None)
@given(st.lists(job, max_size=30))
def test_spans_follow_the_table(jobs: list[dict[str, Any]]) -> None:
    t = table(jobs)
    spans = [
        s
        for r in trace_requests(run_info(None, t), t)
        for rs in r.resource_spans
        for ss in rs.scope_spans
        for s in ss.spans
    ]
    ids = [(s.trace_id, s.span_id) for s in spans]
    assert len(set(ids)) == len(ids)
    runs = {s.span_id: s for s in spans if not s.parent_span_id}
    for i, j in enumerate(jobs):
        tid, parent = trace_id("o/r", j["run_id"], 1), run_span_id("o/r", j["run_id"], 1)
        mine = [
            s
            for s in spans
            if s.parent_span_id
            and any(
                kv.key == "cicd.pipeline.task.run.id" and kv.value.string_value == str(100 + i)
                for kv in s.attributes
            )
        ]
        assert all(s.trace_id == tid and s.parent_span_id == parent for s in mine)
        times = [
            jj[k]
            for jj in jobs
            if jj["run_id"] == j["run_id"]
            for k in ("created_at", "started_at", "completed_at")
        ]
        assert (parent in runs) == any(x is not None for x in times)  # a run with no time has no span
        queue = [s for s in mine if s.name.startswith("queue ")]
        ran = [s for s in mine if not s.name.startswith("queue ")]
        queue_end = j["started_at"] or j["completed_at"]
        assert len(queue) == (j["created_at"] is not None and queue_end is not None)
        assert len(ran) == (j["started_at"] is not None and j["completed_at"] is not None)
        for s in queue:
            assert (s.start_time_unix_nano, s.end_time_unix_nano) == (ns(j["created_at"]), ns(queue_end))
        for s in ran:
            assert (s.start_time_unix_nano, s.end_time_unix_nano) == (
                ns(j["started_at"]),
                ns(j["completed_at"]),
            )
    for run_id in {j["run_id"] for j in jobs}:
        run = runs.get(run_span_id("o/r", run_id, 1))
        mine = [j for j in jobs if j["run_id"] == run_id]
        created = [ns(j["created_at"]) for j in mine if j["created_at"] is not None]
        completed = [ns(j["completed_at"]) for j in mine if j["completed_at"] is not None]
        every = created + completed + [ns(j["started_at"]) for j in mine if j["started_at"] is not None]
        if run is not None:  # from its first created_at to its last completed_at (else its known times)
            assert run.start_time_unix_nano == min(created or every)
            assert run.end_time_unix_nano == max(completed or every)
    request = metrics_request(run_info(None, t), t)
    if request is None:
        assert all(j["created_at"] is None for j in jobs)
        return
    (count,) = [
        m for m in request.resource_metrics[0].scope_metrics[0].metrics if m.name == "runner_suite.job.count"
    ]
    assert sum(p.as_int for p in count.sum.data_points) == len(jobs)

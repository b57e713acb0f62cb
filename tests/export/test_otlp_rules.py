"""The OTLP mapping's rules on hand-made job tables (docs/architecture.md, Exports): a failed job's span is
ERROR with its cause, GitHub's conclusions map to the CI/CD results, a job that never started has a queue
span only, a figure that is null is left out; the sender's retries on 429/503 and its one exit-3 line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from suite.clock import SteppedClock
from suite.errors import EXIT_ENVIRONMENT, EXIT_USAGE, EnvironmentFailure, UsageError
from suite.export.otlp import MAX_TRIES, export_runs, retry_after
from suite.export.otlp_common import RESULT_BY_CONCLUSION, run_result
from suite.rundir.table_io import write_table
from suite.rundir.tables import JOBS
from tests.export.otlp_receiver import Receiver, otlp_receiver

T0 = 1_790_000_000.0  # epoch seconds, a whole millisecond
REPO = "octo/app"


def hand_made(tmp_path: Path) -> Path:
    """Run 7 (attempt 1): a job that succeeded, one that failed out of memory at step "npm test", one
    cancelled while queued (never started); run 8: one skipped."""
    rd = tmp_path / "run"
    rd.mkdir()
    (rd / "manifest.json").write_text(json.dumps({"test_run_id": "t-1"}))
    write_table(
        rd,
        JOBS,
        {
            "repository": [REPO] * 4,
            "test_run_id": ["t-1"] * 4,
            "profile": ["smoke"] * 4,
            "workflow": ["ci.yml"] * 4,
            "workflow_name": ["CI", "CI", "CI", None],
            "run_id": [7, 7, 7, 8],
            "run_attempt": [1, 1, 1, 1],
            "job_id": [70, 71, 72, 80],
            "job_name": ["build", "test", "lint", "deploy"],
            "conclusion": ["success", "failure", "cancelled", "skipped"],
            "failure_cause": [None, "out_of_memory", None, None],
            "failed_step": [None, "npm test", None, None],
            "runner_name": ["task-a", "task-b", None, "task-c"],
            "created_at": [T0, T0 + 1, T0 + 2, T0 + 10],
            "started_at": [T0 + 3, T0 + 4.5, None, T0 + 11],
            "completed_at": [T0 + 20, T0 + 30.25, T0 + 40, T0 + 11],
            "queue_s": [3.0, 3.5, None, 1.0],
            "execution_s": [17.0, 25.75, None, 0.0],
            "runner_count": [2] * 4,
        },
    )
    return rd


def ns(seconds: float) -> int:
    """Epoch seconds as the table's milliseconds in nanoseconds."""
    return round(seconds * 1000) * 1_000_000


def attrs(kvs: Any) -> dict[str, Any]:
    return {kv.key: getattr(kv.value, kv.value.WhichOneof("value")) for kv in kvs}


def spans(receiver: Receiver) -> dict[str, Span]:
    found = [
        s for r in receiver.traces() for rs in r.resource_spans for ss in rs.scope_spans for s in ss.spans
    ]
    by_name = {s.name: s for s in found}
    assert len(by_name) == len(found)
    return by_name


def test_failed_cancelled_and_skipped_jobs(tmp_path: Path) -> None:
    with otlp_receiver() as receiver:
        export_runs(receiver.url, [hand_made(tmp_path)])
    s = spans(receiver)
    assert set(s) == {
        "RUN CI",
        "RUN ci.yml",
        *(n for j in ("build", "test", "deploy") for n in (j, f"queue {j}")),
    } | {"queue lint"}
    assert attrs(s["deploy"].attributes)["cicd.pipeline.task.run.result"] == "skip"
    failed = s["test"]
    assert failed.status.code == Status.STATUS_CODE_ERROR and failed.status.message == "out_of_memory"
    a = attrs(failed.attributes)
    assert a["cicd.pipeline.task.run.result"] == "failure" and a["error.type"] == "out_of_memory"
    assert a["runner_suite.failed_step"] == "npm test" and "cicd.worker.id" not in a  # null: left out
    assert failed.start_time_unix_nano == ns(T0 + 4.5) and failed.end_time_unix_nano == ns(T0 + 30.25)
    assert s["build"].status.code == Status.STATUS_CODE_UNSET
    # cancelled while queued: a queue span to its completion, no job span
    assert "lint" not in s and s["queue lint"].end_time_unix_nano == ns(T0 + 40)
    run = s["RUN CI"]
    assert (
        attrs(run.attributes)["cicd.pipeline.result"] == "failure"
        and run.status.code == Status.STATUS_CODE_ERROR
    )
    assert run.start_time_unix_nano == ns(T0) and run.end_time_unix_nano == ns(T0 + 40)
    assert attrs(s["RUN ci.yml"].attributes)["cicd.pipeline.result"] == "skip"  # no workflow_name: the file


def test_conclusions_map_to_cicd_results() -> None:
    assert (
        RESULT_BY_CONCLUSION["cancelled"] == "cancellation" and RESULT_BY_CONCLUSION["timed_out"] == "timeout"
    )
    assert run_result(["success", "failure", "cancellation"]) == "failure"
    assert run_result(["success", "success"]) == "success"
    assert run_result(["success", None]) is None  # a job not ended: the run's result is not known


def test_busy_collector_is_tried_again_after_retry_after(tmp_path: Path) -> None:
    clock = SteppedClock(0.0)
    with otlp_receiver() as receiver:
        receiver.answers = [(503, {"Retry-After": "7"}), (429, {})]
        done = export_runs(receiver.url, [hand_made(tmp_path)], clock=clock)
    assert clock.now() == 7.0 + 2.0  # the collector's 7 s, then the backoff's second step
    assert [r.path for r in receiver.received] == ["/v1/traces"] * 3 + ["/v1/metrics"]
    assert done.spans == 9 and done.requests == 2


def test_a_collector_that_stays_busy_is_one_exit_3_line(tmp_path: Path) -> None:
    with otlp_receiver() as receiver:
        receiver.always = 503
        with pytest.raises(EnvironmentFailure) as caught:
            export_runs(
                receiver.url.replace("http://", "http://user:hunter2@"),
                [hand_made(tmp_path)],
                clock=SteppedClock(0.0),
            )
    assert len(receiver.received) == MAX_TRIES
    said = str(caught.value)
    assert caught.value.exit_code == EXIT_ENVIRONMENT and "HTTP 503" in said and "hunter2" not in said
    assert "\n" not in said


def test_a_refusal_is_not_tried_again(tmp_path: Path) -> None:
    with otlp_receiver() as receiver:
        receiver.always = 401
        with pytest.raises(EnvironmentFailure, match="HTTP 401"):
            export_runs(receiver.url, [hand_made(tmp_path)], clock=SteppedClock(0.0))
    assert len(receiver.received) == 1


def test_no_collector_listening_is_exit_3(tmp_path: Path) -> None:
    with otlp_receiver() as receiver:
        url = receiver.url  # closed when the block ends: nothing listens there after
    with pytest.raises(EnvironmentFailure, match="no answer"):
        export_runs(url, [hand_made(tmp_path)], clock=SteppedClock(0.0))


def test_a_directory_without_tables_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(UsageError, match="suite report") as caught:
        export_runs("http://127.0.0.1:9", [tmp_path])
    assert caught.value.exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    ("header", "attempt", "wait"), [("3", 0, 3.0), ("999", 0, 60.0), (None, 2, 4.0), ("soon", 1, 2.0)]
)
def test_retry_after(header: str | None, attempt: int, wait: float) -> None:
    assert retry_after(header, attempt) == wait


@pytest.mark.parametrize("damage", ["garbage", "a directory", "old columns"])
def test_a_damaged_job_table_is_exit_2(tmp_path: Path, damage: str) -> None:
    rd = hand_made(tmp_path)
    path = rd / "tables" / "jobs.parquet"
    if damage == "garbage":
        path.write_bytes(b"PAR1 not parquet")
    elif damage == "a directory":
        path.unlink()
        path.mkdir()
    else:
        pq.write_table(pa.table({"job_id": [1]}), path)
    with pytest.raises(UsageError, match="suite report") as caught:
        export_runs("http://127.0.0.1:9", [rd])
    assert "\n" not in str(caught.value)

"""compute_result on a small hand-made run directory, every figure asserted exactly."""

from pathlib import Path

import pytest

from suite.analyze.load import analyze_run_dir, load_inputs
from suite.analyze.result import compute_result, verdict
from suite.clock import iso, iso_ms, parse_iso
from suite.rundir import write_json, write_jsonl

T0 = parse_iso("2026-11-15T10:00:00Z")
A, B, C = "a" * 32, "b" * 32, "c" * 32  # runner names == ECS task ids


def t(s):
    return iso(T0 + s)


def ledger_row(seq, suite_id, scheduled, sent, status, run_id, error=None):
    return {
        "seq": seq,
        "suite_id": suite_id,
        "scheduled_at": iso_ms(T0 + scheduled),
        "sent_at": iso_ms(T0 + sent),
        "status": status,
        "workflow_run_id": run_id,
        "error": error,
    }


def run_row(id, title, created, conclusion, attempt=1):
    return {
        "id": id,
        "name": "capacity",
        "display_title": title,
        "status": "completed",
        "conclusion": conclusion,
        "created_at": t(created),
        "updated_at": t(created + 200),
        "run_started_at": t(created),
        "run_attempt": attempt,
    }


def job_row(id, run_id, name, runner, created, started, completed, conclusion="success", attempt=1):
    return {
        "id": id,
        "run_id": run_id,
        "run_attempt": attempt,
        "name": name,
        "status": "completed",
        "conclusion": conclusion,
        "created_at": t(created),
        "started_at": None if started is None else t(started),
        "completed_at": None if completed is None else t(completed),
        "runner_id": 1,
        "runner_name": runner,
        "labels": ["self-hosted"],
        "steps": [],
    }


def metric(task, name, at, value):
    return {"task_id": task, "metric": name, "timestamp": t(at), "value": value}


def task_event(task, status, created, started=None):
    detail = {
        "taskArn": f"arn:aws:ecs:eu-west-1:123456789012:task/fleet/{task}",
        "lastStatus": status,
        "createdAt": t(created),
    }
    if started is not None:
        detail["startedAt"] = t(started)
    return {
        "time": t(started if started is not None else created),
        "detail-type": "ECS Task State Change",
        "detail": detail,
    }


MANIFEST = {
    "test_run_id": "capacity-20261115T100000Z-abc123",
    "profile": {"name": "capacity", "rate_per_min": 2},
    "environment": "local",
    "fleet": {"runner_count": 4, "task_cpu": 1024, "task_memory": 2048, "ephemeral": False},
    "suite_version": "0.1.0",
    "started_at": t(0),
    "ended_at": t(300),
    "clock_offset_s": 2.0,  # GitHub's clock is 2 s ahead of ours
}
LEDGER = [
    ledger_row(1, "wf-00001", 0, 0.25, 200, 101),
    ledger_row(2, "wf-00002", 30, 30.5, 204, None),  # matched by display_title
    ledger_row(3, "wf-00003", 60, 61, 200, 103),  # never appears in runs.jsonl
    ledger_row(4, "wf-00004", 90, 90.125, 500, None, "HTTP 500"),
]
RUNS = [
    run_row(101, "wf-00001", 3, "success"),
    run_row(102, "wf-00002", 33, "failure", attempt=1),
    run_row(102, "wf-00002", 33, "failure", attempt=2),  # re-run: the same id, a later attempt
    run_row(999, "someone-else", 1, "success"),  # not this test's
]
JOBS = [
    job_row(1, 101, "diagnostic", A, 3, 5, 65),  # queue 2, execution 60
    job_row(2, 101, "build / npm", B, 3, 10, 130),  # queue 7, execution 120
    job_row(3, 102, "build", A, 33, 40, 50, "failure", attempt=1),  # superseded by attempt 2
    job_row(4, 102, "build", A, 65, 65, 100, "failure", attempt=2),  # starts as job 1 ends: no overlap
    job_row(5, 102, "lint", None, 100, 100, 100, "skipped", attempt=2),
    job_row(9, 999, "other", A, 20, 20, 30),  # another run: out of scope
]
METRICS = [
    *(metric(A, "CpuReserved", s, 1024.0) for s in (0, 60, 120)),
    *(metric(A, "MemoryReserved", s, 2048.0) for s in (0, 60, 120)),
    metric(A, "CpuUtilized", 0, 900.0),  # before job 1
    metric(A, "CpuUtilized", 60, 512.0),  # inside job 1 [5, 65)
    metric(A, "CpuUtilized", 120, 700.0),  # after job 4 [65, 100): job 4 has no sample
    metric(A, "MemoryUtilized", 60, 1024.0),
    metric(B, "CpuReserved", 60, 1024.0),
    metric(B, "MemoryReserved", 60, 2048.0),
    metric(B, "CpuUtilized", 60, 256.0),
    metric(B, "CpuUtilized", 120, 768.0),
    metric(B, "MemoryUtilized", 60, 1000.0),
    metric(B, "MemoryUtilized", 120, 1500.0),
]
TASKS = [
    task_event(A, "PROVISIONING", -60),
    task_event(A, "RUNNING", -60, -5),  # cold start 55 s
    task_event(B, "RUNNING", -50, 0),  # cold start 50 s
    task_event(C, "PROVISIONING", 100),  # never started
]


def write_fixture(root: Path) -> Path:
    run_dir = root / MANIFEST["test_run_id"]
    (run_dir / "raw").mkdir(parents=True)
    write_json(run_dir / "manifest.json", MANIFEST)
    write_jsonl(run_dir / "ledger.jsonl", LEDGER)
    for name, rows in (("runs", RUNS), ("jobs", JOBS), ("metrics", METRICS), ("tasks", TASKS)):
        write_jsonl(run_dir / "raw" / f"{name}.jsonl", rows)
    write_jsonl(run_dir / "raw" / "runners.jsonl", [{"name": A}, {"name": B}, {"name": "d" * 32}])
    return run_dir


def dist(values):
    import numpy as np

    return {
        "count": len(values),
        "min": min(values),
        "mean": pytest.approx(sum(values) / len(values)),
        **{f"p{q}": pytest.approx(float(np.percentile(values, q))) for q in (50, 90, 95, 99)},
        "max": max(values),
    }


@pytest.fixture
def result(tmp_path):
    return analyze_run_dir(write_fixture(tmp_path))


def test_identity_and_window(result):
    assert result["schema"] == "suite.result/v1"
    assert result["test_run_id"] == "capacity-20261115T100000Z-abc123"
    assert result["profile"] == "capacity"
    assert result["environment"] == "local"
    # first scheduled 10:00:00.000 + 2 s offset .. last completed 10:02:10
    assert result["window"] == {
        "start": "2026-11-15T10:00:02Z",
        "end": "2026-11-15T10:02:10Z",
        "duration_s": 128.0,
    }


def test_workflows(result):
    wf = result["workflows"]
    assert {k: wf[k] for k in ("dispatched", "collected", "succeeded", "failed", "incomplete")} == {
        "dispatched": 3,
        "collected": 2,
        "succeeded": 1,
        "failed": 1,
        "incomplete": 0,
    }
    assert wf["success_rate"] == pytest.approx(1 / 3)
    assert wf["missing"] == [
        {"suite_id": "wf-00003", "reason": "run 103 (returned by the dispatch) is not in raw/runs.jsonl"}
    ]
    assert wf["not_dispatched"] == [{"suite_id": "wf-00004", "status": 500, "error": "HTTP 500"}]


def test_jobs_counted_per_job_latest_attempt_only(result):
    assert result["jobs"] == {
        "count": 4,
        "succeeded": 2,
        "failed": 1,
        "cancelled": 0,
        "skipped": 1,
        "incomplete": 0,
        "ran": 3,
    }
    assert [j["id"] for j in result["per_job"]] == [1, 2, 4, 5]


def test_time_distributions(result):
    assert result["queue_time_s"] == dist([2.0, 7.0, 0.0])
    assert result["execution_time_s"] == dist([60.0, 120.0, 35.0])
    assert result["total_time_s"] == dist([127.0, 67.0])  # 130 − 3 and 100 − 33
    assert result["dispatch_lag_s"] == dist([0.25, 0.5, 1.0])
    assert result["queue_from_schedule_s"] == dist([3.0, 8.0, 33.0])  # started − (scheduled + 2)
    tasks = result["tasks"]
    assert {k: tasks[k] for k in ("count", "with_jobs")} == {"count": 3, "with_jobs": 2}
    assert tasks["cold_start_s"] == dist([55.0, 50.0])
    assert tasks["started_to_first_job_s"] == dist([10.0, 10.0])  # A: -5 -> job 1 at 5; B: 0 -> job 2 at 10
    assert tasks["created_to_first_job_s"] == dist([65.0, 60.0])


def test_cold_start_per_task_created_started_first_job(result):
    rows = {r["task_id"]: r for r in result["tasks"]["per_task"]}
    assert rows[A] == {
        "task_id": A,
        "created": t(-60),
        "started": t(-5),
        "first_job": t(5),  # job 3 (superseded attempt) and job 9 (another run) do not count
        "stopped": None,
        "last_status": "RUNNING",
        "cold_start_s": 55.0,
        "started_to_first_job_s": 10.0,
        "created_to_first_job_s": 65.0,
    }
    assert rows[C]["started"] is None and rows[C]["first_job"] is None
    assert rows[C]["cold_start_s"] is None and rows[C]["created_to_first_job_s"] is None


def test_saturation_is_null_with_reason_for_a_steady_profile(result):
    assert result["saturation"] is None
    assert "step and ramp" in result["reasons"]["saturation"]


def test_concurrency_throughput_little_law(result):
    c = result["concurrency"]
    assert c["max"] == 2
    assert c["mean"] == 215 / 128  # 1×5 + 2×90 + 1×30 over the 128 s window
    assert c["timeline"] == [[t(5), 1], [t(10), 2], [t(100), 1], [t(130), 0]]
    th = result["throughput"]
    assert th["completed"] == 3
    assert th["jobs_per_min"] == 3 / (128 / 60)
    assert th["per_minute"] == [
        {"minute": t(2), "started": 2, "completed": 0},
        {"minute": t(62), "started": 1, "completed": 2},
        {"minute": t(122), "started": 0, "completed": 1},
    ]
    ll = result["little_law"]
    assert ll["mean_concurrency"] == 215 / 128
    assert ll["throughput_per_s"] == pytest.approx(3 / 128)
    assert ll["mean_execution_s"] == pytest.approx(215 / 3)
    assert ll["throughput_x_execution"] == pytest.approx(215 / 128)
    assert ll["relative_error"] == pytest.approx(0.0, abs=1e-12)


def test_runners_against_configured_count(result):
    r = result["runners"]
    assert r["configured"] == 4 and r["observed"] == 2 and r["registered_seen"] == 3
    assert r["busy_runner_s"] == 215.0
    assert r["utilization"] == 215 / (4 * 128)
    assert r["per_runner"] == [
        {"runner_name": A, "jobs": 2, "busy_s": 95.0, "utilization": 95 / 128},
        {"runner_name": B, "jobs": 1, "busy_s": 120.0, "utilization": 120 / 128},
    ]


def test_resources_and_null_reason(result):
    res = result["resources"]
    assert res["jobs_with_samples"] == 2 and res["jobs_without_samples"] == 1
    assert res["cpu"]["max"] == dist([512.0, 768.0])
    assert res["cpu"]["mean"] == dist([512.0, 512.0])
    assert res["cpu"]["max_pct"] == dist([50.0, 75.0])
    assert res["memory"]["max"] == dist([1024.0, 1500.0])
    assert res["memory"]["mean"] == dist([1024.0, 1250.0])
    assert res["memory"]["mean_pct"] == dist([50.0, 1250 / 2048 * 100])
    jobs = {j["id"]: j for j in result["per_job"]}
    j1, j2, j4, j5 = jobs[1], jobs[2], jobs[4], jobs[5]
    assert (j1["cpu_max"], j1["cpu_max_pct"], j1["memory_max"], j1["memory_max_pct"]) == (
        512.0,
        50.0,
        1024.0,
        50.0,
    )
    assert (j2["cpu_max"], j2["cpu_mean"], j2["memory_max_pct"]) == (768.0, 512.0, 1500 / 2048 * 100)
    for key in (
        "cpu_max",
        "cpu_mean",
        "cpu_max_pct",
        "cpu_mean_pct",
        "memory_max",
        "memory_mean",
        "memory_max_pct",
        "memory_mean_pct",
    ):
        assert j4[key] is None
        assert j5[key] is None
    assert j4["samples"] == 0
    assert j4["resource_reason"] == (
        "no Container Insights sample inside the job's 35 s interval (samples are 1 per minute)"
    )
    assert j5["resource_reason"]


def test_per_job_row(result):
    j4 = next(j for j in result["per_job"] if j["id"] == 4)
    assert j4 | {} == j4 and {
        k: j4[k]
        for k in (
            "run_id",
            "run_attempt",
            "suite_id",
            "name",
            "runner_name",
            "conclusion",
            "created",
            "started",
            "completed",
            "queue_s",
            "execution_s",
            "queue_from_schedule_s",
        )
    } == {
        "run_id": 102,
        "run_attempt": 2,
        "suite_id": "wf-00002",
        "name": "build",
        "runner_name": A,
        "conclusion": "failure",
        "created": t(65),
        "started": t(65),
        "completed": t(100),
        "queue_s": 0.0,
        "execution_s": 35.0,
        "queue_from_schedule_s": 33.0,
    }
    j5 = next(j for j in result["per_job"] if j["id"] == 5)
    assert (j5["queue_s"], j5["execution_s"], j5["queue_from_schedule_s"]) == (None, None, None)


def test_api_thresholds_verdict_notes(result, tmp_path):
    assert result["api"] == {} and result["thresholds"] == [] and result["verdict"] == "pass"
    assert any("linear interpolation" in n for n in result["notes"])
    assert any("1 job(s)" in n for n in result["notes"])  # job 9 of run 999
    inputs = load_inputs(tmp_path / MANIFEST["test_run_id"])
    failing = [{"expr": "queue_time_s.p95 < 5", "value": 6.5, "ok": False}]
    r = compute_result(**inputs, api={"requests": 12}, thresholds=failing)
    assert r["api"] == {"requests": 12} and r["thresholds"] == failing and r["verdict"] == "fail"
    assert verdict([{"expr": "x", "value": None, "ok": None}]) == "fail"
    assert verdict([{"expr": "x", "value": 1, "ok": True}]) == "pass"


def test_unknown_clock_offset_is_uncorrected_and_noted(tmp_path):
    inputs = load_inputs(write_fixture(tmp_path))
    inputs["manifest"] = inputs["manifest"] | {"clock_offset_s": None}
    r = compute_result(**inputs)
    assert r["queue_from_schedule_s"]["min"] == 5.0
    assert r["window"]["start"] == "2026-11-15T10:00:00Z"
    assert any("clock_offset_s unknown" in n for n in r["notes"])


def test_empty_run_directory_gives_nulls_with_reasons_never_zero(tmp_path):
    r = analyze_run_dir(tmp_path)
    assert r["window"] == {"start": None, "end": None, "duration_s": None}
    assert r["queue_time_s"]["count"] == 0 and r["queue_time_s"]["p95"] is None
    assert r["concurrency"]["max"] == 0 and r["concurrency"]["mean"] is None
    assert r["throughput"]["jobs_per_min"] is None
    assert r["runners"]["configured"] is None and r["runners"]["utilization"] is None
    for key in (
        "window",
        "concurrency.mean",
        "throughput.jobs_per_min",
        "runners.configured",
        "runners.utilization",
        "queue_time_s",
        "execution_time_s",
        "tasks.cold_start_s",
        "resources",
    ):
        assert r["reasons"][key], key

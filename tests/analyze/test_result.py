"""compute_result on a small hand-made run directory, every figure asserted exactly."""

import pytest

from suite.analyze.result import compute_result
from suite.pipeline.analysis import analyze_run_dir, load_inputs
from tests.helpers.hand_made_run import (
    MANIFEST,
    A,
    B,
    C,
    t,
    write_fixture,
)
from tests.helpers.item_rows import TASK_TIMES, item_rows


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
    assert result["schema"] == "suite.result/v2"
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
    rows = {r["task_id"]: r for r in item_rows(result["per_task"], TASK_TIMES)}  # in memory: the task table
    assert "per_task" not in result["tasks"]
    assert rows[A] == {
        "task_id": A,
        "created_at": t(-60),
        "started_at": t(-5),
        "first_job_at": t(5),  # job 3 (superseded attempt) and job 9 (another run) do not count
        "stopped_at": None,
        "last_status": "RUNNING",
        "cold_start_s": 55.0,
        "started_to_first_job_s": 10.0,
        "created_to_first_job_s": 65.0,
    }
    assert rows[C]["started_at"] is None and rows[C]["first_job_at"] is None
    assert rows[C]["cold_start_s"] is None and rows[C]["created_to_first_job_s"] is None


def test_saturation_is_null_with_reason_for_a_steady_profile(result):
    assert result["saturation"] is None
    assert "step and ramp" in result["reasons"]["saturation"]


def test_concurrency_throughput_little_law(result):
    c = result["concurrency"]
    assert c["max"] == 2
    assert c["mean"] == 215 / 128  # 1×5 + 2×90 + 1×30 over the 128 s window
    assert "timeline" not in c  # in memory: the timeline table's running column
    steps = [[row["time"], row["running"]] for row in item_rows(result["timeline"], ("time",))]
    assert [s for i, s in enumerate(steps) if s[1] != (steps[i - 1][1] if i else 0)] == [
        [t(5), 1],
        [t(10), 2],
        [t(100), 1],
        [t(130), 0],
    ]
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
    assert "per_runner" not in r
    assert item_rows(result["per_runner"]) == [
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
    # no threshold, yet not pass: wf-00003 was dispatched (accepted) and is missing after collection
    assert result["api"] == {} and result["thresholds"] == [] and result["verdict"] == "fail"
    assert result["verdict_reasons"] == ["1 of 3 dispatched workflow(s) missing after collection"]
    assert any("linear interpolation" in n for n in result["notes"])
    assert any("1 job(s)" in n for n in result["notes"])  # job 9 of run 999
    inputs = load_inputs(tmp_path / MANIFEST["test_run_id"])
    failing = [{"expr": "queue_time_s.p95 < 5", "value": 6.5, "ok": False, "reason": None}]
    r = compute_result(**inputs, api={"requests": 12}, thresholds=failing)
    assert r["api"] == {"requests": 12} and r["thresholds"] == [failing[0] | {"status": "fail"}]
    assert r["verdict"] == "fail"
    assert r["verdict_reasons"][0] == "threshold `queue_time_s.p95 < 5` failed (value 6.5)"


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
    assert r["concurrency"]["max"] is None and r["concurrency"]["mean"] is None
    assert r["runners"]["observed"] is None and r["runners"]["busy_runner_s"] is None
    assert r["jobs"]["count"] is None and r["throughput"]["completed"] is None
    # no raw/runs.jsonl, raw/jobs.jsonl: never collected, so incomplete (never pass), with the fix
    assert r["verdict"] == "incomplete" and r["completeness"]["collected"] is False
    assert r["verdict_reasons"] == [
        "not collected (raw/runs.jsonl and raw/jobs.jsonl absent): run `suite collect <run directory>`"
    ]
    assert r["throughput"]["jobs_per_min"] is None
    assert r["runners"]["configured"] is None and r["runners"]["utilization"] is None
    for key in (
        "window",
        "concurrency.mean",
        "throughput.jobs_per_min",
        "runners.configured",
        "runners.utilization",
        "runners.observed",
        "runners.busy_runner_s",
        "concurrency.max",
        "jobs.count",
        "queue_time_s",
        "execution_time_s",
        "tasks.cold_start_s",
        "resources",
    ):
        assert r["reasons"][key], key

"""End to end on the twin: profile -> schedule -> dispatch -> collect -> analyze -> report, over real
HTTP on loopback, with CloudWatch on a moto server. The report must equal the twin's truth exactly."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from suite.isotime import parse_iso
from suite.twin.job_model import JOB_BASE_MEMORY_MIB, SETUP_CPU_UNITS
from suite.twin.service import Twin
from suite.twin.truth_check import mismatches
from tests.helpers.report_rows import assert_per_job_is_the_job_table
from tests.helpers.twin_runs import assert_matches_truth, run_on_twin

STEADY = """\
# Steady: a small steady load for the end-to-end test.
workflow: runner_test
inputs: {sleep_duration: 90, job_count: 1, job_type: parallel}
pattern: {type: steady, rate_per_min: 4, duration_s: 180}
drain_timeout_s: 1800
thresholds: ["workflows.success_rate >= 1", "concurrency.max <= runners.configured"]
"""


def test_steady_run_equals_truth_job_by_job(tmp_path: Path):
    code, result, truth, rd = run_on_twin(tmp_path, "steady", STEADY, sampler=False)  # the CI join
    assert code == 0 and result["verdict"] == "pass"
    assert result["schema"] == "suite.result/v2"
    assert_per_job_is_the_job_table(rd)
    assert result["workflows"]["dispatched"] == 12 and result["workflows"]["missing"] == []
    assert_matches_truth(result, truth)
    # every figure the run dir promises exists
    for name in (
        "manifest.json",
        "schedule.json",
        "ledger.jsonl",
        "result.json",
        "summary.md",
        "jobs.csv",
        "truth.json",
    ):
        assert (rd / name).exists(), name
    for name in ("runs.jsonl", "jobs.jsonl", "runners.jsonl", "tasks.jsonl", "metrics.jsonl"):
        assert (rd / "raw" / name).stat().st_size > 0, name
    # jobs of 90 s span at least one Container Insights minute: joined on runner_name = TaskId
    # every job lasts > 60 s, so each holds at least one of its task's per-minute samples
    assert result["resources"]["jobs_without_samples"] == 0
    assert result["resources"]["jobs_with_samples"] == 12
    metrics = [json.loads(line) for line in (rd / "raw" / "metrics.jsonl").read_text().splitlines()]
    assert all(m["timestamp"].endswith(":00Z") for m in metrics)  # Container Insights' own minute stamps
    with_samples = [j for j in result["per_job"] if j.get("cpu_max") is not None]
    # a job that sleeps uses about 1% of a vCPU and the runner's baseline memory (the twin's usage
    # timeline); a minute that holds a job's 1 s "Set up job" shows more, never above that step's level
    cpus = sorted(j["cpu_max"] for j in with_samples)
    assert cpus and cpus[len(cpus) // 2] < 1024 * 0.05 and cpus[-1] <= SETUP_CPU_UNITS
    assert {j["memory_max"] for j in with_samples} == {JOB_BASE_MEMORY_MIB}


def test_burst_of_20_on_4_runners(tmp_path: Path):
    profile = "workflow: runner_test\ninputs: {sleep_duration: 60}\npattern: {type: burst, count: 20}\n"
    _, result, truth, _ = run_on_twin(tmp_path, "burst20", profile)
    assert result["concurrency"]["max"] == 4 == truth["max_concurrency"]
    assert result["runners"]["configured"] == 4
    assert result["jobs"]["count"] == 20
    assert_matches_truth(result, truth)
    # utilization = busy runner-seconds / (4 configured runners x window)
    busy = sum(j["execution_s"] for j in truth["jobs"])
    window = result["window"]["duration_s"]
    assert result["runners"]["utilization"] == pytest.approx(busy / (4 * window))
    # ephemeral: 20 jobs ran on 20 different tasks, reported apart from the configured count
    assert result["runners"]["observed"] == 20


def test_k8s_like_counts_four_jobs_per_run(tmp_path: Path):
    profile = "workflow: k8s_like\ninputs: {sleep_duration: 40}\npattern: {type: burst, count: 3}\n"
    _, result, truth, _ = run_on_twin(tmp_path, "k8s", profile, ephemeral=False)
    assert result["workflows"]["collected"] == 3
    assert result["jobs"]["count"] == 12
    names = sorted(j["name"] for j in result["per_job"])
    assert names == sorted(["diagnostic", "build / npm", "build / sonar", "report"] * 3)
    assert_matches_truth(result, truth)
    # 3 runs x (npm, sonar) in parallel on 4 runners: jobs, not runs, are counted
    assert result["concurrency"]["max"] == 4


def test_short_job_without_a_sample_is_null_with_a_reason(tmp_path: Path):
    profile = (
        "workflow: runner_test\ninputs: {sleep_duration: 5}\npattern: {type: burst, count: 1}\n"
        'thresholds: ["resources.cpu.max.max < 2000"]\n'
    )
    # dispatched just after a minute boundary, the ~7 s job holds no per-minute sample
    code, result, _, rd = run_on_twin(
        tmp_path,
        "short",
        profile,
        speed=60.0,
        before=wait_for_minute_start,
        ephemeral=False,
        overhead_s=(1, 1),
        pickup_latency_s=1,
        sampler=False,  # a fleet without the in-task sampler: Container Insights alone
    )
    (job,) = result["per_job"]
    assert job["execution_s"] < 30
    assert job["cpu_max"] is None and job["memory_max"] is None and job["resource_reason"]
    assert result["resources"]["jobs_without_samples"] == 1
    (cells,) = csv.DictReader((rd / "jobs.csv").open())
    assert cells["cpu_max"] == "" and cells["memory_max"] == ""
    assert "no Container Insights sample" in (rd / "summary.md").read_text()
    assert code == 1 and result["thresholds"][0]["ok"] is False


def test_truth_check_finds_a_wrong_figure():
    truth = {
        "max_concurrency": 2,
        "jobs": [
            {
                "job_id": 1,
                "suite_id": "s",
                "name": "run (1)",
                "runner_name": "a" * 32,
                "queue_s": 3,
                "execution_s": 60,
            }
        ],
    }
    good = {
        "jobs": {"count": 1},
        "concurrency": {"max": 2},
        "per_job": [{"id": 1, "runner_name": "a" * 32, "queue_s": 3, "execution_s": 60}],
    }
    assert mismatches(good, truth) == []
    bad = {**good, "per_job": [{**good["per_job"][0], "queue_s": 4}], "concurrency": {"max": 3}}
    assert mismatches(bad, truth) == ["concurrency.max 3 != truth 2", "job 1 queue_s: report 4 != truth 3"]


def wait_for_minute_start(twin: Twin) -> None:
    twin.clock.sleep(95)  # every runner online (cold start <= 90 s)
    twin.clock.sleep(61 - twin.clock.now() % 60)  # dispatch just after a minute boundary


def test_standard_container_insights_figures_come_from_the_performance_log(tmp_path: Path):
    """A cluster on standard Container Insights has no TaskId metrics: the twin writes each task's
    minute as a `Type=Task` performance log event, GetMetricData finds nothing, and the per-job
    figures come from those events: exactly the samples the fleet published inside each job's
    [started, completed), max and mean."""
    published: list[tuple[str, int, str, float]] = []

    def record_publishes(twin: Twin) -> None:
        publish = twin.aws.publish

        def recording(samples: list[tuple[str, int, str, float]], *args: Any, **kw: Any) -> None:
            published.extend(samples)
            publish(samples, *args, **kw)

        twin.aws.publish = recording  # type: ignore[method-assign]

    code, result, truth, rd = run_on_twin(
        tmp_path, "standard", STEADY, before=record_publishes, container_insights="standard", sampler=False
    )
    assert code == 0 and result["fleet"]["container_insights"] == "standard"
    assert_matches_truth(result, truth)
    metrics = [json.loads(line) for line in (rd / "raw" / "metrics.jsonl").read_text().splitlines()]
    assert metrics and {m["source"] for m in metrics} == {"performance_log"}
    sent = {(task, metric, t): value for task, t, metric, value in published}
    assert all(sent[(m["task_id"], m["metric"], parse_iso(m["timestamp"]))] == m["value"] for m in metrics)
    assert result["resources"]["jobs_with_samples"] == 12
    for job in result["per_job"]:
        start, end = parse_iso(job["started"]), parse_iso(job["completed"])
        cpu = [
            v
            for (task, metric, t), v in sent.items()
            if task == job["runner_name"] and metric == "CpuUtilized" and start <= t < end
        ]
        mem = [
            v
            for (task, metric, t), v in sent.items()
            if task == job["runner_name"] and metric == "MemoryUtilized" and start <= t < end
        ]
        assert job["samples"] == len(cpu) > 0
        assert job["cpu_max"] == max(cpu) and job["cpu_mean"] == pytest.approx(sum(cpu) / len(cpu))
        assert job["memory_max"] == max(mem) and job["resource_reason"] is None

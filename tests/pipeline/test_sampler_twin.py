"""The in-task sampler end to end on the twin (stepped clock): `smoke` and `multi_job` as shipped.

Container Insights samples once a minute, so before the sampler 0 of smoke's 3 jobs and 10 of
multi_job's 40 had CPU and memory figures. With the sampler's readings every 5 s at least 95% must
have both, from the sampler, and each job's figures must be what the twin's usage timeline
(Fleet.usage, the one record the twin derives figures from) says over the readings inside the job:
derived here from the timeline with its own integrals, not from the sampler's code.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from suite.isotime import parse_iso
from suite.twin.sampler import SAMPLE_PERIOD_S
from suite.twin.service import Twin
from tests.helpers.twin_runs import assert_matches_truth, run_on_twin

ROOT = Path(__file__).resolve().parents[2]
P = SAMPLE_PERIOD_S


def _run(tmp_path: Path, profile: str) -> tuple[dict[str, Any], Twin, Path]:
    twins: list[Twin] = []

    def keep(twin: Twin) -> None:
        twins.append(twin)
        twin.clock.sleep(95)  # the runners online first (smoke's queue threshold)

    body = (ROOT / "profiles" / f"{profile}.yaml").read_text()
    code, result, truth, rd = run_on_twin(tmp_path, profile, body, before=keep)
    assert code == 0, result["verdict_reasons"]
    assert_matches_truth(result, truth)
    return result, twins[0], rd


def _check_job_against_the_timeline(job: dict[str, Any], twin: Twin) -> None:
    task_id = job["runner_name"]
    usage, task = twin.fleet.usage, twin.fleet.tasks[task_id]
    config = twin.fleet.config
    assert task.started is not None
    start, end = parse_iso(job["started"]), parse_iso(job["completed"])
    # the sampler's instants inside [start, end): every P s from the task's start
    first = task.started + -(-(start - task.started) // P) * P
    inside = [t for t in range(int(first), int(end), P) if t < end]
    assert inside, job
    cpu = [usage.cpu_seconds(task_id, t - P, t) * 1024 / P for t in inside if t - P >= task.started]
    memory = [lv.memory_mib for t in inside if (lv := usage.at(task_id, t)) is not None]
    assert job["resource_source"] == "sampler" and job["resource_reason"] is None
    assert job["samples"] == len(inside)
    assert job["memory_max"] == pytest.approx(max(memory)) and job["memory_mean"] == pytest.approx(
        sum(memory) / len(memory)
    )
    assert job["cpu_max"] == pytest.approx(max(cpu))
    # the rates' mean is the timeline's mean over the span they cover: [start, end) moved by <= P each end
    covered = (inside[0] - P, inside[-1])
    assert start - P <= covered[0] <= start and end - P <= covered[1] < end
    assert job["cpu_mean"] == pytest.approx(usage.mean_cpu_units(task_id, *covered))
    assert job["cpu_mean_pct"] == pytest.approx(100 * job["cpu_mean"] / config.task_cpu)
    assert job["memory_max_pct"] == pytest.approx(100 * job["memory_max"] / config.task_memory)


def _with_figures(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [j for j in result["per_job"] if j["cpu_max"] is not None and j["memory_max"] is not None]


@pytest.mark.parametrize(("profile", "jobs"), [("smoke", 3), ("multi_job", 40)])
def test_at_least_95_percent_of_jobs_have_figures_equal_to_the_usage_timeline(
    tmp_path: Path, profile: str, jobs: int
) -> None:
    result, twin, rd = _run(tmp_path, profile)
    assert result["jobs"]["count"] == jobs
    with_figures = _with_figures(result)
    share = len(with_figures) / jobs
    print(f"\n  {profile}: {len(with_figures)} of {jobs} jobs with CPU and memory figures ({share:.0%})")
    assert share >= 0.95
    assert result["resources"]["jobs_with_samples"] == len(with_figures)
    for job in with_figures:
        _check_job_against_the_timeline(job, twin)
    raw = rd / "raw" / "samples.jsonl"
    readings = [json.loads(line) for line in raw.read_text().splitlines()]
    print(f"  {profile}: raw/samples.jsonl {len(readings)} readings, {raw.stat().st_size} bytes")
    assert {r["task_id"] for r in readings} == {j["runner_name"] for j in result["per_job"]}
    with (rd / "jobs.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    # every job with figures has them from the sampler; one without has no source (never a default)
    assert sorted(r["resource_source"] for r in rows) == sorted(
        "sampler" if r["id"] in {str(j["id"]) for j in with_figures} else "" for r in rows
    )


@pytest.mark.parametrize("profile", ["smoke", "multi_job"])
def test_without_the_sampler_jobs_fall_back_to_container_insights(tmp_path: Path, profile: str) -> None:
    """The same profile, the fleet without the sampler: figures only where a minute sample fell inside
    a job, each named container_insights; raw/samples.jsonl is empty. (What the sampler adds.)"""
    body = (ROOT / "profiles" / f"{profile}.yaml").read_text()
    code, result, _, rd = run_on_twin(
        tmp_path, profile, body, before=lambda twin: twin.clock.sleep(95), sampler=False
    )
    assert code == 0
    assert (rd / "raw" / "samples.jsonl").read_text() == ""
    with_figures = _with_figures(result)
    jobs = len(result["per_job"])
    print(f"\n  {profile} without the sampler: {len(with_figures)} of {jobs} jobs with figures")
    assert len(with_figures) < 0.95 * jobs  # short jobs: most miss the minute samples
    for job in result["per_job"]:
        if job["cpu_max"] is None:
            assert job["resource_source"] is None
            assert "no Container Insights sample" in job["resource_reason"]
        else:
            assert job["resource_source"] == "container_insights"


def test_a_seven_second_job_gets_figures_from_the_sampler(tmp_path: Path) -> None:
    """The job test_e2e_twin's Container Insights fleet leaves without figures (about 7 s, dispatched just
    after a minute boundary) gets them when its task carries the sampler."""
    twins: list[Twin] = []

    def at_a_minute(twin: Twin) -> None:
        twins.append(twin)
        twin.clock.sleep(95)
        twin.clock.sleep(61 - twin.clock.now() % 60)

    profile = "workflow: runner_test\ninputs: {sleep_duration: 5}\npattern: {type: burst, count: 1}\n"
    code, result, _, _ = run_on_twin(
        tmp_path, "short", profile, speed=60.0, before=at_a_minute, ephemeral=False, overhead_s=(1, 1)
    )
    (job,) = result["per_job"]
    assert code == 0 and job["execution_s"] <= 10
    assert job["cpu_max"] is not None and job["memory_max"] is not None
    _check_job_against_the_timeline(job, twins[0])

"""Work that responds to sizing, end to end on the twin (stepped clock): runner_workload's `build` preset
takes clearly longer on 1 vCPU than on 2 and `suite compare` says so, a sleep job compares as `~`, and
the `memory-heavy` preset is killed on a 2 GiB task (attributed out_of_memory) but fits on 4 GiB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from suite.cli.main import main
from suite.decisions.compare.core import compare_dirs
from suite.decisions.sizing_change import validate_sizing
from suite.pipeline.analysis import analyze_run_dir
from suite.pipeline.sim import simulate
from suite.profiles.profile import load_profile
from suite.twin.fleet import FleetConfig
from suite.twin.service import CLOCK_ENV
from suite.twin.truth_check import mismatches
from tests.helpers.twin_runs import assert_matches_truth, run_on_twin

SMALL, BIG = {"task_cpu": 1024, "task_memory": 2048}, {"task_cpu": 2048, "task_memory": 4096}
NOW = 1_800_000_000.0
PACE = "pattern: {type: steady, rate_per_min: 2, duration_s: 240}\ndrain_timeout_s: 1800\n"  # 8 runs
PROFILES = {
    "build": "workflow: runner_workload\ninputs: {preset: build}\n" + PACE,
    "sleep": "workflow: runner_test\ninputs: {sleep_duration: 45, job_count: 1, job_type: parallel}\n" + PACE,
    "heavy": "workflow: runner_workload\ninputs: {preset: memory-heavy}\n" + PACE,
}


def _online(twin: Any) -> None:
    twin.clock.sleep(95)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], Path]]:
    """Each profile on each size, one seed: what differs between the two runs of a profile is the size."""
    out = {}
    for name, body in PROFILES.items():
        for size, sizing in (("small", SMALL), ("big", BIG)):
            tmp = tmp_path_factory.mktemp(f"{name}-{size}")
            _, result, truth, rd = run_on_twin(tmp, name, body, speed=600, before=_online, seed=5, **sizing)
            assert_matches_truth(result, truth)
            out[f"{name}-{size}"] = (result, rd)
    return out


def _p50(result: dict[str, Any]) -> float:
    return float(result["execution_time_s"]["p50"])


def test_build_is_clearly_slower_on_one_vcpu_and_compare_says_so(runs, capsys) -> None:
    (small, small_rd), (big, big_rd) = runs["build-small"], runs["build-big"]
    assert _p50(small) > 1.5 * _p50(big)  # 2 threads x 60 units: 120 s of CPU work vs 60 s
    down = compare_dirs(big_rd, small_rd)
    assert down.metric("execution_time_s").verdict == "worse" and down.verdict == "regression"
    up = compare_dirs(small_rd, big_rd)
    assert up.metric("execution_time_s").verdict == "better" and up.verdict == "better"
    assert up.metric("failure_rate").verdict == "~"
    assert main(["compare", str(big_rd), str(small_rd)]) == 1
    assert main(["compare", str(small_rd), str(big_rd)]) == 0
    assert "REGRESSION" in capsys.readouterr().out
    with capsys.disabled():
        print(f"\n  build execution p50: 1vcpu-2gb {_p50(small):.0f} s, 2vcpu-4gb {_p50(big):.0f} s")


def test_a_sleep_job_compares_as_no_change_across_sizes(runs, capsys) -> None:
    (small, small_rd), (big, big_rd) = runs["sleep-small"], runs["sleep-big"]
    assert _p50(small) == _p50(big)
    c = compare_dirs(big_rd, small_rd)
    gated = ("queue_time_s", "execution_time_s", "total_time_s", "failure_rate")
    assert {m: c.metric(m).verdict for m in gated} == dict.fromkeys(gated, "~")
    assert c.verdict == "no regression"
    with capsys.disabled():
        print(f"\n  sleep execution p50: 1vcpu-2gb {_p50(small):.0f} s, 2vcpu-4gb {_p50(big):.0f} s")


def test_memory_heavy_is_killed_on_two_gib_and_fits_on_four(runs, capsys) -> None:
    (small, small_rd), (big, big_rd) = runs["heavy-small"], runs["heavy-big"]
    jobs = small["jobs"]["count"]
    assert jobs == 8 and small["failures"]["total"]["out_of_memory"] == jobs
    assert small["failures"]["total"]["did_not_succeed"] == jobs
    assert all(j["failure_cause"] == "out_of_memory" for j in small["per_job"])
    assert {j["failed_step"] for j in small["per_job"]} == {"Memory work"}  # the job table's column
    assert [(f["step_name"], f["jobs"]) for f in small["steps"]["failed_by_step"]] == [("Memory work", jobs)]
    summary = " ".join((small_rd / "summary.md").read_text().split())  # table padding collapsed
    assert "## Failures attributed" in summary and "| 8 | 0 | 0 | 8 | 0 | 0 | 0 |" in summary
    assert big["failures"]["total"]["did_not_succeed"] == 0 and big["workflows"]["succeeded"] == 8
    c = compare_dirs(small_rd, big_rd)
    assert c.metric("failure_rate").verdict == "better"
    # no job succeeded on 2 GiB, so execution and total time have nothing to compare there: the failure
    # rate decides, and the size that ends the kills is BETTER (a killed 9-second job is not a fast one)
    assert c.metric("execution_time_s").n_base == 0
    assert c.metric("execution_time_s").verdict == c.metric("total_time_s").verdict == "not comparable"
    assert c.verdict == "better" and not c.failed
    back = compare_dirs(big_rd, small_rd)
    assert back.metric("failure_rate").verdict == "worse" and back.verdict == "regression"
    with capsys.disabled():
        oom = small["failures"]["total"]["out_of_memory"]
        print(f"\n  memory-heavy: 1vcpu-2gb {oom}/{jobs} out_of_memory, execution p50 {_p50(small):.0f} s;")
        print(
            f"  2vcpu-4gb 0/{big['jobs']['count']} failed, p50 {_p50(big):.0f} s; compare verdict {c.verdict}"
        )


def test_validate_sizing_reports_the_failure_rate_better(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv(CLOCK_ENV, "stepped")
    small, big = tmp_path / "1vcpu-2gb.tfvars", tmp_path / "2vcpu-4gb.tfvars"
    small.write_text("task_cpu    = 1024\ntask_memory = 2048\n")
    big.write_text("task_cpu    = 2048\ntask_memory = 4096\n")
    profile = tmp_path / "heavy.yaml"
    profile.write_text(PROFILES["heavy"])
    reports = tmp_path / "reports"
    validate_sizing(
        small, big, str(profile), reports_root=reports, speed=600, cpu_bound_share=0.0, say=lambda _: None
    )
    (cand,) = [d for d in reports.iterdir() if (d / "compare.json").exists()]
    doc = json.loads((cand / "compare.json").read_text())
    metrics = {m["metric"]: m for m in doc["metrics"]}
    assert metrics["failure_rate"]["verdict"] == "better" and doc["verdict"] == "better"
    assert metrics["execution_time_s"]["verdict"] == "not comparable"
    assert "failure rate" in (cand / "compare.md").read_text().lower()
    with capsys.disabled():
        print(f"\n  validate-sizing memory-heavy 1vcpu-2gb -> 2vcpu-4gb: verdict {doc['verdict']}")


def test_suite_sim_uses_the_same_job_model(tmp_path: Path) -> None:
    """`suite sim` dispatches into the same fleet model: the workload profile's CPU work follows the
    task's size there too, and memory_heavy's jobs are killed on 2 GiB with the same attribution."""
    root = Path(__file__).resolve().parents[2] / "profiles"
    workload = load_profile(root / "workload.yaml", "local")
    p50 = {}
    for cpu, memory in ((1024, 2048), (2048, 4096)):
        rd = simulate(workload, FleetConfig(task_cpu=cpu, task_memory=memory), tmp_path / f"w{cpu}", now=NOW)
        result = analyze_run_dir(rd)
        assert mismatches(result, json.loads((rd / "truth.json").read_text())) == []
        p50[cpu] = result["execution_time_s"]["p50"]
    assert p50[1024] > 1.5 * p50[2048]
    heavy = simulate(
        load_profile(root / "memory_heavy.yaml", "local"), FleetConfig(), tmp_path / "h", now=NOW
    )
    failures = analyze_run_dir(heavy)["failures"]["total"]
    assert failures["out_of_memory"] == failures["did_not_succeed"] == 8

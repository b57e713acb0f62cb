"""`suite sim`: a profile on the twin's fleet model alone writes a run directory like a real run's,
whose report equals the model's truth job by job, in about a second for hours of schedule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from suite.decisions.history import list_runs
from suite.pipeline.analysis import analyze_run_dir
from suite.pipeline.sim import simulate
from suite.profiles.profile import load_profile
from suite.rundir.jsonio import read_jsonl
from suite.schedule.arrivals import build_schedule
from suite.twin.fleet import FleetConfig
from suite.twin.truth_check import mismatches

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ROOT / "profiles"
NOW = 1_800_000_000.0


def sim(tmp_path: Path, name: str, **fleet: object) -> tuple[Path, dict]:
    rd = simulate(load_profile(PROFILES / f"{name}.yaml", "local"), FleetConfig(**fleet), tmp_path, now=NOW)  # type: ignore[arg-type]
    return rd, analyze_run_dir(rd)


def test_a_simulated_run_is_a_run_directory_whose_report_equals_the_models_truth(tmp_path: Path):
    profile = load_profile(PROFILES / "multi_job.yaml", "local")
    rd, result = sim(tmp_path, "multi_job")
    for name in ("manifest.json", "schedule.json", "ledger.jsonl", "truth.json"):
        assert (rd / name).exists(), name
    for name in ("runs.jsonl", "jobs.jsonl", "runners.jsonl", "tasks.jsonl", "metrics.jsonl"):
        assert (rd / "raw" / name).stat().st_size > 0, name
    ledger = read_jsonl(rd / "ledger.jsonl")
    assert len(ledger) == len(build_schedule(profile.pattern, profile.seed)) == profile.expected_workflows
    assert all(r["sent_at"] == r["scheduled_at"] and r["status"] == 200 for r in ledger)
    truth = json.loads((rd / "truth.json").read_text())
    assert mismatches(result, truth) == []
    assert result["environment"] == "sim" and result["workflows"]["missing"] == []
    assert result["jobs"]["count"] == 4 * profile.expected_workflows  # k8s_like: 4 jobs per workflow
    assert result["dispatch_lag_s"]["max"] == 0.0
    assert result["resources"]["jobs_with_samples"] > 0  # the model's Container Insights samples joined


def test_the_same_seed_gives_the_same_figures(tmp_path: Path):
    _, a = sim(tmp_path / "a", "spike")
    _, b = sim(tmp_path / "b", "spike")
    keys = ("queue_s", "execution_s", "runner_name", "cpu_max", "memory_max")
    assert [[j[k] for k in keys] for j in a["per_job"]] == [[j[k] for k in keys] for j in b["per_job"]]


def test_more_runners_shorten_the_queue_of_a_profile_that_saturates_four(tmp_path: Path):
    _, four = sim(tmp_path / "4", "stress", runners=4)
    _, eight = sim(tmp_path / "8", "stress", runners=8)
    assert four["queue_time_s"]["p95"] > 240 > eight["queue_time_s"]["p95"]
    assert four["concurrency"]["max"] == 4 and eight["concurrency"]["max"] > 4


def test_abort_on_fail_stops_the_load_as_in_a_run(tmp_path: Path):
    """stress on 4 runners: the monitor's look at the model finds queue p95 over the gate, the rest of
    the schedule is not dispatched (with why), what was sent drains and is reported."""
    profile = load_profile(PROFILES / "stress.yaml", "local")
    rd, result = sim(tmp_path, "stress")
    aborted = result["dispatch"]["aborted"]
    assert aborted is not None and aborted["threshold"] in profile.abort_on_fail
    wf = result["workflows"]
    assert 0 < result["dispatch"]["not_dispatched"] == len(wf["not_dispatched"])
    assert wf["dispatched"] + result["dispatch"]["not_dispatched"] == profile.expected_workflows
    assert all(d["error"].startswith("not dispatched: abort_on_fail") for d in wf["not_dispatched"])
    assert (
        wf["succeeded"] == wf["dispatched"]
        and mismatches(result, json.loads((rd / "truth.json").read_text())) == []
    )
    _, eight = sim(tmp_path / "8", "stress", runners=8)
    assert eight["dispatch"]["aborted"] is None and eight["dispatch"]["not_dispatched"] == 0


def test_simulations_are_never_a_baseline(tmp_path: Path):
    sim(tmp_path / "sim", "smoke")
    assert list_runs(tmp_path) == []  # reports/sim/<run>: not indexed by `suite history`


def suite(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "suite", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_cli_sim_reports_and_exits_by_the_profiles_gates(tmp_path: Path):
    r = suite("sim", "stress", "--reports", str(tmp_path), cwd=ROOT)
    assert r.returncode == 1, r.stdout + r.stderr  # 4 runners: queue p95 over the stress gate
    assert "Simulated on the fleet model (no GitHub, no AWS)" in r.stdout
    assert "ABORTED     at " in r.stdout  # abort_on_fail, as in a run
    assert "FAIL queue_time_s.p95 < 240" in r.stdout and "report equals truth.json job by job" in r.stdout
    (rd,) = tmp_path.iterdir()
    assert (rd / "report.html").exists() and (rd / "result.json").exists()
    r = suite("sim", "stress", "--runners", "8", "--reports", str(tmp_path), cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_cli_sim_bad_input_is_one_error_exit_2(tmp_path: Path):
    for args, message in (
        (("sim", "no_such_profile"), "unknown profile 'no_such_profile'"),
        (
            ("sim", "smoke", "--task-cpu", "1024", "--task-memory", "999"),
            "task_memory 999 MiB does not fit task_cpu 1024 on Fargate",
        ),
        (("sim", "smoke", "--runners", "0"), "--runners must be >= 1"),
    ):
        r = suite(*args, "--reports", str(tmp_path), cwd=ROOT)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)

"""validate-sizing: tfvars parsing and the whole FROM -> run -> TO -> run -> compare procedure on the twin."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from suite.cli.main import main
from suite.decisions.sizing_change import Sizing, load_sizing, parse_tfvars, sizing_from_vars
from suite.errors import UsageError
from suite.twin.fleet import FleetConfig
from suite.twin.service import CLOCK_ENV

ROOT = Path(__file__).resolve().parents[2]


def test_parse_tfvars():
    text = (
        '# sizing\ntask_cpu    = 512 # half a vCPU\ntask_memory = 1024\nephemeral = false\nname = "a # b"\n'
    )
    text += 'labels = ["x", "y"]\n// comment\n'
    assert parse_tfvars(text) == {
        "task_cpu": 512,
        "task_memory": 1024,
        "ephemeral": False,
        "name": "a # b",
        "labels": ["x", "y"],
    }
    for bad in ("task_cpu 512", "tags = {a = 1}", "x = var.y", "a = 1\na = 2"):
        with pytest.raises(UsageError):
            parse_tfvars(bad, "f.tfvars")


def test_sizing_checks_fargate_pairs():
    assert sizing_from_vars({"task_cpu": 512, "task_memory": 1024}, "f") == Sizing(512, 1024, 4, True)
    assert sizing_from_vars({"runner_count": 6, "ephemeral": False}, "f") == Sizing(1024, 2048, 6, False)
    for bad in ({"task_cpu": 512, "task_memory": 8192}, {"runner_count": 0}, {"ephemeral": "yes"}):
        with pytest.raises(UsageError):
            sizing_from_vars(bad, "f")


def test_twin_sizing_model_scales_job_time():
    assert FleetConfig().job_time_scale() == 1.0  # the plain model is unchanged
    half = FleetConfig(task_cpu=512, cpu_bound_share=0.5)
    assert half.job_time_scale() == pytest.approx(1.5)
    assert FleetConfig(
        task_cpu=2048, cpu_bound_share=0.5, job_time_factor=1.2
    ).job_time_scale() == pytest.approx(0.9)
    assert FleetConfig.from_dict(half.to_dict()) == half


PROFILE = """\
workflow: runner_test
inputs: {sleep_duration: 40, job_count: 1, job_type: parallel}
pattern: {type: steady, rate_per_min: 2, duration_s: 360}
drain_timeout_s: 1800
"""


def test_validate_sizing_end_to_end_on_the_twin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    # tfvars as in terraform/sizings/ (1vcpu-2gb, 0.5vcpu-1gb)
    big, small = tmp_path / "1vcpu-2gb.tfvars", tmp_path / "0.5vcpu-1gb.tfvars"
    big.write_text("# Fargate sizing 1vcpu-2gb\ntask_cpu    = 1024\ntask_memory = 2048\n")
    small.write_text("# Fargate sizing 0.5vcpu-1gb\ntask_cpu    = 512\ntask_memory = 1024\n")
    assert load_sizing(small) == Sizing(512, 1024, 4, True)
    profile = tmp_path / "vs.yaml"
    profile.write_text(PROFILE)
    reports = tmp_path / "reports"
    # the make target itself, as a user runs it; its in-process twins run on a stepped clock (no
    # deployed twin: SUITE_STATE_DIR is empty), so no figure depends on how busy the machine is
    monkeypatch.setenv(CLOCK_ENV, "stepped")
    make = [
        "make",
        "-s",
        "validate-sizing",
        f"FROM={big}",
        f"TO={small}",
        f"PROFILE={profile}",
        "REVERT=1",
        "ENV=local",
        "SPEED=600",
        f"REPORTS={reports}",
        "VS_ARGS=--twin-cpu-bound-share 0.5",  # the what-if knob: half of a sleep job's time CPU-bound
    ]
    done = subprocess.run(make, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    out = done.stdout
    # half the CPU: jobs 1.5x slower (the what-if share 0.5); make passes suite's exit 1 on as 2
    assert done.returncode == 2 and "Error 1" in done.stderr, out + done.stderr
    assert "verdict: REGRESSION" in out and "== revert: apply FROM" in out
    (cand,) = [d for d in reports.iterdir() if (d / "compare.json").exists()]
    doc = json.loads((cand / "compare.json").read_text())
    ex = {m["metric"]: m for m in doc["metrics"]}["execution_time_s"]
    assert ex["verdict"] == "worse" and ex["p_adjusted"] < 0.05 and 40 < ex["change_pct"] < 60
    cpu = {m["metric"]: m for m in doc["metrics"]}["cpu_mean"]
    # a sleep job uses about 1% of a vCPU on any task (the twin's usage timeline), so its CPU does not move;
    # only the what-if cpu_bound_share slowed it down
    assert cpu["verdict"] == "~"
    assert main(["history", "--reports", str(reports)]) == 0
    assert capsys.readouterr().out.count("vs-") == 2  # both runs indexed

"""The `suite` command as a user runs it: exit codes, one-line errors, deploy/run/collect/report/destroy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def suite(
    *args: str, cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "suite", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = {**os.environ, "SUITE_STATE_DIR": str(tmp_path / ".suite"), "PYTHONPATH": str(ROOT)}
    env.pop("SUITE_ENV", None)
    (tmp_path / "profiles").mkdir()
    return tmp_path, env


def test_bad_profile_is_one_line_exit_2_without_traceback(workdir: tuple[Path, dict[str, str]]):
    cwd, env = workdir
    bad = cwd / "bad.yaml"
    bad.write_text(
        "workflow: runner_test\npattern:\n  type: steady\n  rate_per_min: fast\n  duration_s: 60\n"
    )
    r = suite("run", str(bad), cwd=cwd, env=env)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0
    assert f"{bad}:4:" in r.stderr and "pattern.rate_per_min" in r.stderr
    r = suite("run", "nosuchprofile", cwd=cwd, env=env)
    assert r.returncode == 2 and "unknown profile" in r.stderr and "Traceback" not in r.stderr


def test_aws_environment_without_configuration_is_a_clear_usage_error(workdir: tuple[Path, dict[str, str]]):
    cwd, env = workdir
    r = suite("deploy", "--env", "aws", cwd=cwd, env=env)
    assert r.returncode == 2 and "github_repository" in r.stderr and "Traceback" not in r.stderr


def test_deploy_run_interrupt_collect_report_destroy(workdir: tuple[Path, dict[str, str]]):
    cwd, env = workdir
    (cwd / "profiles" / "steady.yaml").write_text(
        "# Steady: test.\nworkflow: runner_test\ninputs: {sleep_duration: 60}\n"
        "pattern: {type: steady, rate_per_min: 6, duration_s: 600}\n"
        'thresholds: ["workflows.success_rate >= 1"]\n'
    )
    # a cluster on standard Container Insights: CPU/memory come from the performance log
    r = suite(
        "deploy",
        "--speed",
        "120",
        "--idle-timeout",
        "120",
        "--container-insights",
        "standard",
        cwd=cwd,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert "4 ephemeral runners online" in r.stdout and "Container Insights standard" in r.stdout
    state = json.loads((cwd / ".suite" / "twin.json").read_text())
    pid = int(state["pid"])
    try:
        # deploy again: another sizing is exit 2 with the fix; the same sizing is idempotent
        same = ("deploy", "--speed", "120", "--container-insights", "standard")
        r = suite(*same, "--runners", "6", cwd=cwd, env=env)
        assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == "", r.stderr
        assert "a 4-runner ephemeral" in r.stderr and "runner_count 4, asked 6" in r.stderr
        assert r.stderr.rstrip().endswith("`suite destroy --env local` first, or deploy with --runners 4")
        r = suite(*same, cwd=cwd, env=env)
        assert r.returncode == 0 and f"already running at this sizing (pid {pid})" in r.stdout, r.stderr
        assert json.loads((cwd / ".suite" / "twin.json").read_text())["pid"] == pid
        r = suite("status", cwd=cwd, env=env)
        assert r.returncode == 0 and "4 runners online" in r.stdout
        r = suite("doctor", cwd=cwd, env=env)
        assert r.returncode == 0 and r.stdout.rstrip().endswith("ready to run"), r.stdout + r.stderr
        assert "✓  Container Insights  standard: per-task CPU and memory are read from" in r.stdout
        # interrupt the run in the middle of its dispatches: exit 130, the ledger is kept
        proc = subprocess.Popen(
            [sys.executable, "-m", "suite", "run", "steady"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # a file condition, polled; the deadline only says when to give up. The 57 dispatches left take
        # 57 x 10 virtual s = 4.75 real s at 120x: the signal lands long before the schedule ends
        ledger = None
        deadline = time.monotonic() + 300
        while ledger is None and time.monotonic() < deadline and proc.poll() is None:
            found = list((cwd / "reports").glob("steady-*/ledger.jsonl"))
            if found and len(found[0].read_text().splitlines()) >= 3:
                ledger = found[0]
            time.sleep(0.01)
        assert ledger is not None
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "suite collect" in err and "Traceback" not in err
        # the rest of the schedule is in the ledger as not dispatched, with why (one may be in flight)
        rd = ledger.parent
        rows = [json.loads(line) for line in ledger.read_text().splitlines()]
        unsent = [row for row in rows if row["sent_at"] is None]
        assert len(rows) + (rd / "inflight.json").exists() == 60
        assert len(rows) - len(unsent) >= 3 and unsent
        assert {row["error"] for row in unsent} == {"not dispatched: interrupted (Ctrl-C) before it was sent"}
        # resume: collect what was dispatched, then report; idempotent
        r = suite("collect", str(rd), cwd=cwd, env=env)
        assert r.returncode == 4, r.stdout + r.stderr  # incomplete: the schedule was not all sent
        assert "INCOMPLETE RUN: interrupted" in r.stdout
        assert "(from the performance log: the cluster runs standard Container Insights)" in r.stderr
        result = json.loads((rd / "result.json").read_text())
        assert result["fleet"]["container_insights"] == "standard"
        assert result["resources"]["jobs_with_samples"] == result["jobs"]["count"] > 0  # jobs of 60+ s
        wf = result["workflows"]
        seqs = sorted(json.loads(line)["seq"] for line in ledger.read_text().splitlines())
        assert seqs == list(range(1, 61))  # the whole schedule, each slot once
        assert wf["dispatched"] + result["dispatch"]["not_dispatched"] == 60
        assert wf["dispatched"] >= len(rows) - len(unsent)
        assert wf["collected"] == wf["dispatched"] and wf["missing"] == []
        first = (rd / "result.json").read_text()
        assert result["verdict"] == "incomplete"
        r = suite("report", str(rd), cwd=cwd, env=env)
        assert r.returncode == 4
        assert (rd / "result.json").read_text() == first  # recomputed from raw/ alone: identical
    finally:
        r = suite("destroy", cwd=cwd, env=env)
    assert r.returncode == 0 and "ports are closed" in r.stdout
    assert not (cwd / ".suite" / "twin.json").exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    r = suite("destroy", cwd=cwd, env=env)
    assert r.returncode == 0 and "nothing to destroy" in r.stdout


def test_report_of_a_missing_dir_is_exit_2(workdir: tuple[Path, dict[str, str]]):
    cwd, env = workdir
    r = suite("report", str(cwd / "nope"), cwd=cwd, env=env)
    assert r.returncode == 2 and "not a run directory" in r.stderr


def test_profiles_lists_the_catalogue():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = suite("profiles", cwd=ROOT, env=env)
    assert r.returncode == 0
    for name in ("smoke", "capacity", "burst", "multi_job"):
        assert name in r.stdout


@pytest.mark.parametrize("args", [("profiles",), ("history", "--reports", "{reports}")])
def test_a_closed_pipe_ends_quietly(args: tuple[str, ...], tmp_path: Path):
    """`suite profiles | head -1`: the reader is gone before the suite writes (a real pipe whose read end is
    closed first, so the write fails every time, not only when head wins the race): exit 141, no traceback."""
    reports = tmp_path / "reports"
    reports.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = subprocess.run(
            [sys.executable, "-m", "suite", *(a.format(reports=reports) for a in args)],
            cwd=ROOT,
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert r.returncode == 141, r.stderr
    assert r.stderr == ""  # no traceback, no "Exception ignored" at exit

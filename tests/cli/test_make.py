"""What CI sees from `make`: GNU make exits 2 whenever a recipe fails, so the targets that run the suite
name the suite's own exit code on stderr, and the README says to run the suite itself where the code
matters (README: Make targets). Run against the real Makefile, in a scratch directory, with the embedded
twin on the stepped clock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GATE = """\
# Gate: one short workflow and a threshold no run can meet.
workflow: runner_test
inputs: {sleep_duration: 10, job_count: 1, job_type: parallel}
pattern: {type: burst, count: 1}
drain_timeout_s: 600
thresholds: ["queue_time_s.max < 0"]
"""


def make(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`make -s TARGET` with this checkout's Makefile, the suite of this checkout, and the venv stamp
    taken as given (-o: make must not reinstall the shared virtualenv)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SUITE_TWIN_CLOCK": "stepped",
        "SUITE_STATE_DIR": str(cwd / ".suite"),
    }
    env.pop("SUITE_ENV", None)
    suite = f"{sys.executable} -m suite"
    return subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "-o", ".venv/.installed", f"SUITE={suite}", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "gate.yaml").write_text(GATE)
    return tmp_path


def said(stderr: str) -> int:
    """The suite's exit code as the Makefile names it."""
    (line,) = [ln for ln in stderr.splitlines() if ln.startswith("make: suite exited ")]
    return int(line.split()[3])


def test_a_failed_gate_is_make_2_naming_the_suites_1(scratch: Path) -> None:
    r = make(scratch, "test-gate")
    assert r.returncode == 2
    assert said(r.stderr) == 1, r.stderr
    assert "FAIL queue_time_s.max < 0" in r.stdout


def test_bad_usage_is_make_2_naming_the_suites_2(scratch: Path) -> None:
    r = make(scratch, "test-gate", "ENV=nowhere")
    assert r.returncode == 2 and said(r.stderr) == 2, r.stderr
    r = make(scratch, "validate-sizing", "FROM=nope.tfvars", "TO=other.tfvars", "PROFILE=gate")
    assert r.returncode == 2 and said(r.stderr) == 2 and "nope.tfvars" in r.stderr, r.stderr
    r = make(scratch, "validate-sizing")  # the Makefile's own usage check
    assert r.returncode == 2 and r.stdout.startswith("usage: make validate-sizing FROM=")


def test_a_passing_target_is_make_0(scratch: Path) -> None:
    r = make(scratch, "profiles")
    assert r.returncode == 0 and "gate" in r.stdout and "make: suite exited" not in r.stderr


HOSTILE_NAMES = ["$(touch PWNED)", "`touch PWNED`", "x;touch PWNED", "a b $$(touch PWNED)"]


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_a_profile_file_name_is_never_run_as_shell(scratch: Path, hostile: str) -> None:
    """Only names of [A-Za-z0-9_.-] become targets; make says (without the name) that others do not."""
    (scratch / "profiles" / f"{hostile}.yaml").write_text(GATE)
    r = make(scratch, "help")  # lists the profile targets
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[2].endswith("one per file in profiles/: gate")
    (warning,) = [ln for ln in r.stderr.splitlines() if "not make targets" in ln]
    assert "PWNED" not in warning and "rename the file" in warning
    r = make(scratch, "-n", "test-gate", "sim-gate")  # the pattern rules, expanded
    assert r.returncode == 0 and r.stdout.count("profiles/gate.yaml") == 2, r.stderr
    assert "PWNED" not in r.stdout
    assert not (scratch / "PWNED").exists()


@pytest.mark.parametrize(("value", "flag"), [("1", "--dashboard"), ("8765", "--dashboard=8765"), ("", None)])
def test_dashboard_passes_the_live_page_option(scratch: Path, value: str, flag: str | None) -> None:
    done = make(scratch, "-n", "test-gate", f"DASHBOARD={value}")
    assert done.returncode == 0, done.stderr
    (line,) = [ln for ln in done.stdout.splitlines() if " run profiles/gate.yaml" in ln]
    assert (flag in line.split()) if flag else "--dashboard" not in line


@pytest.mark.parametrize("value", ["yes", "80;rm -rf x", "`id`", "-1"])
def test_a_dashboard_that_is_not_a_port_stops_make_before_any_shell(scratch: Path, value: str) -> None:
    done = make(scratch, "-n", "test-gate", f"DASHBOARD={value}")
    assert done.returncode == 2 and "DASHBOARD must be 1 (any free port) or a port number" in done.stderr
    assert "profiles/gate.yaml" not in done.stdout

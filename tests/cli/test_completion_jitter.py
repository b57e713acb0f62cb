"""`--completion-jitter` on `suite sim` and `suite deploy`: a bad value is one clear error, exit 2; a good
one reaches the fleet model, and the terminal summary states the breaking point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def suite(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SUITE_STATE_DIR": str(cwd / ".suite"), "PYTHONPATH": str(ROOT)}
    env.pop("SUITE_ENV", None)
    cmd = [sys.executable, "-m", "suite", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_a_negative_jitter_is_exit_2_with_one_line(tmp_path: Path):
    for args in (("sim", str(ROOT / "profiles" / "smoke.yaml")), ("deploy",)):
        r = suite(*args, "--completion-jitter", "-1", cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        assert "Traceback" not in r.stderr and r.stderr.strip().count("\n") == 0
        assert "--completion-jitter must be >= 0" in r.stderr


def test_sim_stress_with_jitter_states_its_breaking_point(tmp_path: Path):
    r = suite(
        "sim",
        str(ROOT / "profiles" / "stress.yaml"),
        "--completion-jitter",
        "2",
        "--reports",
        "sims",
        cwd=tmp_path,
    )
    assert r.returncode == 1, r.stderr  # the profile aborts at its breaking point: a failed gate
    assert "breaking    Breaking point: stage 3 (2.00/min target)" in r.stdout
    (run_dir,) = (tmp_path / "sims").iterdir()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["fleet"]["completion_jitter_s"] == 2

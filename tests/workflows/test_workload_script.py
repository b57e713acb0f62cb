"""workflows/runner_workload.yml's scripts, run under real bash as GitHub runs a `run` step (bash -e -o
pipefail) with tiny sizes in a temporary directory (no network): they do the work they say, they fail
loudly on a preset they do not know, and the presets the script reads are the ones the suite reads."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from suite.workflows import catalogue
from suite.workload import WORK_VARIABLES, presets

WORKFLOW = Path(__file__).resolve().parents[2] / "workflows" / "runner_workload.yml"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")  # the runner image has it


def doc() -> dict[str, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def step(name: str) -> str:
    (found,) = [s["run"] for s in doc()["jobs"]["work"]["steps"] if s["name"] == name]
    return str(found)


def run_step(name: str, tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    workflow_env = {k: str(v) for k, v in doc()["env"].items()}
    full = {"PATH": os.environ["PATH"], "RUNNER_TEMP": str(tmp), "HOME": str(tmp), **workflow_env, **env}
    assert BASH is not None
    return subprocess.run(
        [BASH, "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step(name)],
        env=full,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cpu_work_hashes_every_thread(tmp_path: Path) -> None:
    done = run_step("CPU work", tmp_path, WORK_PRESET="custom", WORK_THREADS="2", WORK_CPU_UNITS="1")
    assert done.returncode == 0, done.stderr
    # no unit of work at all is still a clean exit (a preset may leave a kind of work out)
    idle = run_step("CPU work", tmp_path, WORK_PRESET="custom", WORK_THREADS="1", WORK_CPU_UNITS="0")
    assert idle.returncode == 0, idle.stderr


def test_memory_work_holds_its_input_in_tail(tmp_path: Path) -> None:
    done = run_step("Memory work", tmp_path, WORK_PRESET="custom", WORK_MEMORY_MIB="4", WORK_HOLD_S="0")
    assert done.returncode == 0, done.stderr


def test_disk_work_writes_reads_back_and_removes_its_file(tmp_path: Path) -> None:
    # a file in the way of nothing: the step must leave RUNNER_TEMP as it found it
    done = run_step("Disk work", tmp_path, WORK_PRESET="custom", WORK_DISK_MIB="2")
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []
    # and it really writes: a RUNNER_TEMP that cannot be written fails the step
    blocked = tmp_path / "ro"
    blocked.mkdir(mode=0o500)
    refused = run_step(
        "Disk work", tmp_path, WORK_PRESET="custom", WORK_DISK_MIB="1", RUNNER_TEMP=str(blocked)
    )
    if os.geteuid() != 0:  # root writes anywhere
        assert refused.returncode != 0


def test_network_work_of_zero_mib_fetches_nothing(tmp_path: Path) -> None:
    done = run_step("Network work", tmp_path, WORK_PRESET="custom", WORK_NETWORK_MIB="0")
    assert done.returncode == 0 and "read 0 bytes in 0 fetches" in done.stdout, done.stderr


def test_sleep_sleeps_the_presets_seconds(tmp_path: Path) -> None:
    done = run_step("Sleep", tmp_path, WORK_PRESET="custom", SLEEP_S="0")
    assert done.returncode == 0, done.stderr


def test_an_unknown_preset_fails_the_step(tmp_path: Path) -> None:
    done = run_step("CPU work", tmp_path, WORK_PRESET="huge", WORK_THREADS="1", WORK_CPU_UNITS="1")
    assert done.returncode != 0 and "no WORK_THREADS for preset huge" in done.stderr


@pytest.mark.parametrize("preset", ["light", "build", "memory-heavy"])
def test_the_script_reads_the_presets_the_suite_reads(tmp_path: Path, preset: str) -> None:
    table = presets(dict(catalogue()["runner_workload.yml"].env))
    assert set(table[preset]) == set(WORK_VARIABLES)
    script = (
        'eval "${WORKLOAD_SH}"; for v in ' + " ".join(WORK_VARIABLES) + '; do echo "$v=$(work "$v")"; done'
    )
    workflow_env = {k: str(v) for k, v in doc()["env"].items()}
    assert BASH is not None
    done = subprocess.run(
        [BASH, "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
        env={"PATH": os.environ["PATH"], **workflow_env, "WORK_PRESET": preset},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert dict(line.split("=", 1) for line in done.stdout.splitlines()) == table[preset]


def test_the_presets_are_sized_as_documented() -> None:
    table = presets(dict(catalogue()["runner_workload.yml"].env))
    assert list(table) == ["light", "build", "memory-heavy"]
    assert catalogue()["runner_workload.yml"].input("preset").options == (*table, "custom")
    heavy, build = table["memory-heavy"], table["build"]
    assert int(heavy["WORK_MEMORY_MIB"]) == 3072  # killed on a 2 GiB task, fits on 4 GiB
    assert int(build["WORK_THREADS"]) == 2 and int(build["WORK_CPU_UNITS"]) >= 30  # CPU-bound on 2 threads
    assert int(table["light"]["WORK_CPU_UNITS"]) <= 10


TINY = {
    "WORK_THREADS": "2",
    "WORK_CPU_UNITS": "1",
    "WORK_MEMORY_MIB": "4",
    "WORK_HOLD_S": "0",
    "WORK_DISK_MIB": "2",
}


@pytest.mark.parametrize("name", ["k8s_like.yml", "build_reusable.yml"])
def test_k8s_like_work_steps_run_under_bash(tmp_path: Path, name: str) -> None:
    """Every work step of k8s_like and its reusable build, with its sizes made tiny (the variables the
    step names, overridden), exits 0 and leaves RUNNER_TEMP clean."""
    loaded = yaml.safe_load((WORKFLOW.parent / name).read_text(encoding="utf-8"))
    ran = 0
    for job in loaded["jobs"].values():
        for spec in job.get("steps", []):
            env = {k: str(v) for k, v in (spec.get("env") or {}).items()}
            if not any(k in TINY for k in env):
                continue
            env.update({k: TINY[k] for k in env if k in TINY})
            assert BASH is not None
            done = subprocess.run(
                [BASH, "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", spec["run"]],
                env={"PATH": os.environ["PATH"], "RUNNER_TEMP": str(tmp_path), **env},
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, (spec["name"], done.stderr)
            ran += 1
    assert ran >= 2 and list(tmp_path.iterdir()) == []

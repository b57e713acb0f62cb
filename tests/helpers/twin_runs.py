"""A profile run end to end on a fresh in-process twin (stepped clock), and the check against its truth."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from suite.fleet.environments import local_target
from suite.pipeline.run import run_profile
from suite.rundir.job_rows import read_run_result
from suite.twin.service import Twin
from suite.twin.truth_check import mismatches
from tests.helpers.twin import start_twin


def write_profile(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(body)
    return path


def run_on_twin(
    tmp_path: Path,
    name: str,
    profile: str,
    speed: float = 300.0,
    before: Callable[[Twin], None] | None = None,
    **fleet: Any,
) -> tuple[int, dict[str, Any], dict[str, Any], Path]:
    """Run a profile on a fresh in-process twin on a stepped clock (`speed` nominal); returns (exit
    code, result (result.json with its per_job read from the job table), truth, run dir)."""
    twin = start_twin(speed=speed, **fleet)
    try:
        if before:
            before(twin)
        path = write_profile(tmp_path, name, profile)
        code, rd = run_profile(path, "local", tmp_path / "reports", target=local_target(twin.state()))
    finally:
        twin.stop()
    result = read_run_result(rd)  # result.json with the job table's rows as its per_job
    truth = json.loads((rd / "truth.json").read_text())
    return code, result, truth, rd


def assert_matches_truth(result: dict[str, Any], truth: dict[str, Any]) -> None:
    assert mismatches(result, truth) == []
    assert {j["id"] for j in result["per_job"]} == {t["job_id"] for t in truth["jobs"]}

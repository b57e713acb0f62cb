"""Bring your own workflow, end to end on the twin (stepped clock, real HTTP, moto): a profile naming a
workflow the suite does not ship (tests/fixtures/byo: three jobs, one through a reusable workflow,
custom inputs) runs and its report equals the twin's truth job by job; its jobs per run are learned from
GitHub. A misspelt input, or a file the repository does not hold, is exit 2 at the profile's line before
anything is dispatched (no run directory is made)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from suite.cli.main import main
from suite.fleet.environments import local_target
from suite.pipeline import run as pipeline_run
from suite.pipeline.run import run_profile
from suite.rundir.job_rows import read_run_result
from suite.twin.service import Twin
from tests.helpers.twin import twin_config
from tests.helpers.twin_runs import assert_matches_truth

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "byo"
JOB_NAMES = ["lint", "build / compile", "unit"]


@pytest.fixture
def byo_twin() -> Iterator[Twin]:
    twin = Twin(twin_config(workflows_dir=str(FIXTURE / "workflows"))).start()
    try:
        yield twin
    finally:
        twin.stop()


def test_a_custom_workflow_runs_end_to_end_and_equals_truth(byo_twin: Twin, tmp_path: Path) -> None:
    code, rd = run_profile(FIXTURE / "byo.yaml", "local", tmp_path, target=local_target(byo_twin.state()))
    result = read_run_result(rd)  # result.json + the job table's rows
    truth = json.loads((rd / "truth.json").read_text())
    assert code == 0 and result["verdict"] == "pass"
    assert result["workflows"]["dispatched"] == result["workflows"]["collected"] == 6
    assert result["jobs"]["count"] == 18 == len(truth["jobs"])  # three per run, as GitHub listed them
    assert_matches_truth(result, truth)
    assert list(result["by_job_name"]) == JOB_NAMES
    assert all(result["by_job_name"][n]["jobs"]["count"] == 6 for n in JOB_NAMES)
    # every run is ci.yml's, titled by its suite_id (run-name)
    runs = [json.loads(line) for line in (rd / "raw" / "runs.jsonl").read_text().splitlines()]
    assert {r["path"] for r in runs} == {".github/workflows/ci.yml"}
    ledger = [json.loads(line) for line in (rd / "ledger.jsonl").read_text().splitlines()]
    assert sorted(r["display_title"] for r in runs) == sorted(row["suite_id"] for row in ledger)
    # the inputs went as the profile gave them; the job count was never declared
    manifest = json.loads((rd / "manifest.json").read_text())
    assert manifest["profile"]["workflow_file"] == "ci.yml"
    assert manifest["profile"]["inputs"] == {"flavour": "release", "shards": 4, "sleep_duration": 45}
    assert manifest["profile"]["jobs_per_workflow"] is None
    assert "learned from what GitHub lists" in manifest["profile"]["jobs_per_workflow_reason"]
    assert {run.inputs["flavour"] for run in byo_twin.fleet.runs.values()} == {"release"}
    # the jobs sleep sleep_duration (45 s) as the twin's work model runs them
    assert {t["execution_s"] for t in truth["jobs"]} <= set(range(45, 60))


def run_cli(monkeypatch: pytest.MonkeyPatch, twin: Twin, profile: Path, reports: Path) -> int:
    target = local_target(twin.state())
    monkeypatch.setattr(pipeline_run, "resolve_target", lambda environment: target)
    return main(["run", str(profile), "--env", "local", "--reports", str(reports)])


def test_a_misspelt_input_is_exit_2_at_its_line_and_nothing_is_dispatched(
    byo_twin: Twin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "byo.yaml"
    profile.write_text((FIXTURE / "byo.yaml").read_text().replace("  flavour: release", "  flavor: release"))
    reports = tmp_path / "reports"
    assert run_cli(monkeypatch, byo_twin, profile, reports) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert (
        f"{profile}:4: inputs.flavor: .github/workflows/ci.yml in runner-suite/twin-target declares no input"
        in (err[0])
    )
    assert err[0].endswith("(did you mean 'flavour'?)")  # no environment overrides: none named
    assert byo_twin.fleet.runs == {}  # nothing dispatched
    assert not reports.exists() or list(reports.iterdir()) == []  # and no run directory made


def test_a_workflow_the_repository_does_not_hold_is_exit_2(
    byo_twin: Twin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "release.yaml"
    profile.write_text("# Release\nworkflow: release.yml\npattern: {type: burst, count: 2}\n")
    assert run_cli(monkeypatch, byo_twin, profile, tmp_path / "reports") == 2
    err = capsys.readouterr().err.strip()
    assert f"{profile}:2: workflow: no .github/workflows/release.yml on the default branch" in err
    assert byo_twin.fleet.runs == {}

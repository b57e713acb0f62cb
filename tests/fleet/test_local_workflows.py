"""`suite deploy --env local --workflows DIR`: the deployed twin's repository holds the folder's workflow
files; the folder is read before anything starts, kept in the twin's state, and a twin running with
another folder is a usage error with the flag that matches it (as for sizing)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from suite.cli.main import build_parser
from suite.errors import UsageError
from suite.fleet import local as fleet_local
from suite.fleet.environments import local_target
from suite.github.client import GitHubClient
from suite.twin.fleet import FleetConfig

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "byo" / "workflows"


def state_of(fleet: FleetConfig, workflows_dir: str | None) -> dict[str, object]:
    return json.loads(
        json.dumps(
            {
                "pid": os.getpid(),
                "fleet": fleet.to_dict(),
                "clock": {"speed": 60.0},
                "workflows_dir": workflows_dir,
            }
        )
    )


def test_the_flag_takes_a_folder(tmp_path: Path) -> None:
    args = build_parser().parse_args(["deploy", "--env", "local", "--workflows", str(FOLDER)])
    assert args.workflows == FOLDER
    with pytest.raises(UsageError):  # a file is not a folder: one line, exit 2
        build_parser().parse_args(["deploy", "--workflows", str(FOLDER / "ci.yml")])


def test_the_folder_is_checked_and_named_absolute(tmp_path: Path) -> None:
    assert fleet_local.workflows_folder(None) is None
    assert fleet_local.workflows_folder(FOLDER) == str(FOLDER.resolve())
    (tmp_path / "bad.yml").write_text("jobs: [unclosed\n")
    with pytest.raises(UsageError) as exc:
        fleet_local.workflows_folder(tmp_path)
    assert str(exc.value) == (
        f"{tmp_path / 'bad.yml'}:2: not a workflow the twin can read (not YAML, or not shaped like a "
        "workflow); fix the file or take it out of the folder"
    )


def test_a_twin_running_with_another_folder_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_STATE_DIR", str(tmp_path))
    fleet = FleetConfig()
    folder = str(FOLDER.resolve())
    assert fleet_local.sizing_differences(state_of(fleet, folder), fleet, 60.0, folder) == []
    diff = fleet_local.sizing_differences(state_of(fleet, None), fleet, 60.0, folder)
    assert diff == [(f"workflows folder none, asked {folder}", "without --workflows")]
    diff = fleet_local.sizing_differences(state_of(fleet, folder), fleet, 60.0, None)
    assert diff == [(f"workflows folder {folder}, asked none", f"--workflows {folder}")]
    (tmp_path / "twin.json").write_text(json.dumps(state_of(fleet, None)))
    with pytest.raises(UsageError) as exc:
        fleet_local.running_at(fleet, 60.0, folder)
    assert "without --workflows" in str(exc.value)


def test_a_deployed_twin_serves_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUITE_STATE_DIR", str(tmp_path))
    assert fleet_local.deployed_workflows_dir() is None  # nothing deployed
    state = fleet_local.deploy(
        FleetConfig(runners=1, seed=0), 120.0, idle_timeout_s=120, workflows_dir=FOLDER
    )
    try:
        assert state["workflows_dir"] == str(FOLDER.resolve())
        assert fleet_local.deployed_workflows_dir() == FOLDER.resolve()  # what validate-sizing keeps
        target = local_target(state)
        with GitHubClient(target.github_url, target.repo, target.token, clock=target.clock) as gh:
            assert gh.workflow_text("ci.yml") == (FOLDER / "ci.yml").read_text()
            assert gh.workflow_text("absent.yml") is None
        # deploying again with the same folder is idempotent
        assert (
            fleet_local.deploy(FleetConfig(runners=1, seed=0), 120.0, 120, workflows_dir=FOLDER)["pid"]
            == state["pid"]
        )
    finally:
        assert fleet_local.destroy()

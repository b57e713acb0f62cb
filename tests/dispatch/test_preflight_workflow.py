"""suite run's preflight for a workflow the suite does not ship: read from the repository through the
GitHub client (the twin's contents API, real HTTP), the profile held to it; every problem one exit-2 line
at the profile's file:line. And the API budget of a run whose job count is not known in advance."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from suite.dispatch import preflight
from suite.errors import EXIT_USAGE, UsageError
from suite.profiles.profile import load_profile
from suite.twin.service import Twin
from tests.helpers.twin import client_for, twin_config

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "byo"


def start(folder: Path) -> Twin:
    return Twin(twin_config(workflows_dir=str(folder))).start()


@pytest.fixture
def byo_twin() -> Iterator[Twin]:
    twin = start(FIXTURE / "workflows")
    try:
        yield twin
    finally:
        twin.stop()


def test_the_fixture_profile_passes_and_costs_one_read(byo_twin: Twin) -> None:
    with client_for(byo_twin) as client:
        wf = preflight.check_workflow(load_profile(FIXTURE / "byo.yaml"), client)
        assert wf is not None and wf.file == "ci.yml" and wf.inputs[0].name == "suite_id"
        assert client.api_stats()["per_endpoint"]["get_content"]["requests"] == 1


def test_a_shipped_workflow_is_not_read_again(byo_twin: Twin, tmp_path: Path) -> None:
    path = tmp_path / "shipped.yaml"
    path.write_text("workflow: runner_test\npattern: {type: burst, count: 1}\n")
    with client_for(byo_twin) as client:
        assert preflight.check_workflow(load_profile(path), client) is None
        assert "get_content" not in client.api_stats()["per_endpoint"]


def test_a_misspelt_input_is_the_profiles_line(byo_twin: Twin, tmp_path: Path) -> None:
    path = tmp_path / "byo.yaml"
    path.write_text((FIXTURE / "byo.yaml").read_text().replace("  shards: 4", "  shardz: 4"))
    with client_for(byo_twin) as client, pytest.raises(UsageError) as exc:
        preflight.check_workflow(load_profile(path), client)
    assert exc.value.exit_code == EXIT_USAGE
    assert (
        "byo.yaml:5: inputs.shardz: .github/workflows/ci.yml in runner-suite/twin-target declares no"
        in str(exc.value)
    )
    assert "(did you mean 'shards'?)" in str(exc.value)


def test_a_file_the_repository_does_not_hold(byo_twin: Twin, tmp_path: Path) -> None:
    path = tmp_path / "byo.yaml"
    path.write_text("# x\nworkflow: deploy.yml\npattern: {type: burst, count: 1}\n")
    with client_for(byo_twin) as client, pytest.raises(UsageError) as exc:
        preflight.check_workflow(load_profile(path), client)
    msg = str(exc.value)
    assert "byo.yaml:2: workflow: no .github/workflows/deploy.yml on the default branch of " in msg
    assert "suite deploy --workflows DIR" in msg


def test_a_file_that_is_not_a_workflow(tmp_path: Path) -> None:
    folder = tmp_path / "wf"
    folder.mkdir()
    shutil.copy(FIXTURE / "workflows" / "ci_build.yml", folder / "ci_build.yml")
    (folder / "broken.yml").write_text("name: [unclosed\n")
    path = tmp_path / "byo.yaml"
    path.write_text("workflow: broken.yml\npattern: {type: burst, count: 1}\n")
    # the twin refuses to start on a folder whose file does not parse ...
    with pytest.raises(UsageError):
        start(folder)
    # ... so read one through a twin whose repository holds it as text only
    twin = start(FIXTURE / "workflows")
    try:
        twin.github.workflows.texts["broken.yml"] = "name: [unclosed\n"  # type: ignore[index]
        with client_for(twin) as client, pytest.raises(UsageError) as exc:
            preflight.check_workflow(load_profile(path), client)
    finally:
        twin.stop()
    assert "byo.yaml:1: workflow: .github/workflows/broken.yml in " in str(exc.value)
    assert "is not a workflow the suite can read" in str(exc.value) and "[unclosed" not in str(exc.value)


def test_the_budget_of_an_unknown_job_count_is_an_estimate_and_says_so() -> None:
    known = preflight.estimate(10, 3, 600.0, 1800.0)
    unknown = preflight.estimate(10, None, 600.0, 1800.0)
    assert unknown.jobs_per_workflow is None
    assert unknown.job_reads == 10 == known.job_reads  # one jobs page per run assumed
    assert "[estimate: the workflow's job count is learned from GitHub" in unknown.describe()
    assert "estimate" not in known.describe()
    assert preflight.estimate(10, 250, 600.0, 1800.0).job_reads == 30  # a known count: its pages

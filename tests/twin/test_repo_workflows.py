"""The twin serves a repository's workflow files as GitHub does: the catalogue's and, per twin, a folder of
the user's (TwinConfig.workflows_dir): listed, got by name or id, read through the contents API,
dispatched by name or id with GitHub's 422s, each run titled by its run-name. Real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from suite.errors import UsageError
from suite.twin.service import Twin
from suite.twin.workflows import InputError, repo_workflows
from tests.helpers.twin import twin_config

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "byo" / "workflows"


@pytest.fixture
def byo_twin() -> Iterator[Twin]:
    twin = Twin(twin_config(workflows_dir=str(FOLDER))).start()
    try:
        yield twin
    finally:
        twin.stop()


@pytest.fixture
def gh(byo_twin: Twin) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{byo_twin.github_url}/repos/{byo_twin.config.repo}",
        headers={"Authorization": f"Bearer {byo_twin.token}"},
        timeout=10,
    ) as c:
        yield c


def dispatch(gh: httpx.Client, workflow: str, **inputs: str) -> httpx.Response:
    body = {"ref": "main", "inputs": inputs, "return_run_details": True}
    return gh.post(f"/actions/workflows/{workflow}/dispatches", json=body)


def test_the_folder_is_listed_beside_the_catalogue(gh: httpx.Client) -> None:
    listed = gh.get("/actions/workflows").json()
    paths = [w["path"] for w in listed["workflows"]]
    catalogue = ("runner_test.yml", "k8s_like.yml", "build_reusable.yml", "runner_workload.yml")
    assert listed["total_count"] == 6 == len(paths)
    assert paths[:4] == [f".github/workflows/{f}" for f in catalogue]
    assert sorted(paths[4:]) == [".github/workflows/ci.yml", ".github/workflows/ci_build.yml"]
    one = gh.get("/actions/workflows", params={"per_page": 2, "page": 3}).json()
    assert [w["path"] for w in one["workflows"]] == paths[4:]  # paginated like GitHub


def test_get_a_workflow_by_file_name_or_id(gh: httpx.Client) -> None:
    by_name = gh.get("/actions/workflows/ci.yml")
    assert by_name.status_code == 200
    wf = by_name.json()
    assert (wf["name"], wf["path"], wf["state"]) == ("ci", ".github/workflows/ci.yml", "active")
    assert gh.get(f"/actions/workflows/{wf['id']}").json() == wf
    assert gh.get("/actions/workflows/nope.yml").status_code == 404


def test_the_contents_api_returns_each_file_as_git_holds_it(gh: httpx.Client, tmp_path: Path) -> None:
    for name in ("ci.yml", "ci_build.yml", "runner_test.yml"):
        r = gh.get(f"/contents/.github/workflows/{name}")
        assert r.status_code == 200
        body = r.json()
        assert (body["type"], body["encoding"], body["name"], body["path"]) == (
            "file",
            "base64",
            name,
            f".github/workflows/{name}",
        )
        assert all(len(line) <= 60 for line in body["content"].splitlines())  # GitHub's line length
        data = base64.b64decode(body["content"])
        source = FOLDER / name if name.startswith("ci") else FOLDER.parents[3] / "workflows" / name
        assert data == source.read_bytes() and body["size"] == len(data)
        if shutil.which("git"):  # the sha is git's blob id of that content
            copy = tmp_path / name
            copy.write_bytes(data)
            assert (
                body["sha"] == subprocess.check_output(["git", "hash-object", str(copy)], text=True).strip()
            )
    assert gh.get("/contents/.github/workflows/ci.yml", params={"ref": "main"}).status_code == 200
    other = gh.get("/contents/.github/workflows/ci.yml", params={"ref": "nope"})
    assert other.status_code == 404 and other.json()["message"] == "No commit found for the ref nope"
    assert gh.get("/contents/.github/workflows/missing.yml").status_code == 404
    assert gh.get("/contents/README.md").status_code == 404
    folder = gh.get("/contents/.github/workflows").json()
    assert [e["name"] for e in folder] == sorted(e["name"] for e in folder) and "content" not in folder[0]
    assert {e["name"] for e in folder} == {
        "ci.yml",
        "ci_build.yml",
        "runner_test.yml",
        "k8s_like.yml",
        "build_reusable.yml",
        "runner_workload.yml",
    }


def test_a_user_workflow_dispatches_by_name_or_id_and_is_titled_by_its_run_name(gh: httpx.Client) -> None:
    r = dispatch(gh, "ci.yml", suite_id="byo-1", flavour="debug", sleep_duration="5")
    assert r.status_code == 200
    wf_id = gh.get("/actions/workflows/ci.yml").json()["id"]
    assert dispatch(gh, str(wf_id), suite_id="byo-2", flavour="release").status_code == 200
    runs = gh.get("/actions/runs").json()["workflow_runs"]
    assert sorted(run["display_title"] for run in runs) == ["byo-1", "byo-2"]
    assert {run["path"] for run in runs} == {".github/workflows/ci.yml"}
    jobs = gh.get(f"/actions/runs/{r.json()['workflow_run_id']}/jobs").json()["jobs"]
    assert [j["name"] for j in jobs] == ["lint"]  # build / compile and unit are created when their needs end


@pytest.mark.parametrize(
    ("workflow", "inputs", "message"),
    [
        (
            "ci.yml",
            {"suite_id": "x", "flavour": "debug", "shard": "1"},
            "Unexpected inputs provided: ['shard']",
        ),
        ("ci.yml", {"suite_id": "x"}, "Required input 'flavour' not provided"),
        (
            "ci.yml",
            {"suite_id": "x", "flavour": "fast"},
            "Provided value 'fast' for input 'flavour' not in the list of allowed values",
        ),
        ("ci_build.yml", {"suite_id": "x"}, "Workflow does not have 'workflow_dispatch' trigger"),
    ],
)
def test_bad_dispatches_are_githubs_422(
    gh: httpx.Client, workflow: str, inputs: dict[str, str], message: str
) -> None:
    r = dispatch(gh, workflow, **inputs)
    assert r.status_code == 422 and r.json()["message"] == message
    assert gh.get("/actions/runs").json()["total_count"] == 0  # nothing was created


def test_a_run_without_run_name_is_titled_by_the_workflow_name(tmp_path: Path) -> None:
    text = (FOLDER / "ci.yml").read_text().replace("run-name: ${{ inputs.suite_id }}\n", "")
    (tmp_path / "ci.yml").write_text(text)
    shutil.copy(FOLDER / "ci_build.yml", tmp_path / "ci_build.yml")
    twin = Twin(twin_config(workflows_dir=str(tmp_path))).start()
    try:
        with httpx.Client(
            base_url=f"{twin.github_url}/repos/{twin.config.repo}",
            headers={"Authorization": f"Bearer {twin.token}"},
            timeout=10,
        ) as c:
            assert dispatch(c, "ci.yml", suite_id="byo-1", flavour="debug").status_code == 200
            assert [r["display_title"] for r in c.get("/actions/runs").json()["workflow_runs"]] == ["ci"]
    finally:
        twin.stop()


def test_each_twin_has_its_own_repository(byo_twin: Twin, twin: Twin) -> None:
    assert "ci.yml" in byo_twin.github.workflows.listed
    assert "ci.yml" not in twin.github.workflows.listed  # a twin without a folder: the catalogue only
    with httpx.Client(base_url=twin.github_url, headers={"Authorization": f"Bearer {twin.token}"}) as c:
        assert c.get(f"/repos/{twin.config.repo}/contents/.github/workflows/ci.yml").status_code == 404


def test_a_folder_whose_workflow_calls_a_missing_file_is_refused(tmp_path: Path) -> None:
    shutil.copy(FOLDER / "ci.yml", tmp_path / "ci.yml")
    with pytest.raises(UsageError) as exc:
        repo_workflows(tmp_path)
    assert str(exc.value).startswith("ci.yml calls a workflow that is not among the repository's files")
    with pytest.raises(UsageError):
        repo_workflows(tmp_path / "absent")


def test_a_description_range_binds_only_the_catalogues_files(tmp_path: Path) -> None:
    (tmp_path / "w.yml").write_text(
        "name: w\nrun-name: ${{ inputs.suite_id }}\non:\n  workflow_dispatch:\n    inputs:\n"
        "      suite_id: {type: string, required: true}\n"
        "      n: {type: number, description: 'Count (1-5)'}\n"
        "jobs:\n  a: {runs-on: x, steps: [{run: 'true'}]}\n"
    )
    repo = repo_workflows(tmp_path)
    assert repo.listed["w.yml"].validate_inputs({"suite_id": "s", "n": "9"}) == {"suite_id": "s", "n": "9"}
    with pytest.raises(InputError):  # the catalogue's scripts rely on theirs: "(0-3600)"
        repo.listed["runner_test.yml"].validate_inputs({"suite_id": "s", "sleep_duration": "99999"})

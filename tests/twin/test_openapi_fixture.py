"""The pinned GitHub OpenAPI fixture, its validator (tests/helpers/openapi.py) and the reference payloads."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.helpers import github_examples as ex
from tests.helpers.github_runner_examples import RUNNER_OPERATIONS, RUNNER_RESPONSE_EXAMPLES
from tests.helpers.openapi import (
    FIXTURE_PATH,
    match_path,
    operations,
    response_schema,
    spec_version,
    validate_request_body,
    validate_response,
)

DISPATCH = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"
WORKFLOWS = "/repos/{owner}/{repo}/actions/workflows"
WORKFLOW = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}"
WORKFLOW_RUNS = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"
CONTENTS = "/repos/{owner}/{repo}/contents/{path}"
RUNS = "/repos/{owner}/{repo}/actions/runs"
RUN = "/repos/{owner}/{repo}/actions/runs/{run_id}"
RUN_JOBS = "/repos/{owner}/{repo}/actions/runs/{run_id}/jobs"
JOB = "/repos/{owner}/{repo}/actions/jobs/{job_id}"
RUNNERS = "/repos/{owner}/{repo}/actions/runners"
RATE_LIMIT = "/rate_limit"

EXPECTED_OPERATIONS = {
    ("POST", DISPATCH),
    ("GET", WORKFLOWS),
    ("GET", WORKFLOW),
    ("GET", WORKFLOW_RUNS),
    ("GET", CONTENTS),
    ("GET", RUNS),
    ("GET", RUN),
    ("GET", RUN_JOBS),
    ("GET", JOB),
    ("GET", RUNNERS),
    ("GET", RATE_LIMIT),
    *RUNNER_OPERATIONS,  # the runner registration endpoints (tests/helpers/github_runner_examples.py)
}


def _fixture() -> dict[str, Any]:
    with FIXTURE_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _rejects(method: str, template: str, status: int, body: object | None) -> str:
    with pytest.raises(AssertionError) as info:
        validate_response(method, template, status, body)
    return str(info.value)


# --------------------------------------------------------------------------------------------------
# the fixture itself


def test_fixture_holds_exactly_the_operations_the_twin_serves() -> None:
    assert set(operations()) == EXPECTED_OPERATIONS


def test_fixture_pins_a_spec_version_and_is_small() -> None:
    openapi, version = spec_version()
    assert openapi.startswith("3.")
    assert version
    assert FIXTURE_PATH.stat().st_size < 320 * 1024  # 16 operations, fully dereferenced


def test_fixture_is_dereferenced_and_stripped_of_docs_but_keeps_property_names() -> None:
    text = FIXTURE_PATH.read_text(encoding="utf-8")
    assert '"$ref"' not in text
    assert '"example"' not in text and '"examples"' not in text
    repo = response_schema("GET", RUN, 200)["properties"]["repository"]
    # ``description`` is a *property* of Minimal Repository (required, nullable): it must survive.
    assert "description" in repo["required"]
    assert repo["properties"]["description"] == {"type": ["string", "null"]}


def test_fixture_lists_every_documented_status() -> None:
    paths = _fixture()["paths"]
    assert set(paths[DISPATCH]["post"]["responses"]) == {"200", "204"}
    assert set(paths[RATE_LIMIT]["get"]["responses"]) == {"200", "304", "404"}
    assert "requestBody" in paths[DISPATCH]["post"]
    for template in (WORKFLOWS, WORKFLOW_RUNS, RUNS, RUN, RUN_JOBS, JOB, RUNNERS):
        assert "200" in paths[template]["get"]["responses"]


def test_dispatch_documents_return_run_details() -> None:
    op = _fixture()["paths"][DISPATCH]["post"]
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"workflow_run_id", "run_url", "html_url"}
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["return_run_details"] == {"type": "boolean"}
    assert body["required"] == ["ref"]


# --------------------------------------------------------------------------------------------------
# the reference payloads


@pytest.mark.parametrize(
    ("method", "template", "status", "body"),
    ex.RESPONSE_EXAMPLES,
    ids=[f"{m} {t} {s} #{i}" for i, (m, t, s, _) in enumerate(ex.RESPONSE_EXAMPLES)],
)
def test_reference_payload_validates(method: str, template: str, status: int, body: object | None) -> None:
    validate_response(method, template, status, body)


def test_reference_payloads_cover_every_operation() -> None:
    examples = ex.RESPONSE_EXAMPLES + RUNNER_RESPONSE_EXAMPLES
    assert {(m, t) for m, t, _, _ in examples} == EXPECTED_OPERATIONS


def test_full_self_hosted_job_passes() -> None:
    job = ex.JOB
    assert len(job["runner_name"]) == 32 and int(job["runner_name"], 16) >= 0
    assert "self-hosted" in job["labels"]
    assert job["steps"] and all(step["conclusion"] == "success" for step in job["steps"])
    validate_response("GET", JOB, 200, job)
    validate_response("GET", RUN_JOBS, 200, {"total_count": 1, "jobs": [job]})


def test_dispatch_request_bodies() -> None:
    validate_request_body("POST", DISPATCH, ex.DISPATCH_REQUEST)
    validate_request_body("POST", DISPATCH, {"ref": "main"})
    with pytest.raises(AssertionError, match="'ref' is a required property"):
        validate_request_body("POST", DISPATCH, {"inputs": {}})
    with pytest.raises(AssertionError, match="is not of type 'boolean'"):
        validate_request_body("POST", DISPATCH, {"ref": "main", "return_run_details": "yes"})
    with pytest.raises(AssertionError, match="has too many properties"):
        validate_request_body("POST", DISPATCH, {"ref": "main", "inputs": {f"k{i}": "v" for i in range(26)}})
    with pytest.raises(AssertionError, match="required, got none"):
        validate_request_body("POST", DISPATCH, None)
    with pytest.raises(AssertionError, match="documents no request body"):
        validate_request_body("GET", RUN, {"x": 1})


# --------------------------------------------------------------------------------------------------
# the validator catches what the fake server could get wrong


def _minimal_run() -> dict[str, Any]:
    """A hand-written workflow run with exactly the schema's required fields and nothing else.

    (The embedded ``Minimal Repository`` alone has 46 required fields; it is borrowed from the examples.)
    """
    api = "https://api.github.com/repos/o/r"
    return {
        "id": 42,
        "node_id": "WFR_kwLOAAAAAc8AAAAAAAAAKg",
        "head_branch": "main",
        "run_number": 1,
        "display_title": "bench",
        "event": "workflow_dispatch",
        "status": "in_progress",
        "conclusion": None,
        "head_sha": "0123456789abcdef0123456789abcdef01234567",
        "path": ".github/workflows/bench.yml",
        "workflow_id": 7,
        "url": f"{api}/actions/runs/42",
        "html_url": "https://github.com/o/r/actions/runs/42",
        "created_at": "2025-05-01T12:00:00Z",
        "updated_at": "2025-05-01T12:00:05Z",
        "head_commit": {
            "id": "0123456789abcdef0123456789abcdef01234567",
            "tree_id": "89abcdef0123456789abcdef0123456789abcdef",
            "message": "x",
            "timestamp": "2025-05-01T11:59:00Z",
            "author": {"name": "A", "email": "a@example.com"},
            "committer": None,
        },
        "head_repository": copy.deepcopy(ex.REPOSITORY),
        "repository": copy.deepcopy(ex.REPOSITORY),
        "jobs_url": f"{api}/actions/runs/42/jobs",
        "logs_url": f"{api}/actions/runs/42/logs",
        "check_suite_url": f"{api}/check-suites/9",
        "cancel_url": f"{api}/actions/runs/42/cancel",
        "rerun_url": f"{api}/actions/runs/42/rerun",
        "artifacts_url": f"{api}/actions/runs/42/artifacts",
        "workflow_url": f"{api}/actions/workflows/7",
        "pull_requests": [],
    }


def test_minimal_run_has_exactly_the_required_fields() -> None:
    assert set(_minimal_run()) == set(response_schema("GET", RUN, 200)["required"])


def test_minimal_workflow_run_is_valid() -> None:
    run = _minimal_run()
    validate_response("GET", RUN, 200, run)
    validate_response("GET", RUNS, 200, {"total_count": 1, "workflow_runs": [run]})


@pytest.mark.parametrize("field", ["head_sha", "conclusion", "status", "pull_requests", "head_commit"])
def test_workflow_run_missing_required_field_fails(field: str) -> None:
    run = _minimal_run()
    del run[field]
    message = _rejects("GET", RUN, 200, run)
    assert f"'{field}' is a required property" in message
    assert "at $:" in message
    message = _rejects("GET", RUNS, 200, {"total_count": 1, "workflow_runs": [run]})
    assert f"at $.workflow_runs[0]: '{field}' is a required property" in message


def test_workflow_run_wrong_types_fail() -> None:
    run = _minimal_run()
    run["id"] = str(run["id"])
    assert "at $.id: '42' is not of type 'integer'" in _rejects("GET", RUN, 200, run)

    run = _minimal_run()
    run["run_number"] = True  # a bool is not an integer
    assert "$.run_number" in _rejects("GET", RUN, 200, run)

    run = _minimal_run()
    run["created_at"] = "2025-05-01 12:00:00"  # not RFC 3339
    assert "$.created_at" in _rejects("GET", RUN, 200, run)

    run = _minimal_run()
    run["head_sha"] = None  # required and not nullable
    assert "$.head_sha: None is not of type 'string'" in _rejects("GET", RUN, 200, run)


def test_nullable_fields_accept_null() -> None:
    run = _minimal_run()
    run.update(head_branch=None, conclusion=None, status=None, head_commit=None, pull_requests=None)
    validate_response("GET", RUN, 200, run)


def test_nested_required_fields_are_enforced() -> None:
    run = _minimal_run()
    del run["repository"]["owner"]["login"]
    assert "$.repository.owner: 'login' is a required property" in _rejects("GET", RUN, 200, run)

    run = _minimal_run()
    del run["repository"]["description"]
    assert "$.repository: 'description' is a required property" in _rejects("GET", RUN, 200, run)


def test_job_violations_fail() -> None:
    job = copy.deepcopy(ex.JOB)
    del job["runner_name"]
    assert "'runner_name' is a required property" in _rejects("GET", JOB, 200, job)

    job = copy.deepcopy(ex.JOB)
    job["status"] = "running"  # not in the enum
    assert "$.status: 'running' is not one of" in _rejects("GET", JOB, 200, job)

    job = copy.deepcopy(ex.JOB)
    job["conclusion"] = "succeeded"
    assert "$.conclusion" in _rejects("GET", JOB, 200, job)

    job = copy.deepcopy(ex.JOB)
    del job["steps"][2]["number"]
    assert "$.steps[2]: 'number' is a required property" in _rejects("GET", JOB, 200, job)

    job = copy.deepcopy(ex.JOB)
    del job["created_at"]  # required although GitHub's own example omits it
    assert "'created_at' is a required property" in _rejects("GET", JOB, 200, job)


def test_runner_and_rate_limit_violations_fail() -> None:
    runner = copy.deepcopy(ex.RUNNER)
    runner["labels"] = ["self-hosted"]  # labels are objects, not strings
    assert "$.runners[0].labels[0]" in _rejects("GET", RUNNERS, 200, {"total_count": 1, "runners": [runner]})

    rate = copy.deepcopy(ex.RATE_LIMIT)
    del rate["resources"]["core"]["used"]
    assert "$.resources.core: 'used' is a required property" in _rejects("GET", RATE_LIMIT, 200, rate)

    rate = copy.deepcopy(ex.RATE_LIMIT)
    del rate["rate"]
    assert "'rate' is a required property" in _rejects("GET", RATE_LIMIT, 200, rate)


def test_dispatch_200_body_is_checked() -> None:
    assert "'workflow_run_id' is a required property" in _rejects("POST", DISPATCH, 200, {"run_url": "x"})
    bad = {**ex.DISPATCH_RESPONSE, "html_url": "not a url"}
    assert "$.html_url" in _rejects("POST", DISPATCH, 200, bad)


def test_undocumented_status_and_body_mismatches_fail() -> None:
    assert "status 201 is not documented" in _rejects("POST", DISPATCH, 201, None)
    assert "documented: 200, 204" in _rejects("POST", DISPATCH, 201, None)
    assert "status 500 is not documented" in _rejects("GET", RUN, 500, ex.NOT_FOUND)
    assert "documented without a body" in _rejects("POST", DISPATCH, 204, {})
    assert "documented with a JSON body, got none" in _rejects("GET", RUN, 200, None)
    assert "not an operation in the OpenAPI fixture" in _rejects("DELETE", RUN, 204, None)


# --------------------------------------------------------------------------------------------------
# path matching


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("POST", "/repos/o/r/actions/workflows/bench.yml/dispatches", DISPATCH),
        ("POST", "/repos/o/r/actions/workflows/98765432/dispatches", DISPATCH),
        ("GET", "/repos/o/r/actions/workflows", WORKFLOWS),
        ("GET", "/repos/o/r/actions/workflows/ci.yml", WORKFLOW),
        ("GET", "/repos/o/r/contents/.github/workflows/ci.yml?ref=main", CONTENTS),  # {path}: multi-segment
        ("GET", "/repos/o/r/actions/runs?status=queued&per_page=100", RUNS),
        ("GET", "/repos/o/r/actions/runs/123", RUN),
        ("get", "/repos/o/r/actions/runs/123/jobs", RUN_JOBS),
        ("GET", "/repos/o/r/actions/runs/123/jobs/", RUN_JOBS),
        ("GET", "https://api.github.com/repos/o/r/actions/jobs/33456789012", JOB),
        ("GET", "/repos/o/r/actions/runners", RUNNERS),
        ("GET", "/rate_limit", RATE_LIMIT),
    ],
)
def test_match_path(method: str, path: str, template: str) -> None:
    assert match_path(method, path) == template


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/repos/o/r/actions/runs/abc"),  # run_id is an integer
        ("GET", "/repos/o/r/actions/runs/1/logs"),
        ("POST", "/repos/o/r/actions/runs/1"),
        ("GET", "/repos/o/actions/runs"),
        ("GET", "/repos/o/r/actions/workflows/ci.yml/runs/x"),  # {workflow_id}: one segment
    ],
)
def test_match_path_rejects_unknown(method: str, path: str) -> None:
    with pytest.raises(AssertionError, match="matches no operation"):
        match_path(method, path)

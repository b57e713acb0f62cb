"""The twin's runner registration endpoints (suite/twin/github_runners.py): every answer validates against
GitHub's OpenAPI description, with GitHub's auth rules (the twin's token) and errors; a registered
runner is listed beside the fleet's; the session endpoints take only the runner's own credential."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.twin.service import Twin
from tests.helpers.github_runner_examples import (
    JIT_REQUEST,
    RUNNER_OPERATIONS,
    RUNNER_RESPONSE_EXAMPLES,
)
from tests.helpers.openapi import match_path, validate_request_body, validate_response
from tests.helpers.twin import start_twin

LABELS = ["self-hosted", "linux", "ecs-fargate"]


@pytest.mark.parametrize(("method", "template", "status", "body"), RUNNER_RESPONSE_EXAMPLES)
def test_reference_payloads_validate(method: str, template: str, status: int, body: object | None) -> None:
    validate_response(method, template, status, body)


def test_the_jit_request_the_init_container_sends_validates() -> None:
    template = match_path("POST", "/repos/o/r/actions/runners/generate-jitconfig")
    validate_request_body("POST", template, {**JIT_REQUEST, "work_folder": "_work"})


def _client(twin: Twin, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=twin.github_url, headers=headers, timeout=10)


def test_every_runner_endpoint_conforms_and_a_jit_runner_is_listed(twin: Twin) -> None:
    seen: set[tuple[str, str]] = set()
    base = f"/repos/{twin.config.repo}/actions/runners"
    owner = twin.config.repo.split("/")[0]
    with _client(twin, twin.token) as gh:

        def check(method: str, path: str, **kw: Any) -> httpx.Response:
            r = gh.request(method, path, **kw)
            template = match_path(method, path)
            validate_response(method, template, r.status_code, r.json() if r.content else None)
            seen.add((method, template))
            return r

        for kind in ("registration-token", "remove-token"):
            r = check("POST", f"{base}/{kind}")
            assert r.status_code == 201 and len(r.json()["token"]) == 29
        body = {"name": "task-a", "runner_group_id": 1, "labels": LABELS, "work_folder": "_w"}
        r = check("POST", f"{base}/generate-jitconfig", json=body)
        assert r.status_code == 201
        runner = r.json()["runner"]
        assert runner["name"] == "task-a" and runner["ephemeral"] is True and runner["status"] == "offline"
        assert [label["name"] for label in runner["labels"]] == LABELS
        files = json.loads(base64.b64decode(r.json()["encoded_jit_config"]))
        assert set(files) == {".runner", ".credentials", ".credentials_rsaparams"}
        settings = json.loads(base64.b64decode(files[".runner"]))
        assert settings["agentId"] == runner["id"] and settings["workFolder"] == "_w"
        assert twin.token not in base64.b64decode(r.json()["encoded_jit_config"]).decode()
        # the same name again: GitHub's 409
        assert check("POST", f"{base}/generate-jitconfig", json=body).status_code == 409
        org = check("POST", f"/orgs/{owner}/actions/runners/generate-jitconfig", json={**body, "name": "b"})
        assert org.status_code == 201
        listed = gh.get(base).json()
        names = [x["name"] for x in listed["runners"]]
        assert "task-a" in names and "b" in names and listed["total_count"] == len(names)
        assert check("DELETE", f"{base}/{runner['id']}").status_code == 204
        assert gh.delete(f"{base}/{runner['id']}").status_code == 404  # gone
        assert "task-a" not in [x["name"] for x in gh.get(base).json()["runners"]]
    assert seen == RUNNER_OPERATIONS


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"runner_group_id": 1, "labels": LABELS}, 422),  # no name
        ({"name": "x", "runner_group_id": 1, "labels": []}, 422),  # no label
        ({"name": "x", "runner_group_id": "1", "labels": LABELS}, 422),
        ({"name": "x", "runner_group_id": 1, "labels": LABELS, "work_folder": 3}, 422),
        ({"name": "x", "runner_group_id": 7, "labels": LABELS}, 404),  # no such runner group
        ([1], 422),
    ],
)
def test_a_bad_jit_request_is_refused_and_registers_nothing(twin: Twin, body: object, status: int) -> None:
    with _client(twin, twin.token) as gh:
        r = gh.post(f"/repos/{twin.config.repo}/actions/runners/generate-jitconfig", json=body)
    assert r.status_code == status and "message" in r.json()
    assert twin.github.runner_registry.runners == {}


@pytest.mark.parametrize("token", [None, "ghp_not_the_token"])
def test_the_registration_endpoints_need_the_repositorys_token(twin: Twin, token: str | None) -> None:
    base = f"/repos/{twin.config.repo}/actions/runners"
    with _client(twin, token) as gh:
        for method, path in [
            ("POST", f"{base}/registration-token"),
            ("POST", f"{base}/remove-token"),
            ("POST", f"{base}/generate-jitconfig"),
            ("DELETE", f"{base}/1000001"),
        ]:
            r = gh.request(method, path, json=JIT_REQUEST)
            assert r.status_code == 401, (method, path)
    assert twin.github.runner_registry.runners == {}


def test_the_session_endpoints_take_only_the_runners_own_credential(twin: Twin) -> None:
    base = f"/repos/{twin.config.repo}/actions/runners"
    with _client(twin, twin.token) as gh:
        answers = [
            gh.post(f"{base}/generate-jitconfig", json={**JIT_REQUEST, "name": n}).json() for n in ("a", "b")
        ]
    creds = []
    for a in answers:
        files = json.loads(base64.b64decode(a["encoded_jit_config"]))
        creds.append(json.loads(base64.b64decode(files[".credentials"]))["data"]["token"])
    reg = twin.github.runner_registry
    a_id = answers[0]["runner"]["id"]
    session = f"/_twin/runners/{a_id}/session"
    for wrong in (twin.token, creds[1], None):  # the admin token, another runner's, none
        with _client(twin, wrong) as gh:
            assert gh.post(session).status_code == 401
    with _client(twin, creds[0]) as runner:
        assert runner.post(session).status_code == 201
        assert runner.post(session).status_code == 409  # one session at a time
        assert reg.objects()[0]["status"] == "online"
        assert runner.get(f"/_twin/runners/{a_id}/message").status_code == 204  # no job yet
        reg.assign_job("a", "true")
        assert runner.get(f"/_twin/runners/{a_id}/message").json()["job"] == "true"
        with _client(twin, twin.token) as gh:  # busy: GitHub refuses to delete it
            assert gh.delete(f"/repos/{twin.config.repo}/actions/runners/{a_id}").status_code == 422
        assert runner.post(f"/_twin/runners/{a_id}/done").status_code == 204
        assert runner.post(session).status_code == 404  # single use: removed after its job
    assert [r["name"] for r in reg.objects()] == ["b"] and reg.removed == ["a"]


LABEL = st.text(
    st.characters(codec="ascii", categories=["L", "N"], include_characters="-_."), min_size=1, max_size=20
)
_SHARED: dict[str, Twin] = {}


@settings(max_examples=40, deadline=None)
@given(labels=st.lists(LABEL, min_size=1, max_size=100), work=st.sampled_from(["_work", "w", "a/b"]))
def test_a_jit_runner_carries_exactly_the_labels_asked_for_in_order(labels: list[str], work: str) -> None:
    """Whatever labels are asked for (1 to 100), the runner lists exactly those, in that order, and its
    configuration names it and its work folder; nothing is added (a JIT runner gets no default labels)."""
    twin = _SHARED.get("twin") or _SHARED.setdefault("twin", start_twin(runners=1))
    name = f"r{len(twin.github.runner_registry.runners)}"
    with _client(twin, twin.token) as gh:
        body = {"name": name, "runner_group_id": 1, "labels": labels, "work_folder": work}
        r = gh.post(f"/repos/{twin.config.repo}/actions/runners/generate-jitconfig", json=body)
    assert r.status_code == 201
    runner = r.json()["runner"]
    assert [x["name"] for x in runner["labels"]] == labels and runner["name"] == name
    files = json.loads(base64.b64decode(r.json()["encoded_jit_config"]))
    settings_ = json.loads(base64.b64decode(files[".runner"]))
    assert (settings_["agentName"], settings_["workFolder"]) == (name, work)


@pytest.fixture(autouse=True, scope="module")
def _stop_shared_twin() -> Any:
    yield
    if "twin" in _SHARED:
        _SHARED.pop("twin").stop()

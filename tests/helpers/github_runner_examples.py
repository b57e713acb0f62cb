"""Reference payloads of GitHub's runner registration endpoints (the shapes of GitHub's documentation
examples), for the OpenAPI fixture's tests: tests/twin/test_openapi_fixture.py and
tests/twin/test_github_runners.py."""

from __future__ import annotations

from typing import Final

REGISTRATION_TOKEN: Final = "/repos/{owner}/{repo}/actions/runners/registration-token"
REMOVE_TOKEN: Final = "/repos/{owner}/{repo}/actions/runners/remove-token"
JITCONFIG: Final = "/repos/{owner}/{repo}/actions/runners/generate-jitconfig"
ORG_JITCONFIG: Final = "/orgs/{org}/actions/runners/generate-jitconfig"
RUNNER: Final = "/repos/{owner}/{repo}/actions/runners/{runner_id}"

RUNNER_OPERATIONS: Final = {
    ("POST", REGISTRATION_TOKEN),
    ("POST", REMOVE_TOKEN),
    ("POST", JITCONFIG),
    ("POST", ORG_JITCONFIG),
    ("DELETE", RUNNER),
}

AUTHENTICATION_TOKEN: Final = {"token": "LLBF3JGZDX3P5PMEXLND6TS6FCWO6", "expires_at": "2026-12-03T12:13:35Z"}
JIT_ANSWER: Final = {
    "runner": {
        "id": 23,
        "name": "New runner",
        "os": "unknown",
        "status": "offline",
        "busy": False,
        "labels": [
            {"id": 5, "name": "self-hosted", "type": "read-only"},
            {"id": 7, "name": "ecs-fargate", "type": "custom"},
        ],
    },
    "encoded_jit_config": "abc123",
}
JIT_REQUEST: Final = {"name": "New runner", "runner_group_id": 1, "labels": ["self-hosted", "ecs-fargate"]}
VALIDATION_ERROR: Final = {
    "message": "Validation Failed",
    "documentation_url": "https://docs.github.com/rest",
}

RUNNER_RESPONSE_EXAMPLES: Final[list[tuple[str, str, int, object | None]]] = [
    ("POST", REGISTRATION_TOKEN, 201, AUTHENTICATION_TOKEN),
    ("POST", REMOVE_TOKEN, 201, AUTHENTICATION_TOKEN),
    ("POST", JITCONFIG, 201, JIT_ANSWER),
    ("POST", JITCONFIG, 409, {"message": "Already exists", "documentation_url": "https://docs.github.com"}),
    ("POST", ORG_JITCONFIG, 201, JIT_ANSWER),
    ("DELETE", RUNNER, 204, None),
    ("DELETE", RUNNER, 422, VALIDATION_ERROR),
]

"""The twin's runner registration endpoints, shaped as GitHub answers them (checked against the OpenAPI
fixture): registration and remove tokens, a just-in-time runner configuration (repository or
organization), deleting a runner; and the twin-only session endpoints a runner process uses with the
credential of its JIT configuration (/_twin/runners/{id}/...), which stand in for the Actions service
a real runner talks to.

The REST endpoints take the twin's token (a repository administrator's), like every other endpoint.
The session endpoints take only the runner's own credential, and only for that runner.

The encoded JIT configuration has the shape the runner reads (actions/runner `--jitconfig`): base64 of a
JSON object whose keys are the runner's configuration files (`.runner`, `.credentials`,
`.credentials_rsaparams`) and whose values are each file's content, base64-encoded.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
from typing import Any

from suite.clock import iso
from suite.twin.github_backend import GitHubState
from suite.twin.github_responses import DOCS, ApiError, Reply, Request
from suite.twin.runner_registry import Registered, RunnerRegistry

TOKEN_LIFETIME_S = 3600  # GitHub's registration and remove tokens expire after an hour
DEFAULT_GROUP_ID = 1  # the one runner group the twin has ("Default")
MAX_LABELS = 100


def registry(state: GitHubState) -> RunnerRegistry:
    return state.runner_registry


def _runner_token(req: Request) -> Reply:
    st = req.state
    token = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(29))
    expires = float(int(req.now) + TOKEN_LIFETIME_S)
    registry(st).tokens[token] = expires
    return 201, {"token": token, "expires_at": iso(expires + st.skew_s)}, {}


def registration_token(req: Request) -> Reply:
    """POST .../actions/runners/registration-token."""
    return _runner_token(req)


def remove_token(req: Request) -> Reply:
    """POST .../actions/runners/remove-token."""
    return _runner_token(req)


def _jit_body(raw: bytes) -> tuple[str, int, list[str], str]:
    try:
        body = json.loads(raw or b"null")
    except json.JSONDecodeError as exc:
        raise ApiError(400, "Problems parsing JSON") from exc
    if not isinstance(body, dict):
        raise ApiError(422, "Invalid request.\n\nFor 'links/0/schema', it is not an object.")
    missing = [k for k in ("name", "runner_group_id", "labels") if k not in body]
    if missing:
        raise ApiError(422, f"Invalid request.\n\n{', '.join(repr(k) for k in missing)} wasn't supplied.")
    name, group, labels = body["name"], body["runner_group_id"], body["labels"]
    work = body.get("work_folder", "_work")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(422, "Invalid request.\n\nFor 'properties/name', it is not a non-empty string.")
    if not isinstance(group, int) or isinstance(group, bool):
        raise ApiError(422, "Invalid request.\n\nFor 'properties/runner_group_id', it is not an integer.")
    if (
        not isinstance(labels, list)
        or not 1 <= len(labels) <= MAX_LABELS
        or not all(isinstance(x, str) and x.strip() for x in labels)
    ):
        raise ApiError(
            422, f"Invalid request.\n\nFor 'properties/labels', it is not 1 to {MAX_LABELS} label names."
        )
    if not isinstance(work, str):
        raise ApiError(422, "Invalid request.\n\nFor 'properties/work_folder', it is not a string.")
    return name, group, labels, work


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _encoded_config(req: Request, runner: Registered) -> str:
    st = req.state
    settings = {
        "agentId": runner.id,
        "agentName": runner.name,
        "poolId": runner.runner_group_id,
        "poolName": "Default",
        "serverUrl": req.api,
        "gitHubUrl": f"https://github.com/{st.repo}",
        "workFolder": runner.work_folder,
        "ephemeral": True,
    }
    credentials = {
        "scheme": "OAuth",
        "data": {
            "clientId": secrets.token_hex(16),
            "authorizationUrl": f"{req.api}/_twin/runners/{runner.id}/session",
            "token": runner.credential,
        },
    }
    files = {
        ".runner": _b64(json.dumps(settings).encode()),
        ".credentials": _b64(json.dumps(credentials).encode()),
        ".credentials_rsaparams": _b64(b"{}"),
    }
    return _b64(json.dumps(files).encode())


def generate_jitconfig(req: Request) -> Reply:
    """POST .../actions/runners/generate-jitconfig (repository, or organization with {owner})."""
    name, group, labels, work = _jit_body(req.body)
    reg = registry(req.state)
    if group != DEFAULT_GROUP_ID:
        raise ApiError(404, "Not Found")  # no such runner group
    if reg.by_name(name) is not None:
        raise ApiError(409, f"Already exists - A runner with the name {name} already exists.")
    runner = Registered(
        id=reg.next_id(),
        name=name,
        labels=tuple(labels),
        runner_group_id=group,
        work_folder=work,
        credential="jitrunner_" + secrets.token_hex(20),
    )
    reg.add(runner)
    return 201, {"runner": runner.to_object(), "encoded_jit_config": _encoded_config(req, runner)}, {}


def delete_runner(req: Request) -> Reply:
    """DELETE .../actions/runners/{runner_id}: 204; 422 while it runs a job; 404 when there is none."""
    reg = registry(req.state)
    runner_id = int(req.params["runner_id"])
    runner = reg.runners.get(runner_id)
    if runner is None:
        if any(t.runner_id == runner_id for t in req.state.fleet.online_runners()):
            raise ApiError(422, "Bad request - the twin's simulated fleet runners are not removed")
        raise ApiError(404, "Not Found")
    if runner.busy:
        raise ApiError(422, f"Bad request - Runner {runner.name} is still running a job")
    reg.remove(runner_id)
    return 204, None, {}


# ---- the twin-only session endpoints (the runner's own credential) ---------------------------------


def session_answer(state: GitHubState, method: str, params: dict[str, str], token: str | None) -> Reply:
    """/_twin/runners/{id}/{session,message,done} with the runner's credential (callers hold the lock):
    POST session: online (409 if one is open); GET message: its job once, else 204; POST done: its one
    job finished, so it is removed; DELETE session: offline and, single use, removed."""
    reg = registry(state)
    runner = reg.runners.get(int(params["runner_id"]))
    if runner is None:
        return _error(404, "Runner not found (removed)")
    if token is None or not secrets.compare_digest(token, runner.credential):
        return _error(401, "Bad credentials")
    action = (method, params["action"])
    if action == ("POST", "session"):
        if runner.session:
            return _error(409, "A session for this runner already exists.")
        reg.update(runner, session=True)
        return 201, {"sessionId": secrets.token_hex(8), "ownerName": runner.name}, {}
    if action == ("GET", "message"):
        if runner.job is None or runner.busy:
            return 204, None, {}
        reg.update(runner, busy=True)
        return 200, {"messageType": "RunnerJobRequest", "job": runner.job}, {}
    if action == ("POST", "done") or action == ("DELETE", "session"):
        reg.remove(runner.id)
        return 204, None, {}
    return _error(404, "Not Found")


def _error(status: int, message: str) -> Reply:
    return status, {"message": message, "documentation_url": DOCS, "status": str(status)}, {}


def registered_objects(state: GitHubState) -> list[dict[str, Any]]:
    """The registered runners as GitHub lists them (beside the simulated fleet's)."""
    return registry(state).objects()

"""Realistic GitHub REST payloads for the operations runner-suite uses.

Every payload here validates against the pinned OpenAPI fixture (see ``tests/test_openapi_fixture.py``)
and is the reference shape for the fake GitHub server: one repository (``acme-perf/runner-bench``),
one ``workflow_dispatch`` run of ``.github/workflows/bench.yml`` and its single job, which ran on an
ephemeral self-hosted runner in an ECS Fargate task; the runner is named after the task id
(32 lowercase hex digits).  IDs and URLs are consistent across the payloads.

Notes for whoever serves these:

* Fields listed as required by the schema must be present even when their value is ``null``
  (``conclusion``, ``head_branch``, ``runner_name`` ...): omit none of them.
* Timestamps are RFC 3339 in UTC with a ``Z`` suffix and no fraction (what api.github.com sends).
* ``GET /rate_limit`` still requires the deprecated top-level ``rate`` (a copy of
  ``resources.core``) in API version 2022-11-28; it goes away with ``X-GitHub-Api-Version: 2026-03-10``.
* ``POST .../dispatches`` answers ``204`` with no body, or ``200`` with ``DISPATCH_RESPONSE`` when the
  request body has ``"return_run_details": true``.
"""

from __future__ import annotations

from typing import Any, Final

JSONDict = dict[str, Any]

API: Final[str] = "https://api.github.com"
WEB: Final[str] = "https://github.com"

OWNER: Final[str] = "acme-perf"
REPO: Final[str] = "runner-bench"
FULL_NAME: Final[str] = f"{OWNER}/{REPO}"
REPO_API: Final[str] = f"{API}/repos/{FULL_NAME}"
REPO_WEB: Final[str] = f"{WEB}/{FULL_NAME}"

REPO_ID: Final[int] = 771234567
WORKFLOW_ID: Final[int] = 98765432
WORKFLOW_PATH: Final[str] = ".github/workflows/bench.yml"
RUN_ID: Final[int] = 12045678901
RUN_NUMBER: Final[int] = 57
CHECK_SUITE_ID: Final[int] = 31234567890
JOB_ID: Final[int] = 33456789012
RUNNER_ID: Final[int] = 412
RUNNER_GROUP_ID: Final[int] = 1  # every repository's "Default" group
TASK_ID: Final[str] = "8f14e45fceea467a9b3c2d1e0f9a8b7c"  # ECS task id == runner name
HEAD_SHA: Final[str] = "3f786850e387550fdab836ed7e6dc881de23001b"
TREE_SHA: Final[str] = "89e6c98d92887913cadf06b2adb97f26cde4849b"


def _user(login: str, user_id: int, node_id: str, kind: str) -> JSONDict:
    """A ``Simple User`` (``kind`` is ``User``, ``Organization`` or ``Bot``)."""
    return {
        "login": login,
        "id": user_id,
        "node_id": node_id,
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
        "gravatar_id": "",
        "url": f"{API}/users/{login}",
        "html_url": f"{WEB}/{login}",
        "followers_url": f"{API}/users/{login}/followers",
        "following_url": f"{API}/users/{login}/following{{/other_user}}",
        "gists_url": f"{API}/users/{login}/gists{{/gist_id}}",
        "starred_url": f"{API}/users/{login}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{API}/users/{login}/subscriptions",
        "organizations_url": f"{API}/users/{login}/orgs",
        "repos_url": f"{API}/users/{login}/repos",
        "events_url": f"{API}/users/{login}/events{{/privacy}}",
        "received_events_url": f"{API}/users/{login}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


ORG: Final[JSONDict] = _user(OWNER, 151234567, "O_kgDOCQOv1w", "Organization")
ACTOR: Final[JSONDict] = _user("perf-bot", 162345678, "U_kgDOCa0Ljg", "User")

# ``Minimal Repository`` as embedded in a workflow run (``repository`` and ``head_repository``).
REPOSITORY: Final[JSONDict] = {
    "id": REPO_ID,
    "node_id": "R_kgDOLfhHBw",
    "name": REPO,
    "full_name": FULL_NAME,
    "private": True,
    "owner": ORG,
    "html_url": REPO_WEB,
    "description": None,  # required, nullable
    "fork": False,
    "url": REPO_API,
    "forks_url": f"{REPO_API}/forks",
    "keys_url": f"{REPO_API}/keys{{/key_id}}",
    "collaborators_url": f"{REPO_API}/collaborators{{/collaborator}}",
    "teams_url": f"{REPO_API}/teams",
    "hooks_url": f"{REPO_API}/hooks",
    "issue_events_url": f"{REPO_API}/issues/events{{/number}}",
    "events_url": f"{REPO_API}/events",
    "assignees_url": f"{REPO_API}/assignees{{/user}}",
    "branches_url": f"{REPO_API}/branches{{/branch}}",
    "tags_url": f"{REPO_API}/tags",
    "blobs_url": f"{REPO_API}/git/blobs{{/sha}}",
    "git_tags_url": f"{REPO_API}/git/tags{{/sha}}",
    "git_refs_url": f"{REPO_API}/git/refs{{/sha}}",
    "trees_url": f"{REPO_API}/git/trees{{/sha}}",
    "statuses_url": f"{REPO_API}/statuses/{{sha}}",
    "languages_url": f"{REPO_API}/languages",
    "stargazers_url": f"{REPO_API}/stargazers",
    "contributors_url": f"{REPO_API}/contributors",
    "subscribers_url": f"{REPO_API}/subscribers",
    "subscription_url": f"{REPO_API}/subscription",
    "commits_url": f"{REPO_API}/commits{{/sha}}",
    "git_commits_url": f"{REPO_API}/git/commits{{/sha}}",
    "comments_url": f"{REPO_API}/comments{{/number}}",
    "issue_comment_url": f"{REPO_API}/issues/comments{{/number}}",
    "contents_url": f"{REPO_API}/contents/{{+path}}",
    "compare_url": f"{REPO_API}/compare/{{base}}...{{head}}",
    "merges_url": f"{REPO_API}/merges",
    "archive_url": f"{REPO_API}/{{archive_format}}{{/ref}}",
    "downloads_url": f"{REPO_API}/downloads",
    "issues_url": f"{REPO_API}/issues{{/number}}",
    "pulls_url": f"{REPO_API}/pulls{{/number}}",
    "milestones_url": f"{REPO_API}/milestones{{/number}}",
    "notifications_url": f"{REPO_API}/notifications{{?since,all,participating}}",
    "labels_url": f"{REPO_API}/labels{{/name}}",
    "releases_url": f"{REPO_API}/releases{{/id}}",
    "deployments_url": f"{REPO_API}/deployments",
}

# One entry of ``GET /repos/{owner}/{repo}/actions/workflows``.
WORKFLOW: Final[JSONDict] = {
    "id": WORKFLOW_ID,
    "node_id": "W_kwDOLfhHB84F44aY",
    "name": "bench",
    "path": WORKFLOW_PATH,
    "state": "active",
    "created_at": "2025-03-02T09:14:07Z",
    "updated_at": "2025-04-28T16:40:55Z",
    "url": f"{REPO_API}/actions/workflows/{WORKFLOW_ID}",
    "html_url": f"{REPO_WEB}/blob/main/{WORKFLOW_PATH}",
    "badge_url": f"{REPO_WEB}/workflows/bench/badge.svg",
}

WORKFLOWS_LIST: Final[JSONDict] = {"total_count": 1, "workflows": [WORKFLOW]}

# ``GET /repos/{owner}/{repo}/actions/runs/{run_id}`` of a finished ``workflow_dispatch`` run.
WORKFLOW_RUN: Final[JSONDict] = {
    "id": RUN_ID,
    "name": "bench",
    "node_id": "WFR_kwLOLfhHB88AAAACz0h2dQ",
    "head_branch": "main",
    "head_sha": HEAD_SHA,
    "path": WORKFLOW_PATH,
    "display_title": "bench",
    "run_number": RUN_NUMBER,
    "event": "workflow_dispatch",
    "status": "completed",
    "conclusion": "success",
    "workflow_id": WORKFLOW_ID,
    "check_suite_id": CHECK_SUITE_ID,
    "check_suite_node_id": "CS_kwDOLfhHB88AAAAHRKm1Ug",
    "url": f"{REPO_API}/actions/runs/{RUN_ID}",
    "html_url": f"{REPO_WEB}/actions/runs/{RUN_ID}",
    "pull_requests": [],
    "created_at": "2025-05-01T12:00:00Z",
    "updated_at": "2025-05-01T12:03:41Z",
    "actor": ACTOR,
    "run_attempt": 1,
    "referenced_workflows": [],
    "run_started_at": "2025-05-01T12:00:00Z",
    "triggering_actor": ACTOR,
    "jobs_url": f"{REPO_API}/actions/runs/{RUN_ID}/jobs",
    "logs_url": f"{REPO_API}/actions/runs/{RUN_ID}/logs",
    "check_suite_url": f"{REPO_API}/check-suites/{CHECK_SUITE_ID}",
    "artifacts_url": f"{REPO_API}/actions/runs/{RUN_ID}/artifacts",
    "cancel_url": f"{REPO_API}/actions/runs/{RUN_ID}/cancel",
    "rerun_url": f"{REPO_API}/actions/runs/{RUN_ID}/rerun",
    "previous_attempt_url": None,
    "workflow_url": f"{REPO_API}/actions/workflows/{WORKFLOW_ID}",
    "head_commit": {
        "id": HEAD_SHA,
        "tree_id": TREE_SHA,
        "message": "bench: add cold-start scenario",
        "timestamp": "2025-05-01T11:58:12Z",
        "author": {"name": "Perf Bot", "email": "perf-bot@users.noreply.github.com"},
        "committer": {"name": "GitHub", "email": "noreply@github.com"},
    },
    "repository": REPOSITORY,
    "head_repository": REPOSITORY,
    "head_repository_id": REPO_ID,
}

# The same run while it waits for a runner: ``conclusion`` is present and null.
WORKFLOW_RUN_QUEUED: Final[JSONDict] = {
    **WORKFLOW_RUN,
    "status": "queued",
    "conclusion": None,
    "updated_at": "2025-05-01T12:00:01Z",
}

RUNS_LIST: Final[JSONDict] = {"total_count": 1, "workflow_runs": [WORKFLOW_RUN]}

# ``GET /repos/{owner}/{repo}/actions/jobs/{job_id}``: the job ran on the Fargate runner TASK_ID.
JOB: Final[JSONDict] = {
    "id": JOB_ID,
    "run_id": RUN_ID,
    "workflow_name": "bench",
    "head_branch": "main",
    "run_url": f"{REPO_API}/actions/runs/{RUN_ID}",
    "run_attempt": 1,
    "node_id": "CR_kwDOLfhHB88AAAAHyJ3BFA",
    "head_sha": HEAD_SHA,
    "url": f"{REPO_API}/actions/jobs/{JOB_ID}",
    "html_url": f"{REPO_WEB}/actions/runs/{RUN_ID}/job/{JOB_ID}",
    "status": "completed",
    "conclusion": "success",
    "created_at": "2025-05-01T12:00:02Z",
    "started_at": "2025-05-01T12:01:19Z",
    "completed_at": "2025-05-01T12:03:38Z",
    "name": "bench",
    "steps": [
        {
            "name": "Set up job",
            "status": "completed",
            "conclusion": "success",
            "number": 1,
            "started_at": "2025-05-01T12:01:19Z",
            "completed_at": "2025-05-01T12:01:21Z",
        },
        {
            "name": "Run actions/checkout@v4",
            "status": "completed",
            "conclusion": "success",
            "number": 2,
            "started_at": "2025-05-01T12:01:21Z",
            "completed_at": "2025-05-01T12:01:24Z",
        },
        {
            "name": "Run workload",
            "status": "completed",
            "conclusion": "success",
            "number": 3,
            "started_at": "2025-05-01T12:01:24Z",
            "completed_at": "2025-05-01T12:03:35Z",
        },
        {
            "name": "Post Run actions/checkout@v4",
            "status": "completed",
            "conclusion": "success",
            "number": 6,
            "started_at": "2025-05-01T12:03:35Z",
            "completed_at": "2025-05-01T12:03:36Z",
        },
        {
            "name": "Complete job",
            "status": "completed",
            "conclusion": "success",
            "number": 7,
            "started_at": "2025-05-01T12:03:36Z",
            "completed_at": "2025-05-01T12:03:36Z",
        },
    ],
    "check_run_url": f"{REPO_API}/check-runs/{JOB_ID}",
    "labels": ["self-hosted", "linux", "x64", "fargate"],  # as written in ``runs-on``
    "runner_id": RUNNER_ID,
    "runner_name": TASK_ID,
    "runner_group_id": RUNNER_GROUP_ID,
    "runner_group_name": "Default",
}

# The same job before a runner picked it up: runner fields present and null, no steps yet.
JOB_QUEUED: Final[JSONDict] = {
    **JOB,
    "status": "queued",
    "conclusion": None,
    "started_at": "2025-05-01T12:00:02Z",
    "completed_at": None,
    "steps": [],
    "runner_id": None,
    "runner_name": None,
    "runner_group_id": None,
    "runner_group_name": None,
}

JOBS_LIST: Final[JSONDict] = {"total_count": 1, "jobs": [JOB]}

# One entry of ``GET /repos/{owner}/{repo}/actions/runners``: the ephemeral runner of TASK_ID.
RUNNER: Final[JSONDict] = {
    "id": RUNNER_ID,
    "runner_group_id": RUNNER_GROUP_ID,
    "name": TASK_ID,
    "os": "Linux",
    "status": "online",
    "busy": True,
    "ephemeral": True,
    "version": "2.323.0",
    "labels": [
        {"id": 1, "name": "self-hosted", "type": "read-only"},
        {"id": 2, "name": "Linux", "type": "read-only"},
        {"id": 3, "name": "X64", "type": "read-only"},
        {"id": 17, "name": "linux", "type": "custom"},
        {"id": 18, "name": "x64", "type": "custom"},
        {"id": 19, "name": "fargate", "type": "custom"},
    ],
}

RUNNERS_LIST: Final[JSONDict] = {"total_count": 1, "runners": [RUNNER]}


def _bucket(limit: int, used: int, reset: int) -> JSONDict:
    return {"limit": limit, "used": used, "remaining": limit - used, "reset": reset}


_CORE: Final[JSONDict] = _bucket(5000, 212, 1746104400)

# ``GET /rate_limit`` (API version 2022-11-28; ``rate`` mirrors ``resources.core``).
RATE_LIMIT: Final[JSONDict] = {
    "resources": {
        "core": _CORE,
        "search": _bucket(30, 0, 1746100860),
        "graphql": _bucket(5000, 0, 1746104400),
        "integration_manifest": _bucket(5000, 0, 1746104400),
        "source_import": _bucket(100, 0, 1746100860),
        "code_scanning_upload": _bucket(1000, 0, 1746104400),
        "actions_runner_registration": _bucket(10000, 3, 1746104400),
        "scim": _bucket(15000, 0, 1746104400),
        "dependency_snapshots": _bucket(100, 0, 1746100860),
        "dependency_sbom": _bucket(100, 0, 1746100860),
        "code_search": _bucket(10, 0, 1746100860),
        "code_scanning_autofix": _bucket(10, 0, 1746100860),
    },
    "rate": dict(_CORE),
}

# ``POST .../dispatches`` request body, asking for the run id back (-> 200 DISPATCH_RESPONSE).
DISPATCH_REQUEST: Final[JSONDict] = {
    "ref": "main",
    "inputs": {"scenario": "cold-start", "jobs": "1"},
    "return_run_details": True,
}

DISPATCH_RESPONSE: Final[JSONDict] = {
    "workflow_run_id": RUN_ID,
    "run_url": f"{REPO_API}/actions/runs/{RUN_ID}",
    "html_url": f"{REPO_WEB}/actions/runs/{RUN_ID}",
}

# ``Content File``: GET /repos/{owner}/{repo}/contents/.github/workflows/ci.yml (the text base64 in
# lines of 60 characters, as GitHub sends it; "name: ci\n" here, its git blob id as `sha`)
CONTENT_FILE: Final[JSONDict] = {
    "type": "file",
    "encoding": "base64",
    "size": 9,
    "name": "ci.yml",
    "path": ".github/workflows/ci.yml",
    "content": "bmFtZTogY2kK\n",
    "sha": "c87443c43f5b9bcc3b4087b87d53f1785ee3a05e",
    "url": f"{REPO_API}/contents/.github/workflows/ci.yml?ref=main",
    "git_url": f"{REPO_API}/git/blobs/c87443c43f5b9bcc3b4087b87d53f1785ee3a05e",
    "html_url": f"{REPO_WEB}/blob/main/.github/workflows/ci.yml",
    "download_url": f"https://raw.githubusercontent.com/{FULL_NAME}/main/.github/workflows/ci.yml",
    "_links": {
        "self": f"{REPO_API}/contents/.github/workflows/ci.yml?ref=main",
        "git": f"{REPO_API}/git/blobs/c87443c43f5b9bcc3b4087b87d53f1785ee3a05e",
        "html": f"{REPO_WEB}/blob/main/.github/workflows/ci.yml",
    },
}

# ``Basic Error`` (what a 404 looks like).
NOT_FOUND: Final[JSONDict] = {
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest",
    "status": "404",
}

_RUN: Final[str] = "/repos/{owner}/{repo}/actions/runs/{run_id}"
_DISPATCH: Final[str] = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"

# (method, path template, status, body) for every example above.
RESPONSE_EXAMPLES: Final[list[tuple[str, str, int, object | None]]] = [
    ("POST", _DISPATCH, 200, DISPATCH_RESPONSE),
    ("POST", _DISPATCH, 204, None),
    ("GET", "/repos/{owner}/{repo}/actions/workflows", 200, WORKFLOWS_LIST),
    ("GET", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}", 200, WORKFLOW),
    ("GET", "/repos/{owner}/{repo}/contents/{path}", 200, CONTENT_FILE),
    ("GET", "/repos/{owner}/{repo}/contents/{path}", 404, NOT_FOUND),
    ("GET", "/repos/{owner}/{repo}/actions/runs", 200, RUNS_LIST),
    ("GET", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", 200, RUNS_LIST),
    ("GET", "/repos/{owner}/{repo}/actions/runs", 200, {"total_count": 0, "workflow_runs": []}),
    ("GET", _RUN, 200, WORKFLOW_RUN),
    ("GET", _RUN, 200, WORKFLOW_RUN_QUEUED),
    ("GET", _RUN + "/jobs", 200, JOBS_LIST),
    ("GET", _RUN + "/jobs", 200, {"total_count": 1, "jobs": [JOB_QUEUED]}),
    ("GET", "/repos/{owner}/{repo}/actions/jobs/{job_id}", 200, JOB),
    ("GET", "/repos/{owner}/{repo}/actions/jobs/{job_id}", 200, JOB_QUEUED),
    ("GET", "/repos/{owner}/{repo}/actions/runners", 200, RUNNERS_LIST),
    ("GET", "/rate_limit", 200, RATE_LIMIT),
    ("GET", "/rate_limit", 304, None),
    ("GET", "/rate_limit", 404, NOT_FOUND),
]

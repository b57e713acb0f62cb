"""GitHub REST objects as api.github.com shapes them, built from the simulator's state.

Field sets follow GitHub's OpenAPI description (tests/fixtures/github_openapi.json validates them).
"""

from __future__ import annotations

import hashlib
from typing import Any

from suite.clock import iso
from suite.twin.fleet import Fleet
from suite.twin.fleet_model import SimJob, SimRun, Task
from suite.twin.workflows import WorkflowDef

HEAD_SHA = "8a3b2c1d4e5f60718293a4b5c6d7e8f901234567"
HEAD_BRANCH = "main"
RUN_EVENT = "workflow_dispatch"  # the event of every twin run


def check_suite_id(run_id: int) -> int:
    """The check suite of a twin run (one per run)."""
    return run_id + 7_000_000_000


def _node_id(kind: str, n: int | str) -> str:
    return kind + hashlib.sha1(f"{kind}{n}".encode()).hexdigest()[:16]


def simple_user(api: str, login: str) -> dict[str, Any]:
    u = f"{api}/users/{login}"
    return {
        "login": login,
        "id": 1_000_001,
        "node_id": _node_id("U_", login),
        "avatar_url": "https://avatars.githubusercontent.com/u/1000001?v=4",
        "gravatar_id": "",
        "url": u,
        "html_url": f"https://github.com/{login}",
        "followers_url": f"{u}/followers",
        "following_url": f"{u}/following{{/other_user}}",
        "gists_url": f"{u}/gists{{/gist_id}}",
        "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{u}/subscriptions",
        "organizations_url": f"{u}/orgs",
        "repos_url": f"{u}/repos",
        "events_url": f"{u}/events{{/privacy}}",
        "received_events_url": f"{u}/received_events",
        "type": "User",
        "site_admin": False,
    }


_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def minimal_repository(api: str, repo: str) -> dict[str, Any]:
    owner, name = repo.split("/", 1)
    base = f"{api}/repos/{repo}"
    obj: dict[str, Any] = {
        "id": 700_000_001,
        "node_id": _node_id("R_", repo),
        "name": name,
        "full_name": repo,
        "owner": simple_user(api, owner),
        "private": True,
        "html_url": f"https://github.com/{repo}",
        "description": "runner-suite local twin test repository",
        "fork": False,
        "url": base,
    }
    obj.update({k: base + suffix for k, suffix in _REPO_URLS.items()})
    return obj


def workflow_object(api: str, repo: str, wf: WorkflowDef, created: float) -> dict[str, Any]:
    return {
        "id": wf.id,
        "node_id": _node_id("W_", wf.id),
        "name": wf.name,
        "path": wf.path,
        "state": "active",
        "created_at": iso(created),
        "updated_at": iso(created),
        "url": f"{api}/repos/{repo}/actions/workflows/{wf.id}",
        "html_url": f"https://github.com/{repo}/blob/{HEAD_BRANCH}/{wf.path}",
        "badge_url": f"https://github.com/{repo}/workflows/{wf.name}/badge.svg",
    }


def run_object(api: str, repo: str, run: SimRun, skew_s: float = 0.0) -> dict[str, Any]:
    """`skew_s`: GitHub's clock − the simulator's (every timestamp is on GitHub's clock)."""
    base = f"{api}/repos/{repo}/actions/runs/{run.id}"
    head_commit = {
        "id": HEAD_SHA,
        "tree_id": "d23f6eedb1e1b9610bbc754ddb5197bfe7271223",
        "message": "runner-suite test workflows",
        "timestamp": iso(run.created + skew_s - 3600),
        "author": {"name": "runner-suite", "email": "suite@example.com"},
        "committer": {"name": "runner-suite", "email": "suite@example.com"},
    }
    repository = minimal_repository(api, repo)
    actor = simple_user(api, repo.split("/", 1)[0])
    return {
        "id": run.id,
        "name": run.workflow.name,
        "node_id": _node_id("WFR_", run.id),
        "check_suite_id": check_suite_id(run.id),
        "check_suite_node_id": _node_id("CS_", run.id),
        "head_branch": HEAD_BRANCH,
        "head_sha": HEAD_SHA,
        "path": run.workflow.path,
        "display_title": run.display_title,
        "run_number": run.run_number,
        "event": RUN_EVENT,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": run.workflow.id,
        "url": base,
        "html_url": f"https://github.com/{repo}/actions/runs/{run.id}",
        "pull_requests": [],
        "created_at": iso(run.created + skew_s),
        "updated_at": iso(run.updated + skew_s),
        "actor": actor,
        "triggering_actor": actor,
        "run_attempt": 1,
        "referenced_workflows": [],
        "run_started_at": iso(run.created + skew_s),
        "jobs_url": f"{base}/jobs",
        "logs_url": f"{base}/logs",
        "check_suite_url": f"{api}/repos/{repo}/check-suites/{check_suite_id(run.id)}",
        "artifacts_url": f"{base}/artifacts",
        "cancel_url": f"{base}/cancel",
        "rerun_url": f"{base}/rerun",
        "previous_attempt_url": None,
        "workflow_url": f"{api}/repos/{repo}/actions/workflows/{run.workflow.id}",
        "head_commit": head_commit,
        "repository": repository,
        "head_repository": repository,
    }


def _steps(job: SimJob, now: float, skew_s: float) -> list[dict[str, Any]]:
    """Set up job, the job's steps, Complete job, as the job model ran them (suite.twin.job_model), seen
    at `now`: a step not yet begun is queued, the one running in_progress, a step after a kill skipped
    (no stamps); only for a job that has started."""
    if job.started is None:
        return []
    steps = []
    for n, run in enumerate(job.step_runs, 1):
        done = run.end is not None and (job.completed is not None or run.end <= now)
        begun = run.start is not None and run.start <= now
        if run.conclusion == "skipped" and job.completed is not None:
            status, conclusion = "completed", "skipped"
        elif done:
            status, conclusion = "completed", run.conclusion
        else:
            status, conclusion = ("in_progress" if begun else "queued"), None
        steps.append(
            {
                "name": run.name,
                "status": status,
                "conclusion": conclusion,
                "number": n,
                "started_at": iso(run.start + skew_s) if run.start is not None and begun else None,
                "completed_at": iso(run.end + skew_s)
                if run.end is not None and status == "completed"
                else None,
            }
        )
    return steps


def job_object(api: str, repo: str, fleet: Fleet, job: SimJob, skew_s: float = 0.0) -> dict[str, Any]:
    """`skew_s`: GitHub's clock − the simulator's (every timestamp is on GitHub's clock)."""
    run = fleet.runs[job.run_id]
    assigned = job.started is not None
    return {
        "id": job.id,
        "run_id": job.run_id,
        "run_url": f"{api}/repos/{repo}/actions/runs/{job.run_id}",
        "run_attempt": 1,
        "node_id": _node_id("CR_", job.id),
        "head_sha": HEAD_SHA,
        "url": f"{api}/repos/{repo}/actions/jobs/{job.id}",
        "html_url": f"https://github.com/{repo}/actions/runs/{job.run_id}/job/{job.id}",
        "status": job.status,
        "conclusion": job.conclusion if job.status == "completed" else None,
        "created_at": iso(job.created + skew_s),
        "started_at": iso((job.started if job.started is not None else job.created) + skew_s),
        "completed_at": iso(job.completed + skew_s) if job.completed is not None else None,
        "name": job.name,
        "steps": _steps(job, fleet.now, skew_s),
        "check_run_url": f"{api}/repos/{repo}/check-runs/{job.id}",
        "labels": list(fleet.config.labels),
        "runner_id": job.runner_id if assigned else None,
        "runner_name": job.task_id if assigned else None,
        "runner_group_id": 1 if assigned else None,
        "runner_group_name": "Default" if assigned else None,
        "workflow_name": run.workflow.name,
        "head_branch": HEAD_BRANCH,
    }


def runner_object(fleet: Fleet, task: Task) -> dict[str, Any]:
    return {
        "id": task.runner_id,
        "name": task.task_id,
        "os": "Linux",
        "status": "online",
        "busy": task.job_id is not None and task.busy,
        "ephemeral": fleet.config.ephemeral,
        "runner_group_id": 1,
        "labels": [
            {"id": i + 1, "name": label, "type": "read-only" if i == 0 else "custom"}
            for i, label in enumerate(fleet.config.labels)
        ],
    }

"""The twin's GitHub API responses (moto's responses.py): one function per endpoint, each taking the
Request the server plumbing built and returning (status, body, headers), shaped as GitHub answers.
Errors are raised as ApiError with GitHub's message. Callers hold the state's lock."""

from __future__ import annotations

import json
import math
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from suite.clock import iso
from suite.isotime import parse_iso
from suite.twin import github_objects as objects
from suite.twin.app_auth import jwt_problem
from suite.twin.fleet_model import SimRun
from suite.twin.github_backend import GitHubState
from suite.twin.github_contents import REFS, WORKFLOWS_FOLDER, file_object, folder_listing, run_title
from suite.twin.github_lists import MAX_FILTERED_RESULTS, boolean_param, job_filter, page_of, run_filters
from suite.twin.workflows import InputError

DOCS = "https://docs.github.com/rest"

Reply = tuple[int, Any, dict[str, str]]


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})
        self.body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
        if extra:
            self.body.update(extra)


@dataclass
class Request:
    """One request as the responses see it. `api`: scheme://host, for URLs in bodies and links;
    `params`: the groups of the URL pattern that matched; `limit_key`: whose rate limit it draws on."""

    state: GitHubState
    method: str
    path: str
    query: dict[str, str]
    body: bytes
    now: float
    api: str
    limit_key: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    def link(self, page: int, per_page: int, last: int) -> dict[str, str]:
        """GitHub's `Link` header for one page of this listing."""
        rels = []
        for rel, p in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
            if (rel in ("prev", "first") and page > 1) or (rel in ("next", "last") and page < last):
                q = urlencode({**self.query, "per_page": per_page, "page": p})
                rels.append(f'<{self.api}{self.path}?{q}>; rel="{rel}"')
        return {"Link": ", ".join(rels)} if rels else {}


def _run(req: Request) -> SimRun:
    run = req.state.fleet.runs.get(int(req.params["run_id"]))
    if run is None:
        raise ApiError(404, "Not Found")
    return run


# ---- GitHub's endpoints --------------------------------------------------------------------------


def rate_limit(req: Request) -> Reply:
    st = req.state
    core = st.limit.snapshot(req.limit_key or st.token, req.now)
    core["reset"] = math.ceil(core["reset"] + st.skew_s)  # on GitHub's clock
    search = {"limit": 30, "remaining": 30, "reset": int(req.now + st.skew_s) + 60, "used": 0}
    return 200, {"resources": {"core": core, "search": search}, "rate": core}, {}


def dispatch(req: Request) -> Reply:
    st = req.state
    repo = st.workflows
    wf = repo.find(req.params["workflow_id"])
    if wf is None:
        raise ApiError(404, "Not Found")
    if not repo.parsed[wf.file].dispatchable:
        raise ApiError(422, "Workflow does not have 'workflow_dispatch' trigger")
    try:
        body = json.loads(req.body or b"{}")
    except json.JSONDecodeError as exc:
        raise ApiError(400, "Problems parsing JSON") from exc
    if not isinstance(body, dict) or not isinstance(body.get("ref"), str):
        raise ApiError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.')
    unknown = set(body) - {"ref", "inputs", "return_run_details"}
    if unknown:
        raise ApiError(422, f"Invalid request.\n\n{sorted(unknown)} are not permitted keys.")
    if body["ref"] not in ("main", "refs/heads/main"):
        raise ApiError(422, f"No ref found for: {body['ref']}")
    inputs = body.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise ApiError(422, "Invalid request.\n\nFor 'properties/inputs', it is not an object.")
    try:
        accepted = wf.validate_inputs(inputs)
    except InputError as exc:
        raise ApiError(422, str(exc)) from exc
    title = run_title(repo.parsed[wf.file], accepted)  # its run-name: the suite_id for the suite's files
    run = st.fleet.dispatch(wf, accepted, display_title=title, at=req.now)
    if body.get("return_run_details") is True:
        return (
            200,
            {
                "workflow_run_id": run.id,
                "run_url": f"{req.api}/repos/{st.repo}/actions/runs/{run.id}",
                "html_url": f"https://github.com/{st.repo}/actions/runs/{run.id}",
            },
            {},
        )
    return 204, None, {}


def list_workflows(req: Request) -> Reply:
    st = req.state
    created = st.workflows_created
    wfs = [objects.workflow_object(req.api, st.repo, wf, created) for wf in st.workflows.listed.values()]
    page, p, pp, last = page_of(wfs, req.query)
    return 200, {"total_count": len(wfs), "workflows": page}, req.link(p, pp, last)


def get_workflow(req: Request) -> Reply:
    """GET .../actions/workflows/{id}: by file name or numeric id."""
    st = req.state
    wf = st.workflows.find(req.params["workflow_id"])
    if wf is None:
        raise ApiError(404, "Not Found")
    return 200, objects.workflow_object(req.api, st.repo, wf, st.workflows_created), {}


def get_content(req: Request) -> Reply:
    """GET .../contents/{path}[?ref=]: the workflow files (and their folder); anything else is 404,
    as is a ref the repository does not have."""
    st = req.state
    ref = req.query.get("ref")
    if ref is not None and ref not in REFS:
        raise ApiError(404, f"No commit found for the ref {ref}")
    path = req.params["content_path"].strip("/")
    texts = dict(st.workflows.texts)
    if path == WORKFLOWS_FOLDER:
        return 200, folder_listing(req.api, st.repo, texts), {}
    folder, _, name = path.rpartition("/")
    if folder != WORKFLOWS_FOLDER or name not in texts:
        raise ApiError(404, "Not Found")
    return 200, file_object(req.api, st.repo, name, texts[name]), {}


def list_runs(req: Request) -> Reply:
    """GET .../actions/runs, with every filter GitHub documents (suite.twin.github_lists)."""
    return _runs_listing(req, list(req.state.fleet.runs.values()))


def list_workflow_runs(req: Request) -> Reply:
    """GET .../actions/workflows/{id}/runs: one workflow's runs (by file name or id), same filters."""
    st = req.state
    wf = st.workflows.find(req.params["workflow_id"])
    if wf is None:
        raise ApiError(404, "Not Found")
    return _runs_listing(req, [r for r in st.fleet.runs.values() if r.workflow.id == wf.id])


def _runs_listing(req: Request, runs: list[SimRun]) -> Reply:
    st, query = req.state, req.query
    keep, filtered = run_filters(query, st.repo.split("/", 1)[0], st.skew_s)
    runs = sorted((r for r in runs if keep(r)), key=lambda r: r.id, reverse=True)
    total = len(runs)
    if filtered:
        runs = runs[:MAX_FILTERED_RESULTS]  # GitHub caps filtered searches at 1,000 results
    page, p, pp, last = page_of(runs, query)
    runs_page = [objects.run_object(req.api, st.repo, r, st.skew_s) for r in page]
    body = {"total_count": total, "workflow_runs": runs_page}
    return 200, body, req.link(p, pp, last)


def get_run(req: Request) -> Reply:
    """GET .../actions/runs/{id}[?exclude_pull_requests=]: the twin's runs have no pull requests."""
    boolean_param(req.query, "exclude_pull_requests")
    return 200, objects.run_object(req.api, req.state.repo, _run(req), req.state.skew_s), {}


def list_jobs(req: Request) -> Reply:
    run = _run(req)
    job_filter(req.query)  # latest or all: the same jobs (a twin run has one attempt)
    st = req.state
    jobs = [st.fleet.jobs[j] for j in sorted(run.job_ids.values())]
    page, p, pp, last = page_of(jobs, req.query)
    body = {
        "total_count": len(jobs),
        "jobs": [objects.job_object(req.api, st.repo, st.fleet, j, st.skew_s) for j in page],
    }
    return 200, body, req.link(p, pp, last)


def get_job(req: Request) -> Reply:
    st = req.state
    job = st.fleet.jobs.get(int(req.params["job_id"]))
    if job is None:
        raise ApiError(404, "Not Found")
    return 200, objects.job_object(req.api, st.repo, st.fleet, job, st.skew_s), {}


def list_runners(req: Request) -> Reply:
    """GET .../actions/runners; `name`: only the runner of that name."""
    st = req.state
    runners = [objects.runner_object(st.fleet, t) for t in st.fleet.online_runners()]
    runners += st.runner_registry.objects()  # registered through generate-jitconfig (github_runners)
    if "name" in req.query:
        runners = [r for r in runners if r["name"] == req.query["name"]]
    page, p, pp, last = page_of(sorted(runners, key=lambda r: r["id"]), req.query)
    return 200, {"total_count": len(runners), "runners": page}, req.link(p, pp, last)


def access_token(req: Request, jwt: str | None) -> Reply:
    """POST /app/installations/{id}/access_tokens with the App's JWT: an installation token."""
    st = req.state
    if st.app is None:
        raise ApiError(404, "Not Found")
    if jwt is None:
        raise ApiError(401, "A JSON web token could not be decoded")
    problem = jwt_problem(jwt, st.app, req.now + st.skew_s)  # the JWT's claims are on GitHub's clock
    if problem is not None:
        raise ApiError(401, problem)
    if int(req.params["installation_id"]) != st.app.installation_id:
        raise ApiError(404, "Not Found")
    token = "ghs_" + secrets.token_hex(18)
    expires = float(int(req.now) + st.app.token_lifetime_s)
    st.installation_tokens[token] = expires
    body = {
        "token": token,
        "expires_at": iso(expires + st.skew_s),
        "permissions": {"actions": "write", "administration": "read", "metadata": "read"},
        "repository_selection": "selected",
    }
    return 201, body, {}


# ---- the twin's own endpoints --------------------------------------------------------------------


def twin_truth(req: Request) -> Reply:
    st = req.state
    prefix = req.query.get("suite_id_prefix")
    titles = None
    if prefix is not None:
        titles = {r.display_title for r in st.fleet.runs.values() if r.display_title.startswith(prefix)}
    truth = st.fleet.truth(titles)
    if st.skew_s:  # its timestamps as GitHub shows them (durations do not change)
        for job in truth["jobs"]:
            for key in ("created_at", "started_at", "completed_at"):
                if job[key] is not None:
                    job[key] = iso(parse_iso(job[key]) + st.skew_s)
    return 200, truth, {}


def twin_info(req: Request) -> Reply:
    st = req.state
    info = {
        "fleet": st.fleet.config.to_dict(),
        "now": st.clock.now(),
        "github_skew_s": st.skew_s,
        "repo": st.repo,
        "limits": {
            **st.limits.to_dict(),
            "primary_refused": st.limit.refused,
            "secondary_refused": st.secondary.refused,
        },
        "app": {"installation_tokens_issued": len(st.installation_tokens)} if st.app else None,
        "faults": {
            **st.faults.config.to_dict(),
            "injected": dict(st.faults.injected),
            "injected_dispatch": dict(st.faults.injected_dispatch),
        },
    }
    info.update(st.extra_info())
    return 200, info, {}

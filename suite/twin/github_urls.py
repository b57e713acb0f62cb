"""The twin's URL table (moto's urls.py): which response answers each method and path.

Paths are matched whole, after the query string is split off; `{repo}` stands for the twin's
repository, its owner and name matched case-insensitively as GitHub does (the answers spell it as the
repository does). A method and path the table does not hold is GitHub's 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from suite.twin import github_responses as responses
from suite.twin import github_runners as runners
from suite.twin.github_responses import ApiError, Reply, Request

Response = Callable[[Request], Reply]

# answered with the App's JWT instead of a token (suite.twin.github_api handles them apart)
APP_URL_PATHS: list[tuple[str, str]] = [
    ("POST", r"/app/installations/(?P<installation_id>\d+)/access_tokens"),
]

# answered with a registered runner's own credential (suite.twin.github_runners.session_answer)
RUNNER_URL_PATHS: list[tuple[str, str]] = [
    ("POST", r"/_twin/runners/(?P<runner_id>\d+)/(?P<action>session|done)"),
    ("DELETE", r"/_twin/runners/(?P<runner_id>\d+)/(?P<action>session)"),
    ("GET", r"/_twin/runners/(?P<runner_id>\d+)/(?P<action>message)"),
]

URL_PATHS: list[tuple[str, str, Response]] = [
    ("GET", r"/rate_limit", responses.rate_limit),
    ("GET", r"/_twin/truth", responses.twin_truth),
    ("GET", r"/_twin/info", responses.twin_info),
    ("POST", r"/repos/{repo}/actions/workflows/(?P<workflow_id>[^/]+)/dispatches", responses.dispatch),
    ("GET", r"/repos/{repo}/actions/workflows", responses.list_workflows),
    ("GET", r"/repos/{repo}/actions/workflows/(?P<workflow_id>[^/]+)", responses.get_workflow),
    ("GET", r"/repos/{repo}/actions/workflows/(?P<workflow_id>[^/]+)/runs", responses.list_workflow_runs),
    ("GET", r"/repos/{repo}/contents/(?P<content_path>.+)", responses.get_content),
    ("GET", r"/repos/{repo}/actions/runs", responses.list_runs),
    ("GET", r"/repos/{repo}/actions/runs/(?P<run_id>\d+)", responses.get_run),
    ("GET", r"/repos/{repo}/actions/runs/(?P<run_id>\d+)/jobs", responses.list_jobs),
    ("GET", r"/repos/{repo}/actions/jobs/(?P<job_id>\d+)", responses.get_job),
    ("GET", r"/repos/{repo}/actions/runners", responses.list_runners),
    ("POST", r"/repos/{repo}/actions/runners/registration-token", runners.registration_token),
    ("POST", r"/repos/{repo}/actions/runners/remove-token", runners.remove_token),
    ("POST", r"/repos/{repo}/actions/runners/generate-jitconfig", runners.generate_jitconfig),
    ("POST", r"/orgs/{owner}/actions/runners/generate-jitconfig", runners.generate_jitconfig),
    ("DELETE", r"/repos/{repo}/actions/runners/(?P<runner_id>\d+)", runners.delete_runner),
]


class UrlTable:
    """URL_PATHS compiled for one repository."""

    def __init__(self, repo: str) -> None:
        self._routes = [
            (method, re.compile(_owned(pattern, repo)), response) for method, pattern, response in URL_PATHS
        ]
        self._app = [(method, re.compile(pattern)) for method, pattern in APP_URL_PATHS]
        self._runner = [(method, re.compile(pattern)) for method, pattern in RUNNER_URL_PATHS]

    def app_params(self, method: str, path: str) -> dict[str, str] | None:
        """The URL groups when `method path` is answered with the App's JWT, else None."""
        return _first_match(self._app, method, path)

    def runner_params(self, method: str, path: str) -> dict[str, str] | None:
        """The URL groups when `method path` is answered with a runner's own credential, else None."""
        return _first_match(self._runner, method, path)

    def resolve(self, method: str, path: str) -> tuple[Response, dict[str, str]]:
        """The response for `method path` and the URL's groups; ApiError 404 when there is none."""
        for m, pattern, response in self._routes:
            if m == method and (match := pattern.fullmatch(path)):
                return response, match.groupdict()
        raise ApiError(404, "Not Found")


def _owned(pattern: str, repo: str) -> str:
    """`{repo}` is the twin's owner/name, `{owner}` its owner (an organization's endpoints)."""
    owner = repo.split("/")[0]  # GitHub matches owner and repository names case-insensitively
    return pattern.replace("{repo}", f"(?i:{re.escape(repo)})").replace("{owner}", f"(?i:{re.escape(owner)})")


def _first_match(table: list[tuple[str, re.Pattern[str]]], method: str, path: str) -> dict[str, str] | None:
    for m, pattern in table:
        if m == method and (match := pattern.fullmatch(path)):
            return match.groupdict()
    return None

"""The GitHub Actions REST client the suite uses (httpx, synchronous): its endpoints.

Every request the suite sends to GitHub goes through GitHubClient, shaped as httpx intends: the
endpoints are methods here; under them, httpx.Auth flows put the credentials in (TokenAuth, or
InstallationAuth for a GitHub App) and transport layers do the rest: the ETag cache
(suite.github.etag) above the governed transport (suite.github.transport: pacing, rate-limit
waits, retries and the counters of api_stats). Errors are built in suite.github.errors.

Secrets: tokens and JWTs are only ever placed in the `Authorization` header. They are never logged,
never part of repr() and are scrubbed from every error message this package builds.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Any

from suite.errors import EnvironmentFailure, UsageError
from suite.github.errors import GitHubError, RateLimited, parse_http_date
from suite.github.session import GitHubSession, body_of, scope_path
from suite.github.transport import Call, ssl_verify_from_env

__all__ = [
    "DispatchResult",
    "GitHubClient",
    "GitHubError",
    "RateLimited",
    "scope_path",
    "ssl_verify_from_env",
]

log = logging.getLogger("suite.github")

MAX_INPUTS = 25


@dataclass(frozen=True)
class DispatchResult:
    """What a workflow dispatch returned.

    status: HTTP status (200 with run details, 204 without; 400, 403/429 or 5xx with `error` set);
        0 when no answer arrived (connection reset, timeout, lost response).
    workflow_run_id: the run GitHub created (only on 200 with return_run_details).
    date_header: GitHub's `Date` header as epoch seconds, when present.
    """

    status: int
    workflow_run_id: int | None
    error: str | None
    date_header: float | None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def outcome_unknown(self) -> bool:
        """No answer, or a 5xx: GitHub may or may not have created the run (reconcile before retrying)."""
        return self.status == 0 or self.status >= 500


class GitHubClient(GitHubSession):
    """Synchronous GitHub Actions REST client for one repository: the endpoints the suite uses.

    `token`: a token string, or AppCredentials to authenticate as a GitHub App installation.
    `runner_scope`: "repo", or "org" to administer the runners of the organization named `repo`.
    """

    # ------------------------------------------------------------------ endpoints

    def dispatch(
        self,
        workflow_file: str,
        ref: str,
        inputs: dict[str, str],
        return_run_details: bool = True,
    ) -> DispatchResult:
        """Dispatch a workflow run (POST .../workflows/{file}/dispatches).

        Only rate-limited answers are sent again here (GitHub did not act on them). Returns a
        DispatchResult for 200 (with the run id), 204, 400 when `return_run_details` was sent (older
        GHES rejects the field: the caller may retry without it), rate limiting (403/429) once the
        governor's tries are spent, 5xx and no answer at all (status 0): those two are
        `outcome_unknown`, and the caller reconciles by display_title before any retry (find_run).
        Raises EnvironmentFailure (GitHubError) for 401, 404 and other errors that would repeat for
        every dispatch.
        """
        if len(inputs) > MAX_INPUTS:
            raise UsageError(
                f"workflow {workflow_file!r}: {len(inputs)} inputs given, GitHub accepts at most {MAX_INPUTS}"
            )
        payload: dict[str, Any] = {"ref": ref, "inputs": dict(inputs)}
        if return_run_details:
            payload["return_run_details"] = True
        self._counters.dispatched(workflow_file)
        try:
            response = self._request(
                "POST",
                f"repos/{self.repo}/actions/workflows/{workflow_file}/dispatches",
                Call("dispatch"),
                json=payload,
                not_found=(
                    f"GitHub found no workflow {workflow_file!r} in {self.repo} at {self.base_url} (404). "
                    f"Check that .github/workflows/{workflow_file} exists on the default branch of "
                    f"{self.repo} and has a `workflow_dispatch` trigger, and that the token can see the "
                    "repository (GitHub answers 404, not 403, for repositories a token cannot access)"
                ),
            )
        except RateLimited as exc:
            return DispatchResult(exc.status, None, str(exc), exc.date_header)
        except GitHubError as exc:
            if exc.status >= 500 or (exc.status == 400 and return_run_details):
                return DispatchResult(exc.status, None, str(exc), exc.date_header)
            raise
        except EnvironmentFailure as exc:  # no answer: the run may or may not exist
            return DispatchResult(0, None, str(exc), None)
        run_id: int | None = None
        body = body_of(response)
        if response.status_code == 200 and isinstance(body, dict):
            value = body.get("workflow_run_id")
            run_id = int(value) if value is not None else None
        return DispatchResult(
            response.status_code, run_id, None, parse_http_date(response.headers.get("date"))
        )

    def list_runs(
        self,
        created_since_iso: str | None = None,
        status: str | None = None,
        per_page: int = 100,
        *,
        workflow_file: str | None = None,
    ) -> list[dict[str, Any]]:
        """Workflow runs of the repository (or of one workflow file), all pages, newest first.

        `created_since_iso` becomes `created=>=<iso>`. GitHub caps filtered listings at 1,000 results:
        a warning is logged when `total_count` says more exist than could be listed.
        Uses conditional requests: an unchanged page (304) is answered from the cached body.
        """
        params: dict[str, str | int] = {"per_page": per_page}
        if created_since_iso:
            params["created"] = f">={created_since_iso}"
        if status:
            params["status"] = status
        path = (
            f"repos/{self.repo}/actions/workflows/{workflow_file}/runs"
            if workflow_file
            else f"repos/{self.repo}/actions/runs"
        )
        runs, total = self._paginate(path, "list_runs", "workflow_runs", params, self._repo_not_found())
        if total is not None and total > len(runs):
            log.warning(
                "GitHub reports %d workflow runs but listed %d (filtered listings stop at 1,000 results)",
                total,
                len(runs),
            )
        return runs

    def find_run(self, display_title: str, created_since_iso: str) -> dict[str, Any] | None:
        """The run whose display_title is `display_title` among runs created since then; None if none.

        Several matches cannot come from the suite (it never dispatches a suite_id twice once one is
        known); the oldest is returned.
        """
        runs = [r for r in self.list_runs(created_since_iso) if r.get("display_title") == display_title]
        return min(runs, key=lambda r: int(r.get("id") or 0)) if runs else None

    def get_run(self, run_id: int) -> dict[str, Any]:
        """One workflow run (GET .../actions/runs/{id})."""
        response = self._request(
            "GET",
            f"repos/{self.repo}/actions/runs/{int(run_id)}",
            Call("get_run", retry=True, conditional=True),
            not_found=(
                f"GitHub found no workflow run {run_id} in {self.repo} at {self.base_url} (404): "
                "the run id is wrong, the run was deleted, or the token cannot see the repository"
            ),
        )
        body = body_of(response)
        return dict(body) if isinstance(body, dict) else {}

    def list_jobs(self, run_id: int, filter: str = "all") -> list[dict[str, Any]]:
        """All jobs of a workflow run, all pages (`filter=all` includes earlier attempts)."""
        jobs, _ = self._paginate(
            f"repos/{self.repo}/actions/runs/{int(run_id)}/jobs",
            "list_jobs",
            "jobs",
            {"filter": filter, "per_page": 100},
            f"GitHub found no workflow run {run_id} in {self.repo} at {self.base_url} (404)",
        )
        return jobs

    def list_runners(self) -> list[dict[str, Any]]:
        """Self-hosted runners of the repository (or organization), all pages (needs admin rights)."""
        runners, _ = self._paginate(
            f"{self.runners_path}/actions/runners",
            "list_runners",
            "runners",
            {"per_page": 100},
            self._repo_not_found(),
        )
        return runners

    def list_workflows(self) -> list[dict[str, Any]]:
        """The repository's workflows (path, state), all pages."""
        workflows, _ = self._paginate(
            f"repos/{self.repo}/actions/workflows",
            "list_workflows",
            "workflows",
            {"per_page": 100},
            self._repo_not_found(),
        )
        return workflows

    def get_workflow(self, workflow_file: str) -> dict[str, Any] | None:
        """One workflow by file name (GET .../actions/workflows/{file}: its path, state); None on 404."""
        try:
            response = self._request(
                "GET",
                f"repos/{self.repo}/actions/workflows/{workflow_file}",
                Call("get_workflow", retry=True, conditional=True),
            )
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise
        body = body_of(response)
        return dict(body) if isinstance(body, dict) else {}

    def workflow_text(self, workflow_file: str) -> str | None:
        """The text of .github/workflows/{file} on the repository's default branch (GET .../contents/
        without a ref: GitHub reads the default branch); None on 404. A file GitHub does not inline
        (over 1 MB), a folder, or text that is not UTF-8 is a UsageError naming the file."""
        path = f".github/workflows/{workflow_file}"
        try:
            response = self._request(
                "GET", f"repos/{self.repo}/contents/{path}", Call("get_content", retry=True, conditional=True)
            )
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise
        body = body_of(response)
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(body, dict) or body.get("type") != "file" or not isinstance(content, str):
            raise UsageError(f"{path} in {self.repo} is not a file GitHub returns the content of")
        if body.get("encoding") != "base64":
            raise UsageError(f"{path} in {self.repo}: GitHub did not inline its content (too large)")
        try:
            return base64.b64decode(content, validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise UsageError(f"{path} in {self.repo}: its content is not UTF-8 text") from None

    def rate_limit(self) -> dict[str, Any]:
        """GET /rate_limit (does not count against the limit). `{}` where GHES has rate limiting off."""
        try:
            response = self._request("GET", "rate_limit", Call("rate_limit", retry=True))
        except GitHubError as exc:
            if exc.status == 404:
                return {}
            raise
        body = body_of(response)
        return dict(body) if isinstance(body, dict) else {}

    def remove_runner(self, runner_id: int) -> None:
        """Delete a self-hosted runner (DELETE .../actions/runners/{id}); one already gone (404) is fine."""
        try:
            self._request(
                "DELETE", f"{self.runners_path}/actions/runners/{int(runner_id)}", Call("remove_runner")
            )
        except GitHubError as exc:
            if exc.status != 404:
                raise

    def twin_truth(self, suite_id_prefix: str) -> dict[str, Any]:
        """What the local twin ran (GET /_twin/truth). Not GitHub's API: not in api_stats."""
        response = self._request(
            "GET",
            "_twin/truth",
            Call("twin_truth", retry=True, recorded=False),
            params={"suite_id_prefix": suite_id_prefix},
        )
        body = body_of(response)
        return dict(body) if isinstance(body, dict) else {}

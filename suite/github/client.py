"""The GitHub Actions REST client the suite uses (httpx, synchronous).

Every HTTP request goes through `GitHubClient._request`: counting, conditional requests (ETag /
If-None-Match), the clock offset from `Date` headers, retries and error mapping live there, so the
rate-limit governor (suite/github/governor.py, later) has one place to hook in.

Auth: a token (personal access token, `GITHUB_TOKEN`) or a GitHub App (suite.github.app): the App's
JWT buys an installation token, asked for again before it expires.

Secrets: tokens and JWTs are only ever placed in the `Authorization` header. They are never logged,
never part of repr() and are scrubbed from every error message this module builds.
"""

from __future__ import annotations

import logging
import os
import ssl
import statistics
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from suite import __version__
from suite.clock import Clock, WallClock
from suite.errors import EnvironmentFailure, UsageError
from suite.github.app import APP_INSTALLATION_ID, REFRESH_MARGIN_S, AppCredentials
from suite.github.governor import Governor, GovernorConfig, backoff_s, header_float, rate_limit_wait_s
from suite.isotime import parse_iso

log = logging.getLogger("suite.github")

API_VERSION = "2022-11-28"
MAX_INPUTS = 25
ENDPOINTS = ("dispatch", "list_runs", "get_run", "list_jobs", "list_runners", "rate_limit")
# GET /rate_limit does not count against the primary rate limit (GitHub REST docs); an installation
# token is asked for with the App's JWT, which has its own limit (not the installation's).
UNCOUNTED_ENDPOINTS = frozenset({"rate_limit", "installation_token"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
MAX_PAGES = 1000
MAX_OFFSET_SAMPLES = 1001


class GitHubError(EnvironmentFailure):
    """GitHub answered with an error status. Exit 3 like any environment failure."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        endpoint: str,
        github_message: str | None = None,
        date_header: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint
        self.github_message = github_message
        self.date_header = date_header


class RateLimited(GitHubError):
    """GitHub refused a request for rate limiting (403/429). Carries what GitHub said about waiting."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        endpoint: str,
        github_message: str | None = None,
        date_header: float | None = None,
        retry_after_s: float | None = None,
        reset_at: float | None = None,
    ) -> None:
        super().__init__(
            message, status=status, endpoint=endpoint, github_message=github_message, date_header=date_header
        )
        self.retry_after_s = retry_after_s
        self.reset_at = reset_at


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


@dataclass
class _Reply:
    status: int
    body: Any
    next_url: str | None
    date_header: float | None
    not_modified: bool


@dataclass
class _CachedPage:
    etag: str
    body: Any
    next_url: str | None


def ssl_verify_from_env(env: Mapping[str, str] | None = None) -> ssl.SSLContext | bool:
    """`verify=` for httpx: a context on SSL_CERT_FILE or REQUESTS_CA_BUNDLE when set (a PEM bundle, or
    a directory of hashed certificates), else True (certifi's bundle). The bundle replaces the default
    trust, as it does for curl and requests: a corporate bundle must hold every CA to trust.
    UsageError (exit 2) when the variable names nothing usable."""
    source = os.environ if env is None else env
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        path = source.get(name, "").strip()
        if not path:
            continue
        if not os.path.exists(path):
            raise UsageError(f"{name}={path}: no such file (it should name a PEM bundle of CA certificates)")
        try:
            if os.path.isdir(path):
                return ssl.create_default_context(capath=path)
            return ssl.create_default_context(cafile=path)
        except (ssl.SSLError, OSError) as exc:
            raise UsageError(f"{name}={path}: not a usable PEM bundle of CA certificates ({exc})") from None
    return True


def _parse_http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _github_message(response: httpx.Response) -> str | None:
    """GitHub's error text: `message` plus any `errors` details (422)."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] or None
    if not isinstance(body, dict):
        return None
    message = body.get("message")
    parts = [str(message)] if message else []
    errors = body.get("errors")
    if isinstance(errors, list):
        for item in errors[:5]:
            if isinstance(item, dict):
                detail = item.get("message") or item.get("code")
                if detail:
                    parts.append(str(detail))
            elif item:
                parts.append(str(item))
    return "; ".join(parts) or None


def _is_rate_limited(response: httpx.Response) -> bool:
    if response.status_code == 429:
        return True
    if response.status_code != 403:
        return False
    if response.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in response.headers:
        return True
    return "rate limit" in (_github_message(response) or "").lower()


class GitHubClient:
    """Synchronous GitHub Actions REST client for one repository.

    `token`: a token string, or AppCredentials to authenticate as a GitHub App installation.
    """

    def __init__(
        self,
        base_url: str,
        repo: str,
        token: str | AppCredentials,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        timeout: float = 30,
        user_agent: str = f"runner-suite/{__version__}",
        governor: GovernorConfig | None = None,
    ) -> None:
        owner, sep, name = repo.partition("/")
        if not sep or not owner or not name or "/" in name:
            raise UsageError(f"GitHub repository must be 'owner/name', got {repo!r}")
        self.base_url = base_url.rstrip("/")
        self.repo = repo
        self._app = token if isinstance(token, AppCredentials) else None
        self._token = token if isinstance(token, str) else ""
        self._installation: tuple[str, float] | None = None  # token, expires_at (GitHub's clock)
        self._secrets: set[str] = {self._token} if self._token else set()
        self._clock: Clock = clock if clock is not None else WallClock()
        self._governor = Governor(self._clock, governor)
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": user_agent,
        }
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            headers=headers,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            verify=ssl_verify_from_env() if transport is None else True,
            trust_env=True,
        )
        self._lock = threading.Lock()
        self._etags: dict[str, _CachedPage] = {}
        self._offsets: deque[float] = deque(maxlen=MAX_OFFSET_SAMPLES)
        self._per_endpoint: dict[str, dict[str, int]] = {
            name: {"requests": 0, "counted": 0, "not_modified": 0} for name in ENDPOINTS
        }
        self._per_workflow: dict[str, dict[str, int]] = {}
        self._retries = 0
        self._rate_limited = 0
        self._connection_errors = 0
        self._waited_s = 0.0
        self._budget: dict[str, Any] | None = None

    # ------------------------------------------------------------------ lifecycle

    def __repr__(self) -> str:
        return f"GitHubClient(base_url={self.base_url!r}, repo={self.repo!r}, token=<redacted>)"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        with self._lock:
            counts = self._per_workflow.setdefault(workflow_file, {"dispatches": 0})
            counts["dispatches"] += 1
        try:
            reply = self._request(
                "POST",
                f"repos/{self.repo}/actions/workflows/{workflow_file}/dispatches",
                endpoint="dispatch",
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
        if reply.status == 200 and isinstance(reply.body, dict):
            value = reply.body.get("workflow_run_id")
            run_id = int(value) if value is not None else None
        return DispatchResult(reply.status, run_id, None, reply.date_header)

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
        reply = self._request(
            "GET",
            f"repos/{self.repo}/actions/runs/{int(run_id)}",
            endpoint="get_run",
            conditional=True,
            retry=True,
            not_found=(
                f"GitHub found no workflow run {run_id} in {self.repo} at {self.base_url} (404): "
                "the run id is wrong, the run was deleted, or the token cannot see the repository"
            ),
        )
        return dict(reply.body) if isinstance(reply.body, dict) else {}

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
        """Self-hosted runners of the repository, all pages (needs admin rights on the repository)."""
        runners, _ = self._paginate(
            f"repos/{self.repo}/actions/runners",
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

    def rate_limit(self) -> dict[str, Any]:
        """GET /rate_limit (does not count against the limit). `{}` where GHES has rate limiting off."""
        try:
            reply = self._request("GET", "rate_limit", endpoint="rate_limit", retry=True)
        except GitHubError as exc:
            if exc.status == 404:
                return {}
            raise
        return dict(reply.body) if isinstance(reply.body, dict) else {}

    # ------------------------------------------------------------------ figures

    def api_stats(self) -> dict[str, Any]:
        """Counters for result.json's `api` section.

        requests = responses received (counted + not_modified); counted = those that count against
        the primary rate limit (not 304, not /rate_limit); per_endpoint breaks them down;
        dispatches_by_workflow counts dispatch requests per workflow file; retries (requests sent
        again), rate_limited (rate-limited answers), connection_errors, waited_s (clock seconds the
        governor waited in all) = backoff_s (after errors and rate limits) + paced_s (spacing and
        the points budget). `per_workflow` (a number) is added by suite.github.cost.api_section.
        """
        with self._lock:
            per_endpoint = {name: dict(c) for name, c in self._per_endpoint.items()}
            return {
                "requests": sum(c["requests"] for c in per_endpoint.values()),
                "counted": sum(c["counted"] for c in per_endpoint.values()),
                "not_modified": sum(c["not_modified"] for c in per_endpoint.values()),
                "retries": self._retries,
                "rate_limited": self._rate_limited,
                "connection_errors": self._connection_errors,
                "waited_s": round(self._governor.waited_s, 3),
                "backoff_s": round(self._waited_s, 3),
                "paced_s": round(self._governor.paced_s, 3),
                "per_endpoint": per_endpoint,
                "dispatches_by_workflow": {name: dict(c) for name, c in self._per_workflow.items()},
            }

    def clock_offset_s(self) -> float | None:
        """Median of (GitHub `Date` header − local clock now) over responses so far; None before any.

        `Date` has 1 s resolution, so a single sample is only good to about a second.
        """
        with self._lock:
            return statistics.median(self._offsets) if self._offsets else None

    def on_wait(self, listener: Callable[[float, str], None] | None) -> None:
        """Call `listener(seconds, reason)` as each governor wait begins (progress lines)."""
        self._governor.on_wait = listener

    def governor_status(self) -> str:
        """Short text for progress lines: points spent in the last minute, time waited and why."""
        gov = self._governor
        text = f"{gov.points_last_minute()}/{gov.config.points_per_minute} pts/min"
        if gov.waited_s > 0:
            text += f" · waited {gov.waited_s:.0f} s ({gov.last_wait_reason})"
        return text

    def rate_budget(self) -> dict[str, Any] | None:
        """The last `x-ratelimit-*` headers seen: limit, remaining, used, reset (epoch s), resource."""
        with self._lock:
            return dict(self._budget) if self._budget is not None else None

    # ------------------------------------------------------------------ internals

    def _repo_not_found(self) -> str:
        return (
            f"GitHub found no repository {self.repo} at {self.base_url} (404): check the owner/name and "
            "that the token can see the repository (GitHub answers 404 for repositories a token cannot see)"
        )

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text

    def _authorization(self) -> str | None:
        if self._app is None:
            return f"Bearer {self._token}" if self._token else None
        return f"Bearer {self._installation_token()}"

    def _github_now(self) -> float:
        return self._clock.now() + (self.clock_offset_s() or 0.0)

    def _installation_token(self) -> str:
        """The App installation's token; a new one (POST /app/installations/{id}/access_tokens with the
        App's JWT) when there is none yet or the current one has less than REFRESH_MARGIN_S left."""
        app = self._app
        assert app is not None
        now = self._github_now()
        if self._installation is not None and self._installation[1] - now > REFRESH_MARGIN_S:
            return self._installation[0]
        jwt = app.jwt(now)
        self._secrets.add(jwt)
        reply = self._request(
            "POST",
            f"app/installations/{app.installation_id}/access_tokens",
            endpoint="installation_token",
            authorization=f"Bearer {jwt}",
            not_found=(
                f"GitHub found no installation {app.installation_id} of GitHub App {app.app_id} at "
                f"{self.base_url} (404): check {APP_INSTALLATION_ID} (the App's settings page lists its "
                "installations)"
            ),
        )
        body = reply.body if isinstance(reply.body, dict) else {}
        token, expires_at = body.get("token"), body.get("expires_at")
        if not isinstance(token, str) or not token or not isinstance(expires_at, str):
            raise EnvironmentFailure(
                f"GitHub answered the installation token request of GitHub App {app.app_id} without a "
                "token and its expiry"
            )
        self._secrets.add(token)
        self._installation = (token, parse_iso(expires_at))
        log.info(
            "GitHub App %s: installation token for installation %d, expires %s",
            app.app_id,
            app.installation_id,
            expires_at,
        )
        return token

    def _paginate(
        self,
        path: str,
        endpoint: str,
        key: str,
        params: dict[str, str | int],
        not_found: str,
    ) -> tuple[list[dict[str, Any]], int | None]:
        items: list[dict[str, Any]] = []
        total: int | None = None
        url: str | None = path
        page_params: dict[str, str | int] | None = params
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            if url is None:
                break
            reply = self._request(
                "GET",
                url,
                endpoint=endpoint,
                params=page_params,
                conditional=True,
                retry=True,
                not_found=not_found,
            )
            body = reply.body if isinstance(reply.body, dict) else {}
            page = body.get(key) or []
            items.extend(item for item in page if isinstance(item, dict))
            if total is None and isinstance(body.get("total_count"), int):
                total = body["total_count"]
            seen.add(url)
            url = reply.next_url if reply.next_url not in seen else None
            page_params = None  # the `next` link carries the query
        return items, total

    def _request(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        params: dict[str, str | int] | None = None,
        json: Any = None,
        conditional: bool = False,
        retry: bool = False,
        not_found: str | None = None,
        authorization: str | None = None,
    ) -> _Reply:
        """Send one logical request; the single path every call takes to GitHub.

        conditional: send If-None-Match with the last ETag for this URL; a 304 returns the cached body.
        retry: idempotent; retried on 5xx and connection errors (governor get_tries, backoff on the clock).
        Every request: serial, paced by the governor; rate-limited answers waited out and sent again.
        authorization: this `Authorization` value instead of the client's token (the App's JWT).
        Raises RateLimited, GitHubError (non-2xx) or EnvironmentFailure (connection errors).
        """
        request = self._http.build_request(method, url, params=params, json=json)
        key = str(request.url)
        cached = self._etags.get(key) if conditional else None
        if cached is not None:
            request.headers["If-None-Match"] = cached.etag
        gov = self._governor
        tries = gov.config.get_tries if retry else 1
        failures = 0  # 5xx / connection errors in a row
        limited = 0  # rate-limited answers in a row
        attempt = 0
        with gov.serial():
            while True:
                attempt += 1
                auth = authorization or self._authorization()  # per try: an App token may be renewed
                if auth:
                    request.headers["Authorization"] = auth
                gov.before_send(method)
                try:
                    response = self._http.send(request)
                except httpx.TransportError as exc:
                    failures += 1
                    with self._lock:
                        self._connection_errors += 1
                    log.debug("%s %s: %s (try %d)", method, key, type(exc).__name__, attempt)
                    if failures < tries:
                        self._retry_wait(backoff_s(failures), "connection error")
                        continue
                    raise EnvironmentFailure(
                        self._redact(
                            f"Cannot reach GitHub at {self.base_url} ({type(exc).__name__}: {exc}) "
                            f"after {attempt} tr{'y' if attempt == 1 else 'ies'}: check the network, "
                            "HTTPS_PROXY and SSL_CERT_FILE/REQUESTS_CA_BUNDLE"
                        )
                    ) from exc
                date_header = self._observe(endpoint, response)
                log.debug("%s %s -> %d (try %d)", method, key, response.status_code, attempt)
                if response.status_code == 304 and cached is not None:
                    next_url = self._next_url(response) or cached.next_url
                    return _Reply(304, cached.body, next_url, date_header, True)
                if 200 <= response.status_code < 300:
                    body = response.json() if response.content else None
                    next_url = self._next_url(response)
                    etag = response.headers.get("etag")
                    if conditional and etag:
                        self._etags[key] = _CachedPage(etag, body, next_url)
                    return _Reply(response.status_code, body, next_url, date_header, False)
                if _is_rate_limited(response):
                    # GitHub refuses a rate-limited request without acting on it: safe to send again
                    limited += 1
                    if limited < gov.config.rate_limit_tries:
                        with self._lock:
                            self._rate_limited += 1
                        wait = rate_limit_wait_s(response.headers, self._clock.now(), limited)
                        self._retry_wait(wait, f"rate limited ({response.status_code})")
                        continue
                elif response.status_code in RETRY_STATUSES and retry:
                    failures += 1
                    if failures < tries:
                        self._retry_wait(backoff_s(failures), f"HTTP {response.status_code}")
                        continue
                raise self._error(endpoint, response, date_header, not_found, attempt)

    def _retry_wait(self, seconds: float, reason: str) -> None:
        with self._lock:
            self._retries += 1
            self._waited_s += seconds
        self._governor.wait(seconds, reason)

    @staticmethod
    def _next_url(response: httpx.Response) -> str | None:
        link = response.links.get("next")
        return link.get("url") if link else None

    def _observe(self, endpoint: str, response: httpx.Response) -> float | None:
        """Count the response, note its clock offset and rate-limit headers; return its Date."""
        date_header = _parse_http_date(response.headers.get("date"))
        now = self._clock.now()
        with self._lock:
            counts = self._per_endpoint.setdefault(endpoint, {"requests": 0, "counted": 0, "not_modified": 0})
            counts["requests"] += 1
            if response.status_code == 304:
                counts["not_modified"] += 1
            elif endpoint not in UNCOUNTED_ENDPOINTS:
                counts["counted"] += 1
            if date_header is not None:
                self._offsets.append(date_header - now)
            if "x-ratelimit-remaining" in response.headers:
                budget: dict[str, Any] = {}
                for name in ("limit", "remaining", "used", "reset"):
                    value = header_float(response.headers, f"x-ratelimit-{name}")
                    if value is not None:
                        budget[name] = int(value)
                budget["resource"] = response.headers.get("x-ratelimit-resource", "core")
                self._budget = budget
        return date_header

    def _error(
        self,
        endpoint: str,
        response: httpx.Response,
        date_header: float | None,
        not_found: str | None,
        attempt: int,
    ) -> GitHubError:
        status = response.status_code
        message = _github_message(response)
        said = f": {message}" if message else ""
        if _is_rate_limited(response):
            with self._lock:
                self._rate_limited += 1
            retry_after = header_float(response.headers, "retry-after")
            reset_at = header_float(response.headers, "x-ratelimit-reset")
            when = (
                f"retry after {retry_after:g} s"
                if retry_after is not None
                else f"limit resets at epoch {reset_at:.0f}"
                if reset_at is not None
                else "no retry time given: wait at least 60 s"
            )
            return RateLimited(
                self._redact(f"GitHub rate limit hit on {endpoint} ({status}){said}; {when}"),
                status=status,
                endpoint=endpoint,
                github_message=message,
                date_header=date_header,
                retry_after_s=retry_after,
                reset_at=reset_at,
            )
        if status == 401 and endpoint == "installation_token" and self._app is not None:
            text = (
                f"GitHub rejected the JWT of GitHub App {self._app.app_id} (401{said}) at {self.base_url}: "
                "check that GITHUB_APP_ID is the App's id, that GITHUB_APP_PRIVATE_KEY_FILE holds a "
                "current private key of that App, and that this machine's clock is right (the JWT is "
                "valid for minutes)"
            )
        elif status == 401 and self._app is not None:
            text = (
                f"GitHub rejected the installation token of GitHub App {self._app.app_id} (401{said}) at "
                f"{self.base_url}: the installation may have been suspended or removed from {self.repo}"
            )
        elif status == 401:
            text = (
                f"GitHub rejected the token (401{said}) at {self.base_url}: it is missing, mistyped, "
                "expired or revoked. Fix: create a new token (fine-grained on "
                f"{self.repo} with Actions: read and write, Administration: read; or classic with the "
                "`repo` and `workflow` scopes) and export it as GITHUB_TOKEN"
            )
        elif status == 404 and not_found:
            text = not_found
        elif status == 403:
            text = (
                f"GitHub refused {endpoint} on {self.repo} (403){said}: the token lacks a permission "
                "this call needs (dispatch: Actions write; runners: Administration read / repo admin)"
            )
        else:
            tries = f" after {attempt} tries" if attempt > 1 else ""
            text = f"GitHub answered {status} to {endpoint} on {self.repo}{tries}{said}"
        return GitHubError(
            self._redact(text),
            status=status,
            endpoint=endpoint,
            github_message=message,
            date_header=date_header,
        )

"""The plumbing under GitHubClient: one httpx.Client with its auth flow and transport layers, the
single path every request takes (`_request`), pagination, and the figures of the session.

Layers, outside in: the auth flow (TokenAuth, or InstallationAuth for a GitHub App), the ETag cache
(suite.github.etag), the governed transport (suite.github.transport: pacing, rate-limit waits,
retries, the counters of api_stats), the real transport (with the environment's proxies and CA
bundle) or one given by a test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Self

import httpx

from suite import __version__
from suite.clock import Clock, WallClock
from suite.errors import EnvironmentFailure, UsageError, clip
from suite.github.app import AppCredentials, InstallationAuth
from suite.github.auth import TokenAuth, check_token
from suite.github.cost import ApiCounters
from suite.github.errors import Where, error_for
from suite.github.etag import CachedPage, ETagCache
from suite.github.governor import Governor, GovernorConfig
from suite.github.redact import REDACTED, Redactor
from suite.github.transport import EXTENSION, Call, GovernedTransport, call_of, transports

API_VERSION = "2022-11-28"
MAX_PAGES = 1000


def scope_path(owner: str, scope: str = "repo") -> str:
    """Where self-hosted runners are administered: `repos/{owner/name}` or `orgs/{org}`."""
    return f"orgs/{owner}" if scope == "org" else f"repos/{owner}"


def body_of(response: httpx.Response) -> Any:
    """The JSON body; None when there is none."""
    return response.json() if response.content else None


def _tries(exc: httpx.TransportError, call: Call) -> int:
    """How often the request that failed (the call's, or an App token request before it) was sent."""
    try:
        request = exc.request
    except RuntimeError:
        return max(1, call.tries)
    return max(1, call_of(request).tries)


class GitHubSession:
    """A session with GitHub's REST API for one repository (GitHubClient adds the endpoints).

    `token`: a token string, or AppCredentials to authenticate as a GitHub App installation.
    `runner_scope`: "repo", or "org" to administer the runners of the organization named `repo`.
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
        runner_scope: str = "repo",
    ) -> None:
        owner, sep, name = repo.partition("/")
        if runner_scope == "org":
            if not repo or sep:
                raise UsageError(f"GitHub organization must be a name without '/', got {repo!r}")
        elif not sep or not owner or not name or "/" in name:
            raise UsageError(f"GitHub repository must be 'owner/name', got {repo!r}")
        self.base_url = base_url.rstrip("/")
        self.repo = repo
        self.runners_path = scope_path(repo, runner_scope)
        self._clock: Clock = clock if clock is not None else WallClock()
        self._governor = Governor(self._clock, governor)
        self._counters = ApiCounters(self._governor)
        self._secrets = Redactor()
        auth: httpx.Auth
        if isinstance(token, AppCredentials):
            self._where = Where(self.base_url, repo, token.app_id)
            auth = InstallationAuth(token, self._where, self._github_now, self._secrets)
        else:
            self._where = Where(self.base_url, repo)
            check_token(token)
            self._secrets.add(token)
            auth = TokenAuth(token)
        pages: dict[str, CachedPage] = {}

        def layers(inner: httpx.BaseTransport) -> httpx.BaseTransport:
            return ETagCache(GovernedTransport(inner, self._governor, self._counters, self._clock), pages)

        real, mounts = transports(transport, layers)
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            auth=auth,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": user_agent,
            },
            timeout=httpx.Timeout(timeout),
            transport=real,
            mounts=mounts,
        )

    # ------------------------------------------------------------------ lifecycle

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, repo={self.repo!r}, token={REDACTED})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        return self._counters.stats()

    def clock_offset_s(self) -> float | None:
        """Median of (GitHub `Date` header − local clock now) over responses so far; None before any.

        `Date` has 1 s resolution, so a single sample is only good to about a second.
        """
        return self._counters.clock_offset_s()

    def read_tries(self, tries: int) -> None:
        """From now on, retry an idempotent read up to `tries` tries in all (backoff 1, 2, 4 ... 60 s on
        the clock), in place of the governor's `get_tries` (the collection's budget is larger than the
        dispatch's, which must not fall behind its schedule)."""
        self._governor.config = replace(self._governor.config, get_tries=tries)

    def clock_offset_low_s(self) -> float | None:
        """The lowest offset sample kept; None before any answer with `Date`. Each sample is GitHub's
        time truncated to the second, stamped before the answer arrived, minus our time on arrival, so
        none is above the true offset: the bound `created` windows are built on
        (suite.github.clock_offset)."""
        return self._counters.clock_offset_low_s()

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
        return self._counters.rate_budget()

    # ------------------------------------------------------------------ internals

    def _repo_not_found(self) -> str:
        return (
            f"GitHub found no repository {self.repo} at {self.base_url} (404): check the owner/name and "
            "that the token can see the repository (GitHub answers 404 for repositories a token cannot see)"
        )

    def _github_now(self) -> float:
        return self._clock.now() + (self.clock_offset_s() or 0.0)

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
            response = self._request(
                "GET",
                url,
                Call(endpoint, retry=True, conditional=True),
                params=page_params,
                not_found=not_found,
            )
            body = body_of(response)
            body = body if isinstance(body, dict) else {}
            page = body.get(key) or []
            items.extend(item for item in page if isinstance(item, dict))
            if total is None and isinstance(body.get("total_count"), int):
                total = body["total_count"]
            seen.add(url)
            link = response.links.get("next")
            next_url = link.get("url") if link else None
            url = next_url if next_url not in seen else None
            page_params = None  # the `next` link carries the query
        return items, total

    def _request(
        self,
        method: str,
        url: str,
        call: Call,
        *,
        params: dict[str, str | int] | None = None,
        json: Any = None,
        not_found: str | None = None,
    ) -> httpx.Response:
        """Send one logical request through the auth flow and the transport layers; its 2xx answer.

        Raises RateLimited, GitHubError (non-2xx; `not_found` is the text for a 404) or
        EnvironmentFailure (no answer after the transport's tries).
        """
        request = self._http.build_request(
            method, url, params=params, json=json, extensions={EXTENSION: call}
        )
        try:
            response = self._http.send(request)
        except httpx.TransportError as exc:
            tries = _tries(exc, call)
            raise EnvironmentFailure(
                self._secrets.redact(
                    f"Cannot reach GitHub at {self.base_url} ({type(exc).__name__}: {clip(str(exc), 160)}) "
                    f"after {tries} tr{'y' if tries == 1 else 'ies'}: check the network, "
                    "HTTPS_PROXY and SSL_CERT_FILE/REQUESTS_CA_BUNDLE"
                )
            ) from exc
        if 200 <= response.status_code < 300:
            return response
        raise error_for(
            response, call.endpoint, self._where, self._secrets.redact, not_found=not_found, tries=call.tries
        )

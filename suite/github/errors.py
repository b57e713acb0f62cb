"""GitHub's error answers as exceptions, each message saying what went wrong and how to fix it.

Messages are built here for every layer (client, transport, App auth); the caller passes its
`redact` (the session's suite.github.redact.Redactor) so that no token or JWT, in any encoding,
reaches a message or the `github_message` an exception carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from suite.errors import EnvironmentFailure
from suite.github.governor import header_float


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
class Where:
    """What error messages name: the API's base URL, the repository, the GitHub App (when one is used)."""

    base_url: str
    repo: str
    app_id: str | None = None


def parse_http_date(value: str | None) -> float | None:
    """An HTTP `Date` header as epoch seconds; None when absent or unreadable."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def github_message(response: httpx.Response) -> str | None:
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


def is_rate_limited(response: httpx.Response) -> bool:
    """429, or a 403 that says it is about rate limits (headers or message)."""
    if response.status_code == 429:
        return True
    if response.status_code != 403:
        return False
    if response.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in response.headers:
        return True
    return "rate limit" in (github_message(response) or "").lower()


def error_for(
    response: httpx.Response,
    endpoint: str,
    where: Where,
    redact: Callable[[str], str],
    *,
    not_found: str | None = None,
    tries: int = 1,
) -> GitHubError:
    """The exception for a non-2xx answer to `endpoint`, after `tries` tries."""
    status = response.status_code
    said_by_github = github_message(response)
    message = redact(said_by_github) if said_by_github is not None else None
    date_header = parse_http_date(response.headers.get("date"))
    said = f": {message}" if message else ""
    if is_rate_limited(response):
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
            redact(f"GitHub rate limit hit on {endpoint} ({status}){said}; {when}"),
            status=status,
            endpoint=endpoint,
            github_message=message,
            date_header=date_header,
            retry_after_s=retry_after,
            reset_at=reset_at,
        )
    if status == 401 and endpoint == "installation_token" and where.app_id is not None:
        text = (
            f"GitHub rejected the JWT of GitHub App {where.app_id} (401{said}) at {where.base_url}: "
            "check that GITHUB_APP_ID is the App's id, that GITHUB_APP_PRIVATE_KEY_FILE holds a "
            "current private key of that App, and that this machine's clock is right (the JWT is "
            "valid for minutes)"
        )
    elif status == 401 and where.app_id is not None:
        text = (
            f"GitHub rejected the installation token of GitHub App {where.app_id} (401{said}) at "
            f"{where.base_url}: the installation may have been suspended or removed from {where.repo}"
        )
    elif status == 401:
        text = (
            f"GitHub rejected the token (401{said}) at {where.base_url}: it is missing, mistyped, "
            "expired or revoked. Fix: create a new token (fine-grained on "
            f"{where.repo} with Actions: read and write, Administration: read; or classic with the "
            "`repo` and `workflow` scopes) and export it as GITHUB_TOKEN"
        )
    elif status == 404 and not_found:
        text = not_found
    elif status == 403:
        text = (
            f"GitHub refused {endpoint} on {where.repo} (403){said}: the token lacks a permission "
            "this call needs (dispatch: Actions write; runners: Administration read / repo admin)"
        )
    else:
        more = f" after {tries} tries" if tries > 1 else ""
        text = f"GitHub answered {status} to {endpoint} on {where.repo}{more}{said}"
    return GitHubError(
        redact(text), status=status, endpoint=endpoint, github_message=message, date_header=date_header
    )

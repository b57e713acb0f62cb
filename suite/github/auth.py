"""Where the GitHub token comes from (the environment, never a file the suite writes), and how it is
sent: TokenAuth, an httpx.Auth that puts it in the Authorization header and nowhere else.
(GitHub App credentials: suite.github.app.)"""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping

import httpx

from suite.errors import UsageError

TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


def token_from_env(env: Mapping[str, str] | None = None) -> str:
    """The GitHub token from `GITHUB_TOKEN`, else `GH_TOKEN` (surrounding whitespace removed).

    Raises UsageError (exit 2) with how to provide one when neither is set to a non-empty value.
    """
    source = os.environ if env is None else env
    for name in TOKEN_VARIABLES:
        value = source.get(name, "").strip()
        if value:
            return value
    raise UsageError(
        "No GitHub token: set GITHUB_TOKEN (or GH_TOKEN) in the environment. "
        "Use a fine-grained token on the target repository with Actions: read and write "
        "(and Administration: read to list runners), or a classic token with the `repo` and "
        "`workflow` scopes; with the GitHub CLI logged in: export GITHUB_TOKEN=$(gh auth token). "
        "Or authenticate as a GitHub App: GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_FILE and "
        "GITHUB_APP_INSTALLATION_ID"
    )


class Secrets:
    """The tokens and JWTs a client has used: scrubbed from every message it builds."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def __repr__(self) -> str:
        return f"Secrets(<{len(self._values)} redacted>)"

    def add(self, value: str) -> None:
        if value:
            self._values.add(value)

    def redact(self, text: str) -> str:
        for secret in list(self._values):
            text = text.replace(secret, "<redacted>")
        return text


class TokenAuth(httpx.Auth):
    """`Authorization: Bearer <token>` (a personal access token, GITHUB_TOKEN); no header when empty."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "TokenAuth(<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token:
            request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

"""Where the GitHub token comes from (the environment, never a file the suite writes), and how it is
sent: TokenAuth, an httpx.Auth that puts it in the Authorization header and nowhere else. A token
holding whitespace or a control character is refused where it is read (check_token).
(GitHub App credentials: suite.github.app.)"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Generator, Mapping

import httpx

from suite.errors import UsageError
from suite.github.redact import REDACTED

TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


def token_from_env(env: Mapping[str, str] | None = None) -> str:
    """The GitHub token from `GITHUB_TOKEN`, else `GH_TOKEN` (surrounding whitespace removed).

    Raises UsageError (exit 2) with how to provide one when neither is set to a non-empty value.
    """
    source = os.environ if env is None else env
    for name in TOKEN_VARIABLES:
        value = source.get(name, "").strip()
        if value:
            check_token(value, name)
            return value
    raise UsageError(
        "No GitHub token: set GITHUB_TOKEN (or GH_TOKEN) in the environment. "
        "Use a fine-grained token on the target repository with Actions: read and write "
        "(and Administration: read to list runners), or a classic token with the `repo` and "
        "`workflow` scopes; with the GitHub CLI logged in: export GITHUB_TOKEN=$(gh auth token). "
        "Or authenticate as a GitHub App: GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_FILE and "
        "GITHUB_APP_INSTALLATION_ID"
    )


def check_token(value: str, name: str = "the GitHub token") -> None:
    """UsageError (exit 2) when a token holds whitespace or a control character (a line break pasted
    with it, a NUL): no header could carry it, and the error line names the position, never the token."""
    for at, char in enumerate(value, 1):
        if char.isspace() or unicodedata.category(char)[0] in "CZ":
            what = "a line break" if char in "\r\n" else f"character U+{ord(char):04X}"
            variable = name if name in TOKEN_VARIABLES else "GITHUB_TOKEN"
            raise UsageError(
                f"{name} holds {what} at position {at} of {len(value)}: a token is one word of printable "
                f"characters; copy it again (e.g. export {variable}=$(gh auth token)) without the line "
                "break or spaces"
            )


class TokenAuth(httpx.Auth):
    """`Authorization: Bearer <token>` (a personal access token, GITHUB_TOKEN); no header when empty."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return f"TokenAuth({REDACTED})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token:
            request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

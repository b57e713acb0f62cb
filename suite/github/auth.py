"""Where the GitHub token comes from: the environment, never a file the suite writes.
(GitHub App credentials: suite.github.app.)"""

from __future__ import annotations

import os
from collections.abc import Mapping

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

"""GitHub App authentication: app id + private key -> a JWT (RS256) -> an installation token.

GitHub's rules (docs "Authenticating as a GitHub App" / "... as an installation"): the JWT is signed
with the App's private key (RS256), `iss` is the App id, `iat` should be 60 s in the past to allow
for clock drift and `exp` at most 10 minutes after `iat`. `POST /app/installations/{id}/access_tokens`
with `Authorization: Bearer <JWT>` returns an installation token (`ghs_...`) that expires after one
hour; the client asks for a new one before that (REFRESH_MARGIN_S).

The private key never leaves this module's objects: it is not part of repr(), never logged, and no
error message built here contains it or any token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jwt as pyjwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from suite.errors import UsageError

APP_ID = "GITHUB_APP_ID"
APP_PRIVATE_KEY_FILE = "GITHUB_APP_PRIVATE_KEY_FILE"
APP_INSTALLATION_ID = "GITHUB_APP_INSTALLATION_ID"
APP_VARIABLES = (APP_ID, APP_PRIVATE_KEY_FILE, APP_INSTALLATION_ID)
JWT_BACKDATE_S = 60  # iat this far in the past (GitHub: protects against clock drift)
JWT_LIFETIME_S = 540  # exp - iat: under GitHub's 10-minute maximum
REFRESH_MARGIN_S = 300.0  # a new installation token when the current one has less than this left


@dataclass(frozen=True)
class AppCredentials:
    """A GitHub App installation to authenticate as. `private_key` is the PEM text of the App's key."""

    app_id: str
    installation_id: int
    private_key: bytes = field(repr=False)
    key_file: str = ""

    def __post_init__(self) -> None:
        where = f" ({self.key_file})" if self.key_file else ""
        try:
            key = serialization.load_pem_private_key(self.private_key, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise UsageError(
                f"{APP_PRIVATE_KEY_FILE}{where} is not an unencrypted PEM private key: download a new "
                "private key from the GitHub App's settings page and point the variable at that .pem file"
            ) from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise UsageError(f"{APP_PRIVATE_KEY_FILE}{where} is not an RSA key (GitHub App keys are RSA)")

    def jwt(self, now: float) -> str:
        """The App's JWT for `now` (epoch seconds on GitHub's clock), signed RS256 by PyJWT."""
        iat = int(now) - JWT_BACKDATE_S
        claims = {"iat": iat, "exp": iat + JWT_LIFETIME_S, "iss": self.app_id}
        return pyjwt.encode(claims, self.private_key, algorithm="RS256")


def app_from_env(env: Mapping[str, str] | None = None) -> AppCredentials | None:
    """The GitHub App from GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_FILE and GITHUB_APP_INSTALLATION_ID;
    None when none of them is set. UsageError (exit 2) when the configuration is incomplete or wrong."""
    source = os.environ if env is None else env
    values = {name: source.get(name, "").strip() for name in APP_VARIABLES}
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise UsageError(
            f"GitHub App authentication needs {', '.join(APP_VARIABLES)}; missing: {', '.join(missing)}"
        )
    try:
        installation = int(values[APP_INSTALLATION_ID])
    except ValueError:
        raise UsageError(
            f"{APP_INSTALLATION_ID} must be the installation's number (from "
            "https://github.com/settings/installations/<id> or GET /app/installations)"
        ) from None
    path = Path(values[APP_PRIVATE_KEY_FILE]).expanduser()
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{APP_PRIVATE_KEY_FILE}: cannot read {path} ({exc.strerror})") from None
    return AppCredentials(values[APP_ID], installation, pem, key_file=str(path))


def credentials_from_env(env: Mapping[str, str] | None = None) -> str | AppCredentials:
    """GitHub App credentials when GITHUB_APP_* are set, else the token (GITHUB_TOKEN / GH_TOKEN)."""
    from suite.github.auth import token_from_env

    app = app_from_env(env)
    return app if app is not None else token_from_env(env)

"""GitHub App authentication: app id + private key -> a JWT (RS256) -> an installation token.

GitHub's rules (docs "Authenticating as a GitHub App" / "... as an installation"): the JWT is signed
with the App's private key (RS256), `iss` is the App id, `iat` should be 60 s in the past to allow
for clock drift and `exp` at most 10 minutes after `iat`. `POST /app/installations/{id}/access_tokens`
with `Authorization: Bearer <JWT>` returns an installation token (`ghs_...`) that expires after one
hour; InstallationAuth (an httpx.Auth flow) asks for a new one before that (REFRESH_MARGIN_S).

The private key never leaves this module's objects: it is not part of repr(), never logged, and no
error message built here contains it or any token.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt as pyjwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from suite.errors import EnvironmentFailure, UsageError
from suite.github.auth import token_from_env
from suite.github.errors import Where, error_for, parse_http_date
from suite.github.redact import Redactor
from suite.github.transport import EXTENSION, Call, call_of
from suite.isotime import parse_iso

log = logging.getLogger("suite.github")

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
    app = app_from_env(env)
    return app if app is not None else token_from_env(env)


class InstallationAuth(httpx.Auth):
    """Authenticate as the App's installation (an httpx.Auth flow).

    Before a request: a new installation token (POST /app/installations/{id}/access_tokens with the
    App's JWT, through the same transport and governor) when there is none yet or the current one has
    less than REFRESH_MARGIN_S left. A 401 to a request whose token went stale meanwhile (a long
    rate-limit wait) is answered by renewing it and sending the request once more.
    `now`: epoch seconds on GitHub's clock. The first JWT may be signed before any answer has measured
    that clock: when GitHub refuses it (401) and its `Date` shows our time was off by more than the
    JWT's backdating, the JWT is signed again on that `Date` and sent once more.
    """

    requires_response_body = True

    def __init__(
        self, app: AppCredentials, where: Where, now: Callable[[], float], secrets: Redactor
    ) -> None:
        self._app = app
        self._where = where
        self._now = now
        self._secrets = secrets
        self._installation: tuple[str, float] | None = None  # token, expires_at (GitHub's clock)
        self._renewing = threading.Lock()  # one renewal at a time; other threads then use its token

    def __repr__(self) -> str:
        return f"InstallationAuth(app_id={self._app.app_id!r}, installation_id={self._app.installation_id})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        with self._renewing:
            if self._stale():
                signed_at = self._now()
                answer = yield self._token_request(request, signed_at)
                github_now = parse_http_date(answer.headers.get("date"))
                if (
                    answer.status_code == 401
                    and github_now is not None
                    and abs(github_now - signed_at) >= JWT_BACKDATE_S
                ):
                    answer = yield self._token_request(request, github_now)
                self._store(answer)
            request.headers["Authorization"] = f"Bearer {self._token()}"
        response = yield request
        if response.status_code == 401:
            with self._renewing:
                if not self._stale():
                    return
                self._store((yield self._token_request(request, self._now())))
                request.headers["Authorization"] = f"Bearer {self._token()}"
            yield request

    def _stale(self) -> bool:
        return self._installation is None or self._installation[1] - self._now() <= REFRESH_MARGIN_S

    def _token(self) -> str:
        assert self._installation is not None
        return self._installation[0]

    def _token_request(self, request: httpx.Request, github_now: float) -> httpx.Request:
        app = self._app
        jwt = app.jwt(github_now)
        self._secrets.add(jwt)
        headers = httpx.Headers(request.headers)
        for name in ("content-type", "content-length", "if-none-match"):
            headers.pop(name, None)
        headers["Authorization"] = f"Bearer {jwt}"
        return httpx.Request(
            "POST",
            f"{self._where.base_url}/app/installations/{app.installation_id}/access_tokens",
            headers=headers,
            extensions={**request.extensions, EXTENSION: Call("installation_token")},
        )

    def _store(self, response: httpx.Response) -> None:
        app = self._app
        if not 200 <= response.status_code < 300:
            raise error_for(
                response,
                "installation_token",
                self._where,
                self._secrets.redact,
                not_found=(
                    f"GitHub found no installation {app.installation_id} of GitHub App {app.app_id} at "
                    f"{self._where.base_url} (404): check {APP_INSTALLATION_ID} (the App's settings page "
                    "lists its installations)"
                ),
                tries=call_of(response.request).tries,
            )
        body: Any = response.json() if response.content else None
        body = body if isinstance(body, dict) else {}
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

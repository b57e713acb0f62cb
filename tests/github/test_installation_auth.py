"""The GitHub App's installation-token refresh as an httpx.Auth flow (suite.github.app.InstallationAuth),
against httpx.MockTransport on a fake clock: the token request goes through the same transport layers,
and a token that went stale while a request waited out a rate limit is renewed, not sent again."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from suite.clock import iso
from suite.github import GitHubClient
from suite.github.app import AppCredentials
from tests.helpers.clocks import FakeClock
from tests.helpers.github_mock import API, REPO, T0, gh_headers, run_obj

LIFETIME_S = 600


@pytest.fixture(scope="module")
def creds() -> AppCredentials:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return AppCredentials("42", 7, pem)


class FakeGitHub:
    """Issues installation tokens valid LIFETIME_S on `clock`; refuses expired ones with 401."""

    def __init__(self, clock: FakeClock, retry_after_first: float | None = None) -> None:
        self.clock = clock
        self.tokens: dict[str, float] = {}
        self.seen: list[httpx.Request] = []
        self.retry_after_first = retry_after_first

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        now = self.clock.now()
        if request.url.path == "/app/installations/7/access_tokens":
            assert request.headers["authorization"].startswith("Bearer eyJ")  # the JWT
            assert request.headers["accept"] == "application/vnd.github+json"
            token = f"ghs_{len(self.tokens)}"
            self.tokens[token] = now + LIFETIME_S
            return httpx.Response(201, json={"token": token, "expires_at": iso(now + LIFETIME_S)})
        token = request.headers["authorization"].removeprefix("Bearer ")
        if self.tokens.get(token, 0) <= now:
            return httpx.Response(401, headers=gh_headers(now), json={"message": "Bad credentials"})
        if self.retry_after_first is not None:
            wait, self.retry_after_first = self.retry_after_first, None
            return httpx.Response(
                429, headers=gh_headers(now, **{"retry-after": f"{wait:g}"}), json={"message": "slow down"}
            )
        return httpx.Response(200, headers=gh_headers(now), json=run_obj(1))


def test_the_token_request_goes_through_the_transport_and_is_not_counted(creds: AppCredentials) -> None:
    clock = FakeClock(T0)
    github = FakeGitHub(clock)
    client = GitHubClient(API, REPO, creds, transport=httpx.MockTransport(github), clock=clock)
    client.get_run(1)
    client.get_run(1)
    assert [r.url.path for r in github.seen] == [
        "/app/installations/7/access_tokens",
        f"/repos/{REPO}/actions/runs/1",
        f"/repos/{REPO}/actions/runs/1",
    ]
    stats = client.api_stats()
    assert stats["per_endpoint"]["installation_token"] == {"requests": 1, "counted": 0, "not_modified": 0}
    assert stats["counted"] == 2


def test_a_token_that_went_stale_during_a_rate_limit_wait_is_renewed(creds: AppCredentials) -> None:
    clock = FakeClock(T0)
    github = FakeGitHub(clock, retry_after_first=LIFETIME_S + 60)
    client = GitHubClient(API, REPO, creds, transport=httpx.MockTransport(github), clock=clock)
    assert client.get_run(1)["id"] == 1
    assert clock.sleeps == [LIFETIME_S + 60]
    assert [r.url.path.rsplit("/", 1)[-1] for r in github.seen] == [
        "access_tokens",
        "1",
        "1",
        "access_tokens",
        "1",
    ]
    assert len(github.tokens) == 2
    assert client.api_stats()["per_endpoint"]["installation_token"]["requests"] == 2

"""Token and GitHub App auth against the twin over real HTTP on loopback: the App's RS256 JWT buys an
installation token (the twin verifies the JWT with the App's public key), which the client renews
before it expires; configuration from the environment, with one clear error (exit 2) when it is wrong.
No secret (token, JWT, private key) reaches a message, a log or a file of the run directory."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from suite.errors import UsageError
from suite.fleet.environments import local_target
from suite.github.app import (
    JWT_BACKDATE_S,
    JWT_LIFETIME_S,
    REFRESH_MARGIN_S,
    AppCredentials,
    app_from_env,
    credentials_from_env,
)
from suite.github.client import GitHubClient, GitHubError
from suite.pipeline.run import run_profile
from suite.twin.app_auth import AppConfig
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin
from tests.helpers.twin import twin_config

APP_ID = "123456"
INSTALLATION = 4242
LIFETIME_S = 900  # the twin's installation tokens last 15 virtual minutes here (GitHub: an hour)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def key_file(tmp_path: Path, key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "app.private-key.pem"
    path.write_bytes(pem(key))
    return path


@pytest.fixture
def twin(key: rsa.RSAPrivateKey) -> Iterator[Twin]:
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    app = AppConfig(APP_ID, INSTALLATION, public.decode(), token_lifetime_s=LIFETIME_S)
    tw = Twin(twin_config(speed=600.0, fleet=FleetConfig(runners=2), app=app)).start()
    try:
        yield tw
    finally:
        tw.stop()


def app_client(twin: Twin, creds: AppCredentials) -> GitHubClient:
    t = local_target(twin.state())
    return GitHubClient(t.github_url, t.repo, creds, clock=t.clock)


def env_for(key_file: Path, **over: str) -> dict[str, str]:
    env = {
        "GITHUB_APP_ID": APP_ID,
        "GITHUB_APP_PRIVATE_KEY_FILE": str(key_file),
        "GITHUB_APP_INSTALLATION_ID": str(INSTALLATION),
    }
    env.update(over)
    return {k: v for k, v in env.items() if v}


# ---------------------------------------------------------------------------- the JWT


def test_the_jwt_is_standard_rs256_with_githubs_claims(key: rsa.RSAPrivateKey):
    """Checked with joserfc (moto's JOSE library), an implementation independent of ours and the twin's."""
    jose_jwt = pytest.importorskip("joserfc.jwt")
    jwk = pytest.importorskip("joserfc.jwk")
    now = 1_795_000_000.7
    token = AppCredentials(APP_ID, INSTALLATION, pem(key)).jwt(now)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    decoded = jose_jwt.decode(token, jwk.RSAKey.import_key(public), algorithms=["RS256"])
    assert decoded.header == {"alg": "RS256", "typ": "JWT"}
    iat = int(now) - JWT_BACKDATE_S
    assert decoded.claims == {"iat": iat, "exp": iat + JWT_LIFETIME_S, "iss": APP_ID}
    assert JWT_BACKDATE_S + JWT_LIFETIME_S <= 600  # GitHub: exp at most 10 minutes after iat


# ---------------------------------------------------------------------------- against the twin


def test_app_auth_gets_an_installation_token_and_renews_it_before_it_expires(
    twin: Twin, key: rsa.RSAPrivateKey, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    creds = AppCredentials(APP_ID, INSTALLATION, pem(key))
    issued: list[tuple[float, float]] = []  # (virtual time of the request, seconds its token had left)
    with app_client(twin, creds) as client:
        for i in range(16):  # a dispatch every 100 virtual seconds for 1,500 s: 1.7 token lifetimes
            result = client.dispatch(
                "runner_test.yml", "main", {"suite_id": f"app-{i}", "sleep_duration": "5"}
            )
            assert result.status == 200
            now = twin.clock.now()
            tokens = twin.github.installation_tokens
            issued.append((now, max(tokens.values()) - now))
            twin.clock.sleep(100)
        stats = client.api_stats()
        budget = client.rate_budget()
    # one token at the start, a new one each time the last had less than 5 minutes left: at 600 s
    # and at 1,200 s (or one dispatch later); none was ever used within 5 minutes of its expiry
    assert len(twin.github.installation_tokens) == 3
    assert all(left > REFRESH_MARGIN_S - 1 for _, left in issued)
    assert stats["per_endpoint"]["installation_token"] == {"requests": 3, "counted": 0, "not_modified": 0}
    assert stats["per_endpoint"]["dispatch"]["counted"] == stats["counted"] == 16
    # the three tokens drew on one limit, the installation's, as on GitHub
    assert budget is not None and budget["used"] == 16
    for secret in twin.github.installation_tokens:
        assert secret not in caplog.text
    assert "installation token for installation 4242" in caplog.text


def test_an_expired_installation_token_is_refused(twin: Twin, key: rsa.RSAPrivateKey):
    creds = AppCredentials(APP_ID, INSTALLATION, pem(key))
    r = httpx.post(
        f"{twin.github_url}/app/installations/{INSTALLATION}/access_tokens",
        headers={"Authorization": f"Bearer {creds.jwt(twin.clock.now())}"},
    )
    assert r.status_code == 201
    token = r.json()["token"]
    runners = f"{twin.github_url}/repos/{twin.config.repo}/actions/runners"
    assert httpx.get(runners, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    twin.clock.sleep(LIFETIME_S + 1)
    refused = httpx.get(runners, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and refused.json()["message"] == "Bad credentials"


def test_the_twin_refuses_a_bad_jwt(twin: Twin, key: rsa.RSAPrivateKey):
    url = f"{twin.github_url}/app/installations/{INSTALLATION}/access_tokens"
    other = pem(new_key())
    mine = pem(key)
    cases = [  # each JWT made just before it is sent: at 600x a JWT's 9 minutes last 0.9 s
        (lambda now: "not a jwt", "A JSON web token could not be decoded"),
        (lambda now: AppCredentials(APP_ID, INSTALLATION, other).jwt(now), "could not be decoded"),
        (lambda now: AppCredentials(APP_ID, INSTALLATION, mine).jwt(now - 700), "'exp'"),  # expired
        (lambda now: AppCredentials(APP_ID, INSTALLATION, mine).jwt(now + 3600), "'iat'"),  # future
        (lambda now: AppCredentials("999", INSTALLATION, mine).jwt(now), "'iss'"),  # another App
    ]
    for make, message in cases:
        r = httpx.post(url, headers={"Authorization": f"Bearer {make(twin.clock.now())}"})
        assert r.status_code == 401 and message in r.json()["message"], (message, r.text)
    good = AppCredentials(APP_ID, INSTALLATION, mine).jwt(twin.clock.now())
    r = httpx.post(url.replace(f"/{INSTALLATION}/", "/1/"), headers={"Authorization": f"Bearer {good}"})
    assert r.status_code == 404
    assert twin.github.installation_tokens == {}


def test_a_wrong_key_or_installation_is_one_clear_error_without_secrets(twin: Twin, key: rsa.RSAPrivateKey):
    other = pem(new_key())
    with (
        app_client(twin, AppCredentials(APP_ID, INSTALLATION, other)) as client,
        pytest.raises(GitHubError) as info,
    ):
        client.list_runners()
    text = str(info.value)
    assert info.value.status == 401 and info.value.exit_code == 3
    assert (
        f"GitHub rejected the JWT of GitHub App {APP_ID} (401: A JSON web token could not be decoded)" in text
    )
    assert "GITHUB_APP_PRIVATE_KEY_FILE" in text
    assert "eyJ" not in text and "PRIVATE KEY" not in text  # no JWT (base64 of '{"'), no key
    with app_client(twin, AppCredentials(APP_ID, 77, pem(key))) as client, pytest.raises(GitHubError) as info:
        client.list_runners()
    assert info.value.status == 404 and "installation 77" in str(info.value)
    assert "GITHUB_APP_INSTALLATION_ID" in str(info.value)


def test_token_auth_still_works_and_a_wrong_token_is_401(twin: Twin):
    t = local_target(twin.state())
    with GitHubClient(t.github_url, t.repo, t.token, clock=t.clock) as client:
        assert (
            client.dispatch("runner_test.yml", "main", {"suite_id": "pat", "sleep_duration": "5"}).status
            == 200
        )
        assert "installation_token" not in client.api_stats()["per_endpoint"]
    bad = GitHubClient(t.github_url, t.repo, "ghp_" + "x" * 36, clock=t.clock)
    with bad as client, pytest.raises(GitHubError) as info:
        client.list_runners()
    assert info.value.status == 401 and "x" * 36 not in str(info.value)


# ---------------------------------------------------------------------------- configuration


def test_app_configuration_from_the_environment(key_file: Path, key: rsa.RSAPrivateKey):
    assert app_from_env({}) is None
    creds = app_from_env(env_for(key_file))
    assert creds is not None
    assert (creds.app_id, creds.installation_id, creds.private_key) == (APP_ID, INSTALLATION, pem(key))
    assert "PRIVATE" not in repr(creds) and "private_key" not in repr(creds)
    assert credentials_from_env({**env_for(key_file), "GITHUB_TOKEN": "ghp_t"}) == creds  # the App wins
    assert credentials_from_env({"GITHUB_TOKEN": "ghp_t"}) == "ghp_t"


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"GITHUB_APP_ID": ""}, "missing: GITHUB_APP_ID"),
        (
            {"GITHUB_APP_INSTALLATION_ID": "", "GITHUB_APP_PRIVATE_KEY_FILE": ""},
            "missing: GITHUB_APP_PRIVATE",
        ),
        (
            {"GITHUB_APP_INSTALLATION_ID": "my-org"},
            "GITHUB_APP_INSTALLATION_ID must be the installation's number",
        ),
        ({"GITHUB_APP_PRIVATE_KEY_FILE": "/nonexistent/app.pem"}, "cannot read /nonexistent/app.pem"),
        ({"GITHUB_APP_PRIVATE_KEY_FILE": "NOTPEM"}, "is not an unencrypted PEM private key"),
    ],
)
def test_bad_app_configuration_is_one_usage_error(tmp_path: Path, key_file: Path, change, expect):
    if change.get("GITHUB_APP_PRIVATE_KEY_FILE") == "NOTPEM":
        junk = tmp_path / "junk.pem"
        junk.write_text("-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n")
        change = {"GITHUB_APP_PRIVATE_KEY_FILE": str(junk)}
    with pytest.raises(UsageError) as info:
        app_from_env(env_for(key_file, **change))
    assert expect in str(info.value) and info.value.exit_code == 2
    assert "\n" not in str(info.value) and "c2VjcmV0" not in str(info.value)


# ---------------------------------------------------------------------------- a whole run


def test_a_run_with_app_auth_writes_no_secret_anywhere(
    tmp_path: Path, twin: Twin, key: rsa.RSAPrivateKey, capsys: pytest.CaptureFixture[str]
):
    profile = tmp_path / "app.yaml"
    profile.write_text(
        "workflow: runner_test\ninputs: {sleep_duration: 20}\n"
        "pattern: {type: steady, rate_per_min: 2, duration_s: 300}\ndrain_timeout_s: 900\n"
    )
    target = local_target(twin.state())
    target.app = AppCredentials(APP_ID, INSTALLATION, pem(key))
    _code, rd = run_profile(profile, "local", tmp_path / "reports", target=target)
    result = json.loads((rd / "result.json").read_text())
    assert result["workflows"]["dispatched"] == 10 and result["workflows"]["missing"] == []
    assert result["api"]["per_endpoint"]["installation_token"]["requests"] >= 1
    out = capsys.readouterr()
    secrets = [*twin.github.installation_tokens, pem(key).decode().splitlines()[1]]
    for secret in secrets:
        assert secret not in out.out and secret not in out.err
        for path in rd.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path

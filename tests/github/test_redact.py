"""The one redactor (suite.github.redact): a secret is removed from messages in every encoding it can
reach them in, and a token that no HTTP header could carry is refused where it is read."""

from __future__ import annotations

import base64
import json
import re
import string
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, quote_plus

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from suite.errors import EnvironmentFailure, UsageError
from suite.github import GitHubClient, GitHubError, token_from_env
from suite.github.app import AppCredentials
from suite.github.errors import Where, error_for
from suite.github.redact import PARTIAL_MIN, REDACTED, Redactor
from tests.helpers.clocks import FakeClock
from tests.helpers.github_mock import REPO, T0, TOKEN, gh_headers

ENCODINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda s: s,
    "repr": lambda s: repr(s)[1:-1],
    "repr of bytes": lambda s: repr(s.encode())[2:-1],
    "repr in a header error": lambda s: repr(f"Bearer {s}".encode()),
    "json": lambda s: json.dumps(s)[1:-1],
    "json in json": lambda s: json.dumps(json.dumps(s))[1:-1],
    "percent": lambda s: quote(s, safe=""),
    "percent, lower-case hex": lambda s: re.sub(
        "%[0-9A-F]{2}", lambda m: m.group().lower(), quote(s, safe="")
    ),
    "plus": quote_plus,
    "basic auth": lambda s: base64.b64encode(f"x-access-token:{s}".encode()).decode(),
    "basic auth, url-safe": lambda s: base64.urlsafe_b64encode(f"x-access-token:{s}".encode()).decode(),
    "base64 inside a longer text": lambda s: base64.b64encode(f"user=me;pass={s};".encode()).decode(),
}
tokens = st.text(min_size=1, max_size=60)


def encodable(token: str, encoding: str) -> bool:
    """Inside a longer base64 text only the characters made of the secret's own bytes are known: a
    secret under 5 bytes may have none (GitHub's tokens have 40 and more)."""
    return encoding != "base64 inside a longer text" or len(token.encode()) >= 5


around = st.text(max_size=40)


@settings(max_examples=300, deadline=None)
@given(tokens, st.sampled_from(sorted(ENCODINGS)), around, around)
def test_no_encoding_of_a_secret_survives_redaction(
    token: str, encoding: str, before: str, after: str
) -> None:
    assume(encodable(token, encoding))
    encoded = ENCODINGS[encoding](token)
    out = Redactor([token]).redact(f"{before}{encoded}{after}")
    assert token not in out
    assert encoded not in out


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=20, max_size=60), around)
def test_a_partial_echo_is_redacted(token: str, before: str) -> None:
    out = Redactor([token]).redact(f"{before}{token[: PARTIAL_MIN + 2]}… (truncated)")
    assert token[:PARTIAL_MIN] not in out
    assert out.endswith("… (truncated)")  # the message around the secret is kept


def test_text_without_secrets_is_unchanged() -> None:
    text = "GitHub answered 502 to list_runs on acme/fleet-tests after 5 tries"
    assert Redactor([TOKEN]).redact(text) == text
    assert Redactor().redact(text) == text
    assert TOKEN not in repr(Redactor([TOKEN]))


def test_a_secret_that_spells_the_marker_gets_another_marker() -> None:
    out = Redactor(["dact"]).redact("x dact y <redacted>")
    assert "dact" not in out and out.startswith("x ")


def github_answer(status: int, body: object, text: bool = False) -> httpx.Response:
    request = httpx.Request("GET", f"https://api.github.com/repos/{REPO}/actions/runners")
    if text:
        date = gh_headers(T0)["date"]
        return httpx.Response(status, headers={"date": date}, text=str(body), request=request)
    return httpx.Response(status, headers=gh_headers(T0), json=body, request=request)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tokens,
    st.sampled_from(sorted(ENCODINGS)),
    st.sampled_from([401, 403, 404, 422, 429, 500, 502]),
    st.booleans(),
)
def test_error_for_never_says_the_secret(token: str, encoding: str, status: int, as_text: bool) -> None:
    assume(encodable(token, encoding))
    encoded = ENCODINGS[encoding](token)
    response = github_answer(status, {"message": f"bad credentials {encoded}", "errors": [token]}, as_text)
    if as_text:
        response = github_answer(status, f"bad credentials {encoded} {token}", text=True)
    exc = error_for(response, "list_runners", Where("https://api.github.com", REPO), Redactor([token]))
    for said in (str(exc), exc.github_message or ""):
        assert token not in said and encoded not in said
    if token not in str(status):
        assert str(status) in str(exc)


# --------------------------------------------------------------------------- refused at load


@pytest.mark.parametrize(
    ("bad", "at"),
    [("ghp_abc\ndef0123", 8), ("ghp_abc def", 8), ("ghp_\x00abc", 5), ("ghp_a\tb", 6), ("ghp_a\u2028b", 6)],
)
def test_a_token_with_whitespace_or_a_control_character_is_refused_without_echo(bad: str, at: int) -> None:
    for make in (
        lambda: token_from_env({"GITHUB_TOKEN": bad}),
        lambda: GitHubClient("https://api.github.com", REPO, bad, clock=FakeClock(T0)),
    ):
        with pytest.raises(UsageError) as info:
            make()
        line = str(info.value)
        assert info.value.exit_code == 2 and "\n" not in line
        assert f"at position {at} of {len(bad)}:" in line
        assert "ghp_a" not in line and "def0" not in line


# --------------------------------------------------------------------------- a real loopback server


SECRET_INSTALLATION_TOKEN = "ghs_inst4llat10n\nT0kenFromGitHub0123"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # the installation token: one no header can carry
        body = json.dumps({"token": SECRET_INSTALLATION_TOKEN, "expires_at": "2030-01-01T00:00:00Z"}).encode()
        self.send_response(201)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_token_with_a_line_break_from_github_is_redacted_in_its_escaped_form(loopback: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    client = GitHubClient(loopback, REPO, AppCredentials("123", 7, pem), clock=FakeClock(T0))
    with pytest.raises((EnvironmentFailure, GitHubError)) as info:
        client.list_runners()
    line = str(info.value)
    assert "Illegal header value" in line and REDACTED in line  # httpx's repr of the header, redacted
    for form in ENCODINGS.values():
        assert form(SECRET_INSTALLATION_TOKEN) not in line
    assert "T0kenFromGitHub" not in line and "inst4llat10n" not in line

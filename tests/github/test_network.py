"""The corporate network: the twin served over HTTPS with a certificate from a CA made at test time
(trusted through SSL_CERT_FILE or REQUESTS_CA_BUNDLE), and an HTTP proxy on loopback written here
(CONNECT tunnels for HTTPS, absolute-URI forwarding for HTTP) named by HTTPS_PROXY / HTTP_PROXY.
Everything listens on 127.0.0.1 and is stopped by the fixture that started it."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import select
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from suite.errors import EnvironmentFailure, UsageError
from suite.fleet.environments import local_target
from suite.github.client import GitHubClient
from suite.pipeline.run import run_profile
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin
from tests.helpers.twin import client_for, twin_config

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


# ---------------------------------------------------------------------------- certificates


@dataclass(frozen=True)
class Pki:
    ca: Path  # the CA certificate: what SSL_CERT_FILE names
    chain: Path  # the twin's certificate
    key: Path  # the twin's private key


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_pki(d: Path) -> Pki:
    """A CA and a server certificate for 127.0.0.1 / localhost it signed, valid for a day."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("runner-suite test CA"))
        .issuer_name(_name("runner-suite test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pki = Pki(d / "ca.pem", d / "twin.pem", d / "twin.key")
    pki.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return pki


# ---------------------------------------------------------------------------- the proxy


class _ProxyHandler(socketserver.BaseRequestHandler):
    server: Proxy

    def handle(self) -> None:
        client = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                return
            head += chunk
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, target, _ = request_line.split(" ", 2)
        if method == "CONNECT":  # HTTPS: a tunnel; what goes through it is encrypted
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            self.server.log("CONNECT " + target)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            rest = head.split(b"\r\n\r\n", 1)[1]
            tunnel = True
        else:  # HTTP: the request names the absolute URI; forwarded as it came (servers accept it)
            parts = urlsplit(target)
            upstream = socket.create_connection((parts.hostname or "", parts.port or 80))
            self.server.log(f"{method} {target}")
            rest = head
            tunnel = False
        with upstream:
            if rest:
                upstream.sendall(rest)
            self._pipe(client, upstream, log_requests=not tunnel)

    def _pipe(self, a: socket.socket, b: socket.socket, log_requests: bool) -> None:
        """Bytes both ways until either side closes; the request lines of a kept-alive plain-HTTP
        connection are logged as they pass."""
        peers = {a: b, b: a}
        while True:
            ready, _, _ = select.select(list(peers), [], [], 5.0)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                if sock is a and log_requests:
                    line = data.split(b"\r\n", 1)[0].decode("latin-1", "replace")
                    if " http" in line:
                        self.server.log(" ".join(line.split(" ")[:2]))
                peers[sock].sendall(data)


class Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def log(self, line: str) -> None:
        with self._lock:
            self.lines.append(line)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    server = Proxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# ---------------------------------------------------------------------------- twins


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*PROXY_VARIABLES, "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def start(tls: Pki | None) -> Twin:
    config = twin_config(
        speed=600.0,
        fleet=FleetConfig(runners=2),
        tls=(str(tls.chain), str(tls.key)) if tls else None,
    )
    return Twin(config).start()


@pytest.fixture
def https_twin(pki: Pki) -> Iterator[Twin]:
    tw = start(pki)
    try:
        yield tw
    finally:
        tw.stop()


@pytest.fixture
def http_twin() -> Iterator[Twin]:
    tw = start(None)
    try:
        yield tw
    finally:
        tw.stop()


# ---------------------------------------------------------------------------- tests


def test_the_twin_over_https_is_trusted_only_through_the_ca_bundle(
    https_twin: Twin, pki: Pki, clean_env: pytest.MonkeyPatch
):
    assert https_twin.github_url.startswith("https://127.0.0.1:")
    with client_for(https_twin) as client, pytest.raises(EnvironmentFailure) as info:
        client.list_runners()  # certifi's bundle does not know the test CA
    text = str(info.value)
    assert "CERTIFICATE_VERIFY_FAILED" in text and "SSL_CERT_FILE/REQUESTS_CA_BUNDLE" in text
    assert https_twin.token not in text
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        clean_env.setenv(name, str(pki.ca))
        with client_for(https_twin) as client:
            assert isinstance(client.list_runners(), list)
            assert client.dispatch("runner_test.yml", "main", {"suite_id": name, "sleep_duration": "5"}).ok
            (run,) = [r for r in client.list_runs() if r["display_title"] == name]
        assert run["url"].startswith(https_twin.github_url + "/")  # the twin's own links are https too
        clean_env.delenv(name)


def test_a_ca_bundle_that_names_nothing_usable_is_a_usage_error(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    for value, expect in (
        (str(tmp_path / "none.pem"), "no such file"),
        (str(junk), "not a usable PEM bundle"),
    ):
        clean_env.setenv("SSL_CERT_FILE", value)
        with pytest.raises(UsageError) as info:
            GitHubClient("https://127.0.0.1:9", "o/r", "t")
        assert expect in str(info.value) and info.value.exit_code == 2


def test_https_goes_through_the_proxy_in_a_connect_tunnel(
    https_twin: Twin, pki: Pki, proxy: Proxy, clean_env: pytest.MonkeyPatch
):
    clean_env.setenv("HTTPS_PROXY", proxy.url)
    clean_env.setenv("SSL_CERT_FILE", str(pki.ca))
    with client_for(https_twin) as client:
        assert isinstance(client.list_runners(), list)
        result = client.dispatch("runner_test.yml", "main", {"suite_id": "via-proxy", "sleep_duration": "5"})
        assert result.status == 200
    port = urlsplit(https_twin.github_url).port
    assert proxy.lines == [f"CONNECT 127.0.0.1:{port}"]  # one kept-alive tunnel for both requests
    assert [r.display_title for r in https_twin.fleet.runs.values()] == ["via-proxy"]


def test_http_goes_through_the_proxy_with_absolute_uris(
    http_twin: Twin, proxy: Proxy, clean_env: pytest.MonkeyPatch
):
    clean_env.setenv("HTTP_PROXY", proxy.url)
    with client_for(http_twin) as client:
        assert isinstance(client.list_runners(), list)
        assert client.dispatch("runner_test.yml", "main", {"suite_id": "plain", "sleep_duration": "5"}).ok
    base = f"{http_twin.github_url}/repos/{http_twin.config.repo}/actions"
    assert proxy.lines == [
        f"GET {base}/runners?per_page=100",
        f"POST {base}/workflows/runner_test.yml/dispatches",
    ]


def test_a_whole_run_against_the_https_twin_through_the_proxy(
    tmp_path: Path, https_twin: Twin, pki: Pki, proxy: Proxy, clean_env: pytest.MonkeyPatch
):
    clean_env.setenv("HTTPS_PROXY", proxy.url)  # the twin's AWS side is plain http: not proxied
    clean_env.setenv("REQUESTS_CA_BUNDLE", str(pki.ca))
    profile = tmp_path / "small.yaml"
    profile.write_text(
        "workflow: runner_test\ninputs: {sleep_duration: 20}\n"
        "pattern: {type: steady, rate_per_min: 2, duration_s: 180}\ndrain_timeout_s: 900\n"
    )
    _code, rd = run_profile(profile, "local", tmp_path / "reports", target=local_target(https_twin.state()))
    result = json.loads((rd / "result.json").read_text())
    assert result["workflows"]["dispatched"] == 6 and result["workflows"]["collected"] == 6
    assert result["workflows"]["missing"] == []
    assert (rd / "truth.json").exists()
    port = urlsplit(https_twin.github_url).port
    assert proxy.lines and set(proxy.lines) == {f"CONNECT 127.0.0.1:{port}"}

"""The twin's fake GitHub Actions REST API: the server plumbing, a real HTTP server on 127.0.0.1.

It reads a request, checks the credentials, draws faults, applies GitHub's rate limits, looks the
response up in the URL table (suite.twin.github_urls; the responses are in suite.twin.github_responses,
the objects they return in suite.twin.github_objects, the lists' pagination and filters in
suite.twin.github_lists) and sends it with GitHub's headers, ETags and 304s. Any method and any path
gets a JSON answer in GitHub's error shape (a method or path the table does not hold: 404; HEAD is GET
without the body; a request the HTTP layer cannot parse: its status, in JSON too). Twin-only endpoints
live under /_twin/. The shared state is suite.twin.github_backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import ssl
import sys
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from suite.clock import delay_answer
from suite.twin import faults as fault_kinds
from suite.twin import github_responses as responses
from suite.twin import github_runners
from suite.twin.github_backend import GitHubState
from suite.twin.github_lists import FilterError
from suite.twin.github_responses import DOCS, ApiError, Request
from suite.twin.github_urls import UrlTable
from suite.twin.limits import SECONDARY_MESSAGE

__all__ = ["GitHubState", "Handler", "make_server"]


class Handler(BaseHTTPRequestHandler):
    server_version = "GitHub.com"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: headers and body go out as two writes; with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms real per request), which is minutes of dispatch lag at 60x+.
    disable_nagle_algorithm = True
    state: GitHubState  # set on the subclass by make_server
    urls: UrlTable  # set on the subclass by make_server
    _limit_key: str | None = None  # whose primary limit this request draws on (set per request)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(self.state.clock.now() + self.state.skew_s, usegmt=True)  # GitHub's clock

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("GET")  # GitHub answers HEAD as GET, without the body (_send leaves it out)

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What the HTTP layer refuses itself (a method it has no handler for, a request line or
        headers it cannot parse): GitHub's JSON error, never the standard library's HTML page."""
        try:
            status = HTTPStatus(code)
        except ValueError:
            status = HTTPStatus.BAD_REQUEST
        payload = json.dumps(ApiError(status.value, status.phrase).body, separators=(",", ":")).encode()
        self.close_connection = True
        self.send_response(status.value, status.phrase)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _handle(self, method: str) -> None:
        st = self.state
        with st.lock:
            st.in_flight += 1
            concurrent = st.in_flight
        try:
            self._handle_counted(method, concurrent)
        finally:
            with st.lock:
                st.in_flight -= 1

    def _handle_counted(self, method: str, concurrent: int) -> None:
        st = self.state
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        token = self._token()
        app_params = self.urls.app_params(method, parts.path)
        if app_params is not None:
            self._access_token(
                Request(st, method, parts.path, query, raw, 0.0, self._api(), None, app_params), token
            )
            return
        runner_params = self.urls.runner_params(method, parts.path)
        if runner_params is not None:  # a runner process, with its own credential: no rate limit
            with st.lock:
                st.requests += 1
                st.last_request_wall = time.time()
                status, body, _ = github_runners.session_answer(st, method, runner_params, token)
            self._send(status, body, {}, count=False)
            return
        is_twin = parts.path.startswith("/_twin/")
        is_dispatch = method == "POST" and parts.path.endswith("/dispatches")
        fault = fault_kinds.NONE
        latency = 0.0
        headers: dict[str, str]
        with st.lock:
            if not is_twin and st.limit_key(token) is not None:
                latency = st.faults.latency()
        # the latency on the twin's clock, half on the way in, half on the way back
        delay_answer(st.clock, latency / 2)
        with st.lock:
            now = st.clock.now()
            st.requests += 1
            st.last_request_wall = time.time()
            st.fleet.advance(now)
            self._limit_key = st.limit_key(token)
            authed = self._limit_key is not None
            if authed and not is_twin:
                fault = st.faults.draw(is_dispatch)
            try:
                if not authed:
                    raise ApiError(401, "Bad credentials" if token else "Requires authentication")
                if fault == fault_kinds.ERROR:  # answered before anything is done
                    raise ApiError(502, "Server Error")
                if fault == fault_kinds.RESET:
                    status, body, headers = 0, None, {}
                else:
                    if not is_twin and parts.path != "/rate_limit":
                        self._enforce_limits(method, is_dispatch, concurrent, now)
                    response, params = self.urls.resolve(method, parts.path)
                    request = Request(
                        st, method, parts.path, query, raw, now, self._api(), self._limit_key, params
                    )
                    try:
                        status, body, headers = response(request)
                    except FilterError as err:  # a documented filter with a value it cannot take
                        raise ApiError(422, str(err)) from err
            except ApiError as err:
                status, body, headers = err.status, err.body, err.headers
            rate_headers = st.rate_headers(self._limit_key, now) if self._limit_key else {}
        delay_answer(st.clock, latency / 2)
        if fault in (fault_kinds.RESET, fault_kinds.LOST):
            self._drop_connection()
            return
        counted = authed and not is_twin and parts.path != "/rate_limit"
        self._send(status, body, {**rate_headers, **headers}, count=counted)

    def _api(self) -> str:
        """scheme://host as the client addressed the twin: the base of URLs in bodies and links."""
        return f"{self.state.scheme}://{self.headers.get('Host', '127.0.0.1')}"

    def _enforce_limits(self, method: str, is_dispatch: bool, concurrent: int, now: float) -> None:
        """GitHub's limits, checked before a request is acted on (a refused dispatch creates nothing)."""
        st = self.state
        if not st.limits.enabled:
            return
        if concurrent > st.limits.concurrent:
            st.secondary.refused += 1
            raise ApiError(403, SECONDARY_MESSAGE, headers={"retry-after": "60"})
        wait = st.secondary.check(now, method, is_dispatch)
        if wait is not None:
            raise ApiError(403, SECONDARY_MESSAGE, headers={"retry-after": str(int(wait))})
        key = self._limit_key or st.token
        if st.limit.snapshot(key, now)["remaining"] <= 0:
            headers = st.rate_headers(key, now)
            st.limit.refused_resets.append(int(headers["x-ratelimit-reset"]))
            message = f"API rate limit exceeded for installation. {DOCS}#rate-limiting"
            raise ApiError(403, message, headers=headers)

    def _access_token(self, request: Request, jwt: str | None) -> None:
        """A request made with the App's JWT: not counted against any rate limit."""
        st = self.state
        self._limit_key = None
        with st.lock:
            request.now = st.clock.now()
            st.requests += 1
            st.last_request_wall = time.time()
            try:
                status, body, _ = responses.access_token(request, jwt)
            except ApiError as err:
                status, body = err.status, err.body
        self._send(status, body, {}, count=False)

    def _drop_connection(self) -> None:
        """Close the connection without an answer (a reset, or a response lost on the way)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        for scheme in ("Bearer ", "token "):
            if auth.startswith(scheme):
                return auth[len(scheme) :].strip()
        return None

    def _send(self, status: int, body: Any, headers: dict[str, str], count: bool) -> None:
        payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        etag = f'W/"{hashlib.sha1(payload).hexdigest()}"' if payload and status == 200 else None
        if etag and self.command in ("GET", "HEAD") and _matches(self.headers.get("If-None-Match"), etag):
            status, payload = 304, b""
        elif count and status != 401:
            key = self._limit_key or self.state.token
            with self.state.lock:  # remaining > 0 was checked before acting; a 304 does not count
                self.state.limit.take(key, self.state.clock.now())
                headers.update(self.state.rate_headers(key, self.state.clock.now()))
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
        self.send_header("X-GitHub-Request-Id", hashlib.md5(self.path.encode()).hexdigest()[:20].upper())
        if etag:
            self.send_header("ETag", etag)
        for k, v in headers.items():
            self.send_header(k, v)
        if payload or status not in (204, 304):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match (one tag, a list, or `*`) names `etag`: weak comparison, as for a GET."""
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up or refuses the certificate is routine, not worth a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ssl.SSLError | ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(state: GitHubState, port: int = 0, tls: ssl.SSLContext | None = None) -> ThreadingHTTPServer:
    """The twin's GitHub API on 127.0.0.1; HTTPS when `tls` (a server-side context) is given."""
    handler = type("TwinHandler", (Handler,), {"state": state, "urls": UrlTable(state.repo)})
    server = _Server(("127.0.0.1", port), handler)
    server.daemon_threads = True
    if tls is not None:
        # the handshake happens in the handler's thread on first read, not in the accepting one
        server.socket = tls.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        state.scheme = "https"
    return server

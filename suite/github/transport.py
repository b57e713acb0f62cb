"""The transport layer under GitHubClient: every request the client sends passes through here.

GovernedTransport wraps the real httpx transport: requests are serial and paced by the rate-limit
governor (suite.github.governor), rate-limited answers are waited out and sent again, idempotent
requests are retried on 5xx and connection errors, and every answer is counted (suite.github.cost).
The ETag cache (suite.github.etag) sits above it. What each request needs (its endpoint name, whether
it may be retried or made conditional) travels in `request.extensions["github"]` as a Call.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

# httpx reads HTTP(S)_PROXY / NO_PROXY itself only when it builds the transport; the suite wraps the
# transports, so it asks httpx for the same proxy table and mounts a wrapped proxy transport for each.
from httpx._utils import get_environment_proxies

from suite.clock import Clock, awaiting_answer
from suite.errors import UsageError
from suite.github.cost import ApiCounters
from suite.github.errors import is_rate_limited
from suite.github.governor import Governor, backoff_s, rate_limit_wait_s

log = logging.getLogger("suite.github")

EXTENSION = "github"
RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass
class Call:
    """One logical request, as the layers see it (`request.extensions["github"]`).

    endpoint: the name it is counted under in api_stats.
    retry: idempotent: retried on 5xx and connection errors (governor get_tries, backoff on the clock).
    conditional: send If-None-Match with the URL's last ETag; a 304 is answered from the cache.
    recorded: counted in api_stats (False for the twin's own endpoints, which are not GitHub's API).
    tries: set by the transport: how many times it was sent.
    """

    endpoint: str
    retry: bool = False
    conditional: bool = False
    recorded: bool = True
    tries: int = 0


def call_of(request: httpx.Request) -> Call:
    """The request's Call; a plain one (not retried, not conditional) when it carries none."""
    call = request.extensions.get(EXTENSION)
    if not isinstance(call, Call):
        call = Call("other")
        request.extensions = {**request.extensions, EXTENSION: call}
    return call


class GovernedTransport(httpx.BaseTransport):
    """Pacing, rate-limit waits, retries and counting around the real transport `inner`.

    Answers come back read; a rate-limited answer still refused after the governor's tries, or an
    error answer, is returned as it is (the client turns it into an exception). A connection error
    on the last try is raised.
    """

    def __init__(self, inner: httpx.BaseTransport, governor: Governor, counters: ApiCounters, clock: Clock):
        self._inner = inner
        self._governor = governor
        self._counters = counters
        self._clock = clock

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        call = call_of(request)
        gov = self._governor
        tries = gov.config.get_tries if call.retry else 1
        failures = 0  # 5xx / connection errors in a row
        limited = 0  # rate-limited answers in a row
        with gov.serial():
            while True:
                call.tries += 1
                gov.before_send(request.method)
                try:
                    response = self._send(request)
                except httpx.TransportError as exc:
                    failures += 1
                    if call.recorded:
                        self._counters.connection_error()
                    log.debug(
                        "%s %s: %s (try %d)", request.method, request.url, type(exc).__name__, call.tries
                    )
                    if failures < tries:
                        self._retry_wait(call, backoff_s(failures), "connection error")
                        continue
                    raise
                if call.recorded:
                    self._counters.observe(call.endpoint, response, self._clock.now())
                status = response.status_code
                log.debug("%s %s -> %d (try %d)", request.method, request.url, status, call.tries)
                if is_rate_limited(response):
                    # GitHub refuses a rate-limited request without acting on it: safe to send again
                    limited += 1
                    if call.recorded:
                        self._counters.rate_limited()
                    if limited < gov.config.rate_limit_tries:
                        # x-ratelimit-reset is on GitHub's clock: compare it with GitHub's now
                        github_now = self._clock.now() + (self._counters.clock_offset_s() or 0.0)
                        wait = rate_limit_wait_s(response.headers, github_now, limited)
                        self._retry_wait(call, wait, f"rate limited ({status})")
                        continue
                elif status in RETRY_STATUSES and call.retry:
                    failures += 1
                    if failures < tries:
                        self._retry_wait(call, backoff_s(failures), f"HTTP {status}")
                        continue
                return response

    def _send(self, request: httpx.Request) -> httpx.Response:
        with awaiting_answer(self._clock):  # a stepped clock may move while the twin delays the answer
            response = self._inner.handle_request(request)
            try:
                response.read()  # and the connection is released
            except BaseException:
                response.close()
                raise
        return response

    def _retry_wait(self, call: Call, seconds: float, reason: str) -> None:
        if call.recorded:
            self._counters.retried(seconds)
        self._governor.wait(seconds, reason)

    def close(self) -> None:
        self._inner.close()


def ssl_verify_from_env(env: Mapping[str, str] | None = None) -> ssl.SSLContext | bool:
    """`verify=` for httpx: a context on SSL_CERT_FILE or REQUESTS_CA_BUNDLE when set (a PEM bundle, or
    a directory of hashed certificates), else True (certifi's bundle). The bundle replaces the default
    trust, as it does for curl and requests: a corporate bundle must hold every CA to trust.
    UsageError (exit 2) when the variable names nothing usable."""
    source = os.environ if env is None else env
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        path = source.get(name, "").strip()
        if not path:
            continue
        if not os.path.exists(path):
            raise UsageError(f"{name}={path}: no such file (it should name a PEM bundle of CA certificates)")
        try:
            if os.path.isdir(path):
                return ssl.create_default_context(capath=path)
            return ssl.create_default_context(cafile=path)
        except (ssl.SSLError, OSError) as exc:
            raise UsageError(f"{name}={path}: not a usable PEM bundle of CA certificates ({exc})") from None
    return True


def transports(
    given: httpx.BaseTransport | None, wrap: Callable[[httpx.BaseTransport], httpx.BaseTransport]
) -> tuple[httpx.BaseTransport, dict[str, httpx.BaseTransport | None]]:
    """(transport, mounts) for httpx.Client, each real transport inside `wrap`'s layers.

    A `given` transport (tests) is used alone. Else the network's: TLS trust from SSL_CERT_FILE /
    REQUESTS_CA_BUNDLE, and a proxy transport per HTTP_PROXY / HTTPS_PROXY / ALL_PROXY entry with
    NO_PROXY's exceptions, as httpx.Client(trust_env=True) would mount them.
    """
    if given is not None:
        return wrap(given), {}
    verify = ssl_verify_from_env()
    mounts: dict[str, httpx.BaseTransport | None] = {
        pattern: None if url is None else wrap(httpx.HTTPTransport(verify=verify, proxy=url))
        for pattern, url in get_environment_proxies().items()
    }
    return wrap(httpx.HTTPTransport(verify=verify)), mounts

"""The transport layer under GitHubClient (suite/github/transport.py) against httpx.MockTransport on a fake
clock: retries, rate-limit waits, connection errors, and the figures it counts (api_stats, clock offset)."""

from __future__ import annotations

import os
from unittest import mock

import httpx
import pytest

from suite.errors import EnvironmentFailure
from suite.github import GitHubError, RateLimited
from suite.github.transport import transports
from tests.helpers.clocks import FakeClock
from tests.helpers.github_mock import API, T0, TOKEN, gh_headers, make_client, run_obj

# --------------------------------------------------------------------------- retries and rate limits


def test_connection_error_names_base_url_after_five_tries() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client, clock = make_client(handler)
    with pytest.raises(EnvironmentFailure) as info:
        client.get_run(5)
    assert calls == 5
    assert API in str(info.value)
    assert TOKEN not in str(info.value)
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0]
    stats = client.api_stats()
    assert stats["retries"] == 4 and stats["connection_errors"] == 5 and stats["requests"] == 0
    assert stats["waited_s"] == stats["backoff_s"] == 15.0


def test_rate_limited_403_waits_for_reset_then_raises_and_is_counted() -> None:
    reset = int(T0) + 600
    headers = gh_headers(**{"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
    client, clock = make_client(
        lambda r: httpx.Response(403, headers=headers, json={"message": "API rate limit exceeded for user."})
    )
    with pytest.raises(RateLimited) as info:
        client.list_runs(None)
    assert info.value.reset_at == reset and info.value.retry_after_s is None
    # 6 tries in all; the first wait runs until the reset (+1 s), later ones find the reset passed
    assert len(clock.sleeps) == 5 and clock.sleeps[0] == pytest.approx(reset - T0 + 1, abs=1e-6)
    assert client.api_stats()["rate_limited"] == 6
    assert client.rate_budget() == {
        "limit": 5000,
        "remaining": 0,
        "used": 13,
        "reset": reset,
        "resource": "core",
    }


def test_retry_on_502_then_success() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(502, headers=gh_headers(), text="<html>502 Bad Gateway</html>")
        return httpx.Response(200, headers=gh_headers(), json=run_obj(77))

    client, clock = make_client(handler)
    assert client.get_run(77)["id"] == 77
    assert calls == 2
    assert clock.sleeps == [1.0]
    stats = client.api_stats()
    assert stats["retries"] == 1 and stats["waited_s"] == 1.0
    assert stats["per_endpoint"]["get_run"] == {"requests": 2, "counted": 2, "not_modified": 0}


def test_persistent_503_gives_up_after_five_tries() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, headers=gh_headers(), json={"message": "Service Unavailable"})

    client, _ = make_client(handler)
    with pytest.raises(GitHubError) as info:
        client.list_jobs(1)
    assert calls == 5
    assert info.value.status == 503
    assert "503" in str(info.value) and "Service Unavailable" in str(info.value)


# --------------------------------------------------------------------------- figures


def test_clock_offset_from_date_headers_is_the_median() -> None:
    offsets = iter([3.0, -1.0, 2.0])
    clock = FakeClock(T0)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=gh_headers(clock.now() + next(offsets)), json=run_obj(1))

    client, _ = make_client(handler, clock=clock)
    assert client.clock_offset_s() is None
    for _ in range(3):
        client.get_run(1)
        clock.t += 10
    assert client.clock_offset_s() == pytest.approx(2.0)


def test_rate_limit_endpoint_is_not_counted() -> None:
    body = {
        "resources": {"core": {"limit": 5000, "used": 1, "remaining": 4999, "reset": int(T0) + 3600}},
        "rate": {"limit": 5000, "used": 1, "remaining": 4999, "reset": int(T0) + 3600},
    }
    client, _ = make_client(lambda r: httpx.Response(200, headers=gh_headers(), json=body))
    assert client.rate_limit()["rate"]["remaining"] == 4999
    stats = client.api_stats()
    assert stats["per_endpoint"]["rate_limit"] == {"requests": 1, "counted": 0, "not_modified": 0}


def test_api_stats_shape() -> None:
    client, _ = make_client(lambda r: httpx.Response(200))
    stats = client.api_stats()
    assert set(stats) >= {
        "requests",
        "counted",
        "not_modified",
        "retries",
        "rate_limited",
        "waited_s",
        "backoff_s",
        "paced_s",
        "dispatches_by_workflow",
    }
    assert set(stats["per_endpoint"]) == {
        "dispatch",
        "list_runs",
        "get_run",
        "list_jobs",
        "list_runners",
        "rate_limit",
    }


# --------------------------------------------------------------------------- layers


def test_the_environments_proxies_are_mounted_inside_the_layers() -> None:
    """httpx ignores HTTP(S)_PROXY once it is given a transport: the suite mounts them itself."""
    wrapped: list[httpx.BaseTransport] = []

    def wrap(inner: httpx.BaseTransport) -> httpx.BaseTransport:
        wrapped.append(inner)
        return inner

    env = {"HTTPS_PROXY": "http://proxy.example:3128", "NO_PROXY": "127.0.0.1"}
    with mock.patch.dict(os.environ, env, clear=False):
        for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "HTTP_PROXY", "ALL_PROXY"):
            os.environ.pop(name, None)
        _, mounts = transports(None, wrap)
    assert mounts["all://127.0.0.1"] is None  # NO_PROXY: the default transport, layers included
    assert mounts["https://"] is not None and len(wrapped) == 2
    given = httpx.MockTransport(lambda r: httpx.Response(200))
    assert transports(given, wrap) == (given, {})


def test_the_governor_paces_every_endpoint_mutations_included() -> None:
    client, clock = make_client(lambda r: httpx.Response(204, headers=gh_headers()))
    client.remove_runner(1)
    client.remove_runner(2)
    assert clock.sleeps == [1.0]  # 1 s between mutating requests

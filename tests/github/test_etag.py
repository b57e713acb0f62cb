"""Conditional requests (suite/github/etag.py): If-None-Match with the URL's last ETag, a 304 answered from
the cache and counted as not_modified."""

from __future__ import annotations

import gzip
import json

import httpx

from tests.helpers.github_mock import T0, gh_headers, http_date, make_client, run_obj


def test_etag_304_reuses_cached_body_and_counts_not_modified() -> None:
    seen: list[httpx.Request] = []
    runs = [run_obj(1), run_obj(2)]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == 'W/"runs-v1"':
            return httpx.Response(304, headers={"date": http_date(T0), "etag": 'W/"runs-v1"'})
        return httpx.Response(
            200, headers=gh_headers(etag='W/"runs-v1"'), json={"total_count": 2, "workflow_runs": runs}
        )

    client, _ = make_client(handler)
    first = client.list_runs("2026-11-22T10:00:00Z")
    second = client.list_runs("2026-11-22T10:00:00Z")

    assert first == second == runs
    assert "if-none-match" not in seen[0].headers
    assert seen[1].headers["if-none-match"] == 'W/"runs-v1"'
    stats = client.api_stats()
    assert stats["per_endpoint"]["list_runs"] == {"requests": 2, "counted": 1, "not_modified": 1}
    assert (stats["requests"], stats["counted"], stats["not_modified"]) == (2, 1, 1)


def test_etag_is_per_url() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = request.url.params.get("status", "")
        return httpx.Response(
            200, headers=gh_headers(etag=f'"{status}"'), json={"total_count": 0, "workflow_runs": []}
        )

    client, _ = make_client(handler)
    client.list_runs(None, status="queued")
    client.list_runs(None, status="completed")
    client.list_runs(None, status="queued")
    assert "if-none-match" not in seen[1].headers
    assert seen[2].headers["if-none-match"] == '"queued"'


def test_a_304_answers_a_compressed_page_from_the_cache_with_its_next_link() -> None:
    """api.github.com sends gzip: the page is cached decoded, and the 304's own headers win."""
    body = json.dumps({"total_count": 3, "workflow_runs": [run_obj(1), run_obj(2)]}).encode()
    link = '<https://api.github.com/repos/acme/fleet-tests/actions/runs?per_page=100&page=2>; rel="next"'
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if request.url.params.get("page") == "2":
            return httpx.Response(
                200, headers=gh_headers(), json={"total_count": 3, "workflow_runs": [run_obj(3)]}
            )
        if request.headers.get("if-none-match") == '"p1"':
            return httpx.Response(304, headers={"date": http_date(T0 + 5), "etag": '"p1"', "link": link})
        headers = gh_headers(etag='"p1"', link=link, **{"content-encoding": "gzip"})
        return httpx.Response(200, headers=headers, content=gzip.compress(body))

    client, _ = make_client(handler)
    first = client.list_runs(None)
    second = client.list_runs(None)
    assert [r["id"] for r in first] == [r["id"] for r in second] == [1, 2, 3]
    assert calls == 4
    assert client.api_stats()["per_endpoint"]["list_runs"] == {"requests": 4, "counted": 3, "not_modified": 1}


def test_only_conditional_endpoints_send_if_none_match() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers=gh_headers(etag='"x"'), json={"resources": {}, "rate": {}})

    client, _ = make_client(handler)
    client.rate_limit()
    client.rate_limit()
    assert all("if-none-match" not in r.headers for r in seen)

"""GitHubClient against httpx.MockTransport with GitHub-shaped responses."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

import certifi
import httpx
import pytest

from suite.errors import EnvironmentFailure, UsageError
from suite.github import DispatchResult, GitHubClient, GitHubError, RateLimited, token_from_env
from suite.github.client import ssl_verify_from_env
from tests.helpers.clocks import FakeClock

API = "https://api.github.com"
REPO = "acme/fleet-tests"
TOKEN = "ghp_s3cr3tT0kenValue0123456789abcdefABCD"
T0 = 1_795_000_000.0  # local clock origin (2026-11)


def http_date(t: float) -> str:
    return format_datetime(datetime.fromtimestamp(t, UTC), usegmt=True)


def gh_headers(t: float = T0, **extra: str) -> dict[str, str]:
    headers = {
        "content-type": "application/json; charset=utf-8",
        "date": http_date(t),
        "x-github-api-version-selected": "2022-11-28",
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4987",
        "x-ratelimit-used": "13",
        "x-ratelimit-reset": str(int(t) + 3000),
        "x-ratelimit-resource": "core",
    }
    headers.update(extra)
    return headers


def run_obj(run_id: int, title: str = "capacity s-001") -> dict:
    return {
        "id": run_id,
        "name": "capacity",
        "display_title": title,
        "run_number": run_id % 1000,
        "event": "workflow_dispatch",
        "status": "completed",
        "conclusion": "success",
        "workflow_id": 161335,
        "head_branch": "main",
        "head_sha": "acb5820ced9479c074f688cc328bf03f341a511d",
        "run_attempt": 1,
        "created_at": "2026-11-22T10:00:00Z",
        "updated_at": "2026-11-22T10:02:10Z",
        "run_started_at": "2026-11-22T10:00:00Z",
        "url": f"{API}/repos/{REPO}/actions/runs/{run_id}",
        "html_url": f"https://github.com/{REPO}/actions/runs/{run_id}",
        "jobs_url": f"{API}/repos/{REPO}/actions/runs/{run_id}/jobs",
    }


def job_obj(job_id: int, run_id: int) -> dict:
    return {
        "id": job_id,
        "run_id": run_id,
        "run_attempt": 1,
        "name": "work",
        "workflow_name": "capacity",
        "status": "completed",
        "conclusion": "success",
        "created_at": "2026-11-22T10:00:02Z",
        "started_at": "2026-11-22T10:00:09Z",
        "completed_at": "2026-11-22T10:02:09Z",
        "runner_id": 17,
        "runner_name": "5a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "runner_group_name": "Default",
        "labels": ["self-hosted", "linux", "fargate"],
        "steps": [
            {
                "name": "Set up job",
                "status": "completed",
                "conclusion": "success",
                "number": 1,
                "started_at": "2026-11-22T10:00:09Z",
                "completed_at": "2026-11-22T10:00:10Z",
            }
        ],
    }


Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, clock: FakeClock | None = None, **kw) -> tuple[GitHubClient, FakeClock]:
    clock = clock or FakeClock(T0)
    client = GitHubClient(API, REPO, TOKEN, transport=httpx.MockTransport(handler), clock=clock, **kw)
    return client, clock


def paged_handler(
    path: str, key: str, pages: list[list[dict]], seen: list[httpx.Request]
) -> Callable[[httpx.Request], httpx.Response]:
    total = sum(len(p) for p in pages)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert request.url.path == path
        page = int(request.url.params.get("page", "1"))
        base = f"{API}{path}?per_page=2"
        links = []
        if page < len(pages):
            links.append(f'<{base}&page={page + 1}>; rel="next"')
            links.append(f'<{base}&page={len(pages)}>; rel="last"')
        if page > 1:
            links.append(f'<{base}&page={page - 1}>; rel="prev"')
            links.append(f'<{base}&page=1>; rel="first"')
        headers = gh_headers(etag=f'W/"etag-{page}"')
        if links:
            headers["link"] = ", ".join(links)
        return httpx.Response(200, headers=headers, json={"total_count": total, key: pages[page - 1]})

    return handler


# --------------------------------------------------------------------------- requests and headers


def test_sends_github_headers_and_joins_ghes_base_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers=gh_headers(), json=run_obj(42))

    client = GitHubClient(
        "https://ghe.example.com/api/v3/",
        REPO,
        TOKEN,
        transport=httpx.MockTransport(handler),
        clock=FakeClock(T0),
    )
    assert client.get_run(42)["id"] == 42
    request = seen[0]
    assert str(request.url) == f"https://ghe.example.com/api/v3/repos/{REPO}/actions/runs/42"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert request.headers["user-agent"].startswith("runner-suite/")


def test_bad_repo_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="owner/name"):
        GitHubClient(API, "just-a-name", TOKEN, transport=httpx.MockTransport(lambda r: httpx.Response(200)))


# --------------------------------------------------------------------------- pagination


def test_list_jobs_follows_link_header_over_three_pages() -> None:
    run_id = 9001
    pages = [
        [job_obj(1, run_id), job_obj(2, run_id)],
        [job_obj(3, run_id), job_obj(4, run_id)],
        [job_obj(5, run_id)],
    ]
    seen: list[httpx.Request] = []
    client, _ = make_client(paged_handler(f"/repos/{REPO}/actions/runs/{run_id}/jobs", "jobs", pages, seen))

    jobs = client.list_jobs(run_id)

    assert [j["id"] for j in jobs] == [1, 2, 3, 4, 5]
    assert len(seen) == 3
    assert seen[0].url.params["filter"] == "all"
    assert seen[0].url.params["per_page"] == "100"
    assert [r.url.params.get("page") for r in seen] == [None, "2", "3"]
    stats = client.api_stats()
    assert stats["per_endpoint"]["list_jobs"] == {"requests": 3, "counted": 3, "not_modified": 0}


def test_list_runs_paginates_and_sends_created_filter() -> None:
    pages = [[run_obj(1), run_obj(2)], [run_obj(3), run_obj(4)], [run_obj(5)]]
    seen: list[httpx.Request] = []
    client, _ = make_client(paged_handler(f"/repos/{REPO}/actions/runs", "workflow_runs", pages, seen))

    runs = client.list_runs("2026-11-22T10:00:00Z", status="completed")

    assert [r["id"] for r in runs] == [1, 2, 3, 4, 5]
    first = seen[0].url.params
    assert first["created"] == ">=2026-11-22T10:00:00Z"
    assert first["status"] == "completed"
    assert first["per_page"] == "100"


def test_list_runners_paginates() -> None:
    runner = {"id": 17, "name": "abc", "os": "Linux", "status": "online", "busy": False, "labels": []}
    pages = [[runner, runner], [runner, runner], [runner]]
    seen: list[httpx.Request] = []
    client, _ = make_client(paged_handler(f"/repos/{REPO}/actions/runners", "runners", pages, seen))
    assert len(client.list_runners()) == 5
    assert client.api_stats()["per_endpoint"]["list_runners"]["requests"] == 3


# --------------------------------------------------------------------------- conditional requests


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


# --------------------------------------------------------------------------- dispatch


def test_dispatch_200_returns_workflow_run_id() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            headers=gh_headers(T0 + 2),
            json={
                "workflow_run_id": 22222,
                "run_url": f"{API}/repos/{REPO}/actions/runs/22222",
                "html_url": f"https://github.com/{REPO}/actions/runs/22222",
            },
        )

    client, _ = make_client(handler)
    result = client.dispatch("capacity.yml", "main", {"suite_id": "s-001", "work_s": "30"})

    assert result == DispatchResult(200, 22222, None, T0 + 2)
    assert result.ok
    request = seen[0]
    assert request.method == "POST"
    assert request.url.path == f"/repos/{REPO}/actions/workflows/capacity.yml/dispatches"
    assert json.loads(request.content) == {
        "ref": "main",
        "inputs": {"suite_id": "s-001", "work_s": "30"},
        "return_run_details": True,
    }
    stats = client.api_stats()
    assert stats["per_endpoint"]["dispatch"]["counted"] == 1
    assert stats["dispatches_by_workflow"] == {"capacity.yml": {"dispatches": 1}}


def test_dispatch_204_has_no_run_id_and_omits_field_when_not_asked() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204, headers={"date": http_date(T0)})

    client, _ = make_client(handler)
    result = client.dispatch("capacity.yml", "main", {"suite_id": "s-002"}, return_run_details=False)

    assert result == DispatchResult(204, None, None, T0)
    assert "return_run_details" not in json.loads(seen[0].content)


def test_dispatch_400_with_run_details_is_returned_not_retried() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            400,
            headers=gh_headers(),
            json={"message": 'Invalid request.\n\n"return_run_details" is not a permitted key.'},
        )

    client, _ = make_client(handler)
    result = client.dispatch("capacity.yml", "main", {})
    assert result.status == 400
    assert result.workflow_run_id is None
    assert result.error is not None and "return_run_details" in result.error
    assert len(seen) == 1
    assert client.api_stats()["retries"] == 0


def test_dispatch_404_names_workflow_file_and_repo() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(404, headers=gh_headers(), json={"message": "Not Found"})
    )
    with pytest.raises(EnvironmentFailure) as info:
        client.dispatch("missing.yml", "main", {})
    message = str(info.value)
    assert "missing.yml" in message and REPO in message and "404" in message


def test_dispatch_422_raises_with_github_message() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(
            422, headers=gh_headers(), json={"message": "Workflow does not have 'workflow_dispatch' trigger"}
        )
    )
    with pytest.raises(GitHubError) as info:
        client.dispatch("capacity.yml", "main", {})
    assert info.value.status == 422
    assert "422" in str(info.value) and "workflow_dispatch" in str(info.value)


def test_dispatch_5xx_is_recorded_not_retried() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502, headers=gh_headers(), text="<html>Bad Gateway</html>")

    client, _ = make_client(handler)
    result = client.dispatch("capacity.yml", "main", {})
    assert result.status == 502 and result.error and not result.ok
    assert len(seen) == 1


def test_dispatch_too_many_inputs_is_a_usage_error() -> None:
    client, _ = make_client(lambda r: httpx.Response(204))
    with pytest.raises(UsageError, match="at most 25"):
        client.dispatch("capacity.yml", "main", {f"k{i}": "v" for i in range(26)})


# --------------------------------------------------------------------------- errors and secrets


def test_401_message_explains_fix_without_token() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(
            401,
            headers=gh_headers(),
            json={"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
        )
    )
    with pytest.raises(EnvironmentFailure) as info:
        client.list_runs(None)
    message = str(info.value)
    assert "GitHub rejected the token (401" in message
    assert "GITHUB_TOKEN" in message
    assert TOKEN not in message and TOKEN not in repr(info.value)
    assert info.value.exit_code == 3


def test_token_never_in_repr() -> None:
    client, _ = make_client(lambda r: httpx.Response(200))
    assert TOKEN not in repr(client)
    assert TOKEN not in str(client)
    assert TOKEN not in repr(vars(client).get("_http"))
    assert REPO in repr(client)


def test_token_never_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, headers=gh_headers(), json={"message": "Server Error"})

    client, _ = make_client(handler)
    with caplog.at_level(logging.DEBUG), pytest.raises(GitHubError):
        client.get_run(1)
    assert caplog.records  # something was logged
    assert TOKEN not in caplog.text


def test_github_message_echoing_token_is_redacted() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(403, headers=gh_headers(), json={"message": f"token {TOKEN} not allowed"})
    )
    with pytest.raises(GitHubError) as info:
        client.list_runners()
    assert TOKEN not in str(info.value)
    assert "403" in str(info.value)


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


def test_rate_limited_dispatch_is_returned_with_retry_after() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(
            429,
            headers=gh_headers(**{"retry-after": "60"}),
            json={"message": "You have exceeded a secondary rate limit."},
        )
    )
    result = client.dispatch("capacity.yml", "main", {})
    assert result.status == 429 and result.error and "retry after 60 s" in result.error


# --------------------------------------------------------------------------- retries


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


# --------------------------------------------------------------------------- clock offset, rate limit


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


# --------------------------------------------------------------------------- auth and TLS


def test_token_from_env_prefers_github_token() -> None:
    assert token_from_env({"GITHUB_TOKEN": " a \n", "GH_TOKEN": "b"}) == "a"
    assert token_from_env({"GITHUB_TOKEN": "", "GH_TOKEN": "b"}) == "b"


def test_token_from_env_missing_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        token_from_env({})
    assert "GITHUB_TOKEN" in str(info.value) and "GH_TOKEN" in str(info.value)
    assert info.value.exit_code == 2


def test_ssl_verify_from_env() -> None:
    assert ssl_verify_from_env({}) is True
    ctx = ssl_verify_from_env({"REQUESTS_CA_BUNDLE": certifi.where()})
    assert not isinstance(ctx, bool)
    ctx2 = ssl_verify_from_env({"SSL_CERT_FILE": certifi.where(), "REQUESTS_CA_BUNDLE": "/nonexistent"})
    assert not isinstance(ctx2, bool)

"""GitHubClient's endpoints against httpx.MockTransport with GitHub-shaped responses: the requests they
send, pagination, dispatch outcomes, runner administration, error messages and secrets."""

from __future__ import annotations

import json
import logging

import certifi
import httpx
import pytest

from suite.errors import EnvironmentFailure, UsageError
from suite.github import DispatchResult, GitHubClient, GitHubError, token_from_env
from suite.github.client import ssl_verify_from_env
from tests.helpers.clocks import FakeClock
from tests.helpers.github_mock import (
    API,
    REPO,
    T0,
    TOKEN,
    gh_headers,
    http_date,
    job_obj,
    make_client,
    paged_handler,
    run_obj,
)

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


# ------------------------------------------------------------------------- runners and the twin


def test_runners_at_organization_scope_and_removal() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "DELETE":
            gone = request.url.path.endswith("/2")
            return httpx.Response(
                404 if gone else 204, headers=gh_headers(), json={"message": "Not Found"} if gone else None
            )
        return httpx.Response(200, headers=gh_headers(), json={"total_count": 0, "runners": []})

    client = GitHubClient(
        API, "acme", TOKEN, runner_scope="org", transport=httpx.MockTransport(handler), clock=FakeClock(T0)
    )
    assert client.list_runners() == []
    client.remove_runner(1)
    client.remove_runner(2)  # already gone: fine
    assert [(r.method, r.url.path) for r in seen] == [
        ("GET", "/orgs/acme/actions/runners"),
        ("DELETE", "/orgs/acme/actions/runners/1"),
        ("DELETE", "/orgs/acme/actions/runners/2"),
    ]
    assert client.api_stats()["per_endpoint"]["remove_runner"]["requests"] == 2
    with pytest.raises(UsageError, match="organization"):
        GitHubClient(API, "acme/repo", TOKEN, runner_scope="org")


def test_removing_a_runner_without_rights_raises() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(403, headers=gh_headers(), json={"message": "Must have admin rights"})
    )
    with pytest.raises(GitHubError) as info:
        client.remove_runner(7)
    assert info.value.status == 403


def test_twin_truth_goes_through_the_client_but_not_into_api_stats() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, headers=gh_headers(), json={"schema": "suite.truth/v1", "jobs": []})

    client, _ = make_client(handler)
    assert client.twin_truth("run-1-")["schema"] == "suite.truth/v1"
    (request,) = seen
    assert request.url.path == "/_twin/truth" and request.url.params["suite_id_prefix"] == "run-1-"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    stats = client.api_stats()
    assert stats["requests"] == 0 and "twin_truth" not in stats["per_endpoint"]
    assert client.rate_budget() is None and client.clock_offset_s() is None


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

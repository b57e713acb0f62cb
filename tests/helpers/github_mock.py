"""A GitHub REST API in a MockTransport: GitHub-shaped headers and objects, a client on a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx

from suite.github import GitHubClient
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

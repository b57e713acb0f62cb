"""The twin's fake GitHub REST API over real HTTP on 127.0.0.1: GitHub's answers, headers and rules."""

from __future__ import annotations

import time

import httpx

from suite.twin.service import Twin
from tests.helpers.twin import actions_path


def dispatch(
    gh: httpx.Client, twin: Twin, suite_id: str, details: bool = True, **inputs: str
) -> httpx.Response:
    body: dict[str, object] = {
        "ref": "main",
        "inputs": {"sleep_duration": "30", **inputs, "suite_id": suite_id},
    }
    if details:
        body["return_run_details"] = True
    return gh.post(f"{actions_path(twin)}/workflows/runner_test.yml/dispatches", json=body)


def test_listens_on_loopback_only(twin: Twin):
    assert twin.github_url.startswith("http://127.0.0.1:")
    assert twin.aws.endpoint.startswith("http://127.0.0.1:")


def test_requires_a_bearer_token(twin: Twin):
    r = httpx.get(f"{twin.github_url}{actions_path(twin)}/runs")
    assert r.status_code == 401
    assert r.json()["message"] == "Requires authentication"
    r = httpx.get(f"{twin.github_url}{actions_path(twin)}/runs", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    assert r.json()["message"] == "Bad credentials"


def test_dispatch_with_and_without_run_details(gh: httpx.Client, twin: Twin):
    r = dispatch(gh, twin, "a")
    assert r.status_code == 200
    run_id = r.json()["workflow_run_id"]
    assert r.json()["run_url"].endswith(f"/actions/runs/{run_id}")
    r2 = dispatch(gh, twin, "b", details=False)
    assert r2.status_code == 204 and r2.content == b""
    titles = {run["display_title"] for run in gh.get(f"{actions_path(twin)}/runs").json()["workflow_runs"]}
    assert titles == {"a", "b"}
    assert gh.get(f"{actions_path(twin)}/runs/{run_id}").json()["display_title"] == "a"


def test_dispatch_errors(gh: httpx.Client, twin: Twin):
    r = gh.post(f"{actions_path(twin)}/workflows/nope.yml/dispatches", json={"ref": "main", "inputs": {}})
    assert r.status_code == 404
    r = dispatch(gh, twin, "x", colour="blue")
    assert r.status_code == 422 and "colour" in r.json()["message"]
    r = dispatch(gh, twin, "x", job_count="21")
    assert r.status_code == 422
    r = dispatch(gh, twin, "x", job_type="diagonal")
    assert r.status_code == 422
    r = gh.post(f"{actions_path(twin)}/workflows/runner_test.yml/dispatches", json={"inputs": {}})
    assert r.status_code == 422


def test_the_reusable_workflow_is_listed_but_cannot_be_dispatched(gh: httpx.Client, twin: Twin):
    listed = gh.get(f"{actions_path(twin)}/workflows").json()
    paths = [w["path"] for w in listed["workflows"]]
    assert paths == [
        ".github/workflows/runner_test.yml",
        ".github/workflows/k8s_like.yml",
        ".github/workflows/build_reusable.yml",
        ".github/workflows/runner_workload.yml",
    ]
    assert listed["total_count"] == 4 and {w["state"] for w in listed["workflows"]} == {"active"}
    r = gh.post(
        f"{actions_path(twin)}/workflows/build_reusable.yml/dispatches", json={"ref": "main", "inputs": {}}
    )
    assert r.status_code == 422  # it has only `on: workflow_call`, as GitHub answers
    assert r.json()["message"] == "Workflow does not have 'workflow_dispatch' trigger"
    assert gh.get(f"{actions_path(twin)}/runs").json()["total_count"] == 0  # and nothing was created


def test_rate_limit_headers_on_every_response(gh: httpx.Client, twin: Twin):
    r1 = gh.get(f"{actions_path(twin)}/runners")
    r2 = gh.get(f"{actions_path(twin)}/runs")
    for r in (r1, r2):
        for h in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset"):
            assert h in r.headers
    assert int(r2.headers["x-ratelimit-remaining"]) == int(r1.headers["x-ratelimit-remaining"]) - 1
    rl = gh.get("/rate_limit").json()
    assert rl["resources"]["core"]["limit"] == 5000


def test_etag_and_304_do_not_count(gh: httpx.Client, twin: Twin):
    r = gh.get(f"{actions_path(twin)}/runners")
    etag = r.headers["etag"]
    r304 = gh.get(f"{actions_path(twin)}/runners", headers={"If-None-Match": etag})
    assert r304.status_code == 304 and r304.content == b""
    assert r304.headers["x-ratelimit-used"] == r.headers["x-ratelimit-used"]
    other = gh.get(f"{actions_path(twin)}/runners", headers={"If-None-Match": 'W/"stale"'})
    assert other.status_code == 200


def test_list_runs_pagination_and_filters(gh: httpx.Client, twin: Twin):
    for i in range(7):
        assert dispatch(gh, twin, f"p-{i}").status_code == 200
    r = gh.get(f"{actions_path(twin)}/runs", params={"per_page": 3})
    body = r.json()
    assert body["total_count"] == 7 and len(body["workflow_runs"]) == 3
    assert 'rel="next"' in r.headers["link"] and 'rel="last"' in r.headers["link"]
    seen = []
    url: str | None = f"{actions_path(twin)}/runs?per_page=3"
    while url:
        page = gh.get(url)
        seen += [w["display_title"] for w in page.json()["workflow_runs"]]
        nxt = [p for p in page.headers.get("link", "").split(", ") if 'rel="next"' in p]
        url = nxt[0][1 : nxt[0].index(">")] if nxt else None
    assert sorted(seen) == sorted(f"p-{i}" for i in range(7))
    created = gh.get(f"{actions_path(twin)}/runs/{page.json()['workflow_runs'][0]['id']}").json()[
        "created_at"
    ]
    later = gh.get(f"{actions_path(twin)}/runs", params={"created": f">{created}"}).json()["total_count"]
    assert later < 7
    for st in ("queued", "in_progress", "completed"):
        runs = gh.get(f"{actions_path(twin)}/runs", params={"status": st}).json()["workflow_runs"]
        assert all(run["status"] == st for run in runs)


def test_jobs_of_a_run_carry_runner_and_times(gh: httpx.Client, twin: Twin):
    run_id = dispatch(gh, twin, "j", job_count="3").json()["workflow_run_id"]
    deadline = twin.clock.now() + 3600
    while gh.get(f"{actions_path(twin)}/runs/{run_id}").json()["status"] != "completed":
        assert twin.clock.now() < deadline
        twin.clock.sleep(5)  # the twin's clock: the run progresses exactly as far as this sleep
    r = gh.get(f"{actions_path(twin)}/runs/{run_id}/jobs", params={"filter": "all", "per_page": 2})
    assert r.json()["total_count"] == 3 and len(r.json()["jobs"]) == 2
    assert 'rel="next"' in r.headers["link"]
    job = r.json()["jobs"][0]
    assert job["status"] == "completed" and job["conclusion"] == "success"
    assert len(job["runner_name"]) == 32
    assert job["created_at"] <= job["started_at"] < job["completed_at"]
    runners = gh.get(f"{actions_path(twin)}/runners").json()["runners"]
    # ephemeral: the three runners that took a job deregistered; their replacements are cold-starting
    assert job["runner_name"] not in {r["name"] for r in runners}
    assert all(r["status"] == "online" and len(r["name"]) == 32 for r in runners)


def test_date_header_is_virtual_time(gh: httpx.Client, twin: Twin):
    from email.utils import parsedate_to_datetime

    date = parsedate_to_datetime(gh.get("/rate_limit").headers["date"]).timestamp()
    assert abs(date - twin.clock.now()) < 60 * 5  # virtual, days behind the wall clock
    assert time.time() - date > 86400

"""Every response the twin's GitHub API gives validates against GitHub's official OpenAPI description
(tests/fixtures/github_openapi.json, extracted from @octokit/openapi by tools/extract_openapi.py)."""

from __future__ import annotations

import httpx

from suite.twin.service import Twin
from tests.helpers.github_runner_examples import RUNNER_OPERATIONS
from tests.helpers.openapi import match_path, operations, validate_request_body, validate_response


def test_every_endpoint_conforms(twin: Twin):
    seen: set[tuple[str, str]] = set()
    base = f"/repos/{twin.config.repo}/actions"
    with httpx.Client(
        base_url=twin.github_url, headers={"Authorization": f"Bearer {twin.token}"}, timeout=10
    ) as gh:

        def check(method: str, path: str, **kw: object) -> httpx.Response:
            r = gh.request(method, path, **kw)  # type: ignore[arg-type]
            template = match_path(method, path)
            body = r.json() if r.content else None
            validate_response(method, template, r.status_code, body)
            seen.add((method, template))
            return r

        dispatch = f"{base}/workflows/runner_test.yml/dispatches"
        body = {
            "ref": "main",
            "inputs": {"sleep_duration": "30", "job_count": "2", "suite_id": "c-1"},
            "return_run_details": True,
        }
        validate_request_body("POST", match_path("POST", dispatch), body)
        run_id = check("POST", dispatch, json=body).json()["workflow_run_id"]
        check("POST", dispatch, json={**body, "return_run_details": False})
        k8s = {
            "ref": "main",
            "inputs": {"sleep_duration": "20", "suite_id": "c-2"},
            "return_run_details": True,
        }
        k8s_id = check("POST", f"{base}/workflows/k8s_like.yml/dispatches", json=k8s).json()[
            "workflow_run_id"
        ]
        # queued, in progress and completed states all conform
        deadline = twin.clock.now() + 3600
        while True:
            run = check("GET", f"{base}/runs/{run_id}").json()
            jobs = check("GET", f"{base}/runs/{run_id}/jobs", params={"filter": "all"}).json()["jobs"]
            for job in jobs:
                check("GET", f"{base}/jobs/{job['id']}")
            check("GET", f"{base}/runs/{k8s_id}/jobs")
            if (
                run["status"] == "completed"
                and check("GET", f"{base}/runs/{k8s_id}").json()["status"] == "completed"
            ):
                break
            assert twin.clock.now() < deadline
            twin.clock.sleep(5)
        check("GET", f"{base}/runs", params={"per_page": 1, "created": ">=2020-01-01"})
        check("GET", f"{base}/workflows")
        wf = check("GET", f"{base}/workflows/k8s_like.yml").json()
        check("GET", f"{base}/workflows/{wf['id']}")
        runs = check("GET", f"{base}/workflows/runner_test.yml/runs", params={"per_page": 1}).json()
        assert runs["total_count"] == 2 and len(runs["workflow_runs"]) == 1  # runner_test.yml only
        check("GET", f"{base}/workflows/{wf['id']}/runs", params={"status": "success"})
        assert gh.get(f"{base}/workflows/absent.yml").status_code == 404  # GitHub documents only 200
        contents = f"/repos/{twin.config.repo}/contents/.github/workflows"
        check("GET", f"{contents}/runner_test.yml")
        check("GET", f"{contents}/runner_test.yml", params={"ref": "main"})
        check("GET", contents)  # the folder: a Content Directory
        check("GET", f"{contents}/absent.yml")  # 404
        check("GET", f"{base}/runners")
        check("GET", "/rate_limit")
        r = gh.get(f"{base}/runners")
        r304 = gh.get(f"{base}/runners", headers={"If-None-Match": r.headers["etag"]})
        assert r304.status_code == 304
    # the runner registration endpoints are driven in tests/twin/test_github_runners.py
    assert seen == set(operations()) - RUNNER_OPERATIONS

"""The twin's lists and errors as GitHub serves them (issue 16 item 5): every documented filter works or
is refused with 422; GitHub's `created` date syntax; pagination, `Link` and stable ETags on every list;
JSON errors for any method or path; owner/repo case-insensitive. Real HTTP on 127.0.0.1, stepped clock."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.clock import iso
from suite.twin.github_lists import created_filter
from suite.twin.github_objects import HEAD_SHA, check_suite_id
from suite.twin.service import Twin
from tests.helpers.twin import actions_path

DAY = 86400


def dispatch(gh: httpx.Client, twin: Twin, workflow: str, suite_id: str) -> int:
    inputs = {"suite_id": suite_id, "sleep_duration": "30"}
    body = {"ref": "main", "inputs": inputs, "return_run_details": True}
    r = gh.post(f"{actions_path(twin)}/workflows/{workflow}/dispatches", json=body)
    assert r.status_code == 200, r.text
    return int(r.json()["workflow_run_id"])


def links(r: httpx.Response) -> dict[str, str]:
    return {rel: str(link["url"]) for rel, link in r.links.items()}


# ---- created: GitHub's date syntax --------------------------------------------------------------------


def day_start(d: str) -> int:
    return int(datetime.strptime(d, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())


@given(
    day=st.dates(min_value=datetime(2001, 1, 1).date(), max_value=datetime(2099, 1, 1).date()),
    offset=st.integers(-2 * DAY, 3 * DAY),
)
def test_created_with_a_bare_date_means_that_whole_utc_day(day, offset):
    d = day.isoformat()
    start, end = day_start(d), day_start(d) + DAY
    t = start + offset
    assert created_filter(d)(t) == (start <= t < end)
    assert created_filter(f">={d}")(t) == (t >= start)
    assert created_filter(f">{d}")(t) == (t >= end)  # after the whole day
    assert created_filter(f"<{d}")(t) == (t < start)
    assert created_filter(f"<={d}")(t) == (t < end)  # up to the day's end: the old off-by-a-day
    assert created_filter(f"{d}..*")(t) == (t >= start)
    assert created_filter(f"*..{d}")(t) == (t < end)
    assert created_filter("*")(t)


@given(
    t0=st.integers(1_000_000_000, 4_000_000_000),
    span=st.integers(0, 5 * DAY),
    t=st.integers(1_000_000_000 - DAY, 4_000_000_000 + 6 * DAY),
)
def test_created_with_times_is_to_the_second_and_ranges_are_inclusive(t0, span, t):
    a, b = iso(t0), iso(t0 + span)
    assert created_filter(f">={a}")(t) == (t >= t0)
    assert created_filter(f">{a}")(t) == (t > t0)
    assert created_filter(f"<={a}")(t) == (t <= t0)
    assert created_filter(f"<{a}")(t) == (t < t0)
    assert created_filter(a)(t) == (t == t0)
    assert created_filter(f"{a}..{b}")(t) == (t0 <= t <= t0 + span)
    day_a = iso(t0)[:10]
    day_b = iso(t0 + span)[:10]
    assert created_filter(f"{day_a}..{day_b}")(t) == (day_start(day_a) <= t < day_start(day_b) + DAY)


def test_created_with_an_offset_is_that_instant():
    assert created_filter(">=2026-11-22T12:00:00+02:00")(day_start("2026-11-22") + 10 * 3600)
    assert not created_filter(">=2026-11-22T12:00:00+02:00")(day_start("2026-11-22") + 10 * 3600 - 1)


@pytest.mark.parametrize("bad", ["yesterday", ">=2026-13-01", "2026-11-22..later", ">=", "2026-11-2"])
def test_a_created_value_github_does_not_take_is_422(gh: httpx.Client, twin: Twin, bad: str):
    r = gh.get(f"{actions_path(twin)}/runs", params={"created": bad})
    assert r.status_code == 422
    assert set(r.json()) == {"message", "documentation_url", "status"} and r.json()["status"] == "422"
    assert bad not in r.json()["message"] or bad == ">="  # the error line does not echo the value


def test_created_bare_date_on_the_wire(gh: httpx.Client, twin: Twin):
    dispatch(gh, twin, "runner_test.yml", "d-1")
    today = iso(twin.clock.now())[:10]
    yesterday = (datetime.fromisoformat(today) - timedelta(days=1)).date().isoformat()

    def count(created: str) -> int:
        return int(gh.get(f"{actions_path(twin)}/runs", params={"created": created}).json()["total_count"])

    for created in (today, f"<={today}", f">{yesterday}", f"{yesterday}..{today}", f"{today}..*"):
        assert count(created) == 1, created
    for created in (yesterday, f">{today}", f"<{today}", f"<={yesterday}", f"*..{yesterday}"):
        assert count(created) == 0, created


# ---- the other filters ---------------------------------------------------------------------------------


def test_every_documented_run_filter_works(gh: httpx.Client, twin: Twin):
    a = dispatch(gh, twin, "runner_test.yml", "f-a")
    b = dispatch(gh, twin, "k8s_like.yml", "f-b")
    owner = twin.config.repo.split("/")[0]

    def ids(**params: object) -> list[int]:
        r = gh.get(f"{actions_path(twin)}/runs", params=params)  # type: ignore[arg-type]
        assert r.status_code == 200, r.text
        return [run["id"] for run in r.json()["workflow_runs"]]

    both = [b, a]
    assert ids() == both
    assert ids(actor=owner) == both and ids(actor=owner.upper()) == both and ids(actor="someone") == []
    assert ids(branch="main") == both and ids(branch="feature") == []
    assert ids(event="workflow_dispatch") == both and ids(event="push") == []
    assert ids(head_sha=HEAD_SHA) == both and ids(head_sha="0" * 40) == []
    assert ids(check_suite_id=check_suite_id(a)) == [a]
    assert ids(status="queued") == both and ids(status="completed") == [] and ids(status="success") == []
    assert ids(exclude_pull_requests="true") == both
    assert ids(actor=owner, event="push") == []  # filters combine
    wf = gh.get(f"{actions_path(twin)}/workflows/k8s_like.yml").json()
    by_id = gh.get(f"{actions_path(twin)}/workflows/{wf['id']}/runs").json()
    assert [r["id"] for r in by_id["workflow_runs"]] == [b] and by_id["total_count"] == 1
    assert gh.get(f"{actions_path(twin)}/workflows/nope.yml/runs").status_code == 404


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("runs", {"status": "sleeping"}),
        ("runs", {"exclude_pull_requests": "maybe"}),
        ("runs", {"check_suite_id": "abc"}),
        ("runs", {"per_page": "many"}),
        ("runs", {"page": "-1"}),
        ("workflows/runner_test.yml/runs", {"status": "bogus"}),
        ("workflows", {"per_page": "x"}),
        ("runners", {"page": "first"}),
    ],
)
def test_a_filter_value_it_cannot_take_is_422_never_ignored(gh: httpx.Client, twin: Twin, path, params):
    r = gh.get(f"{actions_path(twin)}/{path}", params=params)
    assert r.status_code == 422 and r.json()["status"] == "422"


def test_jobs_filter_and_run_exclude_pull_requests(gh: httpx.Client, twin: Twin):
    run = dispatch(gh, twin, "runner_test.yml", "j-1")
    assert gh.get(f"{actions_path(twin)}/runs/{run}/jobs", params={"filter": "newest"}).status_code == 422
    assert (
        gh.get(f"{actions_path(twin)}/runs/{run}", params={"exclude_pull_requests": "yes"}).status_code == 422
    )
    assert (
        gh.get(f"{actions_path(twin)}/runs/{run}", params={"exclude_pull_requests": "true"}).status_code
        == 200
    )


def test_runners_by_name(gh: httpx.Client, twin: Twin):
    while not gh.get(f"{actions_path(twin)}/runners").json()["runners"]:
        twin.clock.sleep(5)  # the first runners cold-start
    name = gh.get(f"{actions_path(twin)}/runners").json()["runners"][0]["name"]
    named = gh.get(f"{actions_path(twin)}/runners", params={"name": name}).json()
    assert named["total_count"] == 1 and named["runners"][0]["name"] == name
    assert gh.get(f"{actions_path(twin)}/runners", params={"name": "nobody"}).json()["total_count"] == 0


# ---- pagination, Link and ETags on every list ------------------------------------------------------


def test_every_list_paginates_with_link_and_a_stable_etag(gh: httpx.Client, twin: Twin):
    for i in range(3):
        dispatch(gh, twin, "runner_test.yml", f"p-{i}")
    run = dispatch(gh, twin, "k8s_like.yml", "p-k")
    while gh.get(f"{actions_path(twin)}/runs/{run}/jobs").json()["total_count"] < 2:
        twin.clock.sleep(5)
    while gh.get(f"{actions_path(twin)}/runners").json()["total_count"] < 2:
        twin.clock.sleep(5)
    lists = {
        "workflows": "workflows",
        "runs": "workflow_runs",
        "workflows/runner_test.yml/runs": "workflow_runs",
        f"runs/{run}/jobs": "jobs",
        "runners": "runners",
    }
    for path, key in lists.items():
        url = f"{actions_path(twin)}/{path}"
        whole = gh.get(url, params={"per_page": 100}).json()
        total = whole["total_count"]
        assert total >= 2, path
        first = gh.get(url, params={"per_page": 1})
        assert len(first.json()[key]) == 1
        rels = links(first)
        assert set(rels) == {"next", "last"}, path
        assert "page=2" in rels["next"] and f"page={total}" in rels["last"]
        second = gh.get(rels["next"])
        assert set(links(second)) >= {"prev", "first"}, path
        seen, nxt = [], url + "?per_page=1"
        while nxt:
            page = gh.get(nxt)
            seen += page.json()[key]
            nxt = links(page).get("next")
        assert seen == whole[key], path  # the pages, in order, are the whole list
        again = gh.get(url, params={"per_page": 1})
        assert again.headers["etag"] == first.headers["etag"], path  # nothing changed: the same tag
        r304 = gh.get(url, params={"per_page": 1}, headers={"If-None-Match": first.headers["etag"]})
        assert r304.status_code == 304 and r304.content == b"", path


def test_the_workflow_list_s_etag_survives_time_passing(gh: httpx.Client, twin: Twin):
    url = f"{actions_path(twin)}/workflows"
    etag = gh.get(url).headers["etag"]
    twin.clock.sleep(3600)
    assert gh.get(url, headers={"If-None-Match": etag}).status_code == 304
    strong = etag.removeprefix("W/")
    assert gh.get(url, headers={"If-None-Match": f'"other", {strong}'}).status_code == 304


# ---- any method, any path: JSON; owner/repo case-insensitive -----------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS", "POST", "GET"])
def test_any_method_on_any_path_answers_github_s_json_error(gh: httpx.Client, twin: Twin, method: str):
    for path in (f"{actions_path(twin)}/runs", "/no/such/path", f"{actions_path(twin)}/artifacts"):
        if method == "GET" and path.endswith("/runs"):
            continue
        r = gh.request(method, path)
        assert r.status_code == 404, (method, path)
        assert r.headers["content-type"].startswith("application/json")
        body = r.json()
        assert body["message"] == "Not Found" and body["status"] == "404" and body["documentation_url"]
        assert set(body) == {"message", "documentation_url", "status"}


def test_a_method_the_http_layer_does_not_know_is_json_too(twin: Twin):
    host, port = twin.github_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("BREW", "/rate_limit", headers={"Authorization": f"Bearer {twin.token}"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == 501 and r.getheader("Content-Type", "").startswith("application/json")
        assert b"<html" not in body.lower() and b'"status":"501"' in body
    finally:
        conn.close()


def test_head_is_get_without_the_body(gh: httpx.Client, twin: Twin):
    get = gh.get(f"{actions_path(twin)}/workflows")
    head = gh.head(f"{actions_path(twin)}/workflows")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == get.headers["content-length"]


def test_owner_and_repo_are_case_insensitive(gh: httpx.Client, twin: Twin):
    shouting = f"/repos/{twin.config.repo.upper()}/actions"
    inputs = {"suite_id": "c-1", "sleep_duration": "30"}
    r = gh.post(
        f"{shouting}/workflows/runner_test.yml/dispatches",
        json={"ref": "main", "inputs": inputs, "return_run_details": True},
    )
    assert r.status_code == 200
    listed = gh.get(f"{shouting}/runs").json()
    assert listed["total_count"] == 1
    assert listed["workflow_runs"][0]["repository"]["full_name"] == twin.config.repo  # spelt as it is
    assert gh.get(f"/repos/{twin.config.repo}x/actions/runs").status_code == 404

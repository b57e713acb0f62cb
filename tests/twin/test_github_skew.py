"""A twin whose GitHub clock differs from the suite's (TwinConfig.github_skew_s): every time GitHub shows
is on its own clock (timestamps, `Date`, rate-limit reset, the `created` filter, App JWT claims), while
the fleet, AWS and the durations are unchanged. Real HTTP on 127.0.0.1, stepped clock."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from suite.clock import iso
from suite.fleet.environments import local_target
from suite.github.app import AppCredentials
from suite.github.client import GitHubClient
from suite.isotime import parse_iso
from suite.twin.app_auth import AppConfig
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin
from tests.helpers.twin import client_for, twin_config

SKEW = -900.0  # GitHub's clock 900 s behind the suite's


@pytest.fixture
def skewed() -> Iterator[Twin]:
    tw = Twin(twin_config(fleet=FleetConfig(runners=2), github_skew_s=SKEW)).start()
    try:
        yield tw
    finally:
        tw.stop()


@pytest.fixture
def gh(skewed: Twin) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=skewed.github_url, headers={"Authorization": f"Bearer {skewed.token}"}, timeout=10
    ) as c:
        yield c


def runs_path(twin: Twin) -> str:
    return f"/repos/{twin.config.repo}/actions/runs"


def test_date_rate_limit_reset_and_timestamps_are_on_github_s_clock(skewed: Twin, gh: httpx.Client) -> None:
    now = skewed.clock.now()
    inputs = {"suite_id": "s1", "sleep_duration": "30"}
    r = gh.post(
        f"/repos/{skewed.config.repo}/actions/workflows/runner_test.yml/dispatches",
        json={"ref": "main", "inputs": inputs, "return_run_details": True},
    )
    assert r.status_code == 200
    date = parsedate_to_datetime(r.headers["date"]).timestamp()
    assert date == float(int(now + SKEW))  # the stepped clock stands still within a request
    window_start = skewed.github.limit._window_start[skewed.token]
    assert int(r.headers["x-ratelimit-reset"]) == int(window_start + 3600 + SKEW)
    core = gh.get("/rate_limit").json()["resources"]["core"]
    assert core["reset"] == int(window_start + 3600 + SKEW)
    run = gh.get(f"{runs_path(skewed)}/{r.json()['workflow_run_id']}").json()
    assert run["created_at"] == iso(now + SKEW)


def test_the_created_filter_reads_github_s_clock(skewed: Twin, gh: httpx.Client) -> None:
    now = skewed.clock.now()
    gh.post(
        f"/repos/{skewed.config.repo}/actions/workflows/runner_test.yml/dispatches",
        json={"ref": "main", "inputs": {"suite_id": "s2", "sleep_duration": "30"}},
    )

    def listed(since: float) -> int:
        return int(gh.get(runs_path(skewed), params={"created": f">={iso(since)}"}).json()["total_count"])

    assert listed(now + SKEW) == 1  # created at GitHub's now
    assert listed(now + SKEW + 1) == 0
    assert listed(now) == 0  # our clock's time is 900 s in GitHub's future: the bug this twin can show


def test_truth_shows_github_s_timestamps_and_the_same_durations(skewed: Twin, gh: httpx.Client) -> None:
    gh.post(
        f"/repos/{skewed.config.repo}/actions/workflows/runner_test.yml/dispatches",
        json={"ref": "main", "inputs": {"suite_id": "s3", "sleep_duration": "30"}},
    )
    skewed.clock.sleep(600)  # the job runs to completion on the twin's clock
    job = gh.get(f"{runs_path(skewed)}/{next(iter(skewed.fleet.runs))}/jobs").json()["jobs"][0]
    (truth,) = gh.get("/_twin/truth", params={"suite_id_prefix": "s3"}).json()["jobs"]
    sim = skewed.fleet.jobs[truth["job_id"]]
    for key in ("created_at", "started_at", "completed_at"):
        assert truth[key] == job[key]
    assert parse_iso(truth["created_at"]) == float(int(sim.created + SKEW))
    assert truth["queue_s"] == sim.started - sim.created
    assert truth["execution_s"] == sim.completed - sim.started


def test_the_client_measures_the_skew_from_the_date_header(skewed: Twin) -> None:
    with client_for(skewed) as client:
        assert client.clock_offset_s() is None
        client.list_runs()
        offset = client.clock_offset_s()
        assert offset is not None and SKEW - 1.0 < offset <= SKEW
        assert client.clock_offset_low_s() == offset  # one sample so far


@pytest.mark.parametrize("skew_s", [-900.0, 900.0])
def test_a_github_app_authenticates_although_the_first_jwt_is_signed_on_the_wrong_clock(
    skew_s: float,
) -> None:
    """Before any answer, the client signs its first JWT on its own clock, 900 s off GitHub's: GitHub
    refuses it (iat in its future, or exp in its past); the refusal's Date gives GitHub's time and the
    JWT signed on it is accepted. Every later JWT is signed on the measured clock."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    app = AppConfig("123456", 4242, public.decode(), token_lifetime_s=900)
    twin = Twin(twin_config(fleet=FleetConfig(runners=2), app=app, github_skew_s=skew_s)).start()
    try:
        t = local_target(twin.state())
        with GitHubClient(
            t.github_url, t.repo, AppCredentials("123456", 4242, private), clock=t.clock
        ) as client:
            assert isinstance(client.list_runs(), list)
            twin.clock.sleep(1800)  # past the first token's expiry: renewed on GitHub's clock
            assert isinstance(client.list_runs(), list)
        assert len(twin.github.installation_tokens) == 2
    finally:
        twin.stop()

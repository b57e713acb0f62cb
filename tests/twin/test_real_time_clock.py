"""At speed 1 the twin's clock reads real time (its virtual epoch starts now), so `Date`,
`x-ratelimit-reset` and timestamps mean to any client what they mean on GitHub; at other speeds it starts
7 days ago on a whole minute, as before. Each bound below is exact: the twin reads the wall clock between
the test's two readings of it, so no assertion depends on how fast the machine is."""

from __future__ import annotations

import math
import time
from email.utils import parsedate_to_datetime

import httpx

from suite.clock import SteppedClock
from suite.isotime import parse_iso
from suite.twin.service import VIRTUAL_ORIGIN_AGE_S, Twin, virtual_origin
from tests.helpers.twin import twin_config


def test_the_origin_is_now_at_speed_1_and_a_week_ago_otherwise():
    wall = 1_800_000_123.75
    assert virtual_origin(wall, 1.0, "virtual") == wall
    assert virtual_origin(wall, 1.0, "stepped") == 1_800_000_123.0
    for speed in (60.0, 300.0):
        origin = virtual_origin(wall, speed, "virtual")
        assert origin % 60 == 0 and wall - VIRTUAL_ORIGIN_AGE_S - 60 < origin <= wall - VIRTUAL_ORIGIN_AGE_S


def test_a_speed_1_twin_answers_on_the_wall_clock():
    twin = Twin(twin_config(speed=1.0, clock="virtual")).start()
    try:
        headers = {"Authorization": f"Bearer {twin.token}"}
        inputs = {"suite_id": "rt-1", "sleep_duration": "5"}
        body = {"ref": "main", "inputs": inputs, "return_run_details": True}
        with httpx.Client(base_url=twin.github_url, headers=headers, timeout=10) as gh:
            before = time.time()
            r = gh.post(f"/repos/{twin.config.repo}/actions/workflows/runner_test.yml/dispatches", json=body)
            after = time.time()
            run = gh.get(f"/repos/{twin.config.repo}/actions/runs/{r.json()['workflow_run_id']}").json()
        date = parsedate_to_datetime(r.headers["date"]).timestamp()
        assert math.floor(before) <= date <= after  # Date: the wall clock, truncated to the second
        created = parse_iso(run["created_at"])
        assert math.floor(before) <= created <= after
        reset = int(r.headers["x-ratelimit-reset"])
        assert math.floor(before) + 3600 <= reset <= after + 3600  # an hour from the window's first request
    finally:
        twin.stop()


def test_a_stepped_twin_at_speed_1_starts_now_and_moves_only_when_stepped():
    before = time.time()
    twin = Twin(twin_config(speed=1.0, clock="stepped")).start()
    after = time.time()
    try:
        assert isinstance(twin.clock, SteppedClock)
        assert math.floor(before) <= twin.clock.now() <= after
        start = twin.clock.now()
        twin.clock.advance(90)
        assert twin.clock.now() == start + 90
    finally:
        twin.stop()

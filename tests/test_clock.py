"""The virtual clock: one time for every process that reads the twin's state."""

from __future__ import annotations

import time

from suite.clock import VirtualClock, iso
from suite.isotime import parse_iso
from tests.helpers.twin import start_twin


def test_virtual_clock_runs_at_its_speed_and_round_trips_through_state():
    clock = VirtualClock.starting_at(1_000_000.0, speed=60.0)
    other = VirtualClock.from_state(clock.to_state())  # another process reading the state file
    t0 = time.time()
    a = clock.now()
    time.sleep(0.2)
    b = other.now()
    elapsed = time.time() - t0
    assert 0.2 * 60 <= b - a <= elapsed * 60 + 1
    start = time.monotonic()
    clock.sleep(6.0)  # 6 virtual seconds = 0.1 real seconds at 60x
    assert 0.09 <= time.monotonic() - start < 0.5


def test_iso_is_github_style_with_one_second_resolution():
    assert iso(1_700_000_000.9) == "2023-11-14T22:13:20Z"
    assert parse_iso("2023-11-14T22:13:20Z") == 1_700_000_000.0
    assert parse_iso("2023-11-14T22:13:20.500Z") == 1_700_000_000.5


def test_twin_stops_by_itself_when_idle():
    twin = start_twin()
    twin.config = type(twin.config)(speed=twin.config.speed, fleet=twin.config.fleet, idle_timeout_s=0.3)
    try:
        deadline = time.time() + 10
        while twin.stopped_reason is None and time.time() < deadline:
            time.sleep(0.05)
        assert twin.stopped_reason is not None and "idle" in twin.stopped_reason
    finally:
        twin.stop()

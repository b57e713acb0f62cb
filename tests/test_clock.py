"""Clocks: the virtual clock (one time for every process that reads a deployed twin's state) and the
stepped clock (time moves only when every thread that waits on it sleeps, or a test advances it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from suite.clock import SteppedClock, VirtualClock, clock_lock, iso, start_thread, wait_event
from suite.fleet.environments import local_target
from suite.isotime import parse_iso
from tests.helpers.twin import start_twin


def test_virtual_clock_runs_at_its_speed_and_round_trips_through_state():
    clock = VirtualClock.starting_at(1_000_000.0, speed=60.0)
    other = VirtualClock.from_state(clock.to_state())  # another process reading the state file
    a = clock.now()
    time.sleep(0.2)
    b = other.now()
    assert b - a >= 0.2 * 60  # at least its speed; how much longer a busy machine took is not asserted
    start = time.monotonic()
    clock.sleep(6.0)  # 6 virtual seconds = 0.1 real seconds at 60x
    assert time.monotonic() - start >= 0.1 - 0.005


def test_iso_is_github_style_with_one_second_resolution():
    assert iso(1_700_000_000.9) == "2023-11-14T22:13:20Z"
    assert parse_iso("2023-11-14T22:13:20Z") == 1_700_000_000.0
    assert parse_iso("2023-11-14T22:13:20.500Z") == 1_700_000_000.5


def test_twin_stops_by_itself_when_idle():
    # the idle timeout is real time by nature (a deployed twin nobody talks to): the twin's own event
    # says when it stopped, the deadline is generous
    twin = start_twin(clock="virtual")
    twin.config = type(twin.config)(speed=twin.config.speed, fleet=twin.config.fleet, idle_timeout_s=0.3)
    try:
        assert twin.stopped(30.0)
        assert twin.stopped_reason is not None and "idle" in twin.stopped_reason
    finally:
        twin.stop()


# --- the stepped clock --------------------------------------------------------------------------


def run_actors(clock: SteppedClock, *targets: Callable[[], None]) -> None:
    """Run `targets` as the clock's actors (counted before any starts) and wait for them all; the
    test's own thread only waits, so it is not one."""
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for t in threads:
        clock.attach(t)
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive()


def test_a_lone_sleeper_jumps_to_its_wake_up_and_listeners_run_first():
    clock = SteppedClock(1000.0, speed=60.0)
    seen: list[float] = []
    clock.add_listener(seen.append)
    clock.sleep(3600)  # an hour of virtual time, at once
    assert clock.now() == 4600.0 and seen == [4600.0]
    clock.sleep(0)
    assert clock.now() == 4600.0 and seen == [4600.0]


def test_threads_wake_in_virtual_time_order_and_see_the_listeners_work():
    clock = SteppedClock(0.0)
    state = {"t": 0.0}
    clock.add_listener(lambda t: state.update(t=t))  # the twin's simulator, caught up at every step
    log: list[tuple[str, float, float]] = []

    def sleeper(name: str, every: float) -> None:
        for _ in range(3):
            clock.sleep(every)
            log.append((name, clock.now(), state["t"]))

    run_actors(clock, lambda: sleeper("a", 3.0), lambda: sleeper("b", 5.0))
    assert sorted(log, key=lambda x: (x[1], x[0])) == [
        ("a", 3.0, 3.0),
        ("b", 5.0, 5.0),
        ("a", 6.0, 6.0),
        ("a", 9.0, 9.0),
        ("b", 10.0, 10.0),
        ("b", 15.0, 15.0),
    ]


def test_time_does_not_move_while_an_actor_runs():
    clock = SteppedClock(0.0)
    busy = threading.Event()
    done = threading.Event()

    def worker() -> None:  # an actor busy with something that is not a sleep (an HTTP request)
        busy.set()
        done.wait(30)
        clock.sleep(1)

    thread = threading.Thread(target=worker)
    clock.attach(thread)  # an actor from its start, before its first sleep
    thread.start()
    busy.wait(30)
    result: list[float] = []
    sleeper = threading.Thread(target=lambda: (clock.sleep(60), result.append(clock.now())))
    sleeper.start()
    sleeper.join(timeout=0.3)  # real time passes; virtual time must not
    assert sleeper.is_alive() and clock.now() == 0.0
    done.set()
    sleeper.join(timeout=30)
    thread.join(timeout=30)
    assert result == [60.0]


def test_an_actor_that_exits_no_longer_holds_time_back():
    clock = SteppedClock(0.0)
    run_actors(clock, lambda: None)
    clock.sleep(10)
    assert clock.now() == 10.0


def test_a_thread_waiting_for_a_lock_held_by_a_sleeper_lets_time_move():
    # the governor: one thread holds its lock while it sleeps (mutation spacing), another waits for it
    clock = SteppedClock(0.0)
    lock = clock_lock(clock)
    order: list[tuple[str, float]] = []
    holding = threading.Event()

    def holder() -> None:
        with lock:
            holding.set()
            clock.sleep(5)
            order.append(("holder", clock.now()))

    def waiter() -> None:
        holding.wait(30)
        clock.sleep(1)
        with lock:  # blocks from t=1 until the holder's sleep ends at t=5
            order.append(("waiter", clock.now()))

    run_actors(clock, holder, waiter)
    assert order == [("holder", 5.0), ("waiter", 5.0)]


def test_wait_event_ends_a_stepped_sleep_when_the_event_is_set():
    clock = SteppedClock(0.0)
    stop = threading.Event()
    woke: list[bool] = []
    # the abort monitor's way: started by the thread that runs the dispatches, stopped by its event
    thread = start_thread(clock, lambda: woke.append(wait_event(clock, stop, 600)), "monitor")
    time.sleep(0.1)  # real time passes: the starter runs, so the monitor's sleep cannot end
    assert not woke and clock.now() == 0.0
    stop.set()
    thread.join(timeout=30)
    assert woke == [True] and clock.now() == 0.0


def test_manual_clock_moves_only_when_advanced():
    clock = SteppedClock(0.0, auto=False)
    seen: list[float] = []
    clock.add_listener(seen.append)
    woke: list[float] = []
    thread = threading.Thread(target=lambda: (clock.sleep(30), woke.append(clock.now())))
    thread.start()
    thread.join(timeout=0.2)
    assert thread.is_alive() and clock.now() == 0.0
    clock.advance(100)  # stops at the sleeper's wake-up on the way, then at 100
    thread.join(timeout=30)
    assert woke == [30.0] and seen == [30.0, 100.0] and clock.now() == 100.0
    clock.advance_to(50)  # the past: nothing to do
    assert clock.now() == 100.0


def test_a_stepped_twin_is_shared_with_the_suite_and_steps_its_simulator():
    twin = start_twin()
    try:
        target = local_target(twin.state())
        assert target.clock is twin.clock
        before = twin.clock.now()
        target.clock.sleep(130)  # runners cold-start (<= 90 s) and minute 120's metrics are made ...
        assert twin.clock.now() == before + 130
        assert twin.aws.flushed_until >= before + 125  # ... and already in moto when the sleep ends
        assert len(twin.fleet.online_runners()) == 4
    finally:
        twin.stop()


def test_an_unknown_twin_clock_is_refused():
    with pytest.raises(ValueError, match="unknown twin clock"):
        start_twin(clock="sundial")

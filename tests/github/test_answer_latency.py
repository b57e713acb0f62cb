"""The twin's answer latency is on its clock: on the stepped clock a delayed answer moves virtual time by
exactly the delay while the client waits (it does not hold time still, nor deadlock), in no real time
to speak of; the client then sees the answer at the later time."""

from __future__ import annotations

import threading

import pytest

from suite.twin.faults import FaultsConfig
from suite.twin.service import Twin
from tests.helpers.twin import client_for, twin_config


@pytest.fixture
def slow_twin() -> Twin:
    twin = Twin(twin_config(faults=FaultsConfig(latency_s=(0.75, 0.75)))).start()
    yield twin
    twin.stop()


def test_a_delayed_answer_moves_the_clock_by_the_delay_while_the_client_waits(slow_twin: Twin):
    clock = slow_twin.clock
    with client_for(slow_twin) as client:
        clock.sleep(10)  # the test's thread is one of the clock's actors: its request holds time still
        before = clock.now()
        client.list_runners()
        assert clock.now() - before == pytest.approx(0.75, abs=1e-6)
        client.list_runners()
        assert clock.now() - before == pytest.approx(1.5, abs=1e-6)


def test_time_does_not_move_under_a_request_whose_answer_is_not_delayed(slow_twin: Twin):
    """The twin's own endpoints are never delayed: a request in flight still holds time still."""
    clock = slow_twin.clock
    with client_for(slow_twin) as client:
        clock.sleep(10)
        before = clock.now()
        client.twin_truth("none-")
        assert clock.now() == before


def test_two_clients_waiting_on_delayed_answers_each_see_their_delay(slow_twin: Twin):
    clock = slow_twin.clock
    elapsed: dict[str, float] = {}

    def read(name: str) -> None:
        with client_for(slow_twin) as client:
            clock.sleep(1)
            start = clock.now()
            client.list_runners()
            elapsed[name] = clock.now() - start

    threads = [threading.Thread(target=read, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        clock.attach(thread)
        thread.start()
    for thread in threads:
        thread.join()
    # each waited at least its own delay (the other's may overlap it or come after it)
    assert set(elapsed) == {"a", "b"}
    assert all(0.75 - 1e-6 <= seconds <= 1.5 + 1e-6 for seconds in elapsed.values()), elapsed

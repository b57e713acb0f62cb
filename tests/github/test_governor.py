"""The rate-limit governor's rules (suite/github/governor.py), as pure functions and on a fake clock."""

from __future__ import annotations

import itertools

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.github.governor import (
    Governor,
    GovernorConfig,
    backoff_s,
    mutation_wait_s,
    points,
    points_wait_s,
    rate_limit_wait_s,
)
from tests.helpers.clocks import FakeClock

T0 = 1_800_000_000.0


def test_points_get_1_post_5():
    assert points("GET") == 1 and points("get") == 1
    assert points("POST") == 5 and points("PATCH") == 5 and points("DELETE") == 5


def test_retry_after_wins_over_reset():
    headers = httpx.Headers({"Retry-After": "17", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "99"})
    assert rate_limit_wait_s(headers, T0, 1) == 17.0


def test_reset_when_remaining_is_zero_plus_one_second():
    headers = httpx.Headers({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(T0) + 300)})
    assert rate_limit_wait_s(headers, T0, 1) == 301.0
    # a reset already past: only the 1 s margin
    assert rate_limit_wait_s(headers, T0 + 1000, 1) == 1.0


def test_reset_ignored_while_requests_remain():
    headers = httpx.Headers({"x-ratelimit-remaining": "12", "x-ratelimit-reset": str(int(T0) + 300)})
    assert rate_limit_wait_s(headers, T0, 1) == 60.0


@given(st.integers(min_value=1, max_value=12))
def test_without_hints_at_least_60_s_then_doubling(n: int):
    headers = httpx.Headers({})
    assert rate_limit_wait_s(headers, T0, n) == 60.0 * 2 ** (n - 1)
    assert rate_limit_wait_s(headers, T0, n) >= 60.0


def test_backoff_1_2_4_capped_at_60():
    assert [backoff_s(n) for n in range(1, 9)] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]


def test_mutation_spacing():
    assert mutation_wait_s(None, T0, 1.0) == 0.0
    assert mutation_wait_s(T0, T0 + 0.25, 1.0) == 0.75
    assert mutation_wait_s(T0, T0 + 3, 1.0) == 0.0


def test_points_wait_until_enough_expire():
    history = [(T0 + i, 5) for i in range(10)]  # 50 points in the window
    assert points_wait_s(history, T0 + 10, 5, 55) == 0.0
    # 50 + 5 > 54: the oldest (T0) must expire: at T0 + 60
    assert points_wait_s(history, T0 + 10, 5, 54) == 50.0
    # entries older than the window do not count
    assert points_wait_s(history, T0 + 65, 5, 30) == 0.0


@given(
    st.lists(st.tuples(st.floats(0, 59.9), st.sampled_from([1, 5])), max_size=60),
    st.sampled_from([1, 5]),
    st.integers(min_value=5, max_value=200),
)
def test_points_wait_leaves_the_window_within_budget(raw, cost, budget):
    history = sorted((T0 + t, p) for t, p in raw)
    now = T0 + 60
    wait = points_wait_s(history, now, cost, budget)
    at = now + wait
    spent = sum(p for t, p in history if t > at - 60)
    assert spent + cost <= budget
    if wait > 0:  # and not a moment earlier would do
        spent_before = sum(p for t, p in history if t > at - 60 - 1e-6)
        assert spent_before + cost > budget


def test_governor_spaces_mutations_and_keeps_points_under_budget():
    clock = FakeClock(T0)
    gov = Governor(clock, GovernorConfig(min_mutation_interval_s=1.0, points_per_minute=20))
    sends: list[tuple[float, str]] = []
    for method in ["POST", "POST", "GET", "POST", "POST", "GET", "POST"]:
        gov.before_send(method)
        sends.append((clock.now(), method))
    posts = [t for t, m in sends if m == "POST"]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(posts))
    for t, _ in sends:  # no rolling minute holds more than 20 points
        assert sum(points(m) for u, m in sends if t - 60 < u <= t) <= 20
    assert gov.waited_s == pytest.approx(sum(clock.sleeps))
    assert gov.waited_s >= 60  # the 5th POST had to wait for the first to leave the window


def test_config_rejects_nonsense():
    with pytest.raises(ValueError):
        GovernorConfig(min_mutation_interval_s=-1)
    with pytest.raises(ValueError):
        GovernorConfig(points_per_minute=4)

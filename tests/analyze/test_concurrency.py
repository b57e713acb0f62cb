import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers.analyze_records import concurrency, level_at, max_level, sweep, time_weighted_mean


def brute(intervals, t):
    return sum(1 for s, e in intervals if s <= t < e)


interval = st.tuples(st.integers(0, 30), st.integers(0, 10)).map(lambda p: (p[0], p[0] + p[1]))
interval_sets = st.lists(interval, max_size=25)  # small integer grid: many ties and zero-length intervals


@given(interval_sets)
def test_sweep_equals_brute_force_everywhere(intervals):
    steps = sweep(intervals)
    for k in range(-1, 45):
        for t in (k, k + 0.5):
            assert level_at(steps, t) == brute(intervals, t)
    assert max_level(steps) == max((brute(intervals, k) for k in range(0, 41)), default=0)


@given(interval_sets, st.integers(0, 40), st.integers(1, 40))
def test_time_weighted_mean_equals_brute_force_integral(intervals, start, length):
    end = start + length
    area = sum(brute(intervals, k + 0.5) for k in range(start, end))  # level is constant on [k, k+1)
    assert time_weighted_mean(sweep(intervals), start, end) == pytest.approx(area / length)


@given(interval_sets)
def test_steps_change_level_and_are_sorted(intervals):
    steps = sweep(intervals)
    times = [t for t, _ in steps]
    assert times == sorted(set(times))
    levels = [0] + [level for _, level in steps]
    assert all(a != b for a, b in itertools.pairwise(levels))
    assert not steps or steps[-1][1] == 0


def test_touching_half_open_intervals_never_overlap():
    c = concurrency([(0, 10), (10, 20), (20, 30)], 0, 30)
    assert c.max == 1
    assert c.timeline == [(0, 1), (30, 0)]
    assert c.mean == 1.0


def test_zero_length_interval_counts_nothing():
    assert sweep([(5, 5)]) == []
    assert concurrency([(5, 5), (0, 1)], 0, 10).max == 1


def test_time_weighted_mean_hand_example():
    # [0,10) and [5,15) over the window [0,20): level 1 for 5 s, 2 for 5 s, 1 for 5 s, 0 for 5 s
    c = concurrency([(0, 10), (5, 15)], 0, 20)
    assert c.timeline == [(0, 1), (5, 2), (10, 1), (15, 0)]
    assert c.max == 2
    assert c.mean == (5 * 1 + 5 * 2 + 5 * 1) / 20  # 0.75


def test_mean_is_clipped_to_window():
    # the window starts inside the busy period and ends inside the idle tail
    assert time_weighted_mean(sweep([(0, 10), (5, 15)]), 7, 17) == pytest.approx((3 * 2 + 5 * 1) / 10)


def test_empty_window_has_no_mean():
    assert time_weighted_mean(sweep([(0, 1)]), 5, 5) is None
    assert concurrency([(0, 1)], None, None).mean is None


def test_backwards_interval_is_an_error():
    with pytest.raises(ValueError):
        sweep([(5, 4)])

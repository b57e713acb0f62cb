"""The usage timeline: piecewise-constant levels, integrals and peaks over half-open intervals."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.twin.usage import UsageTimeline


def _timeline() -> UsageTimeline:
    u = UsageTimeline()
    u.set("t1", 100, 20.0, 300.0)  # idle
    u.set("t1", 110, 1024.0, 800.0)  # one vCPU busy
    u.set("t1", 130, 10.0, 3000.0)  # holding memory
    u.set("t1", 140, 0.0, 0.0)  # stopped
    return u


def test_integrals_and_means_over_half_open_intervals() -> None:
    u = _timeline()
    assert u.cpu_seconds("t1", 110, 130) == 20.0
    assert u.cpu_seconds("t1", 100, 110) == pytest.approx(200 / 1024)
    assert u.mean_cpu_units("t1", 105, 115) == (5 * 20 + 5 * 1024) / 10
    assert u.mean_memory_mib("t1", 120, 140) == (10 * 800 + 10 * 3000) / 20
    assert u.peak_memory_mib("t1", 100, 130) == 800.0  # 130 is not in [100, 130)
    assert u.peak_memory_mib("t1", 100, 131) == 3000.0


def test_before_the_first_level_nothing_is_known() -> None:
    u = _timeline()
    assert u.at("t1", 99) is None
    assert u.mean_cpu_units("t1", 50, 100) is None
    assert u.peak_memory_mib("t1", 50, 100) is None
    assert u.mean_cpu_units("t2", 0, 1000) is None
    lv = u.at("t1", 110)
    assert lv is not None and lv.cpu_units == 1024.0


def test_same_second_replaces_and_going_back_is_refused() -> None:
    u = _timeline()
    u.set("t1", 140, 5.0, 100.0)
    assert [lv.start for lv in u.levels("t1")] == [100, 110, 130, 140]
    assert u.levels("t1")[-1].cpu_units == 5.0
    with pytest.raises(ValueError, match="before its last one"):
        u.set("t1", 120, 1.0, 1.0)
    with pytest.raises(ValueError, match=">= 0"):
        u.set("t1", 150, -1.0, 1.0)


_LEVEL = st.tuples(st.integers(0, 50), st.floats(0, 4096), st.floats(0, 8192))


@given(st.lists(_LEVEL, min_size=1, max_size=20))
def test_cpu_integral_is_additive(levels: list[tuple[int, float, float]]) -> None:
    u = UsageTimeline()
    t = 0
    for step, cpu, mem in levels:
        t += step
        u.set("x", t, cpu, mem)
    whole = u.cpu_seconds("x", 0, t + 10)
    mid = t // 2
    assert u.cpu_seconds("x", 0, mid) + u.cpu_seconds("x", mid, t + 10) == pytest.approx(whole)

"""The right-size rules (docs/architecture.md, Definitions; suite.analyze.rightsize) held exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze import rightsize as rs
from suite.fleet.prices import DEFAULT_HEADROOM_PCT
from suite.rundir.fargate_sizes import all_sizes, is_valid

NAN = float("nan")


@settings(max_examples=300, deadline=None)
@given(
    cpu=st.floats(0, 20000, allow_nan=False),
    mem=st.floats(0, 130000, allow_nan=False),
    headroom=st.floats(0, 100, allow_nan=False),
)
def test_the_smallest_size_keeps_the_headroom_and_no_smaller_one_does(cpu, mem, headroom):
    need_cpu, need_mem = cpu * (1 + headroom / 100), mem * (1 + headroom / 100)
    got = rs.smallest_size(cpu, mem, headroom)
    sizes = all_sizes()
    if got is None:
        assert not any(c >= need_cpu and m >= need_mem for c, m in sizes)
        return
    pair = (got["task_cpu"], got["task_memory"])
    assert is_valid(*pair) and pair[0] >= need_cpu and pair[1] >= need_mem
    for c, m in sizes[: sizes.index(pair)]:  # every smaller size (by CPU, then memory) lacks headroom
        assert c < need_cpu or m < need_mem


@settings(max_examples=200, deadline=None)
@given(
    cpu=st.floats(0, 16000, allow_nan=False),
    mem=st.floats(0, 120000, allow_nan=False),
    vcpu_hour=st.floats(0.001, 1.0),
    gb_hour=st.floats(0.0001, 1.0),
)
def test_the_smallest_fitting_size_is_the_cheapest_fitting_one(cpu, mem, vcpu_hour, gb_hour):
    got = rs.smallest_size(cpu, mem, 0.0)
    fitting = [(c, m) for c, m in all_sizes() if c >= cpu and m >= mem]
    if got is None:
        assert not fitting
        return

    def price(c: int, m: int) -> float:
        return c / 1024 * vcpu_hour + m / 1024 * gb_hour

    cheapest = min(price(c, m) for c, m in fitting)
    assert price(got["task_cpu"], got["task_memory"]) <= cheapest * (1 + 1e-12)


def _judge(peaks, means, mems, execution=None, oom=0, headroom=25.0):
    n = len(peaks)
    ex = np.asarray(execution or [60.0] * n, float)
    cpu_pct, mean_pct, mem_pct = (np.asarray(x, float) for x in (peaks, means, mems))
    return rs.judge(ex, cpu_pct * 10.24, cpu_pct, mean_pct, mem_pct * 20.48, mem_pct, oom, headroom)


pcts = st.floats(0, 100, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(pcts, pcts, pcts, st.floats(0.5, 600)), min_size=0, max_size=8),
    st.integers(0, 2),
)
def test_the_verdict_is_the_first_rule_that_holds(jobs, oom):
    peaks, means, mems, ex = (list(x) for x in zip(*jobs, strict=True)) if jobs else ([], [], [], [])
    got = _judge(peaks, means, mems, ex, oom)
    n = len(jobs)
    mean = sum(m * e for m, e in zip(means, ex, strict=True)) / sum(ex) if n else None
    if oom or (n and max(mems) >= rs.MEMORY_PRESSURE_PCT):
        want = rs.MEMORY_PRESSURE
    elif n < rs.MIN_JOBS:
        want = rs.INCONCLUSIVE
    elif max(peaks) >= rs.CPU_BOUND_PEAK_PCT and mean >= rs.CPU_BOUND_MEAN_PCT:
        want = rs.CPU_BOUND
    elif max(peaks) < rs.OVER_PROVISIONED_PEAK_PCT:
        want = rs.OVER_CPU
    else:
        want = rs.FITS
    assert got["verdict"] == want
    assert got["measured"] == n and got["jobs"] == n and got["out_of_memory"] == oom
    if n:
        assert got["cpu_mean_pct"] == pytest.approx(mean)
        assert got["cpu_peak_pct"] == max(peaks) and got["memory_peak_pct"] == max(mems)
    if n < rs.MIN_JOBS:
        assert got["recommended"] is None and got["recommended_note"]
    else:
        assert got["recommended"] == rs.smallest_size(max(peaks) * 10.24, max(mems) * 20.48, 25.0)


def test_too_few_measured_jobs_is_inconclusive_never_fits():
    got = _judge([40.0, 40.0], [30.0, 30.0], [50.0, 50.0])
    assert got["verdict"] == rs.INCONCLUSIVE
    assert got["recommended"] is None and "at least 3" in got["recommended_note"]
    assert "2 job(s)" in got["reason"]


def test_jobs_without_figures_do_not_count_and_do_not_move_the_peaks():
    ex = np.asarray([60.0, 60.0, 60.0, 60.0])
    cpu_pct = np.asarray([40.0, 30.0, NAN, 20.0])
    got = rs.judge(ex, cpu_pct * 10.24, cpu_pct, cpu_pct, np.full(4, 800.0), np.full(4, 40.0), 0, 25.0)
    assert got["jobs"] == 4 and got["measured"] == 3
    assert got["cpu_peak_pct"] == 40.0 and got["verdict"] == rs.OVER_CPU


def test_an_out_of_memory_kill_is_memory_pressure_and_says_the_peak_is_a_floor():
    got = _judge([60.0] * 3, [50.0] * 3, [70.0] * 3, oom=1)
    assert got["verdict"] == rs.MEMORY_PRESSURE and "killed for memory" in got["reason"]
    assert got["recommended"] is not None and got["recommended_note"] == rs.OOM_NOTE


def test_the_mean_is_weighted_by_execution_time():
    got = _judge([60.0, 60.0, 60.0], [10.0, 10.0, 100.0], [10.0] * 3, execution=[10.0, 10.0, 80.0])
    assert got["cpu_mean_pct"] == pytest.approx((10 * 10 + 10 * 10 + 100 * 80) / 100)


def test_the_section_groups_by_name_in_first_seen_order_and_judges_all_jobs():
    names = ["build", "test", "build", "test", "build", "test"]
    busy = np.ones(6, bool)
    figures = {
        "cpu_max": np.full(6, 350.0),
        "cpu_max_pct": np.full(6, 39.0),
        "cpu_mean_pct": np.full(6, 20.0),
        "memory_max": np.asarray([500.0, 1900.0] * 3),
        "memory_max_pct": np.asarray([25.0, 95.0] * 3),
    }
    current = {"task_cpu": 1024, "task_memory": 2048}
    s = rs.rightsize_section(names, busy, np.full(6, 60.0), figures, [None] * 6, current, 40.0)
    assert list(s["by_job_name"]) == ["build", "test"]
    assert s["by_job_name"]["build"]["verdict"] == rs.OVER_CPU
    assert s["by_job_name"]["build"]["recommended"] == {"task_cpu": 512, "task_memory": 1024}
    assert s["by_job_name"]["test"]["verdict"] == rs.MEMORY_PRESSURE
    assert s["all_jobs"]["verdict"] == rs.MEMORY_PRESSURE and s["all_jobs"]["measured"] == 6
    # 350 units x 1.4 = 490 <= 512; 1900 MiB x 1.4 = 2660 MiB: the first memory >= 2660 with them is 3072
    assert s["all_jobs"]["recommended"] == {"task_cpu": 512, "task_memory": 3072}
    assert s["by_job_name"]["build"]["recommended_note"] == "smaller than the fleet's size"
    assert s["all_jobs"]["recommended_note"] == "the fleet's size lacks this headroom"
    same = rs.rightsize_section(
        names, busy, np.full(6, 60.0), figures, [None] * 6, {"task_cpu": 512, "task_memory": 1024}, 40.0
    )
    assert (
        same["by_job_name"]["build"]["recommended_note"]
        == "the fleet's size is the smallest with this headroom"
    )
    assert s["headroom_pct"] == 40.0 and s["current"] == current and s["rules"]["min_jobs"] == rs.MIN_JOBS


def test_the_default_headroom_is_the_one_the_settings_give():
    assert rs.DEFAULT_HEADROOM_PCT == DEFAULT_HEADROOM_PCT


def test_fleet_size_is_the_manifests_or_none():
    assert rs.fleet_size({"task_cpu": 512, "task_memory": 1024}) == {"task_cpu": 512, "task_memory": 1024}
    assert rs.fleet_size({"task_cpu": 512}) is None
    assert rs.fleet_size({"task_cpu": True, "task_memory": 1024}) is None

"""Property tests for suite.schedule.arrivals: counts, rates, ordering, bounds and seeding of each pattern."""

from __future__ import annotations

import itertools
import math
import statistics

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from suite.schedule.arrivals import (
    BurstPattern,
    PoissonPattern,
    RampPattern,
    RampStage,
    SpikePattern,
    SteadyPattern,
    StepPattern,
    build_schedule,
    expected_workflows,
    peak_rate_per_min,
    rate_segments,
    schedule_duration_s,
    step_rates,
)

rates = st.floats(min_value=0.05, max_value=600, allow_nan=False, allow_infinity=False)
rates0 = st.one_of(st.just(0.0), rates)
seeds = st.integers(min_value=0, max_value=2**32)
MAX_N = 2000  # keep generated schedules small


@st.composite
def rate_and_duration(draw: st.DrawFn, min_n: float = 0.0, max_n: float = MAX_N) -> tuple[float, float]:
    """A rate and a duration whose expected count rate * duration / 60 lies in [min_n, max_n]."""
    rate = draw(rates)
    if draw(st.booleans()):
        n = draw(st.floats(min_value=min_n, max_value=max_n, allow_nan=False))
    else:  # exact multiples are where off-by-one errors live
        n = float(draw(st.integers(math.ceil(min_n), int(max_n))))
    duration = n * 60.0 / rate
    assume(duration > 0)
    return rate, duration


slow = settings(deadline=None)  # big schedules take a while to check; timing is not the property


def assert_sorted_within(offsets: list[float], duration: float, *, strict_end: bool) -> None:
    assert all(a <= b for a, b in itertools.pairwise(offsets))
    if offsets:
        assert offsets[0] >= 0
        if strict_end:
            assert offsets[-1] < duration
        else:
            assert offsets[-1] <= duration * (1 + 1e-12)


def cumulative_expected(segments: list[tuple[float, float, float]], t: float) -> float:
    """Independent N(t): the integral of a piecewise-linear per-minute rate, in arrivals."""
    total = 0.0
    start = 0.0
    for d, r0, r1 in segments:
        if t <= start:
            break
        if d == 0:
            continue
        u = min(t - start, d)
        total += (r0 * u + (r1 - r0) * u * u / (2 * d)) / 60.0
        start += d
    return total


# --- steady ------------------------------------------------------------------------------------


@slow
@given(rd=rate_and_duration())
def test_steady_count_and_spacing_exact(rd: tuple[float, float]) -> None:
    rate, duration = rd
    p = SteadyPattern(rate_per_min=rate, duration_s=duration)
    s = build_schedule(p, 0)
    n = len(s)
    assert n == expected_workflows(p)
    assert n == math.floor(duration * rate / 60 + 1e-9 * max(1.0, duration * rate / 60))
    interval = 60.0 / rate
    assert all(t == pytest.approx(i * interval, rel=1e-12, abs=1e-9) for i, t in enumerate(s))
    if n:
        assert s[0] == 0.0
    assert_sorted_within(s, duration, strict_end=True)
    assert schedule_duration_s(p) == duration


def test_steady_documented_example() -> None:
    s = build_schedule(SteadyPattern(rate_per_min=1.5, duration_s=1800), 0)
    assert len(s) == 45
    assert s[:3] == [0.0, 40.0, 80.0]
    assert s[-1] == 1760.0


@given(rd=rate_and_duration(), a=seeds, b=seeds)
def test_steady_ignores_seed(rd: tuple[float, float], a: int, b: int) -> None:
    p = SteadyPattern(*rd)
    assert build_schedule(p, a) == build_schedule(p, b)


# --- poisson -----------------------------------------------------------------------------------


@slow
@given(rd=rate_and_duration(), seed=seeds)
def test_poisson_sorted_within_duration_and_reproducible(rd: tuple[float, float], seed: int) -> None:
    rate, duration = rd
    p = PoissonPattern(rate_per_min=rate, duration_s=duration)
    s = build_schedule(p, seed)
    assert s == build_schedule(p, seed)
    assert_sorted_within(s, duration, strict_end=True)
    assert all(t > 0 for t in s)
    assert expected_workflows(p) == round(rate * duration / 60)


@slow
@given(rd=rate_and_duration(min_n=10), seed=seeds)
def test_poisson_different_seed_differs(rd: tuple[float, float], seed: int) -> None:
    p = PoissonPattern(*rd)
    assert build_schedule(p, seed) != build_schedule(p, seed + 1)


@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_poisson_rate_is_right(seed: int) -> None:
    # 60/min for 10,000 s: mean 10,000 arrivals, sd 100; allow 5 sd.
    s = build_schedule(PoissonPattern(rate_per_min=60, duration_s=10_000), seed)
    assert abs(len(s) - 10_000) < 500
    gaps = [b - a for a, b in itertools.pairwise(s)]
    assert statistics.fmean(gaps) == pytest.approx(1.0, rel=0.05)
    # exponential inter-arrivals: the sd equals the mean
    assert statistics.pstdev(gaps) == pytest.approx(1.0, rel=0.1)


# --- burst -------------------------------------------------------------------------------------


@given(
    count=st.integers(1, 200),
    repeat=st.integers(1, 20),
    every=st.floats(min_value=0.5, max_value=3600, allow_nan=False),
    seed=seeds,
)
def test_burst_counts_and_offsets(count: int, repeat: int, every: float, seed: int) -> None:
    p = BurstPattern(count=count, repeat=repeat, every_s=every)
    s = build_schedule(p, seed)
    assert len(s) == count * repeat == expected_workflows(p)
    for r in range(repeat):
        assert s[r * count : (r + 1) * count] == [r * every] * count
    assert_sorted_within(s, schedule_duration_s(p), strict_end=False)
    assert schedule_duration_s(p) == pytest.approx((repeat - 1) * every)
    assert s == build_schedule(p, seed + 1)


def test_single_burst_is_all_at_zero() -> None:
    p = BurstPattern(count=20)
    assert build_schedule(p, 0) == [0.0] * 20
    assert schedule_duration_s(p) == 0.0
    assert peak_rate_per_min(p) == math.inf


# --- ramp / spike / step: the k-th arrival is where N(t) reaches k -----------------------------

stages = st.lists(
    st.builds(
        RampStage,
        duration_s=st.floats(min_value=1, max_value=7200, allow_nan=False),
        target_rate_per_min=rates0,
    ),
    min_size=1,
    max_size=6,
)


def check_integrated(p: RampPattern | SpikePattern | StepPattern, seed: int) -> list[float]:
    segs = [(s.duration_s, s.start_rate_per_min, s.end_rate_per_min) for s in rate_segments(p)]
    total_time = sum(d for d, _, _ in segs)
    total = cumulative_expected(segs, total_time)
    s = build_schedule(p, seed)
    assert len(s) == expected_workflows(p) == math.floor(total + 1e-9 * max(1.0, total))
    assert schedule_duration_s(p) == pytest.approx(total_time)
    assert_sorted_within(s, total_time, strict_end=False)
    for k, t in enumerate(s, start=1):
        assert cumulative_expected(segs, t) == pytest.approx(k, rel=1e-6, abs=1e-6)
    assert s == build_schedule(p, seed + 1)  # deterministic: the seed does not matter
    return s


@slow
@given(start=rates0, stages=stages, seed=seeds)
def test_ramp_integrates_the_rate(start: float, stages: list[RampStage], seed: int) -> None:
    p = RampPattern(stages=tuple(stages), start_rate_per_min=start)
    segs = rate_segments(p)
    assume(sum(s.expected for s in segs) <= MAX_N)
    check_integrated(p, seed)


@slow
@given(rate=rates, duration=st.floats(min_value=1, max_value=7200, allow_nan=False))
def test_flat_ramp_is_evenly_spaced_after_the_first_interval(rate: float, duration: float) -> None:
    assume(rate * duration / 60 <= MAX_N)
    p = RampPattern(stages=(RampStage(duration, rate),), start_rate_per_min=rate)
    s = build_schedule(p, 0)
    interval = 60.0 / rate
    assert all(t == pytest.approx(k * interval, rel=1e-9) for k, t in enumerate(s, start=1))


def test_linear_ramp_from_zero_matches_closed_form() -> None:
    # r(t) = t/60 per minute over 600 s: N(t) = t^2 / 7200, so arrival k is at sqrt(7200 k).
    p = RampPattern(stages=(RampStage(duration_s=600, target_rate_per_min=10),))
    s = build_schedule(p, 0)
    assert len(s) == 50
    assert s == pytest.approx([math.sqrt(7200 * k) for k in range(1, 51)], rel=1e-12)


def test_ramp_down_is_front_loaded() -> None:
    p = RampPattern(stages=(RampStage(duration_s=600, target_rate_per_min=0),), start_rate_per_min=10)
    s = build_schedule(p, 0)
    assert len(s) == 50
    assert sum(1 for t in s if t < 300) > sum(1 for t in s if t >= 300)
    assert s[-1] == pytest.approx(600.0)


@slow
@given(
    baseline=rates0,
    extra=rates,
    baseline_s=st.floats(min_value=0, max_value=3600, allow_nan=False),
    spike_s=st.floats(min_value=1, max_value=3600, allow_nan=False),
    recovery_s=st.floats(min_value=0, max_value=3600, allow_nan=False),
    seed=seeds,
)
def test_spike_is_piecewise_constant(
    baseline: float, extra: float, baseline_s: float, spike_s: float, recovery_s: float, seed: int
) -> None:
    p = SpikePattern(baseline, baseline + extra, baseline_s, spike_s, recovery_s)
    total = (baseline * (baseline_s + recovery_s) + (baseline + extra) * spike_s) / 60
    assume(total <= MAX_N)
    s = check_integrated(p, seed)
    in_spike = sum(1 for t in s if baseline_s < t <= baseline_s + spike_s)
    assert abs(in_spike - (baseline + extra) * spike_s / 60) <= 2
    assert peak_rate_per_min(p) == baseline + extra


@slow
@given(
    start=rates0,
    increment=st.floats(min_value=0.1, max_value=60, allow_nan=False),
    steps=st.integers(1, 12),
    # a max within 1e-9 increments of a step is that step (float noise, see step_count): the overshoot
    # is 0 or clearly beyond that tolerance
    overshoot=st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=0.99)),
    step_s=st.floats(min_value=1, max_value=1800, allow_nan=False),
    seed=seeds,
)
def test_step_rates_increase_to_max(
    start: float, increment: float, steps: int, overshoot: float, step_s: float, seed: int
) -> None:
    top = start + (steps - 1 + overshoot) * increment
    assume(top > 0)
    p = StepPattern(start, increment, step_s, top)
    r = step_rates(p)
    assert r[0] == start
    assert r[-1] == pytest.approx(top)
    assert all(a < b for a, b in itertools.pairwise(r))
    assert all(b - a <= increment * (1 + 1e-9) for a, b in itertools.pairwise(r))
    assume(sum(x * step_s / 60 for x in r) <= MAX_N)
    s = check_integrated(p, seed)
    for i, rate in enumerate(r):
        lo, hi = i * step_s, (i + 1) * step_s
        n = sum(1 for t in s if lo < t <= hi)
        assert abs(n - rate * step_s / 60) <= 2
    assert peak_rate_per_min(p) == pytest.approx(top)


def test_a_max_within_float_noise_of_a_step_is_that_step() -> None:
    noisy = StepPattern(
        start_rate_per_min=0.1, increment_per_min=0.1, step_duration_s=60, max_rate_per_min=0.1 + 2 * 0.1
    )
    assert 0.1 + 2 * 0.1 != 0.3 and step_rates(noisy) == [0.1, 0.2, 0.1 + 2 * 0.1]  # 3 steps, not 4
    assert step_rates(StepPattern(0.0, 1.0, 60, 1e-10)) == [0.0]  # 1e-10 increments above: no extra step
    assert step_rates(StepPattern(0.0, 1.0, 60, 1e-6)) == [0.0, 1e-6]  # beyond the tolerance: a step


def test_step_example() -> None:
    p = StepPattern(start_rate_per_min=1, increment_per_min=2, step_duration_s=60, max_rate_per_min=4)
    assert step_rates(p) == [1, 3, 4]
    assert schedule_duration_s(p) == 180
    assert build_schedule(p, 0) == pytest.approx([60.0, 80.0, 100.0, 120.0, 135.0, 150.0, 165.0, 180.0])

"""Sizes are counted before they are built: the pattern types count steps and arrivals from their
fields alone, and the smallest rate and duration above 0 keep that arithmetic inside the floats."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from suite.schedule.patterns import MIN_RATE_PER_MIN, MIN_SECONDS, PoissonPattern, StepPattern

RATES = st.floats(min_value=MIN_RATE_PER_MIN, max_value=10_000)


@settings(max_examples=300, deadline=None)
@given(RATES, RATES, RATES)
def test_step_count_is_a_finite_count_for_any_accepted_rates(start: float, increment: float, top: float):
    if top < start:
        start, top = top, start
    steps = StepPattern(start, increment, 60.0, top).step_count()
    assert isinstance(steps, int) and 1 <= steps <= math.ceil((top - start) / increment) + 1


def test_a_subnormal_increment_is_counted_not_overflowed():
    # Refused by the profile checker (below MIN_RATE_PER_MIN); the count itself still never raises.
    assert StepPattern(1.0, 5e-324, 60.0, 10.0).step_count() > 1000
    assert StepPattern(1.0, 0.0, 60.0, 10.0).step_count() > 1000


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=MIN_RATE_PER_MIN, max_value=10_000), st.floats(min_value=MIN_SECONDS, max_value=600)
)
def test_poisson_at_any_accepted_rate_places_arrivals_inside_its_window(rate: float, duration: float):
    offsets = PoissonPattern(rate, duration).arrivals(seed=1)
    assert all(0 <= t < duration for t in offsets) and offsets == sorted(offsets)

"""Sizes are counted before they are built: the pattern types count steps and arrivals from their
fields alone, and the smallest rate and duration above 0 keep that arithmetic inside the floats."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from suite.schedule.patterns import MIN_RATE_PER_MIN, MIN_SECONDS, PATTERNS, PoissonPattern, StepPattern
from suite.schedule.stored import pattern_from_dict

FIELDS = sorted({f for cls in PATTERNS.values() for f in (*cls.REQUIRED, *cls.OPTIONAL)})

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


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(PATTERNS)), st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6))
def test_a_damaged_stored_pattern_is_a_value_error_naming_its_field(kind: str, fields: dict[str, object]):
    """manifest.json's pattern read back: a Pattern, or ValueError (never TypeError, OverflowError...)."""
    try:
        pattern = pattern_from_dict({**fields, "type": kind})
    except ValueError as exc:
        assert str(exc).startswith("pattern") and len(str(exc)) < 200
    else:
        assert pattern.to_dict()["type"] == kind and pattern.expected_count() >= 0

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.analyze.stats import distribution, exact_sum, percentile

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(finite, min_size=1, max_size=60), st.floats(min_value=0, max_value=100))
def test_percentile_equals_numpy_default(values, q):
    assert percentile(values, q) == float(np.percentile(values, q))  # exactly: it is numpy's


@given(st.lists(finite, min_size=1, max_size=60))
def test_distribution_matches_numpy(values):
    d = distribution(values)
    assert d["count"] == len(values)
    assert d["min"] == min(values)
    assert d["max"] == max(values)
    assert d["mean"] == pytest.approx(float(np.mean(values)), rel=1e-9, abs=1e-6)
    for key, q in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99)):
        assert d[key] == pytest.approx(float(np.percentile(values, q)), rel=1e-9, abs=1e-6)
        assert d["min"] <= d[key] <= d["max"]


def test_percentile_hand_example():
    # ranks 0..3 over [10, 20, 30, 40]: p50 at rank 1.5, p90 at rank 2.7
    assert percentile([40, 10, 30, 20], 50) == 25.0
    assert percentile([40, 10, 30, 20], 90) == pytest.approx(37.0)
    assert percentile([5], 99) == 5.0


def test_empty_distribution_is_null_not_zero():
    d = distribution([])
    assert d == {
        "count": 0,
        "min": None,
        "mean": None,
        "p50": None,
        "p90": None,
        "p95": None,
        "p99": None,
        "max": None,
    }
    assert percentile([], 50) is None


def test_percentile_rejects_out_of_range_q():
    with pytest.raises(ValueError):
        percentile([1.0], 101)
    assert percentile([1.0, 2.0], 100) == 2.0
    assert percentile([1.0, 2.0], 0) == 1.0


@given(st.lists(st.floats(min_value=-1e300, max_value=1e300), max_size=80), st.integers(1, 3))
def test_exact_sum_is_fsum_of_the_column_also_strided(values, step):
    column = np.asarray(values, dtype=float)[::step]  # a strided view too
    assert exact_sum(column) == math.fsum(column.tolist())


WHOLE = st.one_of(
    st.integers(-(2**20), 2**20),
    st.integers(-(2**53), 2**53),
    st.sampled_from([2**52, 2**53 - 1, 2**53, 2**53 + 2, -(2**52)]),
).map(float)


@given(st.lists(WHOLE | st.sampled_from([-0.0, 0.5, float("inf"), float("nan")]), max_size=200))
def test_exact_sum_of_whole_numbers_is_fsums_to_the_bit(values):
    """The whole-number path (numpy's sum below 2**53) gives fsum's float exactly, sign of zero included;
    a column past 2**53, with a fraction, an infinity or NaN goes to fsum."""
    column = np.asarray(values, dtype=float)
    want = math.fsum(column.tolist())
    got = exact_sum(column)
    assert repr(got) == repr(want)


def test_a_long_column_of_large_whole_numbers_is_still_exact():
    """Whole numbers whose pairwise float sum would round (past 2**53 in total) are summed by fsum."""
    column = np.asarray([2.0**53, 1.0, 1.0], dtype=float)  # 2**53 + 1 rounds back to 2**53, twice
    assert exact_sum(column) == math.fsum(column.tolist()) != float(np.sum(column))

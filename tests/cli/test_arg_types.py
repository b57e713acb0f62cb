"""The CLI's argument types (suite/cli/args.py): any text is a value inside its bounds or one
ArgumentTypeError; never another exception, never a value outside the bounds (hypothesis)."""

from __future__ import annotations

import argparse
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.cli.args import cold_start_range, real, whole

TEXT = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"[-+]?[0-9_]{0,30}(\.[0-9]*)?([eE][-+]?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["nan", "-nan", "inf", "-inf", "1e309", "5e-324", "9" * 5000, " 7 ", "0x10", "1_000"]),
)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_whole_is_bounded_or_one_error(text: str):
    try:
        value = whole("--n", 1, 1000)(text)
    except argparse.ArgumentTypeError as exc:
        assert str(exc).startswith("--n must be") and len(str(exc)) < 200
    else:
        assert isinstance(value, int) and 1 <= value <= 1000


@settings(max_examples=400, deadline=None)
@given(TEXT, st.booleans())
def test_real_is_finite_and_bounded_or_one_error(text: str, above_lo: bool):
    try:
        value = real("--x", 0.0, 100.0, above_lo=above_lo)(text)
    except argparse.ArgumentTypeError as exc:
        assert str(exc).startswith("--x must be") and len(str(exc)) < 200
    else:
        assert math.isfinite(value) and (value > 0 if above_lo else value >= 0) and value <= 100


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_cold_start_is_bounded_or_one_error(text: str):
    try:
        lo, hi = cold_start_range(text)
    except argparse.ArgumentTypeError as exc:
        assert len(str(exc)) < 200
    else:
        assert 0 <= lo <= hi <= 3600


@pytest.mark.parametrize(("text", "value"), [("4", 4), (" 4 ", 4), ("1_000", 1000), ("1000", 1000)])
def test_whole_reads_what_int_reads(text: str, value: int):
    assert whole("--n", 1, 1000)(text) == value

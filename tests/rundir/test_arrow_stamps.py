"""suite.rundir.arrow_stamps.stamps_ok: a column of stamps checked with pyarrow says what IsoStamps says of
each value, whether its values repeat (checked over the distinct ones) or not (checked as they are)."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.rundir.arrow_stamps import stamps_ok
from suite.rundir.readback import IsoStamps

POOL = [
    "2027-01-15T08:00:05Z",
    "2027-01-15T08:00:00.177Z",
    "2027-02-28T23:59:59Z",
    "2027-02-30T08:00:00Z",  # no such day: the shape, refused by its day
    "2027-01-15T24:00:00Z",  # no such hour
    "2027-01-15 08:00:05",  # another shape IsoStamps takes
    "2027-01-15T08:00:05+00:00",
    "yesterday",
    "",
    None,
]


def expected(values: list[str | None], required: bool) -> bool:
    stamps = IsoStamps()
    return all(v is None or (v == "" and not required) or stamps.is_iso(v) for v in values)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.sampled_from(POOL), max_size=60)
    | st.lists(st.integers(0, 10**6), max_size=60).map(
        lambda ns: [
            f"2027-01-15T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.{n % 1000:03d}Z" for n in ns
        ]
    ),
    required=st.booleans(),
)
def test_a_column_is_checked_as_each_value_would_be(values: list[str | None], required: bool) -> None:
    column = pa.array(values, pa.string())
    assert stamps_ok(column, required, IsoStamps()) is expected(values, required)
    chunked = pa.chunked_array([column[: len(values) // 2], column[len(values) // 2 :]], pa.string())
    assert stamps_ok(chunked, required, IsoStamps()) is expected(values, required)

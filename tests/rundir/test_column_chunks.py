"""suite.rundir.column_chunks: ColumnChunks.where keeps the rows whose value passes, whatever each column's
form (a list, a numpy array, an Encoded column), and an Encoded column it gives keeps Encoded's contract:
each value left once, in order of first sight among the rows kept."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.rundir.column_chunks import ColumnChunks, Encoded, as_list


def encoded(values: list[Any]) -> Encoded:
    distinct = list(dict.fromkeys(values))
    return Encoded(distinct, np.asarray([distinct.index(v) for v in values], dtype=np.int64))


@settings(max_examples=300, deadline=None)
@given(
    tasks=st.lists(st.sampled_from(["a", "b", "c", "d", None]), min_size=1, max_size=30),
    dropped=st.sets(st.sampled_from(["a", "b", "c", "d", None])),
    encode=st.booleans(),
)
def test_where_keeps_the_rows_that_pass_in_every_column_form(
    tasks: list[Any], dropped: set[Any], encode: bool
) -> None:
    n = len(tasks)
    chunk = {
        "task_id": encoded(tasks) if encode else list(tasks),
        "value": np.arange(n, dtype=np.float64),
        "metric": encoded([f"m{i % 3}" for i in range(n)]),
        "when": [f"t{i}" for i in range(n)],
    }
    rows = [{k: as_list(col)[i] for k, col in chunk.items()} for i in range(n)]
    kept = list(ColumnChunks([chunk]).where("task_id", lambda t: t not in dropped))
    expected = [r for r in rows if r["task_id"] not in dropped]
    got = [{k: as_list(col)[i] for k, col in c.items()} for c in kept for i in range(len(c["when"]))]
    assert got == expected
    for c in kept:
        for col in c.values():
            if isinstance(col, Encoded):
                assert col.distinct == list(dict.fromkeys(col.tolist()))  # each left once, first sight


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", None, 0, 1.0]), max_size=12),
    st.sampled_from(["a", "b", "z", None, 0, 1, True, object()]),
)
def test_an_encoded_column_holds_what_its_values_hold(values: list[Any], probe: object) -> None:
    """`x in column` asks the distinct values: the answer `x in` the row values' list gives."""
    assert (probe in encoded(values)) == (probe in values)

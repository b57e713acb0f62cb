"""ColumnRows (result.json's per_job as columns) and write_json writing it row by row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.analyze.rows import CHUNK, ColumnRows, Lazy
from suite.rundir.jsonio import write_json

values = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))


@given(st.lists(st.tuples(values, values), max_size=20))
def test_rows_read_as_the_dicts_they_stand_for(pairs: list[tuple[object, object]]) -> None:
    rows = ColumnRows(("a", "b"), ([p[0] for p in pairs], [p[1] for p in pairs]))
    want = [{"a": a, "b": b} for a, b in pairs]
    assert len(rows) == len(want)
    assert list(rows) == want and rows == want and want == rows
    assert rows[1:3] == want[1:3] and rows[::-1] == want[::-1]
    if want:
        assert rows[0] == want[0] and rows[-1] == want[-1]


def test_bad_shapes_and_indexes() -> None:
    with pytest.raises(ValueError):
        ColumnRows(("a", "b"), ([1],))
    with pytest.raises(ValueError):
        ColumnRows(("a", "b"), ([1], [1, 2]))
    rows = ColumnRows(("a",), ([1, 2],))
    with pytest.raises(IndexError):
        rows[2]
    assert rows != [{"a": 1}] and rows != [{"a": 1}, {"a": 3}]


def test_write_json_streams_rows_and_reads_back_equal(tmp_path: Path) -> None:
    rows = ColumnRows(("id", "cpu"), ([1, 2, 3], [None, 0.5, "x\u0000rows:0\u0000"]))
    doc = {"schema": "s", "per_job": rows, "empty": ColumnRows(("id",), ([],)), "list": [1, {"a": None}]}
    path = tmp_path / "result.json"
    write_json(path, doc)
    text = path.read_text()
    assert json.loads(text) == {**doc, "per_job": list(rows), "empty": []}
    assert '\n    {"id": 2, "cpu": 0.5},\n' in text  # one row per line


def test_lazy_columns_read_a_slice_at_a_time_across_chunk_edges() -> None:
    n = CHUNK * 2 + 3
    ids = np.arange(n, dtype=np.int64)
    cpu = np.where(ids % 7 == 0, np.nan, ids / 4)
    converted: list[int] = []

    def nullable_floats(a: np.ndarray) -> list[float | None]:
        converted.append(a.size)
        return [None if np.isnan(x) else float(x) for x in a.tolist()]

    columns = (Lazy(ids, np.ndarray.tolist), Lazy(cpu, nullable_floats), ["t"] * n)
    rows = ColumnRows(("id", "cpu", "tag"), columns)
    want = [{"id": i, "cpu": None if i % 7 == 0 else i / 4, "tag": "t"} for i in range(n)]
    assert list(rows) == want
    assert converted == [CHUNK, CHUNK, 3]  # one conversion per slice of rows, never the whole column
    assert rows[CHUNK] == want[CHUNK] and rows[-1] == want[-1] and rows[5:9] == want[5:9]
    assert type(rows[0]["id"]) is int  # Python values, as json and csv want them


def test_columns_read_without_a_dict_per_row() -> None:
    n = CHUNK + 5
    times = np.where(np.arange(n) % 3 == 0, np.nan, 1_780_000_000.0 + np.arange(n))
    cpu = np.where(np.arange(n) % 2 == 0, np.nan, np.arange(n) / 8)
    rows = ColumnRows(
        ("t", "cpu", "tag"),
        (Lazy(times, lambda a: ["t"] * a.size), Lazy(cpu, lambda a: a.tolist()), list(range(n))),
    )
    assert np.array_equal(rows.floats("t"), times, equal_nan=True)  # as kept: no Python value made
    assert rows.floats("tag").tolist() == [float(i) for i in range(n)]
    assert rows.values_at("tag", np.array([3, 0, n - 1])) == [3, 0, n - 1]
    assert rows.values_at("cpu", np.array([1])) == [1 / 8]
    parts = list(rows.slices(("tag",), size=CHUNK))
    assert [len(p[0]) for p in parts] == [CHUNK, 5] and [*parts[0][0], *parts[1][0]] == list(range(n))
    iso = ColumnRows(("t",), (["2026-05-28T20:00:00Z", None],))  # ISO strings: epoch seconds
    assert iso.floats("t")[0] == 1_779_998_400.0 and np.isnan(iso.floats("t")[1])
    assert [r["tag"] for r in rows[2:4]] == [2, 3] and rows[5:5] == []

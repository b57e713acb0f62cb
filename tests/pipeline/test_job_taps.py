"""suite.pipeline.job_taps: the job table's GitHub fields per job, taken from the rows as they pass, are
the same whether the rows come as dicts (read line by line) or as column chunks in any form (numpy,
Encoded, lists; a field absent from a chunk), and are each wanted job's last copy's values (labels as
strings; None for a job not read)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.columns import objects
from suite.pipeline.job_taps import GITHUB_FIELDS, JobTap, RunTap, extras, workflow_file
from suite.rundir.column_chunks import ColumnChunks, Encoded
from suite.rundir.column_rows import Coded
from suite.rundir.table_io import arrow_table
from suite.rundir.tables import JOBS

TEXT = st.sampled_from(["main", "dev", "abc123", None])
LABELS = st.sampled_from([["self-hosted"], ["self-hosted", "linux"], [], None, "x", [1, "a"]])


def encoded(values: list[Any]) -> Encoded:
    distinct: list[Any] = []
    codes = []
    for v in values:
        at = next((i for i, d in enumerate(distinct) if d == v and type(d) is type(v)), None)
        if at is None:
            distinct.append(v)
            at = len(distinct) - 1
        codes.append(at)
    return Encoded(distinct, np.asarray(codes, dtype=np.int64))


@st.composite
def rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(0, 12))):
        row: dict[str, Any] = {"id": draw(st.integers(1, 6))}
        for f in GITHUB_FIELDS:
            if draw(st.integers(0, 5)):
                row[f] = draw(
                    LABELS if f == "labels" else st.integers(1, 9) | st.none() if f == "runner_id" else TEXT
                )
        out.append(row)
    return out


def as_chunks(rows: list[dict[str, Any]], forms: list[int]) -> ColumnChunks:
    chunks = []
    for lo in range(0, len(rows), 4):
        part = rows[lo : lo + 4]
        chunk: dict[str, Any] = {"id": np.asarray([r["id"] for r in part], dtype=np.int64)}
        for k, f in enumerate(GITHUB_FIELDS):
            values = [r.get(f) for r in part]
            form = forms[(lo + k) % len(forms)]
            if form == 0 and all(v is None for v in values):
                continue  # the field absent from this chunk
            if form == 1:
                chunk[f] = encoded(values)
            elif form == 2 and all(type(v) is int for v in values):
                chunk[f] = np.asarray(values, dtype=np.int64)
            else:
                chunk[f] = values
        chunks.append(chunk)
    return ColumnChunks(chunks)


def expected(rows: list[dict[str, Any]], wanted: list[int]) -> dict[str, list[Any]]:
    last = {r["id"]: r for r in rows}
    out: dict[str, list[Any]] = {}
    for f in GITHUB_FIELDS:
        values = [last[j].get(f) if j in last else None for j in wanted]
        if f == "labels":
            values = [[str(x) for x in v] if isinstance(v, list) else None for v in values]
        out[f] = values
    return out


@settings(max_examples=300, deadline=None)
@given(
    rows=rows(), wanted=st.lists(st.integers(1, 7), max_size=8), forms=st.lists(st.integers(0, 3), min_size=1)
)
def test_the_fields_are_each_jobs_last_copy_however_the_rows_come(
    rows: list[dict[str, Any]], wanted: list[int], forms: list[int]
) -> None:
    by_rows, by_chunks = JobTap(), JobTap()
    list(by_rows.rows(rows))
    for _ in by_chunks.rows(as_chunks(rows, forms)):
        pass
    want = expected(rows, wanted)
    for tap in (by_rows, by_chunks):
        got = extras(wanted, [0] * len(wanted), tap, RunTap())
        assert {f: values(got[f]) for f in GITHUB_FIELDS} == want
        # the job table's Arrow columns from the coded columns are those of their values
        coded = arrow_table(JOBS, {f: got[f] for f in GITHUB_FIELDS})
        listed = arrow_table(JOBS, {f: objects(want[f], len(want[f])) for f in GITHUB_FIELDS})
        assert coded.equals(listed)


def values(column: Any) -> list[Any]:
    """A column's values: an array's, or a Coded one's (its words, each one a row holds, by its codes)."""
    if isinstance(column, Coded):
        assert column.array.tolist() == [column.words[c] for c in column.codes.tolist()]
        assert sorted(set(column.codes.tolist())) == list(range(len(column.words)))  # no word unused
        return column[0 : len(column)]
    return list(column.tolist())


PATHS = st.sampled_from(
    [".github/workflows/a.yml", ".github/workflows/b.yml@refs/heads/main", "c.yml", "", None, 7, ["x"]]
)


@settings(max_examples=300, deadline=None)
@given(
    runs=st.lists(st.tuples(st.integers(1, 6), PATHS), max_size=14),
    wanted=st.lists(st.integers(0, 7), max_size=8),
    forms=st.lists(st.integers(0, 2), min_size=1),
)
def test_the_workflow_file_is_each_runs_last_copys_however_the_rows_come(
    runs: list[tuple[int, Any]], wanted: list[int], forms: list[int]
) -> None:
    """Per wanted run id, the file name of its last copy's path (before any @ref), None for a run not
    read or a path that is no text; the same from dicts (read line by line) and from column chunks
    (ids as an int64 array or a list, paths Encoded or a list)."""
    last = dict(runs)
    want = [workflow_file(last[r]) if isinstance(last.get(r), str) else None for r in wanted]
    rows = [{"id": i, "path": p} for i, p in runs]
    chunks = []
    for lo in range(0, len(runs), 3):
        part, form = runs[lo : lo + 3], forms[(lo // 3) % len(forms)]
        ids = [i for i, _ in part]
        paths = [p for _, p in part]
        chunks.append(
            {
                "id": np.asarray(ids, dtype=np.int64) if form != 2 else ids,
                "path": encoded(paths) if form == 1 else paths,
            }
        )
    by_rows, by_chunks = RunTap(), RunTap()
    list(by_rows.rows(rows))
    for _ in by_chunks.rows(ColumnChunks(chunks)):
        pass
    for tap in (by_rows, by_chunks):
        assert tap.workflows(wanted).tolist() == want
        assert tap.workflows(np.asarray(wanted, dtype=np.int64)).tolist() == want

"""The report writers read the per-job data as columns (never one dict per job) and write exactly what
they wrote one dict at a time: jobs.csv (docs/architecture.md: a null is an empty cell, text never starts
like a formula, CRLF rows) and the page's per-job series (queue by dispatch, throughput bins, the runner
timeline), held equal to the row-by-row reference for any rows; and the job table read back."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.columns import nullable
from suite.analyze.item_columns import dispatch_columns
from suite.errors import UsageError
from suite.isotime import stamp, stamp_column, ts
from suite.report import jobs_csv, page_series, queue_series, series
from suite.report.escape import csv_cell
from suite.report.jobs_csv import COLUMNS, PER_JOB_COLUMNS, write_jobs_csv
from suite.report.tables import RENAMED, job_columns, per_job_arrays, table_cells
from suite.rundir.column_rows import Coded, ColumnRows, Lazy
from suite.rundir.job_rows import job_rows
from suite.rundir.paths import RunDir
from suite.rundir.result_schema import PER_JOB_KEYS
from suite.rundir.table_io import arrow_table, write_table
from suite.rundir.tables import JOBS, table_path
from tests.helpers import series_reference as ref
from tests.helpers.job_table import write_job_rows

T0 = 1_780_000_000
TIMES = ("created", "started", "completed")
FLOATS = ("queue_s", "execution_s", "queue_from_schedule_s", "cost_usd", *PER_JOB_KEYS[17:25])
hostile = st.sampled_from(["=1+1", "-x", "+", "@a", "\tt", "\rr", "'q", 'a,"b"', "l\nm", "", "ok", "é"])
odd = st.sampled_from([0, 1, 1.0, -0.0, True, False])  # not text: written as the csv module writes them
plain = st.one_of(st.none(), hostile, st.text(max_size=4))
text = st.one_of(plain, odd)
time = st.one_of(
    st.none(),
    st.integers(0, 7_200_000).map(lambda ms: (T0 * 1000 + ms) / 1000),
    # whole seconds from the year 1000 to 9999 (DuckDB formats those from 1970 on; stamp() the others),
    # and milliseconds before 1970
    st.integers(-30_610_224_000, 253_402_300_799).map(float),
    st.integers(-(10**12), 0).map(lambda ms: ms / 1000),
)
figure = st.one_of(st.none(), st.floats(allow_nan=False), st.integers(0, 5).map(float))


@st.composite
def job(draw: Any, i: int, text: Any = text) -> dict[str, Any]:
    row: dict[str, Any] = {"id": 1000 + i, "run_id": 50 + i // 2, "run_attempt": 1}
    row["suite_id"] = draw(st.sampled_from(["s-1", "s-2", "s-3", "=s"]))
    row["name"], row["runner_name"] = draw(text), draw(st.one_of(text, st.sampled_from(["t-1", "t-2"])))
    row["status"] = draw(st.sampled_from(["completed", "in_progress", "queued"]))
    row["conclusion"] = draw(st.sampled_from([None, "success", "failure", "timed_out", "cancelled", "other"]))
    row["failure_cause"] = draw(text)
    for k in TIMES:
        row[k] = draw(time)
    for k in FLOATS:
        row[k] = draw(figure)
    row["samples"] = draw(st.integers(0, 3))
    row["resource_source"], row["resource_reason"] = draw(text), draw(text)
    row["failed_step"] = draw(st.one_of(st.none(), hostile))
    return row


@st.composite
def jobs(draw: Any, text: Any = text) -> list[dict[str, Any]]:
    n = draw(st.integers(0, 14))
    return [draw(job(i, text)) for i in range(n)]


CODED = ("name", "runner_name", "status", "conclusion")  # the analysis's categorical columns (Cat)
INTS = ("id", "run_id", "run_attempt", "samples")


def objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def coded(values: list[Any]) -> Coded:
    """A categorical column as the analysis keeps one: its distinct values (by type and text: 1, 1.0
    and True stay apart) and a code per row."""
    first: dict[tuple[type, str], int] = {}
    codes = np.array([first.setdefault((type(v), repr(v)), len(first)) for v in values], dtype=np.int64)
    words = objects([None] * len(first))
    for i, v in zip(codes.tolist(), values, strict=True):
        words[i] = v
    return Coded(words[codes], np.ndarray.tolist, codes, words)


def as_columns(rows: list[dict[str, Any]], kept: bool = False) -> ColumnRows:
    """The analysis's shape: numpy columns, times as epoch seconds read back as ISO strings. kept: every
    other column as the analysis keeps it too (integers as an int64 array, texts as an object array,
    the categorical ones coded); else as lists (a hand-built result's)."""
    cols: list[Any] = []
    for k in PER_JOB_KEYS:
        values = [r[k] for r in rows]
        if k in TIMES:
            cols.append(Lazy(np.array([np.nan if v is None else v for v in values], float), stamp_column))
        elif k in FLOATS:
            cols.append(Lazy(np.array([np.nan if v is None else v for v in values], float), nullable))
        elif kept and k in INTS:
            cols.append(Lazy(np.array(values, dtype=np.int64), np.ndarray.tolist))
        elif kept and k in CODED:
            cols.append(coded(values))
        elif kept:
            cols.append(Lazy(objects(values), np.ndarray.tolist))
        else:
            cols.append(values)
    return ColumnRows(PER_JOB_KEYS, cols)


def as_dicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """result.json v1's shape: one dict per job, times as ISO strings."""
    return [{k: stamp(r[k]) if k in TIMES else r[k] for k in PER_JOB_KEYS} for r in rows]


def csv_row_by_row(per_job: list[dict[str, Any]]) -> str:
    """jobs.csv as it was written one dict per job (the documented format; failed_step last)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for j in per_job:
        writer.writerow([csv_cell(j.get(c)) for c in PER_JOB_COLUMNS])
    return out.getvalue()


@settings(max_examples=60, deadline=None)
@given(jobs())
def test_jobs_csv_from_columns_is_the_row_by_row_file(rows: list[dict[str, Any]]):
    dicts = as_dicts(rows)
    assert as_columns(rows) == as_columns(rows, kept=True) == dicts  # the shapes hold the same rows
    want = csv_row_by_row(dicts)
    shapes = [(as_columns(rows), 4), (as_columns(rows), jobs_csv.SLICE), (dicts, 3)]
    shapes += [(as_columns(rows, kept=True), 4), (as_columns(rows, kept=True), jobs_csv.SLICE)]
    for per_job, size in shapes:
        out = io.StringIO(newline="")
        with patch.object(jobs_csv, "SLICE", size):  # slices of a few rows: their joins hold too
            write_jobs_csv(out, per_job)
        assert out.getvalue() == want


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(), st.floats(-1e6, 1e6).map(lambda v: round(v, 3))), min_size=1, max_size=300
    )
)
def test_a_figure_is_written_as_pythons_repr_of_it(values: list[float]):
    """A float column's fields come from DuckDB's cast to VARCHAR: it must be Python's repr of every float
    (the csv module's), whole numbers keep `.0`, -0.0 its sign, NaN (null) is empty."""
    rows = [{k: None for k in PER_JOB_KEYS} | {"id": i, "queue_s": v} for i, v in enumerate(values)]
    for row in rows:
        row["samples"] = 0
    per_job = ColumnRows.of(rows, PER_JOB_KEYS)
    cols = [
        Lazy(np.array(values, float), nullable) if k == "queue_s" else per_job.column(k) for k in PER_JOB_KEYS
    ]
    out = io.StringIO(newline="")
    write_jobs_csv(out, ColumnRows(PER_JOB_KEYS, cols))
    at = PER_JOB_COLUMNS.index("queue_s")
    got = [line.split(",")[at] for line in out.getvalue().split("\r\n")[1:-1]]
    assert got == ["" if v != v else repr(v) for v in values]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, -0.0, 1.5, 0.1, 1e16, 613.3793520104153, float("inf"), None]),
            st.booleans(),
            st.sampled_from([0.0, -0.0, 2.0, 0.30000000000000004, None]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_a_mean_equal_to_its_maximum_is_written_as_its_own_repr(pairs: list[tuple[Any, bool, Any]]):
    """A mean equal to its maximum takes the maximum's text (made once): it must still be the mean's own
    repr, 0.0 beside -0.0 (equal floats of two texts) included, and a mean that differs its own text."""
    rows = []
    for i, (top, same, other) in enumerate(pairs):
        mean = top if same else other
        row = {k: None for k in PER_JOB_KEYS} | {"id": i, "samples": 0}
        for low, high in jobs_csv.SAME_TEXT.items():
            row[low], row[high] = mean, top
        rows.append(row)
    kept = ColumnRows(
        PER_JOB_KEYS,
        [
            Lazy(np.array([np.nan if r[k] is None else r[k] for r in rows], float), nullable)
            if k in FLOATS
            else [r[k] for r in rows]
            for k in PER_JOB_KEYS
        ],
    )
    out = io.StringIO(newline="")
    write_jobs_csv(out, kept)
    assert out.getvalue() == csv_row_by_row(as_dicts(rows))


def test_a_text_utf8_cannot_hold_is_written_with_a_question_mark(tmp_path: Path):
    """A lone surrogate (JSON's "\\ud800" reads back as one) is written as the report's files are opened:
    errors="replace", `?` in its place, the same bytes as the csv module's writer into the same file."""
    rows = [
        {k: None for k in PER_JOB_KEYS}
        | {"id": 1, "samples": 0, "name": "a\ud800b", "runner_name": "=\udfff"}
    ]
    for at, write in (
        ("new", lambda out: write_jobs_csv(out, ColumnRows.of(rows, PER_JOB_KEYS))),
        ("old", lambda out: out.write(csv_row_by_row(rows))),
    ):
        with (tmp_path / at).open("w", encoding="utf-8", errors="replace", newline="") as out:
            write(out)
    assert (tmp_path / "new").read_bytes() == (tmp_path / "old").read_bytes()
    assert b",a?b,'=?," in (tmp_path / "new").read_bytes()


def test_jobs_csv_of_a_result_without_rows_is_the_header():
    out = io.StringIO(newline="")
    write_jobs_csv(out, None)
    assert out.getvalue() == ",".join(COLUMNS) + "\r\n"


@settings(max_examples=60, deadline=None)
@given(
    jobs(),
    st.booleans(),
    st.integers(1, 4),
    st.lists(st.tuples(st.sampled_from(["s-1", "s-2", "s-3"]), time), max_size=4),
)
def test_per_job_series_from_columns_equal_the_row_by_row_series(
    rows: list[dict[str, Any]], windowed: bool, cap: int, ledger: list[tuple[str, float | None]]
):
    base: dict[str, Any] = {"clock_offset_s": 1.5, "throughput": {"jobs_per_min": 2.0}}
    if windowed:
        base["window"] = {"start": stamp(T0), "end": stamp(T0 + 3600)}
    sent = [{"suite_id": s, "sent_at": stamp(t)} for s, t in ledger]
    old = base | {"per_job": as_dicts(rows)}
    new = base | {"per_job": as_columns(rows)}
    assert series.throughput_bins(new, max_bars=cap) == ref.throughput_bins(old, max_bars=cap)
    assert series.queue_points(new, sent, max_points=cap) == ref.queue_points(old, sent, max_points=cap)
    # the same sends as the analysis keeps them in memory (`dispatches`), no ledger rows given
    ids = np.asarray([s for s, _ in ledger] or [], dtype=object)
    parsed = [ts(r["sent_at"]) if r["sent_at"] is not None else None for r in sent]  # as the ledger reads
    times = np.asarray([np.nan if t is None else t for t in parsed], dtype=np.float64)
    kept = new | {"dispatches": dispatch_columns(ids, np.full(times.size, np.nan), times)}
    assert series.queue_points(kept, max_points=cap) == ref.queue_points(old, sent, max_points=cap)
    assert series.gantt(new, [], max_jobs=cap) == ref.gantt(old, [], max_jobs=cap)
    assert series.gantt(new, []) == ref.gantt(old, [])
    # the columns as the analysis keeps them (runner and conclusion coded: judged once per value)
    coded_cols = base | {"per_job": as_columns(rows, kept=True)}
    assert series.gantt(coded_cols, [], max_jobs=cap) == ref.gantt(old, [], max_jobs=cap)


@settings(max_examples=25, deadline=None)
@given(jobs(plain))  # the table's text columns hold text
def test_the_job_table_reads_back_as_the_rows_it_holds(tmp_path_factory: Any, rows: list[dict[str, Any]]):
    rd = tmp_path_factory.mktemp("run")
    # the table keeps times to the millisecond, as the analysis's stamps are (GitHub's: whole seconds)
    write_job_rows(rd, as_dicts(rows))
    back = job_rows(rd)
    assert back == as_dicts(rows)
    for k in (*TIMES, *FLOATS):  # numpy columns: no Python object per row to read a figure
        assert np.array_equal(back.floats(k), as_columns(rows).floats(k), equal_nan=True)


def test_a_missing_or_damaged_job_table_is_one_line_saying_how_to_write_it(tmp_path: Path):
    path = table_path(tmp_path, JOBS)
    with pytest.raises(UsageError, match=r"missing: this run directory .*`suite report DIR`") as missing:
        job_rows(tmp_path)
    assert str(path) in str(missing.value)
    path.parent.mkdir()
    path.write_bytes(b"PAR1 secret-content")
    with pytest.raises(UsageError, match="damaged: not Parquet") as damaged:
        job_rows(tmp_path)
    assert "secret" not in str(damaged.value) and "\n" not in str(damaged.value)
    write_table(tmp_path, JOBS, {"job_id": [1]})  # the contract's columns, all null but one
    assert job_rows(tmp_path)[0]["id"] == 1 and job_rows(tmp_path)[0]["created"] is None


def test_a_job_table_of_another_shape_is_refused(tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = table_path(tmp_path, JOBS)
    path.parent.mkdir()
    pq.write_table(pa.table({"job_id": ["1"]}), path)  # not the job table's columns
    with pytest.raises(UsageError, match="damaged"):
        job_rows(tmp_path)


moment = st.one_of(st.none(), st.integers(0, 40).map(lambda k: T0 + k / 4), st.just(T0 - 0.0))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["s-1", "s-2", "s-3", "s-4", "s-5"]), moment, moment), max_size=12),
    st.booleans(),
    st.sampled_from([0.0, 1.5, -2.25]),
    st.integers(1, 4),
    st.integers(1, 4),
)
def test_dispatch_series_from_columns_equal_the_dict_reference(
    sends: list[tuple[str, float | None, float | None]], unique: bool, shift: float, cap: int, curve: int
):
    """The page's dispatch series (page_series.dispatch) from the result's `dispatches` columns equals the
    former dict-and-sorted-lists code, for unique suite_ids (the analysis's shape: the columns as they
    are), repeated ones (through series.sends), and a ledger given (the live page)."""
    if unique:
        sends = list({sid: (sid, a, b) for sid, a, b in sends}.values())
    nan = float("nan")
    cols = {
        "suite_id": [sid for sid, _, _ in sends],
        "scheduled": [nan if a is None else a for _, a, _ in sends],
        "sent": [nan if b is None else b for _, _, b in sends],
        "last_sent": [nan if b is None else b for _, _, b in sends],
    }
    result = {"clock_offset_s": shift, "dispatches": cols}
    ledger = [{"suite_id": sid, "scheduled_at": stamp(a), "sent_at": stamp(b)} for sid, a, b in sends]
    for rows in (None, ledger):
        got = page_series.dispatch(result, rows, max_points=cap, max_curve=curve)
        assert got == ref.dispatch(result, rows, cap, curve)


@settings(max_examples=60, deadline=None)
@given(jobs(), jobs(text=plain))
def test_the_columns_jobs_csv_gives_the_job_table_are_its_values(
    rows: list[dict[str, Any]], plain_rows: list[dict[str, Any]]
):
    """write_reports converts each text and integer column once: jobs.csv's writer gives the job table the
    Arrow arrays it made. Each is exactly the column's values; a column of odd values (an integer or a
    bool in a text column) is not given; and the job table taking those it can is the table it makes
    converting every column itself."""
    for per_job in (as_columns(rows), as_columns(rows, kept=True), as_dicts(rows)):
        given = made_by_jobs_csv(per_job)
        values = rows if isinstance(per_job, ColumnRows) else per_job  # as_dicts: times as ISO text
        for key, made in given.items():
            assert made.to_pylist() == [r[key] for r in values]
        texts = [k for k in PER_JOB_COLUMNS if k not in ("id", "run_id", "run_attempt", *TIMES, *FLOATS)]
        plain_texts = {k for k in texts if all(r[k] is None or isinstance(r[k], str) for r in rows)}
        assert plain_texts <= set(given) or not rows
        assert not set(given) & (set(texts) - plain_texts)
    for per_job in (as_columns(plain_rows), as_columns(plain_rows, kept=True), as_dicts(plain_rows)):
        cols = {RENAMED.get(k, k): v for k, v in per_job_arrays(per_job).items()}
        taken = table_cells(made_by_jobs_csv(per_job))
        assert arrow_table(JOBS, cols | taken).equals(arrow_table(JOBS, cols))
        if plain_rows:
            assert {"job_id", "job_name", "status"} <= set(taken)


def made_by_jobs_csv(per_job: Any) -> dict[str, Any]:
    given: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        jobs_csv.write_jobs_csv_file(Path(tmp) / "jobs.csv", per_job, given.update)
    return given


@pytest.mark.parametrize(
    ("ids", "last", "want"),
    [
        (["a", "b", "a"], [10.0, np.nan, 20.0], [21.0, None, None]),  # a repeat: its last
        (["a", 7, "7"], [10.0, 20.0, np.nan], [11.0, None, None]),  # not text: found by its text
        (["a", "\ud800"], [10.0, 30.0], [11.0, None, None]),  # no UTF-8 holds it: by its text too
        ([], [], [None, None, None]),
    ],
)
def test_a_suite_ids_last_send_from_the_dispatch_columns(ids: list[Any], last: list[float], want: list[Any]):
    """The page's queue chart places a job at its suite_id's last send + clock_offset_s; from the
    analysis's `dispatches` columns only the plotted jobs' suite_ids are looked up."""
    suite_ids = np.empty(len(ids), dtype=object)
    suite_ids[:] = ids
    result = {"dispatches": {"suite_id": suite_ids, "last_sent": np.asarray(last, dtype=np.float64)}}
    assert queue_series._last_sent(result, None, 1.0)(["a", "7", "b"]) == want


@settings(max_examples=60, deadline=None)
@given(jobs(), st.lists(st.sampled_from(["t-1", "t-2", "", "x"]), max_size=3))
def test_a_jobs_task_is_its_runner_when_the_run_knows_that_task(rows: list[dict[str, Any]], known: list[str]):
    """The job table's task_id: the job's runner name when per_task holds it as a task id, else null; the
    same whether per_job's runner column is coded (looked up once per distinct name), a list or dicts."""
    want = [r["runner_name"] if r["runner_name"] in set(known) else None for r in rows]
    for per_job in (as_columns(rows), as_columns(rows, kept=True), as_dicts(rows)):
        result = {"per_job": per_job, "per_task": {"task_id": known}}
        got = job_columns(RunDir(Path("unused")), result, {})["task_id"]
        assert list(got) == want


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 4)), max_size=30),
    st.one_of(st.none(), st.tuples(st.integers(-5, 45), st.integers(-5, 45))),
    st.integers(1, 8),
    st.sampled_from(["concurrency", "jobs_waiting"]),
)
def test_a_step_series_equals_the_walk_through_its_points(
    changes: list[tuple[int, int]], window: tuple[int, int] | None, cap: int, key: str
):
    """concurrency_steps (numpy) equals the walk through the change points it replaced: the points, the
    window's start and end added, and over `cap` points each bin's maximum, a point past the window's
    end included (the window may end before the last change, or start after the first)."""
    times = sorted(T0 + t for t, _ in changes)
    levels = [float(v) for _, v in changes]
    result: dict[str, Any] = {"timeline": {"time": times, series.LEVELS[key]: levels}}
    if window is not None:
        result["window"] = {"start": stamp(T0 + window[0]), "end": stamp(T0 + window[1])}
    assert series.concurrency_steps(result, cap, key) == ref.concurrency_steps(result, cap, key)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.integers(0, 3),
            st.sampled_from(["success", "failure", "cancelled", None]),
            st.sampled_from(["t-1", "t-2", "t-3"]),
        ),
        min_size=1,
        max_size=16,
    ),
    st.integers(1, 6),
)
def test_the_gantts_time_slice_is_the_first_jobs_by_start_end_and_outcome(
    jobs: list[tuple[int, int, str | None, str]], cap: int
):
    """Past max_jobs the chart draws a time slice ending with the max_jobs-th job in (start, end,
    outcome) order: with many ties in start and end, the slice and its lanes are the row-by-row ones."""
    rows = []
    for i, (start, length, conclusion, runner) in enumerate(jobs):
        row = {k: None for k in PER_JOB_KEYS} | {"id": i, "run_id": i, "run_attempt": 1, "samples": 0}
        row["status"] = "completed"
        row |= {"started": T0 + start, "completed": T0 + start + length, "created": T0}
        row |= {"conclusion": conclusion, "runner_name": runner}
        rows.append(row)
    old = {"per_job": as_dicts(rows)}
    for shape in (as_columns(rows), as_columns(rows, kept=True)):
        assert series.gantt({"per_job": shape}, [], max_jobs=cap) == ref.gantt(old, [], max_jobs=cap)

"""jobs.csv: one row per job with the per_job fields; a missing figure is an empty cell (never 0, never
the string `null`, which spreadsheets and CSV readers take for text), and resource_reason says why.
Text cells (job, runner names, reasons) never start like a spreadsheet formula: suite.report.escape.
csv_cell gives them a leading `'` (OWASP's CSV-injection guidance); numbers stay numbers. Lines end
with CRLF (RFC 4180): with `\n` alone the csv module would leave a name holding a bare CR unquoted,
and readers would split the row there.

failed_step (per_job's last column): for a failed job, the name of the step it failed at; empty for
every other job, and for a failed job no step of which concluded failure, timed_out or cancelled
(result.json `steps.failed_by_step` counts those with the reason).

The per-job sample count is left out (it is the job table's `samples`): a bare 0 beside the resource
columns reads like a measured 0, and the resource_reason column already says why a job has no figures.

Written by DuckDB's CSV writer (COPY, in one thread of its own) from the per-job columns, given to it as
Arrow batches of SLICE rows (suite.rundir.column_rows: no dict per job; a text or integer column is made
Arrow whole first, and those arrays are given to the caller, whose job table holds the same values): the
bytes the csv module's writer makes (QUOTE_MINIMAL: a field holding `"`, `,`, CR or LF quoted, `"` doubled;
tests/report/test_job_columns.py holds the two equal for any rows), at about a tenth of its cost (the csv
module spends about 2 µs a cell, 27 s at a million jobs). Each cell is made as csv_cell makes it: a float as
DuckDB's cast to VARCHAR, the shortest text that reads back as the same float, which is Python's repr (held
equal for any float by the same tests); an integer as itself; a text as itself with the formula guard (by
Arrow); an empty text and a null as an empty field (DuckDB would quote an empty text; and, unless told it
has no comment character, a text holding `#`); a value of another type (a hand-built result's) formatted by
Python, as the csv module does. A text no UTF-8 can hold (a lone surrogate) is written with `?` in its
place, as the report's files are opened (errors="replace").
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO, get_type_hints

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from suite.isotime import YEAR_10000, plain_seconds, stamp, stamp_column
from suite.report.escape import CSV_QUOTE, FORMULA_START, csv_cell
from suite.rundir.column_rows import Coded, Lazy, rows_of
from suite.rundir.io_errors import IO_ERRNOS
from suite.rundir.result_schema import PER_JOB_KEYS, PerJob, job_field

PER_JOB_COLUMNS = tuple(
    k for k in PER_JOB_KEYS if k != job_field("samples")
)  # result.json per_job, less the sample count
COLUMNS = PER_JOB_COLUMNS  # failed_step last, as in per_job
_NUMERIC = frozenset(  # the PerJob fields typed int or float (null allowed)
    k for k, tp in get_type_hints(PerJob).items() if tp in (int, float, int | None, float | None)
)
SLICE = 131_072  # rows given to DuckDB at a time
_FORMULA = "^[" + "".join(FORMULA_START).replace("-", "\\-") + CSV_QUOTE + "]"  # csv_cell's test, as RE2
# how a column's cells are made: INT and FLOAT by DuckDB from numbers, STAMP from epoch seconds, TEXT by
# Arrow (with the formula guard), CELLS by Python (csv_cell) for values of any other type
INT, FLOAT, STAMP, TEXT, CELLS = "int", "float", "stamp", "text", "cells"
_ARROW = {INT: pa.int64(), FLOAT: pa.float64()}


def _column(key: str, col: Any) -> tuple[str, pa.Array | None]:
    """How the column's cells are made (_kind), and the column made Arrow whole when it can be (_whole);
    an object column of texts is made Arrow once, from its numpy array, for both."""
    text = _text_array(col) if isinstance(col, Lazy) and key not in _NUMERIC else None
    if text is not None:
        return TEXT, text
    kind = _kind(key, col)
    return kind, _whole(kind, col)


def _kind(key: str, col: Any) -> str:
    """How the column's cells are made (one way for the whole column: the batches' schema is fixed)."""
    if isinstance(col, Lazy):
        if col.convert is stamp_column:
            return STAMP
        if key in _NUMERIC and col.array.dtype.kind == "f":
            return FLOAT  # the figure itself, NaN for null (Lazy's contract)
        if key in _NUMERIC and col.array.dtype.kind in "iu" and col.convert is np.ndarray.tolist:
            return INT
    values = _values(col, 0, len(col)) if isinstance(col, Lazy) else col  # its Python values decide
    types = set(map(type, values))
    if key in _NUMERIC and types <= {int, type(None)}:
        return INT
    if key in _NUMERIC and types <= {float, type(None)}:
        return FLOAT
    return TEXT if types <= {str, type(None)} else CELLS


def _text_array(col: Lazy) -> pa.Array | None:
    """An object column of texts and nulls only as an Arrow string array, made from the numpy array
    itself (no list of its values, no Python loop); None for any other column. Arrow's own inference
    decides: a column of anything but str and None is not inferred as text (bytes: binary)."""
    if col.array.dtype != object or col.convert is not np.ndarray.tolist:
        return None
    if isinstance(col, Coded):  # its distinct values made Arrow, then taken by code
        words = _inferred_text(col.words)
        return None if words is None else words.take(pa.array(col.codes))
    return _inferred_text(col.array)


def _inferred_text(values: np.ndarray) -> pa.Array | None:
    try:
        inferred = pa.array(values)
    except (pa.ArrowException, UnicodeError):
        return None
    if inferred.type == pa.null():
        return pa.nulls(len(inferred), pa.string())
    return inferred if inferred.type == pa.string() else None


def _values(col: Any, lo: int, hi: int) -> Any:
    """Rows lo..hi of a column as Python values (an object array's items as they are)."""
    if not isinstance(col, Lazy):
        return col[lo:hi]
    part = col.array[lo:hi]
    return part if part.dtype == object and col.convert is np.ndarray.tolist else col.convert(part)


def _strings(texts: list[str | None]) -> pa.Array:
    """Texts as an Arrow string array; a text no UTF-8 holds gets `?` where it cannot be encoded."""
    try:
        return pa.array(texts, pa.string())
    except (UnicodeEncodeError, pa.ArrowException):
        fixed = [None if t is None else t.encode("utf-8", "replace").decode("utf-8") for t in texts]
        return pa.array(fixed, pa.string())


def _guarded(texts: pa.Array) -> pa.Array:
    """csv_cell's formula guard on text cells: a leading `'` before a formula's start."""
    formula = pc.match_substring_regex(texts, _FORMULA)
    if not pc.any(formula).as_py():
        return texts
    return pc.if_else(formula, pc.binary_join_element_wise(CSV_QUOTE, texts, ""), texts)


def _cell_text(value: Any) -> str | None:
    """A cell's text as the csv module writes csv_cell(value) (a float as its repr); None when empty."""
    cell = csv_cell(value)
    return repr(cell) if isinstance(cell, float) else str(cell) or None


def _cells(kind: str, col: Any, lo: int, hi: int, made: pa.Array | None = None) -> pa.Array:
    """A column's rows lo..hi as the Arrow array DuckDB writes (a text's quoting is DuckDB's); made: the
    column made Arrow whole (_whole), sliced for text and integers."""
    if made is not None:  # a text or an integer column (_whole)
        part = made.slice(lo, hi - lo)
        return _guarded(part) if kind == TEXT else part
    if kind == STAMP or (kind == FLOAT and isinstance(col, Lazy)):
        return pa.array(col.array[lo:hi], pa.float64(), from_pandas=True)  # NaN: null
    values = _values(col, lo, hi)
    if kind in _ARROW:
        return pa.array(values, _ARROW[kind])  # a float NaN of a list stays NaN: the csv module's `nan`
    if kind == TEXT:
        try:
            return _guarded(pa.array(values, pa.string()))
        except (pa.ArrowException, UnicodeError):
            pass  # a lone surrogate: made one by one, below
    return _strings([_cell_text(v) for v in values])


def _odd_stamps(times: np.ndarray) -> pa.Array:
    """stamp() of the times DuckDB does not format (_select): those not a whole second from 1970 to
    the year 9999 (a fraction, or before 1970); null for every other."""
    odd = ~np.isnan(times) & ~plain_seconds(times)
    if not odd.any():
        return pa.nulls(times.size, pa.string())
    texts: list[str | None] = [None] * times.size
    for i in np.flatnonzero(odd).tolist():
        texts[i] = stamp(float(times[i]))
    return pa.array(texts, pa.string())


def _batches(
    columns: list[Any], kinds: list[str], n: int, made: list[pa.Array | None]
) -> Iterator[pa.RecordBatch]:
    names = [f"c{i}" for i in range(len(columns))]
    stamps = [i for i, kind in enumerate(kinds) if kind == STAMP]
    names += [f"s{i}" for i in stamps]
    for lo in range(0, n, SLICE):
        hi = min(lo + SLICE, n)
        cells = [_cells(k, c, lo, hi, m) for k, c, m in zip(kinds, columns, made, strict=True)]
        cells += [_odd_stamps(columns[i].array[lo:hi]) for i in stamps]
        yield pa.RecordBatch.from_arrays(cells, names=names)


def _whole(kind: str, col: Any) -> pa.Array | None:
    """A text or integer column made Arrow whole (its cells are slices of it; the job table takes them
    too), None for another kind or a text Arrow cannot hold (a lone surrogate: made by slice, as any)."""
    if kind not in (TEXT, INT):
        return None
    if isinstance(col, Lazy) and kind == INT and col.array.dtype.kind in "iu":
        try:
            return pa.array(col.array, pa.int64())  # no Python int per job
        except pa.ArrowException:
            return None
    values = _values(col, 0, len(col))
    try:
        return pa.array(values, _ARROW.get(kind, pa.string()))
    except (pa.ArrowException, UnicodeError):
        return None


# a mean that equals its maximum (one sample inside the job: most jobs under two minutes, with Container
# Insights' sample a minute) is written with the maximum's text, made once: repr(x) is the same text for
# equal floats, but for 0.0 and -0.0, which are left to their own text
SAME_TEXT = {"cpu_mean": "cpu_max", "cpu_mean_pct": "cpu_max_pct"} | {
    "memory_mean": "memory_max",
    "memory_mean_pct": "memory_max_pct",
}


def _select(kinds: list[str]) -> str:
    """Each column's cell as text, named as jobs.csv's header names it (an empty text: null), from the
    columns c{i} (and s{i}, a time's odd stamps) and f{i}, a float column's text made once (_from)."""
    shared = _shared(kinds)
    cells = []
    for i, (key, kind) in enumerate(zip(PER_JOB_COLUMNS, kinds, strict=True)):
        if i in shared:  # a mean: its maximum's text when the two are equal
            top = shared[i]
            same = f"c{i} = c{top} AND c{i} <> 0"
            cells.append(f'CASE WHEN {same} THEN f{top} ELSE CAST(c{i} AS VARCHAR) END AS "{key}"')
        elif i in shared.values():
            cells.append(f'f{i} AS "{key}"')
        elif kind == STAMP:  # a whole second from 1970 to 9999 by DuckDB (as stamp() writes it), else s{i}
            whole = f"c{i} = floor(c{i}) AND c{i} >= 0 AND c{i} < {YEAR_10000!r}"
            text = f"strftime(epoch_ms(CAST(c{i} AS BIGINT) * 1000), '%Y-%m-%dT%H:%M:%SZ')"
            cells.append(f'CASE WHEN {whole} THEN {text} ELSE s{i} END AS "{key}"')
        elif kind == FLOAT:
            cells.append(f'CAST(c{i} AS VARCHAR) AS "{key}"')
        elif kind == INT:
            cells.append(f'c{i} AS "{key}"')
        else:
            cells.append(f"nullif(c{i}, '') AS \"{key}\"")
    return ", ".join(cells)


def _shared(kinds: list[str]) -> dict[int, int]:
    """SAME_TEXT by column index, mean -> maximum, where both columns are floats."""
    at = {key: i for i, key in enumerate(PER_JOB_COLUMNS)}
    pairs = ((at[mean], at[top]) for mean, top in SAME_TEXT.items() if mean in at and top in at)
    return {mean: top for mean, top in pairs if kinds[mean] == FLOAT and kinds[top] == FLOAT}


def _from(kinds: list[str]) -> str:
    """The rows _select reads: the batches, with the shared float texts (_shared) made once each."""
    made = ", ".join(f"CAST(c{i} AS VARCHAR) AS f{i}" for i in sorted(set(_shared(kinds).values())))
    return f"(SELECT *, {made} FROM job_cells)" if made else "job_cells"


def write_jobs_csv_file(
    path: Path, per_job: Any, give: Callable[[dict[str, pa.Array]], None] | None = None
) -> None:
    """jobs.csv written to `path` (created or replaced); per_job: the result's (ColumnRows, or dicts).
    give: called, before the rows are written, with the text and integer columns made Arrow whole (by
    per_job's key): the same values the job table holds, which it takes rather than converting them again."""
    rows = rows_of(per_job, PER_JOB_KEYS)
    n = len(rows)
    if not n:
        path.write_bytes((",".join(COLUMNS) + "\r\n").encode())
        return
    columns = rows.columns(PER_JOB_COLUMNS)
    made = [_column(key, col) for key, col in zip(PER_JOB_COLUMNS, columns, strict=True)]
    kinds, arrays = [kind for kind, _ in made], [array for _, array in made]
    if give is not None:
        named = zip(PER_JOB_COLUMNS, arrays, strict=True)
        give({key: a for key, a in named if a is not None})
    types = _ARROW | {STAMP: pa.float64()}  # a time: its epoch seconds (_select formats them)
    schema = pa.schema(
        [(f"c{i}", types.get(kind, pa.string())) for i, kind in enumerate(kinds)]
        + [(f"s{i}", pa.string()) for i, kind in enumerate(kinds) if kind == STAMP]
    )
    reader = pa.RecordBatchReader.from_batches(schema, _batches(columns, kinds, n, arrays))
    target = str(path).replace("'", "''")
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")  # insertion order is kept (DuckDB's default)
        # one thread: the rows go out as they come; with a thread per core DuckDB held batches back to
        # keep their order and the report peaked 500 MiB higher at 1M jobs (2,025 against 1,297 MiB in
        # the writing), and took no less time (the other core is the report's own)
        con.execute("SET threads = 1")
        con.register("job_cells", reader)
        try:
            con.execute(
                f"COPY (SELECT {_select(kinds)} FROM {_from(kinds)}) TO '{target}' "
                "(FORMAT csv, HEADER true, NEW_LINE '\r\n', COMMENT '')"
            )
        except duckdb.IOException as exc:
            raise _os_error(exc) from None


def _os_error(exc: duckdb.IOException) -> OSError:
    """DuckDB's failure to write the file as the OSError it reports in words (a full disk, a read-only
    or unwritable directory), for the run directory's write error (suite.rundir.io_errors); EIO when it
    names none of those."""
    text = str(exc)
    code = next((e for e in IO_ERRNOS if os.strerror(e) in text), errno.EIO)
    return OSError(code, os.strerror(code))


def write_jobs_csv(out: TextIO, per_job: Any) -> None:
    """The CSV, written to a text stream (a small result's, or a test's): made as write_jobs_csv_file
    makes the file."""
    fd, name = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    try:
        write_jobs_csv_file(Path(name), per_job)
        out.write(Path(name).read_bytes().decode("utf-8"))
    finally:
        os.unlink(name)

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

Written from the per-job columns a slice of rows at a time (suite.rundir.column_rows: no dict per
job), each field formatted as Python's csv module writes it (a number as its repr, QUOTE_MINIMAL
quoting: `"`, `,`, CR or LF quoted, `"` doubled), the lines joined by Arrow: the csv module's writer
costs about 2 µs a cell, 27 s for a million jobs (tests/report/test_job_columns.py holds the two
equal for any rows). Each distinct text or time is formatted once; a float column is formatted by
DuckDB's cast to VARCHAR, the shortest text that reads back as the same float, which is Python's repr
(tests/report/test_job_columns.py holds the two equal for any float); an integer column by Arrow's
cast. A text no UTF-8 can hold (a lone surrogate) is written with `?` in its place, as the report's
files are opened (errors="replace").
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any, TextIO, get_type_hints

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from suite.isotime import stamp_codes, stamp_column
from suite.report.escape import CSV_QUOTE, FORMULA_START, csv_cell
from suite.rundir.column_rows import Lazy, rows_of
from suite.rundir.result_schema import PER_JOB_KEYS, PerJob, job_field

PER_JOB_COLUMNS = tuple(
    k for k in PER_JOB_KEYS if k != job_field("samples")
)  # result.json per_job, less the sample count
COLUMNS = PER_JOB_COLUMNS  # failed_step last, as in per_job
_TYPES = frozenset((int, float, type(None)))
_TEXTS = frozenset((str, type(None)))
_ABSENT = object()
_NUMERIC = frozenset(  # the PerJob fields typed int or float (null allowed)
    k for k, tp in get_type_hints(PerJob).items() if tp in (int, float, int | None, float | None)
)
SLICE = 131_072  # rows formatted and written at a time
_QUOTED = re.compile('[",\r\n]')  # what the csv module quotes, with lineterminator CRLF


def _number_fields(values: list[Any]) -> list[str]:
    """A numeric column's fields: a number as the csv module writes it (its repr), a null empty; each
    distinct number formatted once in a column of one type (whole seconds and sizes repeat)."""
    kinds = set(map(type, values))
    if not kinds <= _TYPES:
        return _text_fields(values)
    if len(kinds - {type(None)}) > 1:  # ints and floats: 1 and 1.0 would be one key
        return ["" if v is None else repr(v) for v in values]
    fields: dict[Any, str] = dict.fromkeys(values, "")
    zero = fields.pop(0, _ABSENT) is not _ABSENT  # 0.0 and -0.0 are one key: each zero by itself
    for v in fields:
        fields[v] = "" if v is None else repr(v)
    if not zero:
        return list(map(fields.__getitem__, values))
    get = fields.get
    return [repr(v) if (f := get(v)) is None else f for v in values]


def _field(value: Any) -> str:
    """One cell as the csv module writes it (QUOTE_MINIMAL: quoted when it holds `"`, `,`, CR or LF)."""
    cell = csv_cell(value)
    text = repr(cell) if isinstance(cell, float) else str(cell)
    return '"' + text.replace('"', '""') + '"' if _QUOTED.search(text) else text


def _text_fields(values: list[Any]) -> list[str]:
    """A column's fields, each distinct text formatted once (names, stamps and reasons repeat)."""
    if not set(map(type, values)) <= _TEXTS:  # not per_job's shape (1 == 1.0 == True as keys): one by one
        return [_field(v) for v in values]
    fields: dict[Any, str] = dict.fromkeys(values, "")
    for v in fields:
        fields[v] = _field(v)
    return list(map(fields.__getitem__, values))


def _strings(fields: list[str]) -> pa.Array:
    """Field texts as an Arrow string array; a text no UTF-8 holds gets `?` where it cannot be encoded."""
    try:
        return pa.array(fields, pa.string())
    except (UnicodeEncodeError, pa.ArrowException):
        return pa.array([f.encode("utf-8", "replace").decode("utf-8") for f in fields], pa.string())


_FORMULA = "^[" + "".join(FORMULA_START).replace("-", "\\-") + CSV_QUOTE + "]"  # csv_cell's test, as RE2


def _escaped(texts: pa.Array) -> pa.Array:
    """Text cells (an Arrow string array, null for None) as their fields, what _field makes of each:
    a leading `'` before a formula's start (csv_cell), quoted when holding `"`, `,`, CR or LF (each
    rewrite made only when some text needs it: most columns need neither)."""
    formula = pc.match_substring_regex(texts, _FORMULA)
    if pc.any(formula).as_py():
        texts = pc.if_else(formula, pc.binary_join_element_wise(CSV_QUOTE, texts, ""), texts)
    special = pc.match_substring_regex(texts, '[",\r\n]')
    if pc.any(special).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(texts, '"', '""'), '"', "")
        texts = pc.if_else(special, quoted, texts)
    return texts  # a null stays null: the join writes it as an empty field


def _as_text(values: Any) -> pa.Array | None:
    """Values (a list or an object array) as an Arrow string array when every one is text or None; None
    otherwise (a number, or a text no UTF-8 holds: those take the value-by-value path)."""
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowException, TypeError, ValueError, UnicodeError):
        return None


def _python_fields(values: Any, numeric: bool) -> pa.Array:
    """A column's fields from its Python values (a list or an object array): all text or null, escaped by
    Arrow; anything else formatted by Python (each distinct value once)."""
    texts = None if numeric else _as_text(values)
    if texts is not None:
        return _escaped(texts)
    fields = _number_fields(list(values)) if numeric else _text_fields(list(values))
    return _strings(fields)


def _stamp_fields(times: np.ndarray) -> pa.Array:
    """A time column's fields (epoch seconds, NaN for null): each distinct stamp made once."""
    words, codes = stamp_codes(times)
    return _python_fields(words, False).take(codes)


def _float_batches(floats: dict[int, np.ndarray], size: int) -> Iterator[dict[int, pa.Array]]:
    """The float columns (NaN: null) as their fields, `size` rows at a time or fewer, in row order: DuckDB's
    cast to VARCHAR (Python's repr of each float) over all rows at once, on every core; null empty."""
    table = pa.table({f"c{i}": pa.array(a, pa.float64(), from_pandas=True) for i, a in floats.items()})
    sql = ", ".join(f"coalesce(CAST(c{i} AS VARCHAR), '') AS c{i}" for i in floats)
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")  # insertion order is kept (DuckDB's default)
        con.register("figures", table)
        for batch in con.sql(f"SELECT {sql} FROM figures").to_arrow_reader(size):
            yield {i: batch.column(f"c{i}").cast(pa.string()) for i in floats}


def _field_arrays(columns: list[Any], lo: int, hi: int, floats: dict[int, pa.Array]) -> list[pa.Array]:
    """Every written column's fields for rows lo..hi, as Arrow string arrays (a null: an empty field);
    `floats`: the float columns' fields for these rows, already made."""
    out: dict[int, pa.Array] = dict(floats)
    for i, col in enumerate(columns):
        if i in out:
            continue
        numeric = PER_JOB_COLUMNS[i] in _NUMERIC
        if not isinstance(col, Lazy):
            out[i] = _python_fields(col[lo:hi], numeric)
            continue
        a = col.array[lo:hi]
        if col.convert is stamp_column:
            out[i] = _stamp_fields(a)
        elif numeric and a.dtype.kind in "iu" and col.convert is np.ndarray.tolist:
            out[i] = pa.array(a, pa.int64()).cast(pa.string())
        else:  # an object array's values are its items: no list made of them
            as_is = a.dtype == object and col.convert is np.ndarray.tolist
            out[i] = _python_fields(a if as_is else col.convert(a), numeric)
    return [out[i] for i in range(len(columns))]


def _is_figure(key: str, col: Any) -> bool:
    """A numeric column kept as a float array that is the figure itself, NaN for null (Lazy's contract)."""
    return (
        key in _NUMERIC
        and isinstance(col, Lazy)
        and col.convert is not stamp_column
        and col.array.dtype.kind == "f"
    )


def _slices(columns: list[Any], n: int) -> Iterator[tuple[int, int, dict[int, pa.Array]]]:
    """(lo, hi, the float columns' fields for rows lo..hi) covering every row in order."""
    floats = {
        i: c.array for i, (k, c) in enumerate(zip(PER_JOB_COLUMNS, columns, strict=True)) if _is_figure(k, c)
    }
    if not floats:
        yield from ((lo, min(lo + SLICE, n), {}) for lo in range(0, n, SLICE))
        return
    lo = 0
    for batch in _float_batches(floats, SLICE):
        size = len(next(iter(batch.values())))
        yield lo, lo + size, batch
        lo += size
    if lo != n:  # DuckDB gave fewer or more rows than it was given: never a file with rows missing
        raise RuntimeError(f"jobs.csv: {lo} rows of figures for {n} jobs")


def write_jobs_csv(out: TextIO, per_job: Any) -> None:
    """The CSV, written to `out`; per_job: the result's (ColumnRows, or dicts)."""
    out.write(",".join(COLUMNS) + "\r\n")
    rows = rows_of(per_job, PER_JOB_KEYS)
    if not len(rows):
        return
    columns = rows.columns(PER_JOB_COLUMNS)
    raw = out.buffer if isinstance(out, io.TextIOWrapper) else None
    for lo, hi, floats in _slices(columns, len(rows)):
        fields = _field_arrays(columns, lo, hi, floats)
        lines = pc.binary_join_element_wise(*fields, ",", null_handling="replace", null_replacement="")
        text = pc.binary_join_element_wise(lines, "", "\r\n").cast(pa.large_string())
        offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + len(text) + 1]
        data = memoryview(text.buffers()[2])[int(offsets[0]) : int(offsets[-1])]
        if raw is not None:
            out.flush()
            raw.write(data)
        else:
            out.write(bytes(data).decode("utf-8"))

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
quoting: `"`, `,`, CR or LF quoted, `"` doubled), the lines joined here: the csv module's writer
costs about 2 µs a cell, 27 s for a million jobs (tests/report/test_job_columns.py holds the two
equal for any rows).
"""

from __future__ import annotations

import re
from typing import Any, TextIO, get_type_hints

from suite.report.escape import csv_cell
from suite.rundir.column_rows import rows_of
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
SLICE = 65_536  # rows formatted and written at a time
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


def write_jobs_csv(out: TextIO, per_job: Any) -> None:
    """The CSV, written to `out`; per_job: the result's (ColumnRows, or dicts)."""
    out.write(",".join(COLUMNS) + "\r\n")
    rows = rows_of(per_job, PER_JOB_KEYS)
    keys = PER_JOB_COLUMNS
    for part in rows.slices(keys, SLICE):
        cols = [
            _number_fields(v) if k in _NUMERIC else _text_fields(v)
            for k, v in zip(PER_JOB_COLUMNS, part, strict=True)
        ]
        out.write("\r\n".join(map(",".join, zip(*cols, strict=True))) + "\r\n")

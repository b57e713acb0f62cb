"""jobs.csv: one row per job with the per_job fields; a missing figure is an empty cell (never 0, never
the string `null`, which spreadsheets and CSV readers take for text), and resource_reason says why.
Text cells (job, runner names, reasons) never start like a spreadsheet formula: suite.report.escape.
csv_cell gives them a leading `'` (OWASP's CSV-injection guidance); numbers stay numbers. Lines end
with CRLF (RFC 4180): with `\n` alone the csv module would leave a name holding a bare CR unquoted,
and readers would split the row there.

failed_step (the last column, not in per_job): for a failed job, the name of the step it failed at
(result.json `steps.failed_at`); empty for every other job, and for a failed job no step of which
concluded failure, timed_out or cancelled (result.json says why).

The per-job sample count is left out (it is the job table's `samples`): a bare 0 beside the resource
columns reads like a measured 0, and the resource_reason column already says why a job has no figures.

Written from the per-job columns a slice of rows at a time (suite.rundir.column_rows: no dict per
job); the csv module quotes and formats each cell (a float as its repr), as it did row by row.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import Any, TextIO, get_type_hints

from suite.report.escape import csv_cells
from suite.rundir.column_rows import rows_of
from suite.rundir.result_schema import PER_JOB_KEYS, PerJob, job_field

PER_JOB_COLUMNS = tuple(
    k for k in PER_JOB_KEYS if k != job_field("samples")
)  # result.json per_job, less the sample count
COLUMNS = (*PER_JOB_COLUMNS, "failed_step")
_TYPES = frozenset((int, float, type(None)))
_NUMERIC = frozenset(  # the PerJob fields typed int or float (null allowed)
    k for k, tp in get_type_hints(PerJob).items() if tp in (int, float, int | None, float | None)
)
SLICE = 65_536  # rows formatted and written at a time


def failed_steps(result: Mapping[str, Any]) -> dict[Any, str]:
    """Per failed job id, the name of the step it failed at (result.json `steps.failed_at`)."""
    rows = (result.get("steps") or {}).get("failed_at") or []
    return {f.get("job_id"): f["step_name"] for f in rows if f.get("step_name") is not None}


def _cells(key: str, values: list[Any]) -> list[Any]:
    """A column's cells: a numeric column of numbers (and nulls) as it is, anything else csv_cell'd."""
    if key in _NUMERIC and set(map(type, values)) <= _TYPES:
        return values
    return csv_cells(values)


def write_jobs_csv(out: TextIO, per_job: Any, failed_at: Mapping[Any, str] | None = None) -> None:
    """The CSV, written to `out`; per_job: the result's (ColumnRows, or dicts); failed_at: failed_steps."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; and the csv module then quotes a lone CR
    writer.writerow(COLUMNS)
    rows = rows_of(per_job, PER_JOB_KEYS)
    failed_at = failed_at or {}
    keys = (*PER_JOB_COLUMNS, job_field("id"))
    for part in rows.slices(keys, SLICE):
        cols = [_cells(k, v) for k, v in zip(PER_JOB_COLUMNS, part, strict=False)]
        ids = part[-1]
        cols.append(csv_cells(map(failed_at.get, ids)) if failed_at else [None] * len(ids))
        writer.writerows(zip(*cols, strict=True))

"""jobs.csv: one row per job with the per_job fields; a missing figure is an empty cell (never 0, never
the string `null`, which spreadsheets and CSV readers take for text), and resource_reason says why.
Text cells (job, runner names, reasons) never start like a spreadsheet formula: suite.report.escape.
csv_cell gives them a leading `'` (OWASP's CSV-injection guidance); numbers stay numbers. Lines end
with CRLF (RFC 4180): with `\n` alone the csv module would leave a name holding a bare CR unquoted,
and readers would split the row there.

The per-job sample count stays in result.json: a bare 0 beside the resource columns reads like a
measured 0, and the resource_reason column already says why a job has no figures.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from suite.report.escape import csv_cell
from suite.rundir.result_schema import PER_JOB_KEYS, job_field

COLUMNS = tuple(
    k for k in PER_JOB_KEYS if k != job_field("samples")
)  # result.json per_job, less the sample count


def write_jobs_csv(out: TextIO, per_job: Iterable[dict[str, Any]]) -> None:
    """The CSV, written to `out` a row at a time."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; and the csv module then quotes a lone CR
    writer.writerow(COLUMNS)
    for job in per_job:
        writer.writerow([csv_cell(job.get(c)) for c in COLUMNS])

"""jobs.csv: one row per job with the per_job fields; a missing figure is an empty cell (never 0, never
the string `null`, which spreadsheets and CSV readers take for text), and resource_reason says why.
Text cells (job, runner names, reasons) never start like a spreadsheet formula: suite.report.escape.
csv_cell gives them a leading `'` (OWASP's CSV-injection guidance); numbers stay numbers. Lines end
with CRLF (RFC 4180): with `\n` alone the csv module would leave a name holding a bare CR unquoted,
and readers would split the row there.

failed_step (the last column, not in per_job): for a failed job, the name of the step it failed at
(result.json `steps.failed_at`); empty for every other job, and for a failed job no step of which
concluded failure, timed_out or cancelled (result.json says why).

The per-job sample count stays in result.json: a bare 0 beside the resource columns reads like a
measured 0, and the resource_reason column already says why a job has no figures.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from suite.report.escape import csv_cell
from suite.rundir.result_schema import PER_JOB_KEYS, job_field

PER_JOB_COLUMNS = tuple(
    k for k in PER_JOB_KEYS if k != job_field("samples")
)  # result.json per_job, less the sample count
COLUMNS = (*PER_JOB_COLUMNS, "failed_step")


def failed_steps(result: Mapping[str, Any]) -> dict[Any, str]:
    """Per failed job id, the name of the step it failed at (result.json `steps.failed_at`)."""
    rows = (result.get("steps") or {}).get("failed_at") or []
    return {f.get("job_id"): f["step_name"] for f in rows if f.get("step_name") is not None}


def write_jobs_csv(
    out: TextIO, per_job: Iterable[dict[str, Any]], failed_at: Mapping[Any, str] | None = None
) -> None:
    """The CSV, written to `out` a row at a time; failed_at: failed_steps(result)."""
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; and the csv module then quotes a lone CR
    writer.writerow(COLUMNS)
    failed_at = failed_at or {}
    for job in per_job:
        row = [csv_cell(job.get(c)) for c in PER_JOB_COLUMNS]
        writer.writerow([*row, csv_cell(failed_at.get(job.get("id")))])

"""jobs.csv: one row per job with the per_job fields; a missing figure is written as `null`.

The per-job sample count stays in result.json: a bare 0 beside the resource columns reads like a
measured 0, and the resource_reason column already says why a job has no figures.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from suite.report.fmt import NULL

COLUMNS = (
    "id",
    "run_id",
    "run_attempt",
    "suite_id",
    "name",
    "runner_name",
    "status",
    "conclusion",
    "created",
    "started",
    "completed",
    "queue_s",
    "execution_s",
    "queue_from_schedule_s",
    "cpu_max",
    "cpu_mean",
    "cpu_max_pct",
    "cpu_mean_pct",
    "memory_max",
    "memory_mean",
    "memory_max_pct",
    "memory_mean_pct",
    "resource_reason",
)


def jobs_csv(per_job: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for job in per_job:
        writer.writerow([NULL if job.get(c) is None else job.get(c) for c in COLUMNS])
    return out.getvalue()

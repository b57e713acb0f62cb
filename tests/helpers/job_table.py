"""A run directory's job table (tables/jobs.parquet) written from per_job rows (result.json v1's shape, the
in-memory result's keys) for tests that build a run by hand: result.json v2 has no per_job, the readers
read the table (suite.rundir.job_rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from suite.isotime import ts
from suite.rundir.job_rows import TABLE_NAME
from suite.rundir.result_schema import PER_JOB_KEYS
from suite.rundir.table_io import write_table
from suite.rundir.tables import JOBS

TIMES = ("created", "started", "completed")


def write_job_rows(run_dir: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """tables/jobs.parquet holding `rows` (a key a row lacks: null; the table's other columns null)."""
    listed = list(rows)
    columns: dict[str, list[Any]] = {}
    for key in PER_JOB_KEYS:
        values = [r.get(key) for r in listed]
        columns[TABLE_NAME.get(key, key)] = [ts(v) for v in values] if key in TIMES else values
    return write_table(run_dir, JOBS, columns)

"""The job columns `suite compare` samples, read from a run directory's job table (tables/jobs.parquet).

Columns, never a dict per job: pyarrow reads only the columns compare needs, named here as per_job
names them (suite.rundir.result_schema.PER_JOB_KEYS: `created`, `started`, `completed` for the table's
`created_at`, `started_at`, `completed_at`), times as epoch seconds (float; null stays None). A run
directory written before the tables existed is one error line saying that `suite report DIR` builds
them; a table that is not a readable Parquet file, or whose column has a type the contract does not
give it, is one error line naming the file and the fix (never its content). A column an older job
table does not hold is all null.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from suite.errors import UsageError
from suite.rundir.result_schema import job_field
from suite.rundir.tables import JOBS, table_path

JobColumns = dict[str, list[Any]]
# per_job name -> (job table column, the Arrow types it may have)


def _number(t: pa.DataType) -> bool:
    return bool(pa.types.is_integer(t) or pa.types.is_floating(t))


def _text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


COLUMNS: dict[str, tuple[str, Callable[[pa.DataType], bool]]] = {
    job_field("run_id"): ("run_id", pa.types.is_integer),
    job_field("conclusion"): ("conclusion", _text),
    job_field("created"): ("created_at", pa.types.is_timestamp),
    job_field("started"): ("started_at", pa.types.is_timestamp),
    job_field("completed"): ("completed_at", pa.types.is_timestamp),
    **{job_field(k): (k, _number) for k in ("queue_s", "execution_s", "cpu_mean", "cpu_mean_pct")},
    **{job_field(k): (k, _number) for k in ("memory_max", "memory_max_pct")},
}
JOB_KEYS: tuple[str, ...] = tuple(COLUMNS)
TIMES: tuple[str, ...] = tuple(k for k, (name, _) in COLUMNS.items() if name.endswith("_at"))
FIX = "`suite report {run_dir}` rewrites it from the raw files"


def job_table_columns(run_dir: Path) -> JobColumns:
    """The job table's columns compare samples (a UsageError when it is missing or damaged)."""
    path = table_path(run_dir, JOBS)
    if not path.exists():
        raise UsageError(
            f"{run_dir}: no {path.relative_to(run_dir)} (a run directory written before the tables, or "
            f"not reported yet); `suite report {run_dir}` builds it"
        )
    fix = FIX.format(run_dir=run_dir)
    try:
        held = pq.read_schema(path)
        present = [name for name, _ in COLUMNS.values() if name in held.names]
        table = pq.read_table(path, columns=present)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise UsageError(f"{path}: not a readable Parquet file ({type(exc).__name__}); {fix}") from None
    out: JobColumns = {}
    for key, (name, ok) in COLUMNS.items():
        if name not in present:
            out[key] = [None] * table.num_rows
            continue
        column = table.column(name)
        if not (ok(column.type) or pa.types.is_null(column.type)):
            raise UsageError(
                f"{path}: damaged: column `{name}` is {column.type}, not the contract's type; {fix}"
            )
        if pa.types.is_timestamp(column.type):
            millis = column.cast(pa.timestamp("ms", tz="UTC")).cast(pa.int64()).to_pylist()
            out[key] = [None if v is None else v / 1000.0 for v in millis]
        else:
            out[key] = column.to_pylist()
    if None in out[job_field("run_id")]:
        raise UsageError(f"{path}: damaged: a job has no `run_id`; {fix}")
    return out

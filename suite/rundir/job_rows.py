"""A finished run's per-job data read back from its job table (tables/jobs.parquet), as the analysis holds it.

result.json (suite.result/v2) no longer carries `per_job`: the rows are the job table's (suite/rundir/
tables.py). `job_rows(run_dir)` reads it back as a ColumnRows with the PER_JOB_KEYS names and values
exactly as the analysis made them: `job_id` as `id`, `job_name` as `name`, `created_at`, `started_at`,
`completed_at` as `created`, `started`, `completed` (ISO strings again, suite.isotime.stamp_column: whole
seconds like GitHub, else milliseconds), a null figure as None. The columns stay numpy arrays (times as
epoch seconds, figures with NaN for null; text dictionary-coded), their Python values made a slice of rows
at a time. `read_run_result(run_dir)` is result.json with those rows as its `per_job`, and the timeline,
task and runner tables as its `timeline`, `per_task` and `per_runner` columns (`item_columns`: times as
epoch seconds, NaN for null; a run reported before those tables existed has none), for the readers that
want the in-memory shape (the live page's last frame, the capacity plan).

A run directory reported before the job table existed (a v1 result.json, per_job inline) has no table:
that is one error line saying to run `suite report DIR`, which recomputes result.json (v2) and writes
the tables from raw/. The inline rows of a v1 result.json are never read: the job table is the one
source of per-job data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from suite.errors import UsageError
from suite.isotime import stamp_column
from suite.rundir.column_rows import ColumnRows, Lazy
from suite.rundir.jsonio import read_json
from suite.rundir.result_schema import PER_JOB_KEYS
from suite.rundir.table_io import schema
from suite.rundir.tables import JOBS, RUNNERS, TASKS, TIMELINE, table_path

# the job table's name for each per_job key (the others are named alike)
TABLE_NAME = {"id": "job_id", "name": "job_name", "created": "created_at", "started": "started_at"}
TABLE_NAME |= {"completed": "completed_at"}
JOBS_FIX = "run `suite report DIR` (it recomputes result.json and writes the tables from raw/)"


def _nullable(a: np.ndarray) -> list[Any]:
    out = a.astype(object)
    out[np.isnan(a)] = None
    values: list[Any] = out.tolist()
    return values


def _column(arr: pa.ChunkedArray) -> Any:
    """One table column as the analysis's per_job column holds it (values made a slice at a time)."""
    kind = arr.type
    if pa.types.is_timestamp(kind):
        millis = arr.cast(pa.int64()).to_numpy(zero_copy_only=False)  # nulls: NaN (a float array)
        return Lazy(np.asarray(millis, dtype=np.float64) / 1000.0, stamp_column)
    if pa.types.is_floating(kind):
        return Lazy(arr.to_numpy(zero_copy_only=False).astype(np.float64), _nullable)
    if pa.types.is_integer(kind) and arr.null_count == 0:
        return Lazy(arr.to_numpy().astype(np.int64), np.ndarray.tolist)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        coded = arr.combine_chunks().dictionary_encode()
        words = np.array([*coded.dictionary.to_pylist(), None], dtype=object)  # the last: null
        codes = coded.indices.fill_null(len(words) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
        return Lazy(codes, lambda c: words[c].tolist())
    return arr.to_pylist()


def job_rows(run_dir: Path) -> ColumnRows:
    """The run's tables/jobs.parquet as per_job rows (PER_JOB_KEYS); one error line when it is missing
    or damaged (what, the file, and `suite report DIR` to write it again)."""
    path = table_path(Path(run_dir), JOBS)
    names = [TABLE_NAME.get(k, k) for k in PER_JOB_KEYS]
    if not path.is_file():
        raise UsageError(f"{path}: missing: this run directory was reported before the job table; {JOBS_FIX}")
    try:
        table = pq.read_table(path, columns=names)
    except (pa.ArrowException, OSError, ValueError):
        raise UsageError(f"{path}: damaged: not Parquet with the job table's columns; {JOBS_FIX}") from None
    want = schema(JOBS)
    wrong = [n for n in names if table.schema.field(n).type != want.field(n).type]
    if wrong:
        raise UsageError(f"{path}: damaged: column {wrong[0]} is not of the job table's type; {JOBS_FIX}")
    return ColumnRows(PER_JOB_KEYS, [_column(table.column(n)) for n in names])


def item_columns(run_dir: Path, table: str) -> dict[str, Any] | None:
    """A timeline, task or runner table as the in-memory result's columns (test_run_id left out; times
    as epoch seconds and figures as float arrays, NaN for null; text as lists); None when it is absent,
    one error line when it is damaged."""
    path = table_path(Path(run_dir), table)
    if not path.is_file():
        return None
    try:
        read = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError):
        raise UsageError(f"{path}: damaged: not a Parquet table; {JOBS_FIX}") from None
    out: dict[str, Any] = {}
    for name in read.column_names[1:] if read.column_names[:1] == ["test_run_id"] else read.column_names:
        arr = read.column(name)
        if pa.types.is_timestamp(arr.type):
            millis = arr.cast(pa.int64()).to_numpy(zero_copy_only=False)
            out[name] = np.asarray(millis, dtype=np.float64) / 1000.0
        elif pa.types.is_floating(arr.type) or pa.types.is_integer(arr.type):
            out[name] = arr.to_numpy(zero_copy_only=False)
        else:
            out[name] = arr.to_pylist()
    return out


ITEM_KEYS = {TIMELINE: "timeline", TASKS: "per_task", RUNNERS: "per_runner"}  # table -> in-memory key


def read_run_result(run_dir: Path) -> dict[str, Any]:
    """result.json with the job table's rows as its `per_job`, and the other per-item tables as theirs
    (the in-memory result's shape)."""
    result: dict[str, Any] = read_json(Path(run_dir) / "result.json", JOBS_FIX)
    items = {key: item_columns(run_dir, table) for table, key in ITEM_KEYS.items()}
    return {**result, "per_job": job_rows(run_dir), **{k: v for k, v in items.items() if v is not None}}

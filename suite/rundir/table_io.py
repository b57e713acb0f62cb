"""Reading and writing the run directory's tables (suite/rundir/tables.py) as Parquet, with pyarrow.

`write_table(run_dir, name, columns)` takes the table's columns by name (lists or numpy arrays, one value
per row; a column left out is all null), types them as the contract says and writes
`tables/<name>.parquet` atomically (a temporary file renamed into place). `read_table` reads one back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from suite.rundir.column_rows import Coded
from suite.rundir.tables import COLUMNS, TIMESTAMP, table_path


def arrow_type(name: str) -> pa.DataType:
    if name == TIMESTAMP:
        return pa.timestamp("ms", tz="UTC")
    if name == "list<string>":
        return pa.list_(pa.string())
    return pa.type_for_alias(name)


def schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c.type)) for c in COLUMNS[table]])


@dataclass(frozen=True)
class Repeated:
    """A column of one value on every row (the run's identity and sizing on each job): made by Arrow
    without a Python value per row."""

    value: Any
    rows: int

    def __len__(self) -> int:
        return self.rows


def write_table(run_dir: Path, table: str, columns: Mapping[str, Sequence[Any] | Any]) -> Path:
    """Write `table` (JOBS, TASK_USAGE or RUN) from `columns`; timestamps are given as epoch seconds
    (floats) or datetimes. Unknown column names are an error (the contract is the schema)."""
    return write_arrow(run_dir, table, arrow_table(table, columns))


def arrow_table(table: str, columns: Mapping[str, Sequence[Any] | Any]) -> pa.Table:
    """`table` as Arrow, typed as the contract says, from `columns` (as write_table takes them)."""
    sch = schema(table)
    unknown = set(columns) - set(sch.names)
    if unknown:
        raise ValueError(f"{table}: no such column(s) {sorted(unknown)}")
    rows = len(next(iter(columns.values()))) if columns else 0
    arrays = []
    for field in sch:
        values = columns.get(field.name)
        if values is None:
            arrays.append(pa.nulls(rows, field.type))
        elif isinstance(values, pa.Array) and values.type == field.type and len(values) == rows:
            arrays.append(values)  # made Arrow already (jobs.csv's text and integer columns)
        elif isinstance(values, Coded):  # few distinct values: each made Arrow once, taken per row
            words = pa.array(values.words.tolist(), field.type, from_pandas=True)
            arrays.append(words.take(pa.array(values.codes)))
        elif isinstance(values, Repeated):
            arrays.append(pa.repeat(pa.scalar(values.value, field.type), values.rows))
        elif pa.types.is_timestamp(field.type):
            seconds = pa.array(values, pa.float64(), from_pandas=True)
            millis = pa.compute.round(pa.compute.multiply(seconds, 1000.0)).cast(pa.int64())
            arrays.append(millis.cast(field.type))
        else:
            arrays.append(pa.array(values, field.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=sch)


def write_arrow(run_dir: Path, table: str, arrow: pa.Table) -> Path:
    """`table`'s Arrow table written as tables/<table>.parquet, atomically."""
    path = table_path(run_dir, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write_parquet(arrow, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_parquet(arrow: pa.Table, path: Path) -> None:
    """An Arrow table written as the run directory's Parquet files are (zstd), at `path` as it is."""
    pq.write_table(arrow, path, compression="zstd")


def read_table(run_dir: Path, table: str) -> pa.Table:
    return pq.read_table(table_path(run_dir, table))

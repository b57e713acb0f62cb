"""The tables' Parquet files: typed as the contract says, nulls kept, timestamps in UTC milliseconds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from suite.rundir.table_io import read_table, schema, write_table
from suite.rundir.tables import COLUMNS, JOBS, RUN, TASK_USAGE, table_path


def test_every_contract_type_is_an_arrow_type() -> None:
    for table in (JOBS, TASK_USAGE, RUN):
        assert schema(table).names == [c.name for c in COLUMNS[table]]


def test_a_table_round_trips_with_nulls_and_times(tmp_path: Path) -> None:
    write_table(
        tmp_path,
        JOBS,
        {"job_id": [1, 2], "queue_s": [1.5, None], "created_at": [1.0e9, None], "labels": [["a"], None]},
    )
    t = read_table(tmp_path, JOBS)
    assert t.num_rows == 2 and t.schema == schema(JOBS)
    assert t.column("queue_s").to_pylist() == [1.5, None]
    assert t.column("conclusion").null_count == 2  # a column left out is all null, never a default
    got = duckdb.sql(
        f"SELECT epoch(created_at) FROM '{table_path(tmp_path, JOBS)}' ORDER BY job_id"
    ).fetchall()
    assert got == [(1.0e9,), (None,)]


def test_an_unknown_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such column"):
        write_table(tmp_path, RUN, {"nope": [1]})

"""The tables' Parquet files: typed as the contract says, nulls kept, timestamps in UTC milliseconds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from suite.rundir.table_io import Repeated, arrow_table, read_table, schema, write_table
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


@pytest.mark.parametrize("value", ["o/r", None])
def test_a_repeated_value_and_an_arrow_column_are_the_table_their_lists_make(value: str | None) -> None:
    lists = {"job_id": [1, 2, 3], "repository": [value] * 3, "task_cpu": [1024] * 3}
    lists["job_name"] = ["a", None, "b"]
    given = lists | {
        "repository": Repeated(value, 3),
        "task_cpu": Repeated(1024, 3),
        "job_name": pa.array(["a", None, "b"], pa.string()),
    }
    assert arrow_table(JOBS, given).equals(arrow_table(JOBS, lists))

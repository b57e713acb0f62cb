"""Run directories' tables exported to ClickHouse (docs/architecture.md, Exports: ClickHouse).

`export_runs(url, run_dirs)` creates the schema (suite/export/clickhouse.sql, CREATE ... IF NOT EXISTS)
and inserts each run directory's tables as Parquet (the files `suite/rundir/table_io.py` writes, sent
whole: no row is made in Python). Re-exporting a run is idempotent for readers using FINAL: the tables
are ReplacingMergeTree, versioned by `exported_at`, so the later copy of each key is the one kept.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from string import Template

import pyarrow as pa

from suite.errors import UsageError
from suite.export.clickhouse_transport import Transport, open_transport, parse_url
from suite.rundir.table_io import read_table
from suite.rundir.tables import COLUMNS, JOBS, RUN, TASK_USAGE, table_path

# the contract's table -> the ClickHouse table it goes to
CLICKHOUSE_TABLES = {JOBS: "jobs", TASK_USAGE: "task_usage", RUN: "runs"}
# columns ClickHouse keys, sorts or partitions on: never null in an exported row
NOT_NULL = {
    JOBS: ("repository", "test_run_id", "job_id", "created_at"),
    TASK_USAGE: ("test_run_id", "task_id", "time", "source"),
    RUN: ("test_run_id",),
}


def ddl_statements(database: str) -> list[str]:
    """The DDL in suite/export/clickhouse.sql for `database` (a checked identifier), one statement each."""
    text = resources.files("suite.export").joinpath("clickhouse.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    sql = Template(body).substitute(database=database)
    return [s.strip() for s in sql.split(";\n") if s.strip().rstrip(";")]


def _checked(run_dir: Path, table: str) -> pa.Table:
    """The run directory's table, its key columns checked for nulls (ClickHouse would store a default)."""
    if not table_path(run_dir, table).is_file():
        raise UsageError(
            f"{run_dir}: no tables/{table}.parquet: run `suite report {run_dir}` to write the run's tables"
        )
    data = read_table(run_dir, table)
    for column in NOT_NULL[table]:
        nulls = data.column(column).null_count
        if nulls:
            raise UsageError(
                f"{table_path(run_dir, table)}: {nulls} row(s) without {column}, which ClickHouse keys on: "
                f"run `suite report {run_dir}` again to rewrite the table"
            )
    return data


def export_runs(url: str, run_dirs: list[Path]) -> str:
    """Export every run directory's tables to the ClickHouse `url` names; a one-line summary."""
    target = parse_url(url)
    # every table is read and checked before anything is sent: a bad run directory sends nothing
    counts = {t: 0 for t in CLICKHOUSE_TABLES}
    for rd in run_dirs:
        for table in CLICKHOUSE_TABLES:
            counts[table] += _checked(Path(rd), table).num_rows
    transport = open_transport(target)
    try:
        create_schema(transport, target.database)
        for rd in run_dirs:
            for table, name in CLICKHOUSE_TABLES.items():
                columns = [c.name for c in COLUMNS[table]]
                transport.insert_parquet(name, columns, table_path(Path(rd), table))
    finally:
        transport.close()
    return (
        f"clickhouse: {len(run_dirs)} run(s) exported to {target.where}: {counts[JOBS]} jobs, "
        f"{counts[TASK_USAGE]} task-usage readings, {counts[RUN]} run row(s) (read with FINAL)"
    )


def create_schema(transport: Transport, database: str) -> None:
    for statement in ddl_statements(database):
        transport.execute(statement)

"""`suite query "SQL"`: DuckDB, in this process, over every run directory's tables under a reports folder.

Three views: `jobs`, `task_usage` and `runs`, each over its table's Parquet files in every run directory
(`<reports>/*/tables/<table>.parquet`, suite/rundir/tables.py for the columns) read together by column
name (`union_by_name`), so a run directory written before a column existed still reads (that column
null in its rows).

Read-only, twice over. (1) Only one statement, and a query: DuckDB parses the text and anything but a
single SELECT (SELECT, WITH, FROM, VALUES, DESCRIBE, SUMMARIZE, ...) is refused before it runs: a COPY,
an ATTACH, an INSERT, a SET, an INSTALL never reach the engine. (2) Once the views exist the connection
may touch no file but the tables it reads (`allowed_paths`, then `enable_external_access = false`, the
configuration locked, no extension auto-installed or auto-loaded): a query cannot read or write any
other file, attach a database or fetch an extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from suite.errors import UsageError, clip
from suite.rundir.tables import JOBS, RUN, TASK_USAGE, table_path

VIEWS = {"jobs": JOBS, "task_usage": TASK_USAGE, "runs": RUN}
HINT = 'the views are jobs, task_usage and runs (their columns: `suite query "DESCRIBE jobs"`)'
MESSAGE_CHARS = 300


@dataclass(frozen=True)
class Answer:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def table_files(reports: Path, table: str) -> list[Path]:
    """The table's file in every run directory directly under `reports`, in name order."""
    return sorted(p for p in (table_path(d, table) for d in reports.iterdir() if d.is_dir()) if p.is_file())


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def connect(reports: Path) -> duckdb.DuckDBPyConnection:
    """A connection holding the three views, locked as the module says. A reports folder with no run
    directory that has tables is a UsageError saying how to make them."""
    files = {view: table_files(reports, table) for view, table in VIEWS.items()}
    if not files["jobs"]:
        raise UsageError(
            f"{reports}: no run directory here has tables (tables/jobs.parquet); `suite report DIR` "
            "rewrites a run directory's reports and tables, or pass --reports with the folder that holds "
            "the run directories"
        )
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    con = duckdb.connect(config=config)
    for view, paths in files.items():
        if paths:
            listed = ", ".join(_literal(p) for p in paths)
            source = f"read_parquet([{listed}], union_by_name = true)"
        else:  # every run directory before this table existed: an empty view with no columns refused
            source = "(SELECT NULL AS test_run_id WHERE false)"
        con.execute(f"CREATE VIEW {view} AS SELECT * FROM {source}")
    allowed = [str(p) for paths in files.values() for p in paths]
    con.execute("SET allowed_paths = ?", [allowed])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """One statement, a query; anything else is a UsageError (nothing has run)."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise _bad_sql(exc) from None
    if len(statements) != 1:
        raise UsageError(
            f"suite query: {len(statements)} statements; give exactly one query (SELECT, WITH ...)"
        )
    kind = str(statements[0].type).rsplit(".", 1)[-1]
    if kind != "SELECT":
        raise UsageError(
            f"suite query: a {kind} statement is refused: the query is read-only (one SELECT, WITH, FROM, "
            f"DESCRIBE ...); {HINT}"
        )


def _bad_sql(exc: Exception) -> UsageError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return UsageError(f"suite query: {clip(first, MESSAGE_CHARS)}; {HINT}")


def run_query(reports: Path, sql: str) -> Answer:
    """The answer to `sql` over the run directories' tables under `reports`."""
    con = connect(reports)
    try:
        check_read_only(con, sql)
        try:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description or ()]
            return Answer(columns, cursor.fetchall())
        except duckdb.Error as exc:
            raise _bad_sql(exc) from None
    finally:
        con.close()

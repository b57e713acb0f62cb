"""`suite query "SQL"`: DuckDB, in this process, over every run directory's tables under a reports folder.

Six views: `jobs`, `task_usage`, `timeline`, `tasks`, `runners` and `runs`, each over its table's Parquet
files in every run directory
(`<reports>/*/tables/<table>.parquet`, suite/rundir/tables.py for the columns) read together by column
name (`union_by_name`), so a run directory written before a column existed still reads (that column
null in its rows).

Read-only, twice over. (1) Only one statement, and a query: DuckDB parses the text and anything but a
single SELECT (SELECT, WITH, FROM, VALUES, DESCRIBE, SUMMARIZE, ...) is refused before it runs: a COPY,
an ATTACH, an INSERT, a SET, an INSTALL never reach the engine. (2) Once the views exist the connection
may touch no file but the tables it reads (`allowed_paths`, then `enable_external_access = false`, the
configuration locked, no extension auto-installed or auto-loaded): a query cannot read or write any
other file, attach a database or fetch an extension.

`open_views` is the one place that opens the runs' tables: `suite query`, `suite history` (and its
`--baseline` and trends page) read through it. A table file that is not a Parquet file DuckDB can read
(its footer and schema; the run table whole, one row) is left out with one note naming it and the fix,
and the other runs are still read: the files are read all together first and one by one only when that
fails. `runs` is a table in memory (one row a run, read once: that read is its files' check), with
`run_dir`, the run directory each row was read from (a run table does not hold its own path: a copied
directory keeps its test_run_id). Times are read in UTC.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from suite.errors import UsageError, clip
from suite.rundir.tables import JOBS, RUN, RUNNERS, TABLES_DIR, TASK_USAGE, TASKS, TIMELINE, table_path

VIEWS = {"jobs": JOBS, "task_usage": TASK_USAGE, "timeline": TIMELINE, "tasks": TASKS, "runners": RUNNERS}
VIEWS["runs"] = RUN
HINT = (
    "the views are jobs, task_usage, timeline, tasks, runners and runs (their columns: "
    '`suite query "DESCRIBE jobs"`)'
)
# DuckDB's message, clipped so that the whole error line (`suite: error: suite query: `, the message,
# `; ` and HINT) stays within 300 characters, the bound every error line keeps (tools/fuzz_cases.py)
MESSAGE_CHARS = 300 - len("suite: error: suite query: ; ") - len(HINT)
RUN_TOGETHER = (
    "the run tables each read but not together (a column of two types); `suite report DIR` rewrites a run "
    "directory's tables"
)
# the run directory of a run table's file: <run dir>/tables/run.parquet
_RUN_DIR = f"regexp_replace(run_file, '/{TABLES_DIR}/{RUN}\\.parquet$', '')"


@dataclass(frozen=True)
class Answer:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def table_files(reports: Path, table: str) -> list[Path]:
    """The table's file in every run directory directly under `reports`, in name order (a path there
    that is not a file is left to `readable_files` to name)."""
    if not reports.is_dir():
        return []
    return sorted(p for p in (table_path(d, table) for d in reports.iterdir() if d.is_dir()) if p.exists())


def _reads(con: duckdb.DuckDBPyConnection, paths: list[Path], table: str) -> bool:
    """Whether DuckDB (the engine that will read them) reads `paths` together as Parquet files: the run
    tables whole (one row each), the others' footers and schemas."""
    if not paths:
        return True
    listed = f"read_parquet([{', '.join(_literal(p) for p in paths)}], union_by_name = true)"
    try:
        con.execute(f"{'' if table == RUN else 'DESCRIBE '}SELECT * FROM {listed}").fetchall()
    except duckdb.Error:
        return False
    return True


def readable_files(
    con: duckdb.DuckDBPyConnection,
    reports: Path,
    table: str,
    notes: list[str],
    together: Callable[[list[Path]], bool] | None = None,
) -> list[Path]:
    """The table's files that read; one note per damaged one (its path, what is wrong, the fix). All
    are read at once first (`together`, default a read of their footers, or of the run tables whole);
    only when that fails is each file read alone, to name the damaged ones."""
    kept = []
    for path in table_files(reports, table):
        if path.is_file():
            kept.append(path)
        else:
            notes.append(_note(path, "not a file"))
    if (together or (lambda paths: _reads(con, paths, table)))(kept):
        return kept
    damaged = [p for p in kept if not _reads(con, [p], table)]
    notes += [_note(p, "not a readable Parquet file") for p in damaged]
    return [p for p in kept if p not in damaged]


def _note(path: Path, why: str) -> str:
    run_dir = path.parent.parent
    return f"note: {path}: {why}; `suite report {run_dir}` rewrites it; its rows are left out"


def _load_runs(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> bool:
    """`runs`: the run tables in memory, with each row's run directory (False: they do not all read)."""
    con.execute("DROP TABLE IF EXISTS runs")
    if not paths:  # every run directory before the tables existed: an empty table with no columns refused
        con.execute("CREATE TABLE runs AS SELECT NULL AS test_run_id WHERE false")
        return True
    listed = ", ".join(_literal(p) for p in paths)
    where = f"read_parquet([{listed}], union_by_name = true, filename = 'run_file')"
    try:
        con.execute(f"CREATE TABLE runs AS SELECT * EXCLUDE (run_file), {_RUN_DIR} AS run_dir FROM {where}")
    except duckdb.Error:
        return False
    return True


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def open_views(
    reports: Path,
    notes: list[str] | None = None,
    views: tuple[str, ...] = tuple(VIEWS),
    threads: int | None = None,
) -> tuple[duckdb.DuckDBPyConnection, dict[str, int]]:
    """A connection holding the views (all of them unless `views` names fewer: history needs `runs`
    alone, and every view made reads every file's footer), locked as the module says, and how many
    files each view reads. The notes on damaged files are added to `notes` (printed on stderr when it is
    None). `threads`: DuckDB's worker threads (default: one per core; history's one-row tables need one,
    and each thread maps its own memory arenas)."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if threads is not None:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    con.execute("SET TimeZone = 'UTC'")
    said: list[str] = [] if notes is None else notes
    files = {view: readable_files(con, reports, VIEWS[view], said) for view in views if view != "runs"}
    if "runs" in views:  # one row a run: read into memory once, that read checking the files too
        loaded: list[list[Path]] = []  # the files the table holds, once loaded

        def load(paths: list[Path]) -> bool:
            ok = _load_runs(con, paths)
            loaded.extend([paths] if ok else [])
            return ok

        files["runs"] = readable_files(con, reports, RUN, said, load)
        if files["runs"] not in loaded[-1:] and not load(files["runs"]):
            raise UsageError(f"{reports}: {RUN_TOGETHER}")
    if notes is None:
        for line in said:
            print(line, file=sys.stderr, flush=True)
    for view, paths in files.items():
        if view == "runs":
            continue
        listed = ", ".join(_literal(p) for p in paths)
        if not paths:  # every run directory before this table existed: an empty view with no columns refused
            source = "(SELECT NULL AS test_run_id WHERE false)"
        else:
            source = f"read_parquet([{listed}], union_by_name = true)"
        con.execute(f"CREATE VIEW {view} AS SELECT * FROM {source}")
    allowed = [str(p) for paths in files.values() for p in paths]
    con.execute("SET allowed_paths = ?", [allowed])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con, {view: len(paths) for view, paths in files.items()}


def connect(reports: Path) -> duckdb.DuckDBPyConnection:
    """`suite query`'s connection (open_views). A reports folder with no run directory that has a
    readable job table is a UsageError saying how to make them."""
    con, counts = open_views(reports)
    if not counts["jobs"]:
        con.close()
        raise UsageError(
            f"{reports}: no run directory here has tables (tables/jobs.parquet); `suite report DIR` "
            "rewrites a run directory's reports and tables, or pass --reports with the folder that holds "
            "the run directories"
        )
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

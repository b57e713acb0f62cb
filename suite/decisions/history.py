"""Run history: every run directory under reports/, read from its run table (tables/run.parquet).

`suite history [--profile X]` is one SELECT over the `runs` view of suite.decisions.query (DuckDB in the
process over every run directory's tables: the one place that opens them), so there is no index to keep:
a run directory written, re-reported or deleted is in, changed in or gone from the next listing. The rows
hold the headline figures (those the trends page draws included: suite.decisions.trends) under the
names below. A run directory with a result.json but no run table (written before the tables existed) is
left out with a note to run `suite report DIR`, which builds them; a damaged table file is left out with
one note naming it (suite.decisions.query). An old reports/history.sqlite (the index this replaced) is
ignored: nothing reads or writes it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import duckdb

from suite.decisions.query import open_views
from suite.errors import UsageError, clip
from suite.rundir.tables import RUN, RUN_COLUMNS, table_path

# a run's start (UTC): its id's stamp (the wall clock; a twin's window is in virtual time), else window_start
_STAMP = r"-(\d{8}T\d{6})Z-[0-9a-f]{6}$"
STARTED = (
    f"coalesce(strftime(try_strptime(regexp_extract(test_run_id, '{_STAMP}', 1), '%Y%m%dT%H%M%S'), "
    "'%Y-%m-%dT%H:%M:%SZ'), strftime(window_start, CASE WHEN millisecond(window_start) % 1000 = 0 "
    "THEN '%Y-%m-%dT%H:%M:%SZ' ELSE '%Y-%m-%dT%H:%M:%S.%gZ' END))"
)
EPHEMERAL = "CAST(ephemeral AS INTEGER)"  # 1 or 0, as the trends' sizing compares it
_NEEDS = {STARTED: {"test_run_id", "window_start"}, EPHEMERAL: {"ephemeral"}}
COLUMNS = (  # (history name, the runs view's column it holds; or the SQL that makes it, from `_NEEDS`)
    ("test_run_id", "test_run_id"),
    ("path", "run_dir"),
    ("profile", "profile"),
    ("environment", "environment"),
    ("started", STARTED),
    ("runners", "runner_count"),
    ("ephemeral", EPHEMERAL),
    ("task_cpu", "task_cpu"),
    ("task_memory", "task_memory"),
    ("scheduled", "workflows_scheduled"),
    ("workflows", "workflows_dispatched"),
    ("collected", "workflows_collected"),
    ("jobs", "jobs"),
    ("queue_p95", "queue_p95_s"),
    ("exec_p50", "execution_p50_s"),
    ("exec_p95", "execution_p95_s"),
    ("failure_rate", "job_failure_rate"),
    ("cost_per_job", "cost_per_job_usd"),
    ("currency", "currency"),
    ("cpu_architecture", "cpu_architecture"),
    ("concurrency_max", "concurrency_max"),
    ("utilization", "utilization"),
    ("verdict", "verdict"),
)
NAMES = tuple(name for name, _ in COLUMNS)
_TABLE_NAMES = frozenset(c.name for c in RUN_COLUMNS) | {"run_dir"}
assert all(sql in _TABLE_NAMES for _, sql in COLUMNS if sql not in _NEEDS)  # the contract names them


def untabled(reports_root: Path) -> list[Path]:
    """Run directories (a result.json) with no run table: written before the tables existed."""
    if not reports_root.is_dir():
        return []
    return sorted(
        d
        for d in reports_root.iterdir()
        if d.is_dir() and (d / "result.json").is_file() and not table_path(d, RUN).exists()
    )


def _select(held: set[str], profile: str | None, passing: bool, limit: int | None) -> tuple[str, list[Any]]:
    """The history's SELECT over the runs view; a column no run table holds yet (every run directory
    written before it existed) is null."""
    exprs = []
    for name, sql in COLUMNS:
        needs = _NEEDS.get(sql, {sql})
        exprs.append(f"{sql if needs <= held else 'NULL'} AS {name}")
    where: list[str] = []
    args: list[Any] = []
    if profile:
        where.append("profile = ?")
        args.append(profile)
    if passing:
        where.append("verdict = 'pass'")
    sql = f"SELECT {', '.join(exprs)} FROM runs"
    sql += f" WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT * FROM ({sql}) ORDER BY started DESC NULLS LAST, test_run_id DESC"
    if limit:
        sql += " LIMIT ?"
        args.append(int(limit))
    return sql, args


def list_runs(
    reports_root: Path, profile: str | None = None, limit: int | None = None, passing: bool = False
) -> list[dict[str, Any]]:
    """Runs, newest first (by start, then id), read from their run tables (`passing`: verdict pass only).
    The notes (no tables, a damaged table) go to stderr."""
    for run_dir in untabled(reports_root):
        print(
            f"note: {run_dir}: no tables/run.parquet (written before the run tables); `suite report "
            f"{run_dir}` builds them; it is left out of the history",
            file=sys.stderr,
            flush=True,
        )
    con, counts = open_views(reports_root, views=("runs",), threads=1)
    try:
        if not counts["runs"]:
            return []
        held = {d[0] for d in con.execute("SELECT * FROM runs LIMIT 0").description or ()}
        sql, args = _select(held, profile, passing, limit)
        try:
            return [dict(zip(NAMES, r, strict=True)) for r in con.execute(sql, args).fetchall()]
        except duckdb.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise UsageError(
                f"{reports_root}: the run tables cannot be read together ({clip(first, 200)}); "
                "`suite report DIR` rewrites a run directory's tables"
            ) from None
    finally:
        con.close()


def last_passing(reports_root: Path, profile: str) -> dict[str, Any] | None:
    """The newest run of `profile` whose verdict is pass: the natural baseline for `suite compare`
    (never a failed, inconclusive or incomplete one)."""
    rows = list_runs(reports_root, profile, limit=1, passing=True)
    return rows[0] if rows else None


def _workflows(r: dict[str, Any]) -> str:
    """dispatched/scheduled, e.g. 16/45 for a run interrupted after 16 dispatches; the dispatched
    workflows that were not collected after it."""
    dispatched, scheduled, collected = r["workflows"], r["scheduled"], r["collected"]
    text = f"{'null' if dispatched is None else dispatched}/{'null' if scheduled is None else scheduled}"
    if collected is None:
        return f"{text} (not collected)"
    if dispatched is not None and collected < dispatched:
        return f"{text} ({dispatched - collected} missing)"
    return text


def render(rows: list[dict[str, Any]], width: int | None = -1) -> str:
    """The runs as a table for a terminal `width` columns wide (-1: this process's stdout; None: no
    limit); narrower than the table, one block per run (suite.report.terminal_table)."""
    from suite.report.terminal_table import fitted_table, output_width, wrapped

    width = output_width() if width == -1 else width

    def f(x: Any, fmt: str = "{:.1f}") -> str:
        return "null" if x is None else fmt.format(x)

    if not rows:
        return "No runs (run directories with tables/run.parquet live under reports/)."
    table = [
        [
            (r["started"] or "")[:19].replace("T", " "),
            r["test_run_id"],
            r["profile"],
            r["environment"],
            f"{f(r['runners'], '{}')}{'e' if r['ephemeral'] else 'p' if r['ephemeral'] is not None else ''}"
            f" {f(r['task_cpu'], '{}')}/{f(r['task_memory'], '{}')}",
            _workflows(r),
            f(r["queue_p95"]),
            f(r["exec_p50"]),
            f(r["concurrency_max"], "{}"),
            "null" if r["utilization"] is None else f"{100 * r['utilization']:.1f}%",
            r["verdict"],
        ]
        for r in rows
    ]
    headers = [
        "date (UTC)",
        "run",
        "profile",
        "env",
        "fleet",
        "workflows",
        "queue p95 s",
        "exec p50 s",
        "conc max",
        "util",
        "verdict",
    ]
    legend = (
        "fleet: runners (e ephemeral, p persistent) cpu/memory; workflows: dispatched/scheduled "
        "(and how many of the dispatched were not collected)"
    )
    return fitted_table(table, headers, width, label=1) + "\n" + "\n".join(wrapped(legend, width, ""))

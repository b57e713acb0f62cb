"""Run history: every run directory under reports/ indexed in reports/history.sqlite.

`suite history [--profile X]` scans reports/ first (a directory whose result.json is new or changed
since it was indexed is (re)read; rows of directories that are gone are dropped), so the index is
never stale, whoever wrote the run. `index_run(dir)` indexes one directory straight after its report.
The index holds headline figures only (those the trends page draws included: suite.decisions.trends);
result.json stays the source of truth: so a damaged index (not a database, a malformed image) is
deleted and rebuilt from the run directories, with a note on stderr; one that cannot be opened at all
(a directory in its place) is one error line saying to delete it.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from suite.errors import UsageError
from suite.rundir.result_readback import readable_result
from suite.rundir.result_schema import field, value_at

T = TypeVar("T")
_DAMAGED = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB: the file is not an index we can read

DB_NAME = "history.sqlite"
_RUN_STAMP = re.compile(r"-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]{6}$")
COLUMNS = (  # (name, SQL type, the result.json field it holds; None: made here)
    ("test_run_id", "TEXT PRIMARY KEY", None),
    ("path", "TEXT NOT NULL", None),
    ("profile", "TEXT", field("profile")),
    ("environment", "TEXT", field("environment")),
    ("started", "TEXT", None),
    ("runners", "INTEGER", field("fleet.runner_count")),
    ("ephemeral", "INTEGER", None),
    ("task_cpu", "INTEGER", field("fleet.task_cpu")),
    ("task_memory", "INTEGER", field("fleet.task_memory")),
    ("scheduled", "INTEGER", field("completeness.scheduled")),
    ("workflows", "INTEGER", field("workflows.dispatched")),
    ("collected", "INTEGER", field("workflows.collected")),
    ("jobs", "INTEGER", field("jobs.count")),
    ("queue_p95", "REAL", field("queue_time_s.p95")),
    ("exec_p50", "REAL", field("execution_time_s.p50")),
    ("exec_p95", "REAL", field("execution_time_s.p95")),
    ("failure_rate", "REAL", None),
    ("cost_per_job", "REAL", field("cost.per_job_usd")),
    ("currency", "TEXT", field("cost.prices.currency")),
    ("cpu_architecture", "TEXT", None),
    ("concurrency_max", "INTEGER", field("concurrency.max")),
    ("utilization", "REAL", field("runners.utilization")),
    ("verdict", "TEXT", field("verdict")),
    ("result_mtime_ns", "INTEGER NOT NULL", None),
)
NAMES = tuple(c for c, _, _ in COLUMNS)


def db_path(reports_root: Path) -> Path:
    return reports_root / DB_NAME


def _rebuilt_if_damaged(reports_root: Path, work: Callable[[], T]) -> T:
    """``work()``; if the index file is damaged, delete it and do the work again on a fresh index."""
    path = db_path(reports_root)
    try:
        return work()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) not in _DAMAGED or not path.is_file():
            raise _unusable(path, exc) from None
    print(f"suite: {path} was damaged; rebuilding it from the run directories", file=sys.stderr)
    for stale in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
        stale.unlink(missing_ok=True)
    try:
        return work()
    except sqlite3.DatabaseError as exc:
        raise _unusable(path, exc) from None


def _unusable(path: Path, exc: sqlite3.DatabaseError) -> UsageError:
    return UsageError(
        f"{path}: cannot use the run index ({' '.join(str(exc).split())[:100]}); it only indexes the run "
        "directories: delete it and `suite history` rebuilds it"
    )


@contextmanager
def _db(reports_root: Path) -> Iterator[sqlite3.Connection]:
    reports_root.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path(reports_root), timeout=30)
    try:
        held = [row[1] for row in conn.execute("PRAGMA table_info(runs)").fetchall()]
        if held and tuple(held) != NAMES:  # an index of another layout: rebuilt from result.json files
            conn.execute("DROP TABLE runs")
        conn.execute(f"CREATE TABLE IF NOT EXISTS runs ({', '.join(f'{c} {t}' for c, t, _ in COLUMNS)})")
        conn.execute("CREATE INDEX IF NOT EXISTS runs_profile ON runs (profile, started)")
        with conn:
            yield conn
    finally:
        conn.close()


def headline(run_dir: Path) -> dict[str, Any] | None:
    """The indexed row of one run directory; None if it has no result.json, or a damaged one (checked
    as input: suite.rundir.result_readback; named on stderr and left out of the index)."""
    path = run_dir / "result.json"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    result, why = readable_result(path)
    if result is None:
        print(f"note: {why}; it is left out of the history", file=sys.stderr, flush=True)
        return None
    for _, _, at in COLUMNS:
        if at and not isinstance(value_at(result, at), str | int | float | None):
            print(
                f"note: {path}: damaged: `{at}` is not a value; it is left out of the history",
                file=sys.stderr,
            )
            return None
    architecture = value_at(result, "fleet.cpu_architecture")  # the manifest's, when the target gave it
    if not isinstance(architecture, str | None):
        print(f"note: {path}: damaged: `fleet.cpu_architecture` is not text; it is left out", file=sys.stderr)
        return None
    test_run_id = str(result.get("test_run_id") or run_dir.name)
    ephemeral = value_at(result, field("fleet.ephemeral"))
    return {name: value_at(result, path) for name, _, path in COLUMNS if path} | {
        "test_run_id": test_run_id,
        "path": str(run_dir),
        "started": _started(test_run_id, value_at(result, field("window.start"))),
        "ephemeral": None if ephemeral is None else int(bool(ephemeral)),
        "failure_rate": failure_rate(result.get("per_job")),
        "cpu_architecture": architecture,
        "result_mtime_ns": mtime,
    }


def failure_rate(per_job: Any) -> float | None:
    """`suite compare`'s job failure rate (suite.decisions.compare.samples): of the jobs that ended
    (conclusion failure, timed_out, cancelled, startup_failure, success or neutral), the share of the
    first four; null when no job ended (or the jobs were never collected): never 0 by default."""
    from suite.decisions.compare.samples import CONCLUSION, FAILED, NOT_FAILED

    ended = [job.get(CONCLUSION) for job in per_job or () if job.get(CONCLUSION) in FAILED | NOT_FAILED]
    return sum(c in FAILED for c in ended) / len(ended) if ended else None


def _started(test_run_id: str, window_start: Any) -> str | None:
    """When the run began (UTC, from its id: the wall clock; a twin's window is in virtual time)."""
    m = _RUN_STAMP.search(test_run_id)
    if m:
        y, mo, d, h, mi, s = m.groups()
        return f"{y}-{mo}-{d}T{h}:{mi}:{s}Z"
    return str(window_start) if window_start else None


def _upsert(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO runs ({', '.join(NAMES)}) VALUES ({', '.join('?' for _ in NAMES)})",
        [row[c] for c in NAMES],
    )


def index_run(run_dir: Path, reports_root: Path | None = None) -> bool:
    """Index one run directory (in its parent's history unless reports_root is given)."""
    row = headline(run_dir)
    if row is None:
        return False
    root = reports_root or run_dir.parent

    def upsert() -> None:
        with _db(root) as conn:
            _upsert(conn, row)

    _rebuilt_if_damaged(root, upsert)
    return True


def scan(reports_root: Path) -> int:
    """Bring the index up to date with reports/; returns how many directories were (re)indexed."""
    if not reports_root.is_dir():
        return 0
    return _rebuilt_if_damaged(reports_root, lambda: _scan(reports_root))


def _scan(reports_root: Path) -> int:
    with _db(reports_root) as conn:
        known = {
            path: mtime for path, mtime in conn.execute("SELECT path, result_mtime_ns FROM runs").fetchall()
        }
        changed = 0
        seen = set()
        for result in sorted(reports_root.glob("*/result.json")):
            run_dir = result.parent
            seen.add(str(run_dir))
            try:
                mtime = result.stat().st_mtime_ns
            except OSError:
                continue
            if known.get(str(run_dir)) == mtime:
                continue
            row = headline(run_dir)
            if row is not None:
                conn.execute("DELETE FROM runs WHERE path = ?", (str(run_dir),))
                _upsert(conn, row)
                changed += 1
        for path in set(known) - seen:
            conn.execute("DELETE FROM runs WHERE path = ?", (path,))
    return changed


def list_runs(
    reports_root: Path, profile: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Runs, newest first (by window start, then id), after a scan of reports/."""
    scan(reports_root)
    if not db_path(reports_root).exists():
        return []
    sql = f"SELECT {', '.join(NAMES)} FROM runs"
    args: list[Any] = []
    if profile:
        sql += " WHERE profile = ?"
        args.append(profile)
    sql += " ORDER BY started DESC, test_run_id DESC"
    if limit:
        sql += " LIMIT ?"
        args.append(int(limit))

    def select() -> list[dict[str, Any]]:
        with _db(reports_root) as conn:
            return [dict(zip(NAMES, r, strict=True)) for r in conn.execute(sql, args).fetchall()]

    return _rebuilt_if_damaged(reports_root, select)


def last_passing(reports_root: Path, profile: str) -> dict[str, Any] | None:
    """The newest run of `profile` whose verdict is pass: the natural baseline for `suite compare`
    (never a failed, inconclusive or incomplete one)."""
    return next((r for r in list_runs(reports_root, profile) if r["verdict"] == "pass"), None)


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
        return "No runs indexed (run directories live under reports/)."
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

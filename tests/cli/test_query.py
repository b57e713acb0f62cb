"""`suite query`: DuckDB over every run directory's tables under a reports folder; read-only."""

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from suite.cli.main import main
from suite.decisions.query import HINT, connect
from suite.report.writer import write_reports
from tests.helpers.synthetic_run import synthetic_run
from tools.fuzz_cases import MAX_LINE

Capture = pytest.CaptureFixture[str]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two run directories: one as written now, and a copy whose job table predates `cost_usd` and
    `labels` (an older run directory), under another name."""
    root = tmp_path_factory.mktemp("reports")
    run_dir, result = synthetic_run(root)
    write_reports(run_dir, result)
    old = root / "capacity-20261001T000000Z-old000"
    shutil.copytree(run_dir, old)
    jobs = old / "tables" / "jobs.parquet"
    pq.write_table(pq.read_table(jobs).drop_columns(["cost_usd", "labels"]), jobs)
    return root


def _query(capsys: pytest.CaptureFixture[str], reports: Path, sql: str, *flags: str) -> tuple[int, str, str]:
    code = main(["query", sql, "--reports", str(reports), *flags])
    out, err = capsys.readouterr()
    return code, out, err


def _digests(reports: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(reports.rglob("*")) if p.is_file()}


def test_views_span_every_run_directory_by_column_name(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _query(
        capsys, reports, "SELECT count(*) AS n, count(labels) AS labelled FROM jobs", "--json"
    )
    assert code == 0 and json.loads(out) == [
        {"n": 90, "labelled": 45}
    ]  # the older copy's labels: null, still read
    code, out, _ = _query(capsys, reports, "SELECT count(*) AS runs, min(jobs) AS jobs FROM runs", "--json")
    assert json.loads(out) == [{"runs": 2, "jobs": 45}]
    code, out, _ = _query(
        capsys, reports, "SELECT count(DISTINCT task_id) AS tasks FROM task_usage", "--json"
    )
    assert json.loads(out) == [{"tasks": 45}]


def test_the_per_item_tables_are_views_too(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """timeline, tasks and runners (the lists result.json v2 leaves out) read as their tables hold them."""
    from suite.rundir.tables import RUNNERS, TASKS, TIMELINE, table_path

    for view, table in (("timeline", TIMELINE), ("tasks", TASKS), ("runners", RUNNERS)):
        rows = sum(pq.read_table(table_path(d, table)).num_rows for d in sorted(reports.iterdir()))
        code, out, _ = _query(capsys, reports, f"SELECT count(*) AS n FROM {view}", "--json")
        assert code == 0 and json.loads(out) == [{"n": rows}] and rows > 0, view


def test_table_json_and_csv(reports: Path, capsys: Capture) -> None:
    sql = "SELECT job_id, started_at, '=1+1' AS f, queue_s FROM jobs WHERE job_id = 5000 LIMIT 1"
    code, out, _ = _query(capsys, reports, sql)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["job_id", "started_at", "f", "queue_s"]
    assert lines[2].split() == ["5000", "2026-11-15T10:00:02+00:00", "=1+1", "1.0"] and lines[-1] == "(1 row)"
    _, out, _ = _query(capsys, reports, sql, "--json")
    assert json.loads(out) == [
        {"job_id": 5000, "started_at": "2026-11-15T10:00:02+00:00", "f": "=1+1", "queue_s": 1.0}
    ]
    _, out, _ = _query(capsys, reports, sql, "--csv")
    assert list(csv.reader(io.StringIO(out))) == [
        ["job_id", "started_at", "f", "queue_s"],
        ["5000", "2026-11-15T10:00:02+00:00", "'=1+1", "1.0"],  # a formula never starts a CSV cell
    ]
    assert out.endswith("\r\n")


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1) TO '{target}'",
        "COPY (SELECT * FROM jobs) TO '{jobs}' (FORMAT parquet, USE_TMP_FILE false)",
        "ATTACH '{target}' AS other",
        "CREATE TABLE t AS SELECT 1",
        "SELECT 1; COPY (SELECT 1) TO '{target}'",
        "INSTALL httpfs",
        "SET enable_external_access = true",
        "SELECT * FROM read_csv('{outside}')",
        "SELECT * FROM read_parquet('{target}')",
    ],
)
def test_writes_and_other_files_are_refused(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], sql: str
) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    target = tmp_path / "written.out"
    jobs = next(reports.glob("*/tables/jobs.parquet"))
    before = _digests(reports)
    code, out, err = _query(capsys, reports, sql.format(target=target, jobs=jobs, outside=outside))
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("suite: error: suite query: ")
    assert not target.exists() and _digests(reports) == before


def test_the_connection_itself_reaches_no_other_file(reports: Path, tmp_path: Path) -> None:
    """The second guard alone (the statement check bypassed): no file outside the tables."""
    con = connect(reports)
    assert con.execute("SELECT count(*) FROM jobs").fetchone() == (90,)
    for sql in (f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'", f"ATTACH '{tmp_path / 'x.db'}'"):
        with pytest.raises(duckdb.PermissionException):
            con.execute(sql)
    with pytest.raises(duckdb.InvalidInputException):
        con.execute("SET enable_external_access = true")  # the configuration is locked
    assert list(tmp_path.iterdir()) == []


def test_bad_sql_is_one_bounded_line_naming_the_views(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _query(capsys, reports, "SELECT nope FROM jobs")
    assert code == 2 and len(err.splitlines()) == 1
    assert "Binder Error" in err and "jobs, task_usage, timeline, tasks, runners and runs" in err
    for sql in ("SELEC " + "x" * 5000, "x" * 5000):  # DuckDB quotes the SQL near the error: clipped
        code, _, err = _query(capsys, reports, sql)
        line = err.splitlines()
        assert code == 2 and len(line) == 1 and len(line[0]) <= MAX_LINE and "Parser Error" in err
        assert line[0].endswith(HINT)


def test_no_tables_says_how_to_make_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "capacity-20261115T100000Z-aaaaaa").mkdir()  # a run directory from before the tables
    code, out, err = _query(capsys, tmp_path, "SELECT 1")
    assert code == 2 and out == ""
    assert "no run directory here has tables" in err and "`suite report DIR`" in err


def test_a_damaged_table_is_one_note_and_the_other_runs_are_read(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "reports"
    shutil.copytree(reports, copy)
    damaged = next(copy.glob("*old000/tables/jobs.parquet"))
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    code, out, err = _query(capsys, copy, "SELECT count(*) AS n FROM jobs", "--json")
    assert code == 0 and json.loads(out) == [{"n": 45}]  # the intact run's jobs
    run_dir = damaged.parent.parent
    assert err.splitlines() == [
        f"note: {damaged}: not a readable Parquet file; "
        f"`suite report {run_dir}` rewrites it; its rows are left out"
    ]


def test_the_runs_view_names_each_runs_directory(reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _query(capsys, reports, "SELECT test_run_id, run_dir FROM runs ORDER BY run_dir", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["run_dir"] for r in rows] == sorted(
        str(p.parent.parent) for p in reports.glob("*/tables/run.parquet")
    )
    # the copy kept its id: only run_dir tells them apart
    assert rows[0]["test_run_id"] == rows[1]["test_run_id"]

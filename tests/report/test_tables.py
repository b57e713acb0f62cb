"""The run directory's tables, read with DuckDB, against result.json's own figures (docs/architecture.md
"Definitions": percentiles interpolate linearly between closest ranks; concurrency over half-open
intervals, ends before starts at one instant)."""

import json
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.concurrency import concurrency_arrays
from suite.analyze.samples import one_source_rows
from suite.isotime import stamp
from suite.pipeline.analysis import analyze_run_dir
from suite.report.tables import job_columns
from suite.report.writer import write_reports
from suite.rundir.job_rows import read_run_result
from suite.rundir.jsonio import read_jsonl
from suite.rundir.manifest import read_manifest
from suite.rundir.paths import RunDir
from suite.rundir.table_io import arrow_table, write_table
from suite.rundir.tables import JOBS, table_path
from tests.helpers.item_rows import item_rows
from tests.helpers.synthetic_run import synthetic_run


def percentile_sql(column: str, q: float, table: str = "jobs") -> str:
    """numpy's linear percentile (the suite's definition) in SQL, to the last bit: h = (n - 1) q, a and b
    the values at ranks floor(h) and floor(h) + 1 (the last one at most), t = h - floor(h), and numpy's
    lerp: a + (b - a) t, or b - (b - a)(1 - t) when t >= 0.5. DuckDB's quantile_cont interpolates the
    same ranks but rounds differently (1.4500000000000002 against 1.45 for [1, 1.5] at 0.9)."""
    return f"""
    WITH v AS (SELECT {column} AS x FROM {table} WHERE {column} IS NOT NULL),
    h AS (SELECT count(*) AS n, (count(*) - 1)::DOUBLE * {q!r}::DOUBLE AS h FROM v),
    r AS (SELECT x, row_number() OVER (ORDER BY x) - 1 AS i FROM v),
    ab AS (
        SELECT max(x) FILTER (WHERE i = floor(h)) AS a,
            max(x) FILTER (WHERE i = least(floor(h) + 1, n - 1)) AS b,
            h - floor(h) AS t
        FROM r, h GROUP BY h, n
    )
    SELECT CASE WHEN t >= 0.5 THEN b - (b - a) * (1 - t) ELSE a + (b - a) * t END FROM ab
    """


P95 = percentile_sql("queue_s", 0.95)
# an exact sweep: +1 at each start, -1 at each end, netted per instant (so an end and a start at one
# instant never overlap and [t, t) adds nothing), the running sum's maximum
CONCURRENCY_MAX = """
WITH iv AS (
    SELECT started_at AS s, greatest(started_at, completed_at) AS e FROM jobs
    WHERE started_at IS NOT NULL AND completed_at IS NOT NULL AND conclusion IS DISTINCT FROM 'skipped'
), ev AS (SELECT s AS t, 1 AS d FROM iv UNION ALL SELECT e AS t, -1 AS d FROM iv),
net AS (SELECT t, sum(d) AS d FROM ev GROUP BY t)
SELECT coalesce(max(level), 0) FROM (SELECT sum(d) OVER (ORDER BY t) AS level FROM net)
"""


TABLES = ("jobs", "task_usage", "timeline", "tasks", "runners", "run")


def _views(run_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in TABLES:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{run_dir}/tables/{name}.parquet')")
    return con


def _reported(tmp_path: Path) -> tuple[Path, dict]:
    run_dir, result = synthetic_run(tmp_path)
    write_reports(run_dir, result)
    stored = json.loads((run_dir / "result.json").read_text())
    assert "per_job" not in stored  # result.json v2: the per-job rows are the job table's
    return run_dir, {**stored, "per_job": result["per_job"]}  # the analysis's rows, to hold the table to


def test_the_per_item_lists_result_json_left_are_the_tables_rows_exactly(tmp_path: Path) -> None:
    """timeline, per_task and per_runner (in memory) are the timeline, task and runner tables' rows, in
    order; read back (suite.rundir.job_rows.read_run_result) they are the same columns; the table
    figures agree with result.json's (max concurrency and jobs waiting, tasks and runners counted)."""
    run_dir, result = synthetic_run(tmp_path)
    write_reports(run_dir, result)
    stored = json.loads((run_dir / "result.json").read_text())
    con = _views(run_dir)
    run_id = result["test_run_id"]
    for table, key in (("timeline", "timeline"), ("tasks", "per_task"), ("runners", "per_runner")):
        assert key not in stored and result[key]
        names = list(result[key])
        got = con.execute(f"SELECT test_run_id, {', '.join(names)} FROM {table}").fetchall()
        assert {row[0] for row in got} <= {run_id}
        times = tuple(n for n in names if n == "time" or n.endswith("_at"))
        want = item_rows(result[key], times)
        as_rows = [
            {n: (stamp(v.timestamp()) if n in times and v is not None else v) for n, v in pairs}
            for pairs in (zip(names, row[1:], strict=True) for row in got)
        ]
        assert want and as_rows == want, table
        back = read_run_result(run_dir)[key]
        assert item_rows(back, times) == want, table
    assert stored["concurrency"]["max"] == con.execute("SELECT max(running) FROM timeline").fetchone()[0]
    assert stored["jobs_waiting"]["max"] == con.execute("SELECT max(waiting) FROM timeline").fetchone()[0]
    assert stored["tasks"]["count"] == con.execute("SELECT count(*) FROM tasks").fetchone()[0]
    assert stored["runners"]["observed"] == con.execute("SELECT count(*) FROM runners").fetchone()[0]
    assert "timeline" not in stored["concurrency"] and "failed_at" not in stored["steps"]


def test_job_table_equals_result_figures(tmp_path: Path) -> None:
    run_dir, result = _reported(tmp_path)
    con = _views(run_dir)
    assert result["tables"] == {t: f"tables/{t}.parquet" for t in TABLES}
    assert con.execute("SELECT count(*) FROM jobs").fetchone()[0] == result["jobs"]["count"] == 45
    assert con.execute(P95).fetchone()[0] == result["queue_time_s"]["p95"]
    assert con.execute(CONCURRENCY_MAX).fetchone()[0] == result["concurrency"]["max"]
    per_job = result["per_job"]
    got = con.execute("SELECT job_id, queue_s, execution_s, cpu_max, failure_cause FROM jobs").fetchall()
    keys = ("id", "queue_s", "execution_s", "cpu_max", "failure_cause")
    assert got == [tuple(j[k] for k in keys) for j in per_job]


def test_job_table_joins_github_and_ledger(tmp_path: Path) -> None:
    run_dir, _ = _reported(tmp_path)
    con = _views(run_dir)
    row = con.execute(
        "SELECT labels, epoch_ms(scheduled_at), epoch_ms(sent_at), dispatch_lag_s, task_id = runner_name,"
        " runner_count, task_cpu, ephemeral FROM jobs WHERE suite_id = 'wf-00002'"
    ).fetchone()
    ledger = {r["suite_id"]: r for r in read_jsonl(run_dir / "ledger.jsonl")}["wf-00002"]
    from suite.isotime import parse_iso

    assert row[:3] == (["self-hosted"], round(parse_iso(ledger["scheduled_at"]) * 1000), row[2])
    assert row[2] - row[1] == 200 and row[3] == 0.2  # from the ledger's milliseconds: no float noise
    assert row[4:] == (True, 4, 1024, True)


def test_run_and_usage_tables(tmp_path: Path) -> None:
    run_dir, result = _reported(tmp_path)
    con = _views(run_dir)
    run = con.execute(
        "SELECT test_run_id, jobs, queue_p95_s, execution_p50_s, concurrency_max, throughput_jobs_per_min,"
        " job_failure_rate, verdict FROM run"
    ).fetchall()
    assert run == [
        (
            result["test_run_id"],
            result["jobs"]["count"],
            result["queue_time_s"]["p95"],
            result["execution_time_s"]["p50"],
            result["concurrency"]["max"],
            result["throughput"]["jobs_per_min"],
            1 / 45,  # job 3 of 45 failed
            result["verdict"],
        )
    ]
    rows = one_source_rows(read_jsonl(run_dir / "raw" / "metrics.jsonl"), ())
    readings = {(r["task_id"], r["timestamp"]) for r in rows}
    assert con.execute("SELECT count(*) FROM task_usage").fetchone()[0] == len(readings) > 0
    assert con.execute("SELECT DISTINCT source FROM task_usage").fetchall() == [("container_insights",)]


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(st.lists(finite, min_size=1, max_size=60), st.sampled_from([0.5, 0.9, 0.95, 0.99]))
def test_percentile_sql_is_numpys_percentile(xs: list[float], q: float) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest(?::DOUBLE[]) AS x", [xs])
    got = con.execute(percentile_sql("x", q, "t")).fetchone()[0]
    assert got == float(np.percentile(np.array(xs), q * 100))


interval = st.tuples(st.integers(0, 40), st.integers(0, 10))


@settings(max_examples=60, deadline=None)
@given(st.lists(interval, max_size=30))
def test_concurrency_sql_equals_the_sweep(intervals: list[tuple[int, int]]) -> None:
    starts = np.array([float(s) for s, _ in intervals])
    ends = np.array([float(s + d) for s, d in intervals])
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp)
        columns = {"started_at": starts, "completed_at": ends, "conclusion": ["success"] * len(starts)}
        write_table(run_dir, JOBS, columns)
        con = duckdb.connect()
        con.execute(f"CREATE VIEW jobs AS SELECT * FROM read_parquet('{table_path(run_dir, JOBS)}')")
        got = con.execute(CONCURRENCY_MAX).fetchone()[0]
    assert got == concurrency_arrays(starts, ends, None, None).max


def test_per_job_columns_from_the_row_view_equal_those_from_dicts(tmp_path: Path) -> None:
    """per_job kept as columns (ColumnRows.column: no dict per row) gives what its rows as dicts give."""
    from suite.analyze.rows import ColumnRows
    from suite.report.tables import per_job_columns

    _, result = synthetic_run(tmp_path)
    assert isinstance(result["per_job"], ColumnRows)
    as_dicts = json.loads(json.dumps(list(result["per_job"])))
    assert per_job_columns(result["per_job"]) == per_job_columns(as_dicts)
    assert per_job_columns(result["per_job"])["id"] == [5000 + i for i in range(45)]


def test_the_resources_chart_from_task_usage_equals_the_chart_from_the_metric_rows(tmp_path: Path) -> None:
    from suite.report.page_series import resources

    run_dir, result = synthetic_run(tmp_path)
    rows = one_source_rows(read_jsonl(run_dir / "raw" / "metrics.jsonl"), ())
    from_rows = resources(rows)
    assert resources((), result["task_usage"]) == from_rows
    assert from_rows["samples"] > 0 and from_rows["cpu"]["tasks"] and from_rows["memory"]["reserved"] == 2048


def test_the_job_table_of_a_report_equals_the_table_of_its_columns(tmp_path: Path) -> None:
    """write_reports takes jobs.csv's Arrow text and integer columns into the job table: the table is the
    one made converting every column itself."""
    run_dir, result = _reported(tmp_path)
    written = pq.read_table(table_path(run_dir, JOBS))
    columns = job_columns(RunDir(run_dir), analyze_run_dir(run_dir), read_manifest(run_dir / "manifest.json"))
    assert written.equals(arrow_table(JOBS, columns))
    assert written.num_rows == result["jobs"]["count"] == 45

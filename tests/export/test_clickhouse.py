"""ClickHouse export against a real ClickHouse engine: chdb, ClickHouse in this process, running the same
DDL (suite/export/clickhouse.sql) and queries a server would. Three twin runs exported twice leave each
job once (FINAL), and ClickHouse's p95 queue time per job name equals result.json's, exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from suite.export.clickhouse import export_runs
from suite.export.clickhouse_sql import percentile_query
from suite.export.clickhouse_transport import open_transport, parse_url
from suite.rundir.table_io import read_table
from suite.rundir.tables import JOBS, TASK_USAGE, table_path
from tests.export.clickhouse_run_tables import write_run_tables
from tests.helpers.twin_runs import assert_matches_truth, run_on_twin

ROOT = Path(__file__).resolve().parents[2]


def burst(jobs_per_workflow: int, workflows: int, job_type: str) -> str:
    """A runner_test burst: `workflows` dispatches at once, `jobs_per_workflow` jobs each."""
    return (
        "workflow: runner_test\n"
        f"inputs: {{sleep_duration: 10, job_count: {jobs_per_workflow}, job_type: {job_type}}}\n"
        f"pattern: {{type: burst, count: {workflows}}}\n"
        "drain_timeout_s: 600\nmax_workflows: 20\n"
        'thresholds:\n  - "jobs.count >= 1"\n'
    )


PROFILES = {
    "smoke": (ROOT / "profiles" / "smoke.yaml").read_text(),
    "burst_pairs": burst(2, 6, "parallel"),
    "burst_chain": burst(3, 4, "sequential"),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict[str, Any], Path]]:
    """Three twin runs (each on a fresh twin, stepped clock) with their tables: the pipeline's, or written
    here from result.json and the raw files where the pipeline writes none."""
    out = []
    for name, body in PROFILES.items():
        code, result, truth, rd = run_on_twin(tmp_path_factory.mktemp(name), name, body)
        assert code in (0, 1), name  # smoke's cold starts fail its queue gate: a verdict either way
        assert_matches_truth(result, truth)
        if not table_path(rd, JOBS).is_file():  # the pipeline's own tables when it writes them
            write_run_tables(rd)
        out.append((result, rd))
    return out


@pytest.fixture(scope="module")
def exported(runs, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str], list[dict[str, Any]]]:
    """The three runs exported twice to one chdb folder: the URL, the two summaries, and after each
    export the jobs' export stamps (as FINAL reads them)."""
    url = f"chdb://{tmp_path_factory.mktemp('clickhouse')}/data?database=ci_jobs"
    dirs = [rd for _, rd in runs]
    summaries, stamps = [], []
    for _ in range(2):
        summaries.append(export_runs(url, dirs))
        stamps += query(url, STAMPS)
    return url, summaries, stamps


STAMPS = "SELECT min(exported_at) AS first, max(exported_at) AS last, count() AS c FROM ci_jobs.jobs FINAL"


def query(url: str, sql: str) -> list[dict[str, Any]]:
    transport = open_transport(parse_url(url))
    try:
        return transport.rows(sql)
    finally:
        transport.close()


def test_three_runs_exported_twice_leave_each_job_once(runs, exported):
    url, summaries, stamps = exported
    total = sum(result["jobs"]["count"] for result, _ in runs)
    assert total == 3 + 12 + 12
    # the fresh twins number their jobs alike: the same job ids in the three runs, kept apart by the key
    ids = [{j["id"] for j in result["per_job"]} for result, _ in runs]
    assert ids[0] & ids[1] & ids[2]
    # FINAL leaves one row per job after each export, and after the second every row is its copy
    # (ClickHouse merges the parts when it chooses: a count without FINAL could be either)
    first, second = stamps
    assert first["c"] == second["c"] == total
    assert second["first"] > first["last"]
    per_run = query(url, "SELECT test_run_id, count() AS c FROM ci_jobs.jobs FINAL GROUP BY test_run_id")
    assert {r["test_run_id"]: int(r["c"]) for r in per_run} == {
        result["test_run_id"]: result["jobs"]["count"] for result, _ in runs
    }
    got = query(url, "SELECT test_run_id, job_id, queue_s FROM ci_jobs.jobs FINAL")
    want = {(result["test_run_id"], j["id"]): j["queue_s"] for result, _ in runs for j in result["per_job"]}
    assert {(r["test_run_id"], int(r["job_id"])): r["queue_s"] for r in got} == want
    runs_rows = query(url, "SELECT test_run_id, jobs, verdict FROM ci_jobs.runs FINAL")
    assert sorted((r["test_run_id"], int(r["jobs"]), r["verdict"]) for r in runs_rows) == sorted(
        (result["test_run_id"], result["jobs"]["count"], result["verdict"]) for result, _ in runs
    )
    readings = sum(read_table(rd, TASK_USAGE).num_rows for _, rd in runs)
    assert int(query(url, "SELECT count() AS c FROM ci_jobs.task_usage FINAL")[0]["c"]) == readings > 0
    assert (
        summaries[0]
        == summaries[1]
        == (
            f"clickhouse: 3 run(s) exported to {url.split('?')[0]}: {total} jobs, {readings} task-usage "
            "readings, 3 run row(s) (read with FINAL)"
        )
    )


@pytest.mark.parametrize("percent", [50, 90, 95, 99])
def test_percentile_of_queue_time_per_job_name_equals_result_json(runs, exported, percent):
    url, _, _ = exported
    rows = query(url, percentile_query("ci_jobs.jobs FINAL", "queue_s", percent, ["test_run_id", "job_name"]))
    got = {(r["test_run_id"], r["job_name"]): (int(r["n"]), r["p"]) for r in rows}
    want = {
        (result["test_run_id"], name): (
            figures["queue_time_s"]["count"],
            figures["queue_time_s"][f"p{percent}"],
        )
        for result, _ in runs
        for name, figures in result["by_job_name"].items()
    }
    assert len(want) >= 4  # smoke's one name, the pairs' two, the chain's three
    assert got == want  # equal, not approximately: the same arithmetic as numpy's


def test_ddl_engine_keys_partitions_and_types(runs, exported):
    url, _, _ = exported
    tables = query(
        url,
        "SELECT name, engine_full, sorting_key, partition_key FROM system.tables WHERE database = 'ci_jobs' "
        "ORDER BY name",
    )
    by_name = {t["name"]: t for t in tables}
    assert sorted(by_name) == ["jobs", "runs", "task_usage"]
    for t in tables:
        assert t["engine_full"].startswith("ReplacingMergeTree(exported_at)")
    assert by_name["jobs"]["sorting_key"] == "repository, job_id, test_run_id"
    assert by_name["task_usage"]["sorting_key"] == "test_run_id, task_id, time, source"
    assert by_name["runs"]["sorting_key"] == "test_run_id"
    assert by_name["jobs"]["partition_key"] == "toYYYYMM(created_at)"
    assert by_name["task_usage"]["partition_key"] == "toYYYYMM(time)"
    columns = query(url, "SELECT table, name, type FROM system.columns WHERE database = 'ci_jobs'")
    types = {(c["table"], c["name"]): c["type"] for c in columns}
    for name in ("job_name", "status", "conclusion", "profile", "environment", "workflow"):
        assert types[("jobs", name)] == "LowCardinality(Nullable(String))", name
    assert types[("jobs", "labels")] == "Array(LowCardinality(String))"
    assert types[("jobs", "created_at")] == "DateTime64(3, 'UTC')"
    assert types[("jobs", "started_at")] == "Nullable(DateTime64(3, 'UTC'))"
    assert types[("jobs", "repository")] == "LowCardinality(String)"
    assert types[("jobs", "job_id")] == "Int64"
    partitions = query(
        url, "SELECT DISTINCT partition FROM system.parts WHERE database = 'ci_jobs' AND table = 'jobs'"
    )
    months = {
        t.strftime("%Y%m") for _, rd in runs for t in read_table(rd, JOBS).column("created_at").to_pylist()
    }
    assert {p["partition"] for p in partitions} == months and len(months) >= 1  # one part a month
    # the labels arrive as the Parquet files hold them (a list column, order kept)
    labels = {tuple(r["labels"]) for r in query(url, "SELECT DISTINCT labels FROM ci_jobs.jobs FINAL")}
    want = {tuple(x or ()) for _, rd in runs for x in read_table(rd, JOBS).column("labels").to_pylist()}
    assert labels == want and any("self-hosted" in x for x in labels)

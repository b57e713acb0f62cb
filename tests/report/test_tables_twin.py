"""The tables of a twin run (smoke as shipped, stepped clock, the in-task sampler): DuckDB reads them,
and the job table's figures equal result.json's (p95 queue time and max concurrency recomputed in SQL)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from suite.analyze.samples import one_source_rows
from suite.rundir.jsonio import read_jsonl
from suite.twin.service import Twin
from tests.helpers.twin_runs import assert_matches_truth, run_on_twin
from tests.report.test_tables import CONCURRENCY_MAX, percentile_sql

ROOT = Path(__file__).resolve().parents[2]


def test_twin_run_tables(tmp_path: Path) -> None:
    def runners_first(twin: Twin) -> None:
        twin.clock.sleep(95)  # the runners online first (smoke's queue threshold)

    body = (ROOT / "profiles" / "smoke.yaml").read_text()
    code, result, truth, rd = run_on_twin(tmp_path, "smoke", body, before=runners_first)
    assert code == 0, result["verdict_reasons"]
    assert_matches_truth(result, truth)
    assert json.loads((rd / "result.json").read_text())["tables"]["jobs"] == "tables/jobs.parquet"
    con = duckdb.connect()
    for name in ("jobs", "task_usage", "run"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{rd}/tables/{name}.parquet')")
    assert con.execute("SELECT count(*) FROM jobs").fetchone()[0] == result["jobs"]["count"] > 0
    assert con.execute(percentile_sql("queue_s", 0.95)).fetchone()[0] == result["queue_time_s"]["p95"]
    assert con.execute(CONCURRENCY_MAX).fetchone()[0] == result["concurrency"]["max"] > 0
    # GitHub's fields joined from raw/jobs.jsonl, the dispatch from the ledger, the task from the fleet
    raw = {j["id"]: j for j in read_jsonl(rd / "raw" / "jobs.jsonl")}
    rows = con.execute(
        "SELECT job_id, labels, runner_id, head_sha, workflow_name, workflow, task_id = runner_name,"
        " scheduled_at <= sent_at, repository, test_run_id FROM jobs"
    ).fetchall()
    for job_id, labels, runner_id, sha, wf_name, workflow, same_task, in_order, repo, run_id in rows:
        github = raw[job_id]
        assert (labels, runner_id, sha, wf_name) == (
            github["labels"], github["runner_id"], github["head_sha"], github["workflow_name"],
        )  # fmt: skip
        assert workflow and same_task is True and in_order is True and repo and run_id == rd.name
    run = con.execute("SELECT jobs, queue_p95_s, concurrency_max, verdict FROM run").fetchall()
    assert run == [
        (result["jobs"]["count"], result["queue_time_s"]["p95"], result["concurrency"]["max"], "pass")
    ]
    # the task-usage rows: the one-source readings, one row per task and instant
    used = one_source_rows(read_jsonl(rd / "raw" / "metrics.jsonl"), read_jsonl(rd / "raw" / "samples.jsonl"))
    instants = {(r["task_id"], r["timestamp"]) for r in used}
    assert con.execute("SELECT count(*) FROM task_usage").fetchone()[0] == len(instants) > 0
    assert con.execute("SELECT DISTINCT source FROM task_usage").fetchall() == [("sampler",)]

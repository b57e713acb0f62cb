"""The run directory's tables for the export tests: those the report wrote (suite/rundir/tables.py), or,
where the report does not write them yet, the job and run tables written here from result.json's
per_job, the manifest and raw/jobs.jsonl (GitHub's job objects) with suite.rundir.table_io."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from suite.isotime import parse_iso
from suite.rundir.table_io import write_table
from suite.rundir.tables import JOBS, RUN, table_path


def ensure_tables(rd: Path) -> None:
    if table_path(rd, JOBS).exists():
        return
    result = json.loads((rd / "result.json").read_text())
    manifest = json.loads((rd / "manifest.json").read_text())
    github = {}
    for line in (rd / "raw" / "jobs.jsonl").read_text().splitlines():
        row = json.loads(line)
        for job in row.get("jobs", [row]) if isinstance(row, dict) else []:
            github[job["id"]] = job
    per_job = result["per_job"]
    fleet = manifest.get("fleet") or {}

    def when(key: str) -> list[float | None]:
        return [None if j[key] is None else parse_iso(j[key]) for j in per_job]

    def gh(key: str) -> list[Any]:
        return [github.get(j["id"], {}).get(key) for j in per_job]

    n = len(per_job)
    repo = (manifest.get("github") or {}).get("repo")
    write_table(
        rd,
        JOBS,
        {
            "repository": [repo] * n,
            "test_run_id": [manifest["test_run_id"]] * n,
            "profile": [manifest["profile"]["name"]] * n,
            "environment": [manifest["environment"]] * n,
            "suite_id": [j["suite_id"] for j in per_job],
            "workflow": [manifest["profile"].get("workflow")] * n,
            "workflow_name": gh("workflow_name"),
            "run_id": [j["run_id"] for j in per_job],
            "run_attempt": [j["run_attempt"] for j in per_job],
            "job_id": [j["id"] for j in per_job],
            "job_name": [j["name"] for j in per_job],
            "head_branch": gh("head_branch"),
            "head_sha": gh("head_sha"),
            "status": [j["status"] for j in per_job],
            "conclusion": [j["conclusion"] for j in per_job],
            "failure_cause": [j["failure_cause"] for j in per_job],
            "runner_id": gh("runner_id"),
            "runner_name": [j["runner_name"] for j in per_job],
            "task_id": [j["runner_name"] for j in per_job],
            "created_at": when("created"),
            "started_at": when("started"),
            "completed_at": when("completed"),
            "queue_s": [j["queue_s"] for j in per_job],
            "execution_s": [j["execution_s"] for j in per_job],
            "runner_count": [fleet.get("runner_count")] * n,
            "ephemeral": [fleet.get("ephemeral")] * n,
            "task_cpu": [fleet.get("task_cpu")] * n,
            "task_memory": [fleet.get("task_memory")] * n,
        },
    )
    write_table(
        rd,
        RUN,
        {
            "test_run_id": [manifest["test_run_id"]],
            "profile": [manifest["profile"]["name"]],
            "environment": [manifest["environment"]],
            "repository": [repo],
            "runner_count": [fleet.get("runner_count")],
            "ephemeral": [fleet.get("ephemeral")],
            "task_cpu": [fleet.get("task_cpu")],
            "task_memory": [fleet.get("task_memory")],
            "jobs": [result["jobs"]["count"]],
            "verdict": [result.get("verdict")],
        },
    )

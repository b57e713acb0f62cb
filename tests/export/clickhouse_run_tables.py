"""A run directory's tables written from its result.json and raw files, for the ClickHouse export tests
(the pipeline's own table writer is another part of issue 18): the columns the contract names, with the
values result.json's `per_job` and the manifest hold, through suite/rundir/table_io.py's write_table."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from suite.isotime import parse_iso
from suite.rundir.jsonio import read_jsonl
from suite.rundir.table_io import write_table
from suite.rundir.tables import JOBS, RUN, TASK_USAGE


def _when(text: str | None) -> float | None:
    return None if text is None else parse_iso(text)


def write_run_tables(rd: Path) -> None:
    result = json.loads((rd / "result.json").read_text())
    manifest = json.loads((rd / "manifest.json").read_text())
    per_job: list[dict[str, Any]] = result["per_job"]
    fleet = manifest["fleet"]
    n = len(per_job)

    def col(key: str) -> list[Any]:
        return [j[key] for j in per_job]

    def same(value: Any) -> list[Any]:
        return [value] * n

    figures = ["samples", "cpu_max", "cpu_mean", "cpu_max_pct", "cpu_mean_pct", "memory_max"]
    figures += ["memory_mean", "memory_max_pct", "memory_mean_pct", "resource_source", "resource_reason"]
    write_table(
        rd,
        JOBS,
        {
            "repository": same(manifest["github"]["repo"]),
            "test_run_id": same(result["test_run_id"]),
            "profile": same(manifest["profile"]["name"]),
            "environment": same(manifest["environment"]),
            "suite_id": col("suite_id"),
            "workflow": same(manifest["profile"]["workflow_file"]),
            "run_id": col("run_id"),
            "run_attempt": col("run_attempt"),
            "job_id": col("id"),
            "job_name": col("name"),
            "status": col("status"),
            "conclusion": col("conclusion"),
            "failure_cause": col("failure_cause"),
            "labels": same(fleet["labels"]),
            "runner_name": col("runner_name"),
            "task_id": col("runner_name"),
            "created_at": [_when(j["created"]) for j in per_job],
            "started_at": [_when(j["started"]) for j in per_job],
            "completed_at": [_when(j["completed"]) for j in per_job],
            "queue_s": col("queue_s"),
            "execution_s": col("execution_s"),
            "queue_from_schedule_s": col("queue_from_schedule_s"),
            **{k: col(k) for k in figures},
            "runner_count": same(fleet["runner_count"]),
            "ephemeral": same(fleet["ephemeral"]),
            "task_cpu": same(fleet["task_cpu"]),
            "task_memory": same(fleet["task_memory"]),
            "cost_usd": col("cost_usd"),
        },
    )
    readings: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for row in read_jsonl(rd / "raw" / "metrics.jsonl"):
        readings[(row["task_id"], row["timestamp"])][row["metric"]] = row["value"]
    keys = sorted(readings)
    write_table(
        rd,
        TASK_USAGE,
        {
            "test_run_id": [result["test_run_id"]] * len(keys),
            "task_id": [k[0] for k in keys],
            "time": [parse_iso(k[1]) for k in keys],
            "cpu_units": [readings[k].get("CpuUtilized") for k in keys],
            "memory_mib": [readings[k].get("MemoryUtilized") for k in keys],
            "cpu_reserved": [readings[k].get("CpuReserved") for k in keys],
            "memory_reserved": [readings[k].get("MemoryReserved") for k in keys],
            "source": ["container_insights"] * len(keys),
        },
    )
    write_table(
        rd,
        RUN,
        {
            "test_run_id": [result["test_run_id"]],
            "profile": [manifest["profile"]["name"]],
            "environment": [manifest["environment"]],
            "repository": [manifest["github"]["repo"]],
            "result_schema": [result["schema"]],
            "jobs": [result["jobs"]["count"]],
            "queue_p50_s": [result["queue_time_s"]["p50"]],
            "queue_p95_s": [result["queue_time_s"]["p95"]],
            "concurrency_max": [result["concurrency"]["max"]],
            "verdict": [result["verdict"]],
        },
    )

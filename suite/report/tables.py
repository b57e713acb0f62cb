"""The run directory's tables (suite/rundir/tables.py: jobs, task usage, run) from what the report has.

The job table is result.json's `per_job` taken column by column (never a dict per row), joined with what
the analysis does not keep per job: GitHub's fields (workflow_name, head_branch, head_sha, labels,
runner_id, runner_group_name) from raw/jobs.jsonl, the workflow file from raw/runs.jsonl, the accepted
dispatch's scheduled and sent times from ledger.jsonl (shifted by clock_offset_s onto GitHub's clock, as
the analysis compares them), the step a failed job failed at (`steps.failed_at`), the ECS task (the
runner_name when the fleet's tasks include it) and the fleet's sizing from the manifest. Each of those
files is read once, line by line. The task-usage table holds the readings the resources chart and the
per-job figures use: one source per task (suite.analyze.samples.one_source_rows), one row per task and
instant. The run table is one row of result.json's headline figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from suite.analyze.resources import CPU, CPU_RESERVED, MEM, MEM_RESERVED
from suite.analyze.rows import ColumnRows
from suite.analyze.samples import one_source_rows
from suite.isotime import parse_column, ts
from suite.report.jobs_csv import failed_steps
from suite.rundir.jsonio import stream_jsonl
from suite.rundir.paths import RunDir
from suite.rundir.readback import row_check
from suite.rundir.result_schema import PER_JOB_KEYS
from suite.rundir.table_io import write_table
from suite.rundir.tables import JOBS, RUN, TABLES_DIR, TASK_USAGE

FAILED = frozenset(("failure", "timed_out", "cancelled", "startup_failure"))  # as compare's failure_rate
ENDED = FAILED | {"success", "neutral"}
GITHUB_FIELDS = ("workflow_name", "head_branch", "head_sha", "labels", "runner_id", "runner_group_name")
SAMPLER, INSIGHTS = "sampler", "container_insights"
USAGE_METRICS = {CPU: "cpu_units", MEM: "memory_mib", CPU_RESERVED: "cpu_reserved"}
USAGE_METRICS[MEM_RESERVED] = "memory_reserved"
RENAMED = {"id": "job_id", "name": "job_name", "created": "created_at", "started": "started_at"}
RENAMED |= {"completed": "completed_at"}
TIMES = ("created_at", "started_at", "completed_at")


def table_files() -> dict[str, str]:
    """result.json's `tables`: each table's file, relative to the run directory."""
    return {t: f"{TABLES_DIR}/{t}.parquet" for t in (JOBS, TASK_USAGE, RUN)}


def write_tables(rd: RunDir, result: Mapping[str, Any], manifest: Mapping[str, Any]) -> None:
    """tables/jobs.parquet, tables/task_usage.parquet and tables/run.parquet of this result."""
    jobs = job_columns(rd, result, manifest)
    write_table(rd.path, JOBS, jobs)
    write_table(rd.path, TASK_USAGE, usage_columns(rd, result))
    write_table(rd.path, RUN, run_columns(result, manifest, jobs.get("conclusion", [])))


def per_job_columns(per_job: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """result.json's per_job as one list per key (its columns as they are, when it holds them)."""
    if isinstance(per_job, ColumnRows):
        return {k: per_job.column(k) for k in PER_JOB_KEYS}
    rows = list(per_job)  # a result read back from result.json: its rows already are dicts
    return {k: [r.get(k) for r in rows] for k in PER_JOB_KEYS}


def job_columns(rd: RunDir, result: Mapping[str, Any], manifest: Mapping[str, Any]) -> dict[str, Any]:
    per_job = per_job_columns(result.get("per_job") or ())
    n = len(per_job["id"])
    cols: dict[str, Any] = {RENAMED.get(k, k): v for k, v in per_job.items()}
    for name in TIMES:
        cols[name] = parse_column(cols[name])
    cols.update(_github_fields(rd, per_job["id"], per_job["run_id"]))
    scheduled, sent = _dispatch_times(rd, per_job["suite_id"], float(result.get("clock_offset_s") or 0.0))
    cols |= {"scheduled_at": scheduled, "sent_at": sent, "dispatch_lag_s": sent - scheduled}
    failed_at = failed_steps(result)
    cols["failed_step"] = [failed_at.get(i) for i in per_job["id"]]
    known = {t.get("task_id") for t in (result.get("tasks") or {}).get("per_task") or ()}
    cols["task_id"] = [r if r in known else None for r in per_job["runner_name"]]
    for name, value in {**_identity(result, manifest), **_sizing(result)}.items():
        cols[name] = [value] * n
    return cols


def _identity(result: Mapping[str, Any], manifest: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "repository": (manifest.get("github") or {}).get("repo"),
        "test_run_id": result.get("test_run_id"),
        "profile": result.get("profile"),
        "environment": result.get("environment"),
    }


def _sizing(result: Mapping[str, Any]) -> dict[str, Any]:
    fleet = result.get("fleet") or {}
    keys = ("runner_count", "ephemeral", "task_cpu", "task_memory", "cpu_architecture")
    return {k: fleet.get(k) for k in keys}


def _github_fields(rd: RunDir, job_ids: Sequence[Any], run_ids: Sequence[Any]) -> dict[str, list[Any]]:
    """GitHub's fields of each job (raw/jobs.jsonl, read once) and its run's workflow file."""
    at = {job_id: i for i, job_id in enumerate(job_ids)}
    out: dict[str, list[Any]] = {f: [None] * len(job_ids) for f in GITHUB_FIELDS}
    for job in stream_jsonl(rd.raw_file("jobs.jsonl"), row_check("jobs")):
        i = at.get(job.get("id"))
        if i is not None:
            for f in GITHUB_FIELDS:
                out[f][i] = job.get(f)
    labels = out["labels"]
    out["labels"] = [[str(x) for x in v] if isinstance(v, list) else None for v in labels]
    workflow: dict[Any, str | None] = {}
    for run in stream_jsonl(rd.raw_file("runs.jsonl"), row_check("runs")):
        path = run.get("path")
        workflow[run.get("id")] = PurePosixPath(path.split("@")[0]).name if isinstance(path, str) else None
    out["workflow"] = [workflow.get(r) for r in run_ids]
    return out


def _dispatch_times(rd: RunDir, suite_ids: Sequence[Any], shift: float) -> tuple[np.ndarray, np.ndarray]:
    """Per job, its suite_id's accepted dispatch (the last 2xx row) scheduled and sent times, epoch
    seconds on GitHub's clock (NaN when unknown)."""
    accepted: dict[Any, tuple[float, float]] = {}
    for row in stream_jsonl(rd.file("ledger.jsonl"), row_check("ledger")):
        status = row.get("status")
        if isinstance(status, int) and 200 <= status < 300:
            times = (_epoch(row.get("scheduled_at")), _epoch(row.get("sent_at")))
            accepted[row.get("suite_id")] = times
    nan = (np.nan, np.nan)
    pairs = np.array([accepted.get(s, nan) for s in suite_ids], dtype=float).reshape(-1, 2)
    return pairs[:, 0] + shift, pairs[:, 1] + shift


def _epoch(value: Any) -> float:
    t = ts(value) if isinstance(value, str) else None
    return np.nan if t is None else t


def usage_columns(rd: RunDir, result: Mapping[str, Any]) -> dict[str, list[Any]]:
    """One row per task and instant of the one-source metric rows (the sampler's for a task with
    readings, Container Insights' otherwise), the four figures side by side."""
    sampled: set[Any] = set()
    samples = rd.raw_file("samples.jsonl")
    readings = _noting(stream_jsonl(samples, row_check("samples")), sampled) if samples.exists() else ()
    at: dict[tuple[Any, Any], dict[str, Any]] = {}
    for row in one_source_rows(stream_jsonl(rd.raw_file("metrics.jsonl")), readings):
        name = USAGE_METRICS.get(str(row.get("metric")))
        if name is not None:
            at.setdefault((row.get("task_id"), row.get("timestamp")), {})[name] = row.get("value")
    keys = list(at)
    cols: dict[str, list[Any]] = {
        "test_run_id": [result.get("test_run_id")] * len(keys),
        "task_id": [k[0] for k in keys],
        "time": parse_column([k[1] for k in keys]).tolist(),
        "source": [SAMPLER if k[0] in sampled else INSIGHTS for k in keys],
    }
    for name in USAGE_METRICS.values():
        cols[name] = [at[k].get(name) for k in keys]
    return cols


def _noting(rows: Iterable[dict[str, Any]], tasks: set[Any]) -> Iterator[dict[str, Any]]:
    """The rows, each one's task id added to `tasks` as it is read (one_source_rows reads every
    reading before it yields a row, so the set is whole by the first row)."""
    for row in rows:
        tasks.add(row.get("task_id"))
        yield row


def run_columns(
    result: Mapping[str, Any], manifest: Mapping[str, Any], conclusions: Sequence[Any]
) -> dict[str, list[Any]]:
    """The run's one row: its identity, sizing and headline figures as result.json holds them."""

    def at(path: str) -> Any:
        node: Any = result
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        return node

    ended = [c for c in conclusions if c in ENDED]
    window = (at("window.start"), at("window.end"))
    row = {
        **_identity(result, manifest),
        **_sizing(result),
        "result_schema": result.get("schema"),
        "window_start": _epoch(window[0]),
        "window_end": _epoch(window[1]),
        "workflows_scheduled": at("completeness.scheduled"),
        "workflows_dispatched": at("workflows.dispatched"),
        "workflows_collected": at("workflows.collected"),
        "jobs": at("jobs.count"),
        "queue_p50_s": at("queue_time_s.p50"),
        "queue_p95_s": at("queue_time_s.p95"),
        "execution_p50_s": at("execution_time_s.p50"),
        "execution_p95_s": at("execution_time_s.p95"),
        "concurrency_max": at("concurrency.max"),
        "throughput_jobs_per_min": at("throughput.jobs_per_min"),
        "job_failure_rate": sum(c in FAILED for c in ended) / len(ended) if ended else None,
        "cost_per_job_usd": at("cost.per_job_usd"),
        "currency": at("cost.prices.currency"),
        "utilization": at("runners.utilization"),
        "verdict": result.get("verdict"),
    }
    return {k: [v] for k, v in row.items()}

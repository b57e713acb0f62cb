"""The run directory's tables (suite/rundir/tables.py: jobs, task usage, run) from what the report has.

Written from memory, no raw file read again. The job table is `per_job` taken column by column (never a
dict per row) with the columns the analysis kept beside it in memory (suite.pipeline.job_taps, as the
raw rows passed once): GitHub's fields (workflow_name, head_branch, head_sha, labels, runner_id,
runner_group_name), the workflow file; and from the analysis (suite.analyze.per_job.dispatch_times) the
accepted dispatch's scheduled and sent times (shifted by clock_offset_s onto GitHub's clock, as the
analysis compares them) and dispatch_lag_s from the ledger's milliseconds; plus the ECS task (the
runner_name when the result's in-memory `per_task` holds it) and the fleet's sizing from the manifest.
The task-usage table is the result's in-memory `task_usage` (suite.analyze.samples.task_usage: the
samples the per-job figures use, one source per task, one row per task and instant). The run table is
one row of result.json's headline figures. The timeline, task and runner tables are the result's
in-memory `timeline`, `per_task` and `per_runner` columns (suite.analyze.item_columns: the per-item
lists result.json leaves out), with the run's test_run_id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from suite.analyze.per_job import JobRows
from suite.analyze.rows import Coded, ColumnRows
from suite.isotime import parse_column, ts
from suite.rundir.column_chunks import as_list
from suite.rundir.paths import RunDir
from suite.rundir.result_schema import PER_JOB_KEYS
from suite.rundir.table_io import Repeated, schema, write_table
from suite.rundir.tables import JOBS, RUN, RUNNERS, TABLES_DIR, TASK_USAGE, TASKS, TIMELINE

FAILED = frozenset(("failure", "timed_out", "cancelled", "startup_failure"))  # as compare's failure_rate
ENDED = FAILED | {"success", "neutral"}
GITHUB_FIELDS = ("workflow_name", "head_branch", "head_sha", "labels", "runner_id", "runner_group_name")
JOINED = (*GITHUB_FIELDS, "workflow", "scheduled_at", "sent_at", "dispatch_lag_s")  # per_job's extra columns
RENAMED = {"id": "job_id", "name": "job_name", "created": "created_at", "started": "started_at"}
RENAMED |= {"completed": "completed_at"}
TIMES = ("created_at", "started_at", "completed_at")


def table_files() -> dict[str, str]:
    """result.json's `tables`: each table's file, relative to the run directory."""
    return {t: f"{TABLES_DIR}/{t}.parquet" for t in (*WRITTEN, RUN)}


WRITTEN = (JOBS, TASK_USAGE, TIMELINE, TASKS, RUNNERS)  # then RUN, from the job table's conclusions
IN_MEMORY = {TASK_USAGE: "task_usage", TIMELINE: "timeline", TASKS: "per_task", RUNNERS: "per_runner"}


def write_other_tables(rd: RunDir, result: Mapping[str, Any], manifest: Mapping[str, Any]) -> None:
    """Every table but the job table (suite.report.job_files writes it)."""
    for table, key in IN_MEMORY.items():
        write_table(rd.path, table, item_columns(result, key))
    write_table(rd.path, RUN, run_columns(result, manifest, conclusions(result.get("per_job") or ())))


def conclusions(per_job: Iterable[Mapping[str, Any]]) -> Sequence[Any] | np.ndarray | Coded:
    """Each job's conclusion (the run table's failure rate), as per_job keeps them (coded, when it is)."""
    if isinstance(per_job, ColumnRows):
        (kept,) = per_job.columns(["conclusion"])
        if isinstance(kept, Coded):
            return kept
        array = per_job.array("conclusion")
        return per_job.column("conclusion") if array is None else array
    return [row.get("conclusion") for row in per_job]


def failure_rate(conclusions: Sequence[Any] | np.ndarray | Coded) -> float | None:
    """Failed jobs / jobs that ended (FAILED among ENDED); None when none ended. A coded column is
    counted by code (no Python value per job)."""
    if isinstance(conclusions, Coded):
        counts = np.bincount(conclusions.codes, minlength=len(conclusions.words)).tolist()
        words = conclusions.words.tolist()
        ended = sum(n for w, n in zip(words, counts, strict=True) if w in ENDED)
        failed = sum(n for w, n in zip(words, counts, strict=True) if w in FAILED)
    else:
        values = [c for c in as_list(conclusions) if c in ENDED]
        ended, failed = len(values), sum(c in FAILED for c in values)
    return failed / ended if ended else None


def table_cells(made: Mapping[str, Any]) -> dict[str, Any]:
    """per_job's columns made Arrow elsewhere (jobs.csv's), by the job table's names for them, of the
    contract's type only (a hand-built result's ISO times are text to jobs.csv, not timestamps)."""
    types = {f.name: f.type for f in schema(JOBS)}
    named = {RENAMED.get(k, k): v for k, v in made.items() if k in PER_JOB_KEYS}
    return {k: v for k, v in named.items() if v.type == types.get(k)}


def per_job_columns(per_job: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """result.json's per_job as one list per key (its columns as they are, when it holds them)."""
    if isinstance(per_job, ColumnRows):
        return {k: per_job.column(k) for k in PER_JOB_KEYS}
    rows = list(per_job)  # a result read back from result.json: its rows already are dicts
    return {k: [r.get(k) for r in rows] for k in PER_JOB_KEYS}


def per_job_arrays(per_job: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """per_job's columns for the table: each numpy array as the analysis keeps it (floats with NaN for
    null, a time column as epoch seconds), no Python value per job; a column kept as a list (a result
    not from the analysis) as per_job_columns gives it, its times as epoch seconds."""
    arrays: dict[str, Any] = (
        {k: per_job.array(k) for k in PER_JOB_KEYS} if isinstance(per_job, ColumnRows) else {}
    )
    missing = [k for k in PER_JOB_KEYS if arrays.get(k) is None]
    if missing:
        listed = per_job_columns(per_job)
        for k in missing:
            arrays[k] = parse_column(listed[k]) if RENAMED.get(k, k) in TIMES else listed[k]
    return arrays


def job_columns(rd: RunDir, result: Mapping[str, Any], manifest: Mapping[str, Any]) -> dict[str, Any]:
    per_job = per_job_arrays(result.get("per_job") or ())
    n = len(per_job["id"])
    cols: dict[str, Any] = {RENAMED.get(k, k): v for k, v in per_job.items()}
    cols.update(_joined(result.get("per_job"), n))
    known = set((result.get("per_task") or {}).get("task_id") or ())
    rows = result.get("per_job")
    runners = per_job["runner_name"]
    if isinstance(rows, ColumnRows) and isinstance(runners, np.ndarray):
        # each distinct runner looked up once (the analysis keeps the column coded)
        ran_on_task = rows.per_value("runner_name", known.__contains__, bool)
        task_id = np.full(runners.size, None, dtype=object)
        task_id[ran_on_task] = runners[ran_on_task]
        cols["task_id"] = task_id
    else:
        cols["task_id"] = [r if r in known else None for r in as_list(runners)]
    for name, value in {**_identity(result, manifest), **_sizing(result)}.items():
        cols[name] = Repeated(value, n)
    return cols


def _joined(per_job: Any, n: int) -> dict[str, Any]:
    """GitHub's fields, the workflow file and the dispatch's times, as the analysis kept them in memory
    (suite.pipeline.job_taps); a result without them (not from suite.pipeline.analysis) leaves them null."""
    extra = per_job.extra if isinstance(per_job, JobRows) else {}
    return {name: extra.get(name, [None] * n) for name in JOINED}


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


def _epoch(value: Any) -> float:
    t = ts(value) if isinstance(value, str) else None
    return np.nan if t is None else t


def item_columns(result: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A table of the result's in-memory columns `key` with the run's test_run_id (none without them):
    task_usage (suite.analyze.samples.task_usage: one row per task and instant of the one-source samples,
    the four figures side by side), timeline, per_task, per_runner (suite.analyze.item_columns)."""
    cols = result.get(key) or {}
    n = len(next(iter(cols.values()))) if cols else 0
    return {"test_run_id": Repeated(result.get("test_run_id"), n), **cols}


def run_columns(
    result: Mapping[str, Any], manifest: Mapping[str, Any], conclusions: Sequence[Any] | np.ndarray | Coded
) -> dict[str, list[Any]]:
    """The run's one row: its identity, sizing and headline figures as result.json holds them."""

    def at(path: str) -> Any:
        node: Any = result
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        return node

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
        "job_failure_rate": failure_rate(conclusions),
        "cost_per_job_usd": at("cost.per_job_usd"),
        "currency": at("cost.prices.currency"),
        "utilization": at("runners.utilization"),
        "verdict": result.get("verdict"),
    }
    return {k: [v] for k, v in row.items()}

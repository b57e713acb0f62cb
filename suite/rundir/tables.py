"""The run directory's tables: one row per job, per task-usage reading and per run, as Parquet files under
`tables/`, the shape every other engine reads (DuckDB across run directories, ClickHouse, OpenTelemetry).

This module is the contract, pure data: each table's file and its columns (name, Arrow type, meaning).
The job table's columns mirror GitHub's `workflow_job` object plus what the suite joins to it. Times are
UTC timestamps with millisecond precision; a figure that was not observed is null (never 0), and the
result.json `reasons` say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TABLES_DIR = "tables"
JOBS, TASK_USAGE, RUN = "jobs", "task_usage", "run"
TIMELINE, TASKS, RUNNERS = "timeline", "tasks", "runners"  # the per-item lists result.json v2 leaves out
TIMESTAMP = "timestamp[ms, tz=UTC]"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # an Arrow type as pyarrow spells it: string, int64, float64, bool, list<string>, TIMESTAMP
    meaning: str


def table_path(run_dir: Path, table: str) -> Path:
    """Where a run directory keeps `table` (JOBS, TASK_USAGE or RUN)."""
    return Path(run_dir) / TABLES_DIR / f"{table}.parquet"


JOB_COLUMNS: tuple[Column, ...] = (
    Column("repository", "string", "owner/name the workflow ran in"),
    Column("test_run_id", "string", "the suite's run (the run directory's name)"),
    Column("profile", "string", "the profile's name"),
    Column("environment", "string", "local (the twin), aws or existing"),
    Column("suite_id", "string", "the dispatch's id, the workflow run's title"),
    Column("workflow", "string", "the workflow file dispatched"),
    Column("workflow_name", "string", "GitHub's workflow_name"),
    Column("run_id", "int64", "GitHub's workflow run id"),
    Column("run_attempt", "int64", "GitHub's run_attempt"),
    Column("job_id", "int64", "GitHub's job id"),
    Column("job_name", "string", "GitHub's job name"),
    Column("head_branch", "string", "GitHub's head_branch"),
    Column("head_sha", "string", "GitHub's head_sha"),
    Column("status", "string", "GitHub's status"),
    Column("conclusion", "string", "GitHub's conclusion (null until completed)"),
    Column("failure_cause", "string", "why a job that did not succeed failed; null on success"),
    Column("failed_step", "string", "the step a failed job failed at"),
    Column("labels", "list<string>", "the job's runs-on labels"),
    Column("runner_id", "int64", "GitHub's runner_id"),
    Column("runner_name", "string", "GitHub's runner_name (on this fleet: the ECS task id)"),
    Column("runner_group_name", "string", "GitHub's runner_group_name"),
    Column("task_id", "string", "the ECS task that ran the job (runner_name matched to the fleet's tasks)"),
    Column("scheduled_at", TIMESTAMP, "when the schedule said to dispatch the workflow (GitHub's clock)"),
    Column("sent_at", TIMESTAMP, "when the dispatch was sent (GitHub's clock)"),
    Column("dispatch_lag_s", "float64", "sent_at - scheduled_at"),
    Column("created_at", TIMESTAMP, "GitHub's created_at"),
    Column("started_at", TIMESTAMP, "GitHub's started_at"),
    Column("completed_at", TIMESTAMP, "GitHub's completed_at"),
    Column("queue_s", "float64", "started_at - created_at"),
    Column("execution_s", "float64", "completed_at - started_at"),
    Column("queue_from_schedule_s", "float64", "started_at - scheduled_at"),
    Column("samples", "int64", "CPU/memory readings inside the job's interval"),
    Column("cpu_max", "float64", "CPU units (1024 = 1 vCPU), the job's highest reading"),
    Column("cpu_mean", "float64", "CPU units, time-weighted mean over the job"),
    Column("cpu_max_pct", "float64", "cpu_max as % of the task's CPU"),
    Column("cpu_mean_pct", "float64", "cpu_mean as % of the task's CPU"),
    Column("memory_max", "float64", "MiB, the job's highest reading"),
    Column("memory_mean", "float64", "MiB, time-weighted mean over the job"),
    Column("memory_max_pct", "float64", "memory_max as % of the task's memory"),
    Column("memory_mean_pct", "float64", "memory_mean as % of the task's memory"),
    Column("resource_source", "string", "sampler or container_insights"),
    Column("resource_reason", "string", "why the CPU/memory figures are null, when they are"),
    Column("runner_count", "int64", "the fleet's configured runners"),
    Column("ephemeral", "bool", "whether the fleet's runners are ephemeral"),
    Column("task_cpu", "int64", "the task's CPU units"),
    Column("task_memory", "int64", "the task's memory, MiB"),
    Column("cpu_architecture", "string", "X86_64 or ARM64 (null when the fleet does not say)"),
    Column("cost_usd", "float64", "execution_s x the task's price (null without a price)"),
)

TASK_USAGE_COLUMNS: tuple[Column, ...] = (
    Column("test_run_id", "string", "the suite's run"),
    Column("task_id", "string", "the ECS task"),
    Column("time", TIMESTAMP, "when the reading was taken"),
    Column("cpu_units", "float64", "CPU units used (1024 = 1 vCPU)"),
    Column("memory_mib", "float64", "memory used, MiB"),
    Column("cpu_reserved", "float64", "the task's CPU units"),
    Column("memory_reserved", "float64", "the task's memory, MiB"),
    Column("source", "string", "sampler or container_insights"),
)

RUN_COLUMNS: tuple[Column, ...] = (
    Column("test_run_id", "string", "the suite's run"),
    Column("profile", "string", "the profile's name"),
    Column("environment", "string", "local, aws or existing"),
    Column("repository", "string", "owner/name"),
    Column("result_schema", "string", "result.json's schema"),
    Column("window_start", TIMESTAMP, "result.json window.start"),
    Column("window_end", TIMESTAMP, "result.json window.end"),
    Column("runner_count", "int64", "the fleet's configured runners"),
    Column("ephemeral", "bool", "ephemeral runners"),
    Column("task_cpu", "int64", "CPU units per task"),
    Column("task_memory", "int64", "MiB per task"),
    Column("cpu_architecture", "string", "X86_64 or ARM64"),
    Column("workflows_scheduled", "int64", "completeness.scheduled"),
    Column("workflows_dispatched", "int64", "workflows.dispatched"),
    Column("workflows_collected", "int64", "workflows.collected (null: not collected)"),
    Column("jobs", "int64", "jobs.count"),
    Column("queue_p50_s", "float64", "queue_time_s.p50"),
    Column("queue_p95_s", "float64", "queue_time_s.p95"),
    Column("execution_p50_s", "float64", "execution_time_s.p50"),
    Column("execution_p95_s", "float64", "execution_time_s.p95"),
    Column("concurrency_max", "int64", "concurrency.max"),
    Column("throughput_jobs_per_min", "float64", "throughput.jobs_per_min"),
    Column("job_failure_rate", "float64", "jobs that did not succeed / jobs that ended"),
    Column("cost_per_job_usd", "float64", "cost.per_job_usd"),
    Column("currency", "string", "cost.prices.currency"),
    Column("utilization", "float64", "runners.utilization (busy runner time / configured runner time)"),
    Column("verdict", "string", "pass, fail, inconclusive or incomplete"),
)

# one row per instant where the number of running or waiting jobs changes (two exact step functions on
# one time axis: each level holds from its row's time until the next row's)
TIMELINE_COLUMNS: tuple[Column, ...] = (
    Column("test_run_id", "string", "the suite's run"),
    Column("time", TIMESTAMP, "an instant where either level changes"),
    Column(
        "running", "int64", "jobs running from this instant (result.json concurrency: [started, completed))"
    ),
    Column(
        "waiting", "int64", "jobs waiting from this instant (result.json jobs_waiting: [created, started))"
    ),
)

# one row per ECS task with a lifecycle event (result.json tasks' figures are over these rows)
TASK_COLUMNS: tuple[Column, ...] = (
    Column("test_run_id", "string", "the suite's run"),
    Column("task_id", "string", "the ECS task (the runner name on this fleet)"),
    Column("created_at", TIMESTAMP, "the task's createdAt (first event that carries it)"),
    Column("started_at", TIMESTAMP, "the task's startedAt"),
    Column("first_job_at", TIMESTAMP, "started_at of its first job of this test (null: it ran none)"),
    Column("stopped_at", TIMESTAMP, "the task's stoppedAt"),
    Column("last_status", "string", "the task's last lastStatus"),
    Column("cold_start_s", "float64", "started_at - created_at"),
    Column("started_to_first_job_s", "float64", "first_job_at - started_at"),
    Column("created_to_first_job_s", "float64", "first_job_at - created_at"),
)

# one row per runner name that ran a job of this test (result.json runners' figures are over these rows)
RUNNER_COLUMNS: tuple[Column, ...] = (
    Column("test_run_id", "string", "the suite's run"),
    Column("runner_name", "string", "GitHub's runner_name"),
    Column("jobs", "int64", "jobs of this test it ran"),
    Column("busy_s", "float64", "seconds of its jobs' [started, completed) inside the window"),
    Column("utilization", "float64", "busy_s / the window's seconds (null without a window)"),
)

COLUMNS = {
    JOBS: JOB_COLUMNS,
    TASK_USAGE: TASK_USAGE_COLUMNS,
    RUN: RUN_COLUMNS,
    TIMELINE: TIMELINE_COLUMNS,
    TASKS: TASK_COLUMNS,
    RUNNERS: RUNNER_COLUMNS,
}

-- The run directory's tables (suite/rundir/tables.py) in ClickHouse: one table each, the contract's
-- columns in its order, with ClickHouse types. `${database}` is the database the export URL names.
-- ReplacingMergeTree(exported_at): a re-export inserts the same keys with a later exported_at, and
-- ClickHouse keeps one row per sorting key when it merges parts (in the background, at a time of its
-- choosing): queries read with FINAL (or argMax(column, exported_at)) to see each row once.
-- Nullable wherever the contract allows null; key and partition columns are never null (an export
-- checks that first). Statements end with a semicolon at the end of a line.

CREATE DATABASE IF NOT EXISTS ${database};

CREATE TABLE IF NOT EXISTS ${database}.jobs
(
    repository LowCardinality(String),
    test_run_id LowCardinality(String),
    profile LowCardinality(Nullable(String)),
    environment LowCardinality(Nullable(String)),
    suite_id Nullable(String),
    workflow LowCardinality(Nullable(String)),
    workflow_name LowCardinality(Nullable(String)),
    run_id Nullable(Int64),
    run_attempt Nullable(Int64),
    job_id Int64,
    job_name LowCardinality(Nullable(String)),
    head_branch LowCardinality(Nullable(String)),
    head_sha Nullable(String),
    status LowCardinality(Nullable(String)),
    conclusion LowCardinality(Nullable(String)),
    failure_cause LowCardinality(Nullable(String)),
    failed_step LowCardinality(Nullable(String)),
    labels Array(LowCardinality(String)),
    runner_id Nullable(Int64),
    runner_name Nullable(String),
    runner_group_name LowCardinality(Nullable(String)),
    task_id Nullable(String),
    scheduled_at Nullable(DateTime64(3, 'UTC')),
    sent_at Nullable(DateTime64(3, 'UTC')),
    dispatch_lag_s Nullable(Float64),
    created_at DateTime64(3, 'UTC'),
    started_at Nullable(DateTime64(3, 'UTC')),
    completed_at Nullable(DateTime64(3, 'UTC')),
    queue_s Nullable(Float64),
    execution_s Nullable(Float64),
    queue_from_schedule_s Nullable(Float64),
    samples Nullable(Int64),
    cpu_max Nullable(Float64),
    cpu_mean Nullable(Float64),
    cpu_max_pct Nullable(Float64),
    cpu_mean_pct Nullable(Float64),
    memory_max Nullable(Float64),
    memory_mean Nullable(Float64),
    memory_max_pct Nullable(Float64),
    memory_mean_pct Nullable(Float64),
    resource_source LowCardinality(Nullable(String)),
    resource_reason LowCardinality(Nullable(String)),
    runner_count Nullable(Int64),
    ephemeral Nullable(Bool),
    task_cpu Nullable(Int64),
    task_memory Nullable(Int64),
    cpu_architecture LowCardinality(Nullable(String)),
    cost_usd Nullable(Float64),
    exported_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(exported_at)
PARTITION BY toYYYYMM(created_at)
ORDER BY (repository, job_id, test_run_id);

CREATE TABLE IF NOT EXISTS ${database}.task_usage
(
    test_run_id LowCardinality(String),
    task_id String,
    time DateTime64(3, 'UTC'),
    cpu_units Nullable(Float64),
    memory_mib Nullable(Float64),
    cpu_reserved Nullable(Float64),
    memory_reserved Nullable(Float64),
    source LowCardinality(String),
    exported_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(exported_at)
PARTITION BY toYYYYMM(time)
ORDER BY (test_run_id, task_id, time, source);

CREATE TABLE IF NOT EXISTS ${database}.runs
(
    test_run_id String,
    profile LowCardinality(Nullable(String)),
    environment LowCardinality(Nullable(String)),
    repository LowCardinality(Nullable(String)),
    result_schema LowCardinality(Nullable(String)),
    window_start Nullable(DateTime64(3, 'UTC')),
    window_end Nullable(DateTime64(3, 'UTC')),
    runner_count Nullable(Int64),
    ephemeral Nullable(Bool),
    task_cpu Nullable(Int64),
    task_memory Nullable(Int64),
    cpu_architecture LowCardinality(Nullable(String)),
    workflows_scheduled Nullable(Int64),
    workflows_dispatched Nullable(Int64),
    workflows_collected Nullable(Int64),
    jobs Nullable(Int64),
    queue_p50_s Nullable(Float64),
    queue_p95_s Nullable(Float64),
    execution_p50_s Nullable(Float64),
    execution_p95_s Nullable(Float64),
    concurrency_max Nullable(Int64),
    throughput_jobs_per_min Nullable(Float64),
    job_failure_rate Nullable(Float64),
    cost_per_job_usd Nullable(Float64),
    currency LowCardinality(Nullable(String)),
    utilization Nullable(Float64),
    verdict LowCardinality(Nullable(String)),
    exported_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(exported_at)
ORDER BY test_run_id;

-- the run table's columns added after the first release of this DDL (a database made before them)
ALTER TABLE ${database}.runs
    ADD COLUMN IF NOT EXISTS workflows_scheduled Nullable(Int64) AFTER cpu_architecture,
    ADD COLUMN IF NOT EXISTS workflows_collected Nullable(Int64) AFTER workflows_dispatched,
    ADD COLUMN IF NOT EXISTS currency LowCardinality(Nullable(String)) AFTER cost_per_job_usd,
    ADD COLUMN IF NOT EXISTS utilization Nullable(Float64) AFTER currency;

"""result.json's sections as TypedDicts, one per section (schema suite.result/v2); `steps` is in
suite.rundir.step_types, `failures` in suite.rundir.failure_types, `rightsize` and `cost` in
suite.rundir.cost_types. The catalogue derived from them
(DISTRIBUTIONS, NUMBERS, field(), ...) is in suite.rundir.result_schema, which re-exports every name
here. Units are in the names: _s seconds, _pct percent, _per_min per minute. Imports nothing else from
the suite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

from suite.rundir.cost_types import Cost, Rightsize
from suite.rundir.dist_type import Distribution
from suite.rundir.failure_types import FailureCounts, Failures  # noqa: F401  (re-exported)
from suite.rundir.step_types import (  # noqa: F401 (re-exported)
    FailedStep,
    FailedStepCount,
    StepFigures,
    Steps,
    StepsSection,
)

# v2: no per-item list: per_job, the timelines, per_task and per_runner are tables/*.parquet (v1 held them
# inline; the figures are unchanged)
SCHEMA = "suite.result/v2"
DIST_STATS: tuple[str, ...] = ("count", "min", "mean", "p50", "p90", "p95", "p99", "max")


class Fleet(TypedDict, total=False):
    """The fleet's configuration as the manifest holds it (these keys and others): a target, never
    an observed figure, so none of it is in NUMBERS."""

    runner_count: int
    ephemeral: bool
    task_cpu: int
    task_memory: int
    cluster: str | None  # None: an `existing` fleet without ECS (measured GitHub-side only)
    service: str | None
    region: str | None
    labels: list[str]  # the fleet's runners are those carrying all of them


class Window(TypedDict):
    start: str | None  # first dispatch's scheduled_at, on GitHub's clock
    end: str | None  # last job's completed_at
    duration_s: float | None


class MissingWorkflow(TypedDict):
    suite_id: str
    reason: str


class NotDispatched(TypedDict):
    suite_id: str
    status: int | None
    error: str | None


class Workflows(TypedDict):
    dispatched: int
    collected: int | None  # null when raw/runs.jsonl is absent (never collected)
    succeeded: int | None
    failed: int | None
    incomplete: int | None
    success_rate: float | None  # over every accepted dispatch
    missing: list[MissingWorkflow]
    not_dispatched: list[NotDispatched]


class JobCounts(TypedDict):
    """null when raw/jobs.jsonl is absent (never collected)."""

    count: int | None
    succeeded: int | None
    failed: int | None
    cancelled: int | None
    skipped: int | None
    incomplete: int | None
    ran: int | None


class Dispatch(TypedDict):
    clock_speed: float
    late_after_real_s: float
    late: int
    not_dispatched: int
    aborted: dict[str, Any] | None  # {at, reason, threshold, value, ...} as the run recorded it


class Concurrency(TypedDict):
    max: int | None  # null when no job of this test ran
    mean: float | None  # time-weighted over the window (the step function: tables/timeline.parquet)


class MinuteCounts(TypedDict):
    minute: str | None
    started: int
    completed: int


class Throughput(TypedDict):
    completed: int | None  # null when no job of this test ran
    jobs_per_min: float | None
    per_minute: list[MinuteCounts]


class Runners(TypedDict):
    configured: int | None  # from the manifest: a target, never an observation
    observed: int | None  # null when no job of this test ran
    registered_seen: int | None
    busy_runner_s: float | None  # null when no job of this test ran
    utilization: float | None  # per runner: tables/runners.parquet


class LittleLaw(TypedDict):
    mean_concurrency: float | None
    throughput_per_s: float | None
    mean_execution_s: float | None
    throughput_x_execution: float | None
    relative_error: float | None


class Tasks(TypedDict):
    count: int
    with_jobs: int | None  # null when raw/jobs.jsonl is absent
    cold_start_s: Distribution
    started_to_first_job_s: Distribution
    created_to_first_job_s: Distribution  # per task: tables/tasks.parquet


class QueueTrend(TypedDict):
    jobs: int
    slope_s_per_s: float
    first_third_p50_s: float
    last_third_p50_s: float
    rising: bool


class Stage(TypedDict):
    stage: int
    start: str | None
    end: str | None
    duration_s: float
    target_rate_per_min: float
    target_start_rate_per_min: float
    target_end_rate_per_min: float
    dispatched: int  # accepted workflows scheduled in the stage: the offered load
    not_offered: int  # scheduled in the stage, never accepted (not sent after an abort, or refused)
    offered_per_min: float | None
    completed: int  # of the stage's workflows, completed by completed_by
    completed_by: str | None  # stage end + lag_s + jitter_s
    completed_per_min: float | None
    completed_ratio: float | None
    deficit: int  # dispatched − completed
    jobs: int
    queue_time_s: Distribution
    queue_from_schedule_s: Distribution
    queue_trend: QueueTrend | None
    busy_runner_s: float
    utilization: float | None
    evidence: list[str]  # why this stage saturated (empty: it kept up)


class SaturationPoint(TypedDict):
    stage: int
    target_rate_per_min: float
    offered_per_min: float | None
    completed_ratio: float | None
    queue_p95_s: float | None
    utilization: float | None
    evidence: list[str]


class Saturation(TypedDict):
    pattern: str
    definition: str
    origin: str | None
    lag_s: float | None
    jitter_s: float | None  # max − min observed execution time
    stages: list[Stage]
    point: SaturationPoint | None


class JobsWaiting(TypedDict):
    """Jobs created but not yet started, as a step function over the window (suite.analyze.headroom)."""

    max: int | None
    mean: float | None  # time-weighted over the window
    definition: str  # the step function: tables/timeline.parquet `waiting`


class Occupancy(TypedDict):
    """Slot occupancy: busy or booting runner-seconds per configured runner-second of the window."""

    slot_occupancy: float | None
    utilization: float | None  # runners.utilization, beside it
    busy_runner_s: float | None  # runners.busy_runner_s (null when no job of this test ran)
    booting_runner_s: float | None
    tasks_observed: int
    definition: str


class Recovery(TypedDict):
    """Spike profiles: how long after the surge queue time is back near its baseline."""

    definition: str
    surge_start: str | None
    surge_end: str | None
    baseline_queue_s: Distribution
    near_s: float | None
    jobs_after_surge: int
    recovered_at: str | None
    recovery_s: float | None
    baseline_max_waiting: int | None  # the highest jobs-waiting level during the baseline
    backlog_drained_at: str | None
    backlog_drained_s: float | None  # surge end -> jobs waiting back to <= baseline_max_waiting for good


class ResourceFigures(TypedDict):
    unit: str
    max: Distribution
    mean: Distribution
    max_pct: Distribution
    mean_pct: Distribution


class Resources(TypedDict):
    cpu: ResourceFigures  # CPU units (1024 = 1 vCPU)
    memory: ResourceFigures  # MiB
    jobs_with_samples: int | None  # null when no job of this test ran
    jobs_without_samples: int | None


class EndpointCounts(TypedDict):
    requests: int
    counted: int
    not_modified: int


class Api(TypedDict, total=False):
    """The GitHub client's counters (empty when the run made no request through it)."""

    requests: int
    counted: int
    not_modified: int
    retries: int
    rate_limited: int
    connection_errors: int
    waited_s: float
    backoff_s: float
    paced_s: float
    dispatched_workflows: int
    per_workflow: float | None
    per_endpoint: dict[str, EndpointCounts]
    dispatches_by_workflow: dict[str, dict[str, int]]


class _ThresholdJudged(TypedDict):
    expr: str
    value: float | None
    ok: bool  # false when the threshold failed or could not be judged
    reason: str | None  # why it could not be judged
    status: str  # pass | fail | inconclusive (suite.gates.verdict)


class ThresholdResult(_ThresholdJudged, total=False):
    sampled: str  # the distribution statistic read with the fewest samples to spare
    samples: int  # its distribution's count
    needs: int  # the samples that statistic needs (suite.gates.verdict.needed_samples)
    abort_on_fail: bool


class Completeness(TypedDict):
    """Whether the figures cover the whole load (suite.analyze.completeness; incomplete if not)."""

    scheduled: int  # dispatches in the schedule (schedule.json, else the ledger's suite_ids)
    sent: int  # scheduled dispatches sent at least once
    never_sent: int  # scheduled − sent: the run stopped before their time
    stopped_by: str | None  # abort_on_fail | interruption | null (the whole schedule was sent)
    collected: bool  # the run ended and collection wrote raw/runs.jsonl and raw/jobs.jsonl
    not_collected_why: str | None
    ended_by: str | None  # manifest.ended_by: "suite collect after an interruption"


class PerJob(TypedDict):
    """One row per job of this test, in this order (jobs.csv's columns)."""

    id: int
    run_id: int
    run_attempt: int
    suite_id: str
    name: str
    runner_name: str | None
    status: str
    conclusion: str | None
    failure_cause: str | None  # one of FailureCounts' causes; null when the job did not fail
    created: str | None
    started: str | None
    completed: str | None
    queue_s: float | None
    execution_s: float | None
    queue_from_schedule_s: float | None
    cost_usd: float | None  # execution_s × the task price per second (suite.analyze.cost)
    samples: int
    cpu_max: float | None
    cpu_mean: float | None
    cpu_max_pct: float | None
    cpu_mean_pct: float | None
    memory_max: float | None
    memory_mean: float | None
    memory_max_pct: float | None
    memory_mean_pct: float | None
    resource_source: str | None  # "sampler" | "container_insights": its task's; null when no figure
    resource_reason: str | None
    failed_step: str | None  # a failed job's first failing step (suite.analyze.steps); null otherwise


class JobNameFigures(TypedDict):
    """One job name's jobs (result.json `by_job_name`, keyed by GitHub's job `name`): the headline
    definitions over that subset; total_time_s per job = its completed_at − its run's created_at."""

    jobs: JobCounts
    queue_time_s: Distribution  # started − created
    execution_time_s: Distribution  # completed − started
    total_time_s: Distribution  # completed − its run's created


class WorkflowFigures(TypedDict):
    """One workflow's runs and jobs (result.json `by_workflow`, keyed by the workflow file, e.g.
    runner_test.yml: the file name of the run's `path`, else the run's `name`)."""

    runs: int  # collected runs of this test
    jobs: JobCounts
    queue_time_s: Distribution  # started − created, over its jobs
    execution_time_s: Distribution  # completed − started, over its jobs
    total_time_s: Distribution  # per completed run: last job completed − run created


class Result(TypedDict):
    schema: str
    test_run_id: str | None
    profile: str | None
    environment: str | None
    suite_version: str | None
    clock_offset_s: float | None  # GitHub clock − local clock
    fleet: Fleet  # configuration: appears as configuration/targets only
    window: Window
    workflows: Workflows
    jobs: JobCounts
    queue_time_s: Distribution  # started − created
    execution_time_s: Distribution  # completed − started
    total_time_s: Distribution  # last job completed − run created
    dispatch_lag_s: Distribution  # sent − scheduled (virtual seconds on the twin)
    dispatch_lag_real_s: Distribution  # dispatch_lag_s / clock speed
    dispatch: Dispatch
    queue_from_schedule_s: Distribution  # started − scheduled (clock-offset corrected)
    concurrency: Concurrency
    throughput: Throughput
    runners: Runners
    little_law: LittleLaw
    tasks: Tasks
    saturation: Saturation | None  # step and ramp profiles only
    jobs_waiting: JobsWaiting
    occupancy: Occupancy
    recovery: Recovery | None  # spike profiles only
    resources: Resources
    steps: StepsSection  # per (job name, step): durations, slowest, failed steps (suite.analyze.steps)
    # in the in-memory result only (result_schema.IN_MEMORY_KEYS): result.json v2 never holds them; they
    # are tables/jobs.parquet (read back as these keys by suite.rundir.job_rows), tables/timeline.parquet,
    # tables/tasks.parquet and tables/runners.parquet (columns: suite.analyze.item_columns)
    per_job: Sequence[PerJob]
    timeline: dict[str, Any]  # time (epoch s), running, waiting: the two step functions
    per_task: dict[str, Any]  # suite.rundir.tables TASK_COLUMNS' names, times as epoch seconds
    per_runner: dict[str, Any]  # RUNNER_COLUMNS' names
    dispatches: dict[str, Any]  # per suite_id: scheduled, sent, last_sent (the page's; no table)
    task_usage: NotRequired[dict[str, Any]]  # TASK_USAGE_COLUMNS' names (suite.pipeline.analysis adds it)
    by_job_name: dict[str, JobNameFigures]  # keyed by job name, in order of first start
    by_workflow: dict[str, WorkflowFigures]  # keyed by workflow file
    failures: Failures | None  # null when raw/jobs.jsonl was never collected
    rightsize: Rightsize | None  # per job name (suite.analyze.rightsize); null: jobs never collected
    cost: Cost | None  # per job and for the fleet (suite.analyze.cost); null: jobs never collected
    api: Api
    thresholds: list[ThresholdResult]
    completeness: Completeness
    verdict: str  # pass | fail | inconclusive | incomplete (suite.gates.verdict)
    verdict_reasons: list[str]  # why, the deciding level's reasons first; empty for pass
    notes: list[str]
    reasons: dict[str, str]  # dotted path of a null figure -> why it could not be observed

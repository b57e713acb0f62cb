"""result.json's `rightsize` and `cost` sections, typed (re-exported by suite.rundir.result_types), and
the price table the analysis is given (suite.fleet.prices reads it; suite.analyze.cost prices a run
with it). The rules: docs/architecture.md, Definitions. Imports nothing from the suite but the shared
Distribution.
"""

from __future__ import annotations

from typing import TypedDict

from suite.rundir.dist_type import Distribution

# ---- the price table (configuration, not a figure) -------------------------------------------------


class PlatformPrices(TypedDict):
    vcpu_hour: float  # per vCPU-hour (1024 CPU units)
    gb_hour: float  # per GB-hour (1024 MiB of task memory)


class PriceTable(TypedDict):
    """Fargate on-demand prices: region -> CPU architecture (X86_64, ARM64) -> prices."""

    table: str  # where it was read: the shipped pricing/fargate.yaml or the user's file
    checked: str  # the date the prices were checked (YYYY-MM-DD)
    source: str  # where they were checked
    currency: str
    regions: dict[str, dict[str, PlatformPrices]]


# ---- rightsize ---------------------------------------------------------------------------------------


class TaskSize(TypedDict):
    task_cpu: int  # CPU units (1024 = 1 vCPU)
    task_memory: int  # MiB


class RightsizeRules(TypedDict):
    """The thresholds of the verdict (percent of the task's reservation / limit) and its sample rule."""

    min_jobs: int  # jobs with CPU and memory figures a verdict needs (fewer: inconclusive)
    memory_pressure_pct: float  # peak memory at or above this share of the limit: memory pressure
    cpu_bound_peak_pct: float  # CPU-bound: peak CPU at or above this ...
    cpu_bound_mean_pct: float  # ... and time-weighted mean CPU at or above this
    over_provisioned_peak_pct: float  # over-provisioned CPU: peak CPU below this


class JobNameRightsize(TypedDict):
    """One job name's jobs (or all jobs): peaks against the task's reservation, the verdict, the size."""

    verdict: str  # memory pressure | inconclusive | CPU-bound | over-provisioned CPU | fits
    reason: str  # the rule that decided, with its figures (or why no verdict could be reached)
    jobs: int  # jobs of this name that ran to completion
    measured: int  # of which with CPU and memory figures
    out_of_memory: int  # jobs of this name whose failure cause is out_of_memory
    cpu_peak: float | None  # CPU units: the highest cpu_max
    cpu_peak_pct: float | None  # the highest cpu_max_pct
    cpu_mean_pct: float | None  # cpu_mean_pct weighted by execution time
    memory_peak: float | None  # MiB: the highest memory_max
    memory_peak_pct: float | None  # the highest memory_max_pct
    recommended: TaskSize | None  # the smallest Fargate size keeping the headroom over both peaks
    recommended_note: str | None  # why it is null, or what it cannot see (an out-of-memory kill)


class Rightsize(TypedDict):
    definition: str
    headroom_pct: float  # the recommended size holds peak × (1 + headroom_pct / 100), CPU and memory
    rules: RightsizeRules
    current: TaskSize | None  # the fleet's size from the manifest (configuration); null when unknown
    all_jobs: JobNameRightsize  # every job of this test: the one size the fleet runs them on
    by_job_name: dict[str, JobNameRightsize]  # keyed by job name, in order of each name's first job


# ---- cost ------------------------------------------------------------------------------------------------


class PricesUsed(TypedDict):
    """The price table's entry the run was priced with, and where it came from."""

    table: str
    checked: str
    source: str
    currency: str
    region: str | None
    architecture: str  # X86_64 | ARM64
    architecture_from: str  # the manifest's fleet.cpu_architecture, or why X86_64 was taken
    vcpu_hour: float | None
    gb_hour: float | None
    task_hour: float | None  # one task of the fleet's size for an hour


class FleetCost(TypedDict):
    """Every task-second of the fleet inside the test window (raw/tasks.jsonl), split three ways."""

    tasks: int  # tasks with a createdAt whose lifetime overlaps the window
    task_s: float | None  # busy + idle + cold start
    busy_s: float | None  # running a job of this test
    idle_s: float | None  # started, running none
    cold_start_s: float | None  # created, not yet started
    idle_share: float | None  # idle_s / task_s
    cold_start_share: float | None  # cold_start_s / task_s
    usd: float | None  # task_s × the task price per second
    busy_usd: float | None
    idle_usd: float | None
    cold_start_usd: float | None


class JobNameCost(TypedDict):
    jobs: int  # jobs of this name with an execution cost
    execution_usd: float | None  # the sum of their execution costs
    mean_execution_usd: float | None


class Cost(TypedDict):
    definition: str
    prices: PricesUsed | None  # null when no price table was given
    execution_usd: Distribution  # per job that ran to completion: execution_s × task price per second
    run: FleetCost
    jobs: int  # jobs that ran to completion: the divisor of per_job_usd
    per_job_usd: float | None  # run.usd / jobs: the fleet's whole cost, idle and cold start included
    by_job_name: dict[str, JobNameCost]  # keyed by job name, in order of each name's first job

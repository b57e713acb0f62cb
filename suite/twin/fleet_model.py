"""The fleet simulator's configuration and records: FleetConfig (what the twin's fleet is), and the
Task, SimJob and SimRun records the simulator (suite.twin.fleet) keeps and the API serves."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from suite.twin.workflows import JobSpec, StepSpec, WorkflowDef

CONTAINER_INSIGHTS_MODES = ("enhanced", "standard")


@dataclass(frozen=True)
class FleetConfig:
    runners: int = 4
    ephemeral: bool = True
    cold_start_s: tuple[int, int] = (45, 90)
    pickup_latency_s: int = 1
    overhead_s: tuple[int, int] = (3, 6)  # per-job set-up, tear-down and unrecognised steps (job_model)
    stop_delay_s: int = 2  # ephemeral: job completed -> task STOPPED
    task_cpu: int = 1024
    task_memory: int = 2048
    labels: tuple[str, ...] = ("self-hosted", "linux", "x64", "ecs-fargate")
    cluster: str = "runner-suite-twin"
    service: str = "runners"
    region: str = "us-east-1"
    account: str = "123456789012"
    seed: int = 0
    # "enhanced": task metrics with a TaskId dimension (GetMetricData); "standard": no TaskId dimension,
    # the per-task figures only as `Type=Task` events in the performance log group
    container_insights: str = "enhanced"
    # the runner task carries the in-task sampler (terraform/ deploys it): its readings are published
    # (suite.twin.sampler); False: a fleet without it, whose figures come from Container Insights alone
    sampler: bool = True
    # what-if knobs on top of the job model (suite.twin.job_model; the defaults leave it alone): job time
    # = the model's time x job_time_factor x ((1 - cpu_bound_share) + cpu_bound_share / usable vCPUs),
    # rounded to whole seconds; usable vCPUs = task_cpu / 1024, capped at job_threads when set (a job
    # with 2 threads gains nothing from a 3rd vCPU). cpu_bound_share 1.0: a sleep job behaves as if CPU-bound
    job_time_factor: float = 1.0
    cpu_bound_share: float = 0.0
    # completion jitter: each job's time moves by a whole number of seconds drawn uniformly from
    # -N..+N (its own seeded stream; a job never takes less than 0 s): real fleets jitter, the model not
    completion_jitter_s: int = 0
    job_threads: int | None = None
    # capacity planning (suite.decisions.plan): draw a job's whole execution time / a task's cold start from
    # measured distributions instead of the model above; never serialised
    duration_sampler: Callable[[random.Random], int] | None = field(default=None, compare=False, repr=False)
    cold_start_sampler: Callable[[random.Random], int] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.completion_jitter_s < 0:
            raise ValueError(f"completion_jitter_s must be >= 0, not {self.completion_jitter_s}")
        if self.container_insights not in CONTAINER_INSIGHTS_MODES:
            raise ValueError(
                f"container_insights must be one of {', '.join(CONTAINER_INSIGHTS_MODES)}, "
                f"not {self.container_insights!r}"
            )
        if not 0.0 <= self.cpu_bound_share <= 1.0:
            raise ValueError(f"cpu_bound_share must be in [0, 1], not {self.cpu_bound_share!r}")
        if self.job_threads is not None and self.job_threads < 1:
            raise ValueError(f"job_threads must be >= 1 (or unset), not {self.job_threads!r}")

    def job_time_scale(self) -> float:
        """How much longer than sleep + overhead a job takes at this sizing (1.0: the plain model)."""
        share = self.cpu_bound_share
        if self.job_threads is None:
            return self.job_time_factor * ((1 - share) + share * 1024 / self.task_cpu)
        usable = min(self.task_cpu / 1024, float(self.job_threads))
        return self.job_time_factor * ((1 - share) + share / usable)

    def to_dict(self) -> dict[str, Any]:
        return {
            "runner_count": self.runners,
            "ephemeral": self.ephemeral,
            "cold_start_s": list(self.cold_start_s),
            "pickup_latency_s": self.pickup_latency_s,
            "overhead_s": list(self.overhead_s),
            "task_cpu": self.task_cpu,
            "task_memory": self.task_memory,
            "labels": list(self.labels),
            "cluster": self.cluster,
            "service": self.service,
            "region": self.region,
            "seed": self.seed,
            "job_time_factor": self.job_time_factor,
            "cpu_bound_share": self.cpu_bound_share,
            "job_threads": self.job_threads,
            "container_insights": self.container_insights,
            "completion_jitter_s": self.completion_jitter_s,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FleetConfig:
        return cls(
            runners=int(d["runner_count"]),
            ephemeral=bool(d["ephemeral"]),
            cold_start_s=(int(d["cold_start_s"][0]), int(d["cold_start_s"][1])),
            pickup_latency_s=int(d["pickup_latency_s"]),
            overhead_s=(int(d["overhead_s"][0]), int(d["overhead_s"][1])),
            task_cpu=int(d["task_cpu"]),
            task_memory=int(d["task_memory"]),
            labels=tuple(d["labels"]),
            cluster=str(d["cluster"]),
            service=str(d["service"]),
            region=str(d["region"]),
            seed=int(d["seed"]),
            job_time_factor=float(d.get("job_time_factor", 1.0)),
            cpu_bound_share=float(d.get("cpu_bound_share", 0.0)),
            job_threads=None if d.get("job_threads") is None else int(d["job_threads"]),
            container_insights=str(d.get("container_insights", "enhanced")),
            completion_jitter_s=int(d.get("completion_jitter_s", 0)),
        )


@dataclass
class Task:
    task_id: str
    created: int
    started: int | None = None
    stopped: int | None = None
    runner_id: int | None = None
    job_id: int | None = None  # running (or reserved for) this job
    busy: bool = False  # a job is executing (not just reserved)
    done_jobs: int = 0
    out_of_memory: bool = False  # its container was killed for exceeding the task's memory


@dataclass(frozen=True)
class StepRun:
    """One step as the job ran it, in the simulator's seconds (skipped: never started)."""

    name: str
    start: int | None
    end: int | None
    conclusion: str  # success | failure | skipped


@dataclass
class SimJob:
    id: int
    run_id: int
    key: str
    name: str
    steps: tuple[StepSpec, ...]
    created: int
    status: str = "queued"
    eligible: bool = True
    started: int | None = None
    completed: int | None = None
    task_id: str | None = None
    runner_id: int | None = None
    after: str | None = None
    conclusion: str | None = None  # success | failure | skipped, once completed
    step_runs: tuple[StepRun, ...] = ()  # Set up job, its steps, Complete job: fixed when it starts


@dataclass
class SimRun:
    id: int
    run_number: int
    workflow: WorkflowDef
    display_title: str
    inputs: dict[str, str]
    created: int
    specs: list[JobSpec]
    status: str = "queued"
    started: int | None = None
    updated: int = 0
    job_ids: dict[str, int] = field(default_factory=dict)  # spec key -> job id (once created)
    failed: bool = False  # a job concluded failure

    @property
    def conclusion(self) -> str | None:
        """GitHub's: null until completed, then failure when a job failed, else success."""
        if self.status != "completed":
            return None
        return "failure" if self.failed else "success"

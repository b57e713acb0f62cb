"""result.json's `steps` section as TypedDicts (schema suite.result/v2), re-exported by
suite.rundir.result_types. Imports nothing from the suite but the shared Distribution."""

from __future__ import annotations

from typing import TypedDict

from suite.rundir.dist_type import Distribution


class StepFigures(TypedDict):
    """One step of one job name: key (job name, step number, step name); number tells apart steps of
    the same name in one job. duration_s: completed_at − started_at of its steps with both stamps."""

    job_name: str
    number: int | None
    name: str
    steps: int  # steps seen with this key (skipped ones included)
    timed: int  # of which with both started_at and completed_at: duration_s's count
    failed: int  # of which concluded failure, timed_out or cancelled
    duration_s: Distribution


class FailedStep(TypedDict):
    """A failed job (conclusion failure or timed_out) and the first step (by number) whose conclusion
    is failure, timed_out or cancelled; step fields null with `reason` when no step says so."""

    job_id: int
    job_name: str
    step_number: int | None
    step_name: str | None
    step_conclusion: str | None
    reason: str | None


class FailedStepCount(TypedDict):
    """The failed jobs (conclusion failure or timed_out) of one job name that failed at one step: the
    first step (by number) whose conclusion is failure, timed_out or cancelled; step fields null with
    `reason` when no step says so. In order of each group's first job."""

    job_name: str
    step_number: int | None
    step_name: str | None
    step_conclusion: str | None
    reason: str | None
    jobs: int


class Steps(TypedDict):
    """suite.analyze.steps.step_figures' output: result.json's StepsSection plus one entry per failed
    job (failed_at: a per-item list, so the result assembly (suite.analyze.item_columns) makes it
    per_job's failed_step and the bounded failed_by_step)."""

    definition: str
    by_step: list[StepFigures]  # by job name (first job's order), then step number
    slowest: list[StepFigures]  # the by_step entries with the highest duration p95, slowest first
    failed_at: list[FailedStep]  # one per failed job, in the jobs' order


class StepsSection(TypedDict):
    """result.json `steps`."""

    definition: str
    by_step: list[StepFigures]
    slowest: list[StepFigures]
    # the failed jobs counted per (job name, step they failed at); per job: per_job's failed_step
    failed_by_step: list[FailedStepCount]

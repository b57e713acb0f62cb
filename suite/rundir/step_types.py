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


class Steps(TypedDict):
    definition: str
    by_step: list[StepFigures]  # by job name (first job's order), then step number
    slowest: list[StepFigures]  # the by_step entries with the highest duration p95, slowest first
    failed_at: list[FailedStep]  # one per failed job, in the jobs' order

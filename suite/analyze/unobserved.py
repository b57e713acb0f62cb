"""Figures that would read 0 where nothing was observed become null, with the reason (pure).

Collection files absent (raw/runs.jsonl, raw/jobs.jsonl: the run was never collected): every count made
from them is unknown, not 0. No job of this test ran: the figures made of running jobs (concurrency
max, runners observed, busy runner-seconds, jobs completed in the window, jobs with or without
Container Insights samples) describe nothing, so they are null rather than 0 (honesty rule 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from suite.rundir.result_schema import JobCounts, Result

RUN_COUNTS = ("collected", "succeeded", "failed", "incomplete", "success_rate")
JOB_DISTRIBUTIONS = ("queue_time_s", "execution_time_s", "total_time_s", "queue_from_schedule_s", "resources")
JOB_FIGURES = (  # (section, field) made of jobs that ran
    ("concurrency", "max"),
    ("runners", "observed"),
    ("runners", "busy_runner_s"),
    ("occupancy", "busy_runner_s"),
    ("throughput", "completed"),
    ("resources", "jobs_with_samples"),
    ("resources", "jobs_without_samples"),
)


def blank_unobserved(result: Result, reasons: dict[str, str], uncollected: Sequence[str]) -> None:
    """Null (with a reason in `reasons`) every figure of `result` that nothing observed."""
    r: Any = result
    if "raw/runs.jsonl" in uncollected:
        why = "raw/runs.jsonl absent: the runs were never collected (suite collect)"
        for key in RUN_COUNTS:
            r["workflows"][key] = None
            reasons[f"workflows.{key}"] = why
        r["workflows"]["missing"] = []  # unknown, not every dispatch
        reasons["workflows.missing"] = why
    ran_why = "no job of this test ran"
    if "raw/jobs.jsonl" in uncollected:
        ran_why = "raw/jobs.jsonl absent: the jobs were never collected (suite collect)"
        for key in JobCounts.__annotations__:
            r["jobs"][key] = None
            reasons[f"jobs.{key}"] = ran_why
        r["tasks"]["with_jobs"] = None
        r["failures"] = None
        reasons["failures"] = ran_why
        reasons["tasks.with_jobs"] = ran_why
        for path in JOB_DISTRIBUTIONS:  # their samples are jobs: none read, rather than none observed
            reasons[path] = ran_why
    if not r["jobs"]["ran"]:
        for section, key in JOB_FIGURES:
            r[section][key] = None
            reasons[f"{section}.{key}"] = ran_why

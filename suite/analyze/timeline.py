"""GitHub runs and jobs as plain, typed records with epoch-second timestamps.

Re-runs: GitHub keeps one run id and bumps `run_attempt`; list-jobs may return jobs of several
attempts. Only the jobs of the highest attempt of each run are this run's jobs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.analyze.columns import Cat
from suite.isotime import _parse, _stamp, stamp, ts

__all__ = ["Job", "JobArrays", "Jobs", "Run", "_parse", "_stamp", "as_arrays", "job_arrays", "stamp", "ts"]


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    run_id: int
    run_attempt: int
    name: str
    runner_name: str | None
    status: str
    conclusion: str | None
    created: float | None
    started: float | None
    completed: float | None

    @property
    def ran(self) -> bool:
        """The job occupied a runner: it has a start and was not skipped."""
        return self.started is not None and self.conclusion != "skipped"

    @property
    def interval(self) -> tuple[float, float] | None:
        """The half-open busy interval [started, completed), when the job ran to an end."""
        if not self.ran or self.started is None or self.completed is None:
            return None
        return (self.started, max(self.started, self.completed))

    @property
    def queue_s(self) -> float | None:
        if not self.ran or self.started is None or self.created is None:
            return None
        return self.started - self.created

    @property
    def execution_s(self) -> float | None:
        iv = self.interval
        return None if iv is None else iv[1] - iv[0]


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    suite_id: str
    name: str
    status: str
    conclusion: str | None
    run_attempt: int
    created: float | None
    updated: float | None
    run_started: float | None


def job_from_raw(row: dict[str, Any]) -> Job:
    return Job(
        id=int(row["id"]),
        run_id=int(row["run_id"]),
        run_attempt=int(row.get("run_attempt") or 1),
        name=str(row.get("name") or ""),
        runner_name=row.get("runner_name") or None,
        status=str(row.get("status") or ""),
        conclusion=row.get("conclusion"),
        created=ts(row.get("created_at")),
        started=ts(row.get("started_at")),
        completed=ts(row.get("completed_at")),
    )


def jobs_from_raw(rows: Iterable[dict[str, Any]]) -> list[Job]:
    """Parse jobs; the last copy of a job id wins; only the highest run_attempt of each run is kept."""
    by_id: dict[int, Job] = {}
    for row in rows:
        job = job_from_raw(row)
        by_id[job.id] = job
    latest: dict[int, int] = {}
    for job in by_id.values():
        latest[job.run_id] = max(latest.get(job.run_id, 0), job.run_attempt)
    kept = [j for j in by_id.values() if j.run_attempt == latest[j.run_id]]
    return sorted(kept, key=lambda j: (j.started if j.started is not None else float("inf"), j.id))


def run_from_raw(row: dict[str, Any]) -> Run:
    return Run(
        id=int(row["id"]),
        suite_id=str(row.get("display_title") or ""),
        name=str(row.get("name") or ""),
        status=str(row.get("status") or ""),
        conclusion=row.get("conclusion"),
        run_attempt=int(row.get("run_attempt") or 1),
        created=ts(row.get("created_at")),
        updated=ts(row.get("updated_at")),
        run_started=ts(row.get("run_started_at")),
    )


def runs_from_raw(rows: Iterable[dict[str, Any]]) -> list[Run]:
    """Parse runs; per run id keep the highest run_attempt (the last copy read on a tie)."""
    by_id: dict[int, Run] = {}
    for row in rows:
        run = run_from_raw(row)
        prev = by_id.get(run.id)
        if prev is None or run.run_attempt >= prev.run_attempt:
            by_id[run.id] = run
    return sorted(by_id.values(), key=lambda r: (r.created if r.created is not None else float("inf"), r.id))


@dataclass(frozen=True)
class JobArrays:
    """Jobs as columns, one row per job in the jobs' order (NaN where a time is unknown).

    ran: the job occupied a runner (Job.ran); busy: it has an interval (Job.interval); start/end: the
    interval [started, max(started, completed)) where busy; queue: Job.queue_s where known. The text
    fields are categorical; runner's value is None where the job has no runner_name.
    """

    id: np.ndarray
    run_id: np.ndarray
    run_attempt: np.ndarray
    name: Cat
    runner: Cat
    status: Cat
    conclusion: Cat
    created: np.ndarray
    started: np.ndarray
    completed: np.ndarray
    ran: np.ndarray
    busy: np.ndarray
    start: np.ndarray
    end: np.ndarray
    queue: np.ndarray

    @staticmethod
    def of(
        id: np.ndarray,
        run_id: np.ndarray,
        run_attempt: np.ndarray,
        name: Cat,
        runner: Cat,
        status: Cat,
        conclusion: Cat,
        created: np.ndarray,
        started: np.ndarray,
        completed: np.ndarray,
    ) -> JobArrays:
        nan = float("nan")
        ran = ~conclusion.isin("skipped") & ~np.isnan(started)
        busy = ran & ~np.isnan(completed)
        start = np.where(busy, started, nan)
        end = np.where(busy, np.fmax(started, completed), nan)
        queue = np.where(ran & ~np.isnan(created), started - created, nan)
        return JobArrays(
            id, run_id, run_attempt, name, runner, status, conclusion, created, started, completed,
            ran, busy, start, end, queue,
        )  # fmt: skip

    def __len__(self) -> int:
        return int(self.id.size)

    def take(self, index: np.ndarray) -> JobArrays:
        """The rows at `index` (indices or a mask), in that order."""
        cols: dict[str, Any] = {
            k: v.take(index) if isinstance(v, Cat) else v[index] for k, v in vars(self).items()
        }
        return JobArrays(**cols)


Jobs = list[Job] | JobArrays  # the analysis functions take either; objects are the definitions' oracle


def as_arrays(jobs: Jobs) -> JobArrays:
    return jobs if isinstance(jobs, JobArrays) else job_arrays(jobs)


def job_arrays(jobs: list[Job]) -> JobArrays:
    nan = float("nan")
    n = len(jobs)
    return JobArrays.of(
        np.fromiter((j.id for j in jobs), np.int64, n),
        np.fromiter((j.run_id for j in jobs), np.int64, n),
        np.fromiter((j.run_attempt for j in jobs), np.int64, n),
        Cat.of([j.name for j in jobs]),
        Cat.of([j.runner_name for j in jobs], lambda v: v or None),
        Cat.of([j.status for j in jobs]),
        Cat.of([j.conclusion for j in jobs]),
        np.fromiter((nan if j.created is None else j.created for j in jobs), float, n),
        np.fromiter((nan if j.started is None else j.started for j in jobs), float, n),
        np.fromiter((nan if j.completed is None else j.completed for j in jobs), float, n),
    )

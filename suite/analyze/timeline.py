"""GitHub runs and jobs as plain, typed records with epoch-second timestamps.

Re-runs: GitHub keeps one run id and bumps `run_attempt`; list-jobs may return jobs of several
attempts. Only the jobs of the highest attempt of each run are this run's jobs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from suite.clock import iso, iso_ms, parse_iso


def ts(value: object) -> float | None:
    """An ISO timestamp (or null / empty) as epoch seconds."""
    if value is None or value == "":
        return None
    return _parse(value) if isinstance(value, str) else parse_iso(str(value))


def stamp(t: float | None) -> str | None:
    """Epoch seconds as an ISO timestamp: whole seconds like GitHub, else with milliseconds."""
    if t is None:
        return None
    return _stamp(float(t))


# GitHub stamps to the second and Container Insights to the minute: a run's timestamps repeat a lot.
# Fast paths for the two shapes the suite writes (whole seconds, milliseconds; UTC "Z"), each checked
# against suite.clock's general parser/formatter by the tests.
@lru_cache(maxsize=1 << 20)
def _parse(value: str) -> float:
    n = len(value)
    if (n == 20 or (n == 24 and value[19] == ".")) and value[-1] == "Z" and value[10] == "T":
        try:
            day = _day_epoch(value[:10])
            secs = int(value[11:13]) * 3600 + int(value[14:16]) * 60 + int(value[17:19])
            return day + secs + (int(value[20:23]) / 1000.0 if n == 24 else 0.0)
        except ValueError:
            pass
    return parse_iso(value)


@lru_cache(maxsize=1 << 16)
def _day_epoch(date: str) -> int:
    return int(parse_iso(date + "T00:00:00Z"))


@lru_cache(maxsize=1 << 20)
def _stamp(t: float) -> str:
    if t == int(t) and t >= 0:
        whole = int(t)
        h, rem = divmod(whole % 86400, 3600)
        return f"{_day_prefix(whole // 86400)}T{h:02d}:{rem // 60:02d}:{rem % 60:02d}Z"
    return iso(t) if t == int(t) else iso_ms(t)


@lru_cache(maxsize=1 << 16)
def _day_prefix(day: int) -> str:
    return iso(day * 86400)[:10]


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


def _t(value: object) -> float | None:
    if value is None or value == "":
        return None
    return _parse(value) if type(value) is str else parse_iso(str(value))


def job_from_raw(row: dict[str, Any]) -> Job:
    return Job(
        id=int(row["id"]),
        run_id=int(row["run_id"]),
        run_attempt=int(row.get("run_attempt") or 1),
        name=str(row.get("name") or ""),
        runner_name=row.get("runner_name") or None,
        status=str(row.get("status") or ""),
        conclusion=row.get("conclusion"),
        created=_t(row.get("created_at")),
        started=_t(row.get("started_at")),
        completed=_t(row.get("completed_at")),
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
    """The jobs' times as columns, computed once (NaN where a time is unknown), in the jobs' order.

    ran: the job occupied a runner (Job.ran); busy: it has an interval (Job.interval); start/end: the
    interval [started, max(started, completed)) where busy; queue: Job.queue_s where known.
    """

    created: np.ndarray
    started: np.ndarray
    completed: np.ndarray
    ran: np.ndarray
    busy: np.ndarray
    start: np.ndarray
    end: np.ndarray
    queue: np.ndarray


def job_arrays(jobs: list[Job]) -> JobArrays:
    nan = float("nan")
    n = len(jobs)
    created = np.fromiter((nan if j.created is None else j.created for j in jobs), float, n)
    started = np.fromiter((nan if j.started is None else j.started for j in jobs), float, n)
    completed = np.fromiter((nan if j.completed is None else j.completed for j in jobs), float, n)
    not_skipped = np.fromiter((j.conclusion != "skipped" for j in jobs), bool, n)
    ran = not_skipped & ~np.isnan(started)
    busy = ran & ~np.isnan(completed)
    start = np.where(busy, started, nan)
    end = np.where(busy, np.fmax(started, completed), nan)
    queue = np.where(ran & ~np.isnan(created), started - created, nan)
    return JobArrays(created, started, completed, ran, busy, start, end, queue)

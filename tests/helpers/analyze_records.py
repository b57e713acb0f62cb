"""The analysis's definitions record by record: the oracle the columnar code in suite/analyze is
held equal to (tests/analyze/test_equivalence.py, test_vectorised.py), and nothing else.

GitHub runs and jobs as plain typed records (Job, Run), the ledger's dispatches joined with the runs
(Dispatch, match_runs), the per-job resource join (job_resources), the concurrency sweep over
intervals and saturation from the parsed records.

Re-runs: GitHub keeps one run id and bumps `run_attempt`; list-jobs may return jobs of several
attempts. Only the jobs of the highest attempt of each run are this run's jobs. A dispatch is accepted
when GitHub answered 2xx (the last 2xx row of a suite_id counts). Its run is the one whose id GitHub
returned; without a returned id, the run whose display_title is the suite_id.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.analyze.columns import Cat
from suite.analyze.concurrency import Concurrency, Step, _num, concurrency_arrays, sweep_arrays
from suite.analyze.resources import CPU, CPU_RESERVED, MEM, MEM_RESERVED
from suite.analyze.saturation import Offered, saturation_arrays
from suite.analyze.timeline import JobArrays
from suite.isotime import ts


# ---- jobs and runs ----------------------------------------------------------------------------------
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
    path: str | None = None


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
        path=row.get("path"),
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


# ---- dispatches and their runs ----------------------------------------------------------------------
@dataclass(frozen=True)
class Dispatch:
    seq: int
    suite_id: str
    scheduled: float | None
    sent: float | None
    status: int | None
    workflow_run_id: int | None
    error: str | None

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def lag_s(self) -> float | None:
        if self.sent is None or self.scheduled is None:
            return None
        return self.sent - self.scheduled


def dispatches_from_ledger(rows: Iterable[dict[str, Any]]) -> list[Dispatch]:
    out = []
    for row in rows:
        status = row.get("status")
        run_id = row.get("workflow_run_id")
        out.append(
            Dispatch(
                seq=int(row.get("seq") or 0),
                suite_id=str(row["suite_id"]),
                scheduled=ts(row.get("scheduled_at")),
                sent=ts(row.get("sent_at")),
                status=None if status is None else int(status),
                workflow_run_id=None if run_id is None else int(run_id),
                error=row.get("error"),
            )
        )
    return out


def accepted_dispatches(dispatches: Iterable[Dispatch]) -> dict[str, Dispatch]:
    """suite_id -> its (last) accepted dispatch, in ledger order."""
    out: dict[str, Dispatch] = {}
    for d in dispatches:
        if d.accepted:
            out[d.suite_id] = d
    return out


def not_dispatched(dispatches: list[Dispatch]) -> list[dict[str, Any]]:
    """Scheduled suite_ids that GitHub never accepted (dropped), with the last attempt's status/error."""
    accepted = accepted_dispatches(dispatches)
    last: dict[str, Dispatch] = {}
    for d in dispatches:
        if d.suite_id not in accepted:
            last[d.suite_id] = d
    return [{"suite_id": s, "status": d.status, "error": d.error} for s, d in last.items()]


@dataclass(frozen=True)
class Matched:
    runs: dict[str, Run]  # suite_id -> run
    missing: list[dict[str, str]]  # [{suite_id, reason}]


def match_runs(accepted: dict[str, Dispatch], runs: Iterable[Run]) -> Matched:
    by_id = {r.id: r for r in runs}
    by_title: dict[str, Run] = {}
    for r in sorted(by_id.values(), key=lambda r: (r.created or 0.0, r.id)):
        by_title.setdefault(r.suite_id, r)
    found: dict[str, Run] = {}
    missing: list[dict[str, str]] = []
    run: Run | None
    for suite_id, d in accepted.items():
        if d.workflow_run_id is not None:
            run = by_id.get(d.workflow_run_id)
            reason = f"run {d.workflow_run_id} (returned by the dispatch) is not in raw/runs.jsonl"
        else:
            run = by_title.get(suite_id)
            reason = (
                f"dispatch answered {d.status} without a run id and no run with display_title "
                f"{suite_id!r} is in raw/runs.jsonl"
            )
        if run is None:
            missing.append({"suite_id": suite_id, "reason": reason})
        else:
            found[suite_id] = run
    return Matched(found, missing)


def workflow_counts(accepted: dict[str, Dispatch], matched: Matched) -> dict[str, Any]:
    runs = list(matched.runs.values())
    succeeded = sum(r.conclusion == "success" for r in runs)
    failed = sum(r.status == "completed" and r.conclusion != "success" for r in runs)
    dispatched = len(accepted)
    return {
        "dispatched": dispatched,
        "collected": len(runs),
        "succeeded": succeeded,
        "failed": failed,
        "incomplete": len(runs) - succeeded - failed,
        # over every accepted dispatch: a missing workflow is not a success
        "success_rate": succeeded / dispatched if dispatched else None,
        "missing": matched.missing,
    }


# ---- resources per job ------------------------------------------------------------------------------
Samples = dict[tuple[str, str], list[tuple[float, float]]]  # (task_id, metric) -> [(t, value)] by t


def mean(values: Iterable[float]) -> float | None:
    xs = [float(v) for v in values]
    return math.fsum(xs) / len(xs) if xs else None


@dataclass(frozen=True)
class JobResources:
    samples: int
    cpu_max: float | None
    cpu_mean: float | None
    cpu_max_pct: float | None
    cpu_mean_pct: float | None
    memory_max: float | None
    memory_mean: float | None
    memory_max_pct: float | None
    memory_mean_pct: float | None
    reason: str | None


def index_samples(rows: Iterable[dict[str, Any]]) -> Samples:
    out: Samples = defaultdict(list)
    for row in rows:
        t = ts(row.get("timestamp"))
        value = row.get("value")
        if t is None or value is None:
            continue
        out[(str(row["task_id"]), str(row["metric"]))].append((t, float(value)))
    for values in out.values():
        values.sort()
    return dict(out)


def _seconds(x: float) -> str:
    return f"{x:.0f}" if x == int(x) else f"{x:.1f}"


def _inside(samples: Samples, task: str, metric: str, start: float, end: float) -> list[float]:
    return [v for t, v in samples.get((task, metric), []) if start <= t < end]


def _reserved(samples: Samples, task: str, metric: str, start: float, end: float) -> float | None:
    """The task's reservation: its samples inside the interval, else any of its samples (constant)."""
    values = _inside(samples, task, metric, start, end) or [v for _, v in samples.get((task, metric), [])]
    return mean(values)


def _pct(value: float | None, reserved: float | None) -> float | None:
    if value is None or not reserved:
        return None
    return 100.0 * value / reserved


def _empty(reason: str) -> JobResources:
    return JobResources(0, None, None, None, None, None, None, None, None, reason)


def job_resources(job: Job, samples: Samples) -> JobResources:
    task = job.runner_name
    iv = job.interval
    if iv is None:
        if job.conclusion == "skipped":
            return _empty("job was skipped: it never ran on a runner")
        if job.started is None:
            return _empty("job never started (no started_at)")
        return _empty("job has not completed (no completed_at)")
    if not task:
        return _empty("job has no runner_name to join with Container Insights task metrics")
    start, end = iv
    if not any(key[0] == task for key in samples):
        return _empty(f"no Container Insights samples at all for task {task}")
    cpu = _inside(samples, task, CPU, start, end)
    mem = _inside(samples, task, MEM, start, end)
    if not cpu and not mem:
        return _empty(
            f"no Container Insights sample inside the job's {_seconds(end - start)} s interval "
            "(samples are 1 per minute)"
        )
    cpu_res = _reserved(samples, task, CPU_RESERVED, start, end)
    mem_res = _reserved(samples, task, MEM_RESERVED, start, end)
    missing = [name for name, values in ((CPU, cpu), (MEM, mem)) if not values]
    missing += [name for name, res in ((CPU_RESERVED, cpu_res), (MEM_RESERVED, mem_res)) if not res]
    reason = f"no {', '.join(missing)} sample for task {task} inside the job's interval" if missing else None
    cpu_max, cpu_mean = (max(cpu), mean(cpu)) if cpu else (None, None)
    mem_max, mem_mean = (max(mem), mean(mem)) if mem else (None, None)
    return JobResources(
        samples=max(len(cpu), len(mem)),
        cpu_max=cpu_max,
        cpu_mean=cpu_mean,
        cpu_max_pct=_pct(cpu_max, cpu_res),
        cpu_mean_pct=_pct(cpu_mean, cpu_res),
        memory_max=mem_max,
        memory_mean=mem_mean,
        memory_max_pct=_pct(mem_max, mem_res),
        memory_mean_pct=_pct(mem_mean, mem_res),
        reason=reason,
    )


# ---- concurrency over intervals ---------------------------------------------------------------------
def sweep(intervals: Iterable[tuple[float, float]]) -> list[Step]:
    """The step timeline: one (t, level) point at every instant where the level changes."""
    pairs = list(intervals)
    starts = np.fromiter((p[0] for p in pairs), dtype=float, count=len(pairs))
    ends = np.fromiter((p[1] for p in pairs), dtype=float, count=len(pairs))
    times, levels = sweep_arrays(starts, ends)
    return [(_num(t), int(v)) for t, v in zip(times.tolist(), levels.tolist(), strict=True)]


def max_level(steps: list[Step]) -> int:
    return max((level for _, level in steps), default=0)


def level_at(steps: list[Step], t: float) -> int:
    level = 0
    for when, value in steps:
        if when > t:
            break
        level = value
    return level


def time_weighted_mean(steps: list[Step], window_start: float, window_end: float) -> float | None:
    """Mean level over [window_start, window_end), weighted by time; None for an empty window."""
    if window_end <= window_start:
        return None
    area = 0.0
    level = level_at(steps, window_start)
    cursor = window_start
    for t, value in steps:
        if t <= window_start:
            continue
        if t >= window_end:
            break
        area += level * (t - cursor)
        cursor, level = t, value
    area += level * (window_end - cursor)
    return area / (window_end - window_start)


def concurrency(
    intervals: Iterable[tuple[float, float]], window_start: float | None, window_end: float | None
) -> Concurrency:
    pairs = list(intervals)
    starts = np.fromiter((p[0] for p in pairs), dtype=float, count=len(pairs))
    ends = np.fromiter((p[1] for p in pairs), dtype=float, count=len(pairs))
    return concurrency_arrays(starts, ends, window_start, window_end)


# ---- saturation from the records --------------------------------------------------------------------
def saturation(
    pattern: dict[str, Any] | None,
    dispatches: list[Dispatch],
    runs: dict[str, Run],
    jobs: list[Job],
    shift: float,
    configured: int | None,
    reasons: dict[str, str],
) -> dict[str, Any] | None:
    """Saturation from the parsed records (the definition; compute_result feeds saturation_arrays).
    runs: suite_id -> its run, for the accepted dispatches whose run was found."""
    suite_of_run = {run.id: suite_id for suite_id, run in runs.items()}
    sched_of: dict[str, float] = {}
    for d in dispatches:
        if d.scheduled is not None:
            sched_of.setdefault(d.suite_id, d.scheduled + shift)
    last_done: dict[int, float] = {}
    for j in jobs:
        done = j.completed
        if done is not None and j.run_id in suite_of_run:
            prev = last_done.get(j.run_id)
            if prev is None or done > prev:
                last_done[j.run_id] = done
    nan = float("nan")
    accepted = accepted_dispatches(dispatches)
    scheduled, finished = [], []
    for suite_id in accepted:
        run = runs.get(suite_id)
        done = last_done.get(run.id) if run is not None and run.status == "completed" else None
        scheduled.append(sched_of.get(suite_id, nan))
        finished.append(nan if done is None else done)
    never = [sched_of.get(d["suite_id"], nan) for d in not_dispatched(dispatches)]
    offered = Offered(
        np.asarray(scheduled, dtype=float),
        np.asarray(finished, dtype=float),
        np.asarray(never, dtype=float),
        np.asarray([d.scheduled + shift for d in dispatches if d.scheduled is not None], dtype=float),
    )
    x_all = np.fromiter(
        (sched_of.get(suite_of_run.get(j.run_id, ""), nan) for j in jobs), dtype=float, count=len(jobs)
    )
    return saturation_arrays(pattern, offered, x_all, job_arrays(jobs), configured, reasons)

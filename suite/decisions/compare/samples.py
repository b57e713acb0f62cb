"""The samples `suite compare` tests, taken from a run directory's job table (tables/jobs.parquet, read
as columns: per_job is not in result.json), its result.json (the window, the configured runners, the
verdict, cost) and raw/runs.jsonl.

| metric | one sample per | from (job table column) |
|---|---|---|
| queue_time_s | job | queue_s (started_at - created_at) |
| execution_time_s | job that succeeded | execution_s (conclusion success or neutral) |
| total_time_s | run, none failed | last job completed_at - run created_at (raw/runs.jsonl, else 1st job's) |
| failure_rate | job that ended | 1: failure, timed_out, cancelled, startup_failure; 0: success, neutral |
| cpu_mean | job with samples | cpu_mean (CPU units, 1024 = 1 vCPU) |
| cpu_mean_pct | job with samples | cpu_mean_pct (% of the task's reserved CPU: headroom) |
| memory_max | job with samples | memory_max (MiB) |
| memory_max_pct | job with samples | memory_max_pct (% of the task's reserved memory: headroom) |
| throughput_per_min | full minute of the window | jobs completed in [start + 60 i, start + 60 (i+1)) |
| utilization | minute of the window | busy runner-seconds in the minute / (configured runners x its length) |

failure_rate: a skipped or unfinished job (conclusion skipped or null) gives no sample.
execution_time_s and total_time_s are times of work that succeeded: a job killed after 9 s is not a
9-second job (a size that fixes out-of-memory kills must not look slower for it); failures are the
failure rate's to judge.
Per-minute series are autocorrelated; the test treats minutes as exchangeable, which makes their
p-values optimistic: read them with the per-job metrics beside them.
The samples are computed from columns (`JobColumns`: per_job's names, times as epoch seconds), made
either from the job table (`job_table_columns`) or from an in-memory result's per_job
(`samples_from_result`): the same samples either way.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from suite.analyze.fleet import clipped
from suite.decisions.compare.job_table import JOB_KEYS, TIMES, JobColumns, job_table_columns
from suite.decisions.compare.sizing import money_of
from suite.errors import UsageError
from suite.gates.metrics import METRIC_KEYS as METRIC_KEYS
from suite.gates.metrics import METRICS as METRICS
from suite.gates.metrics import Metric as Metric
from suite.isotime import parse_iso
from suite.rundir.jsonio import read_jsonl
from suite.rundir.manifest import read_manifest
from suite.rundir.readback import row_check
from suite.rundir.result_readback import read_result
from suite.rundir.result_schema import field, job_field, value_at

PER_JOB_SAMPLES = {  # metric -> the per_job column whose values are its samples (one per job)
    "queue_time_s": job_field("queue_s"),
    "execution_time_s": job_field("execution_s"),
    "cpu_mean": job_field("cpu_mean"),
    "cpu_mean_pct": job_field("cpu_mean_pct"),
    "memory_max": job_field("memory_max"),
    "memory_max_pct": job_field("memory_max_pct"),
}
STARTED, COMPLETED, CREATED, RUN_ID = (job_field(k) for k in ("started", "completed", "created", "run_id"))
CONCLUSION = job_field("conclusion")
FAILED = frozenset({"failure", "timed_out", "cancelled", "startup_failure"})
NOT_FAILED = frozenset({"success", "neutral"})


@dataclass(frozen=True)
class RunSamples:
    path: Path
    test_run_id: str
    profile: dict[str, Any]
    environment: str | None
    fleet: dict[str, Any]  # manifest.json's fleet (result.json's when the manifest has none)
    verdict: str | None
    samples: dict[str, list[float]]
    money: dict[str, Any] = dataclass_field(default_factory=dict)  # cost and right-size: sizing.money_of


def load_run(run_dir: Path) -> RunSamples:
    result_path = run_dir / "result.json"
    if not result_path.exists():
        raise UsageError(
            f"{run_dir}: no result.json (not a run directory, or `suite report {run_dir}` first)"
        )
    result = read_result(result_path)  # every file checked as it is read: damaged, one error line
    manifest_path = run_dir / "manifest.json"
    if not manifest_path.exists():  # the profile and sizing compared come from it: never assumed
        raise UsageError(f"{run_dir}: no manifest.json (not a run directory, or a damaged one)")
    manifest = read_manifest(manifest_path)
    jobs = job_table_columns(run_dir)
    run_created = {
        int(r["id"]): t
        for r in read_jsonl(run_dir / "raw" / "runs.jsonl", row_check("runs"))
        if (t := _t(r.get("created_at"))) is not None
    }
    return RunSamples(
        path=run_dir,
        test_run_id=str(result.get("test_run_id") or run_dir.name),
        profile=dict(manifest.get("profile") or {"name": result.get("profile")}),
        environment=result.get("environment"),
        fleet=dict(manifest.get("fleet") or result.get("fleet") or {}),
        money=money_of(result),
        verdict=result.get("verdict"),
        samples=samples_of(jobs, result, run_created),
    )


def _t(stamp: Any) -> float | None:
    return parse_iso(stamp) if isinstance(stamp, str) and stamp else None


def samples_from_result(result: dict[str, Any], run_created: dict[int, float]) -> dict[str, list[float]]:
    """The samples of an in-memory result (its per_job rows, ISO times)."""
    jobs = list(result.get("per_job") or [])
    cols: JobColumns = {key: [j.get(key) for j in jobs] for key in JOB_KEYS}
    for key in TIMES:
        cols[key] = [_t(v) for v in cols[key]]
    return samples_of(cols, result, run_created)


def samples_of(
    jobs: JobColumns, result: dict[str, Any], run_created: dict[int, float]
) -> dict[str, list[float]]:
    conclusion = jobs[CONCLUSION]

    def column(metric: str, only_succeeded: bool = False) -> list[float]:
        values = jobs[PER_JOB_SAMPLES[metric]]
        if only_succeeded:
            return [
                float(v) for v, c in zip(values, conclusion, strict=True) if c in NOT_FAILED and v is not None
            ]
        return [float(v) for v in values if v is not None]

    start, end = _t(value_at(result, field("window.start"))), _t(value_at(result, field("window.end")))
    intervals = [(s, c) for s, c in zip(jobs[STARTED], jobs[COMPLETED], strict=True) if s is not None and c]
    configured = value_at(result, field("runners.configured"))
    return {
        "queue_time_s": column("queue_time_s"),
        "execution_time_s": column("execution_time_s", only_succeeded=True),
        "total_time_s": _totals(jobs, run_created),
        "failure_rate": [float(c in FAILED) for c in conclusion if c in FAILED | NOT_FAILED],
        "cpu_mean": column("cpu_mean"),
        "cpu_mean_pct": column("cpu_mean_pct"),
        "memory_max": column("memory_max"),
        "memory_max_pct": column("memory_max_pct"),
        "throughput_per_min": _per_minute_throughput([c for _, c in intervals], start, end),
        "utilization": _per_minute_utilization(intervals, start, end, configured),
    }


def _totals(jobs: JobColumns, run_created: dict[int, float]) -> list[float]:
    last: dict[int, float] = {}
    first_created: dict[int, float] = {}
    incomplete: set[int] = set()  # runs with a job unfinished, or one that failed
    rows = zip(jobs[RUN_ID], jobs[CREATED], jobs[COMPLETED], jobs[CONCLUSION], strict=True)
    for run_id, created, completed, conclusion in rows:
        rid = int(run_id)
        if created is not None:
            first_created[rid] = min(first_created.get(rid, created), created)
        if completed is None or conclusion in FAILED:
            incomplete.add(rid)
        else:
            last[rid] = max(last.get(rid, completed), completed)
    out = []
    for rid in sorted(last):
        origin = run_created.get(rid, first_created.get(rid))
        if rid not in incomplete and origin is not None:
            out.append(last[rid] - origin)
    return out


def _minutes(start: float | None, end: float | None) -> list[tuple[float, float]]:
    if start is None or end is None or end <= start:
        return []
    n = math.ceil((end - start) / 60.0)
    return [(start + 60.0 * i, min(end, start + 60.0 * (i + 1))) for i in range(n)]


def _per_minute_throughput(completions: list[float], start: float | None, end: float | None) -> list[float]:
    """Completions per full minute [start + 60 i, start + 60 (i+1)); a partial last minute is left out
    (unless it is the only one: then its count is scaled to a minute). Counted by bisection over the
    sorted completions (the same counts as testing each completion against each minute)."""
    minutes = _minutes(start, end)
    full = [m for m in minutes if m[1] - m[0] >= 60.0] or minutes
    ordered = sorted(completions)
    at_end = bisect_right(ordered, end) - bisect_left(ordered, end) if end is not None else 0
    out = []
    for lo, hi in full:
        count = bisect_left(ordered, hi) - bisect_left(ordered, lo) + (at_end if hi == end else 0)
        out.append(count * 60.0 / (hi - lo))
    return out


def _per_minute_utilization(
    intervals: list[tuple[float, float]], start: float | None, end: float | None, configured: Any
) -> list[float]:
    """Busy runner-seconds per minute / (configured runners x its length): each minute's exact sum
    (math.fsum) of the jobs' time clipped to it. A job adds to the minutes it can overlap (its own,
    one either side for rounding), never zero terms to the others: the same exactly rounded sums."""
    if not isinstance(configured, int) or configured <= 0:
        return []
    minutes = _minutes(start, end)
    if not minutes or start is None:
        return []
    parts: list[list[float]] = [[] for _ in minutes]
    last = len(minutes) - 1
    for iv in intervals:
        if not iv[1] > iv[0]:
            continue  # clipped to any minute: 0
        first = max(0, min(last, math.floor((iv[0] - start) / 60.0) - 1))
        final = max(0, min(last, math.floor((iv[1] - start) / 60.0) + 1))
        for k in range(first, final + 1):
            parts[k].append(clipped(iv, minutes[k]))
    return [math.fsum(p) / (configured * (hi - lo)) for p, (lo, hi) in zip(parts, minutes, strict=True)]

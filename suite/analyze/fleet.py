"""Runner utilization, throughput and the Little's-law cross-check, over the test's window.

utilization = busy runner-seconds / (configured runners × window seconds). The configured count comes
from the manifest; observed distinct runner names are reported beside it, never substituted for it.
Busy time is each job's interval [started, completed) clipped to the window.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from suite.analyze.timeline import JobArrays
from suite.isotime import stamp
from suite.rundir.result_schema import LittleLaw, MinuteCounts, Runners, Throughput


def clipped(interval: tuple[float, float], window: tuple[float, float]) -> float:
    return max(0.0, min(interval[1], window[1]) - max(interval[0], window[0]))


def per_runner(jobs: JobArrays, window: tuple[float, float] | None) -> dict[str, Any]:
    """Per runner name that ran a busy job, by name: the runner table's columns (suite.rundir.tables
    RUNNER_COLUMNS less test_run_id): runner_name, jobs, busy_s, utilization (NaN without a window)."""
    a = jobs
    names = {name: c for c, name in enumerate(a.runner.values) if name}
    code = a.runner.codes
    use = a.busy & ~a.runner.isin(None)
    if window:
        busy = np.clip(np.minimum(a.end[use], window[1]) - np.maximum(a.start[use], window[0]), 0.0, None)
    else:
        busy = a.end[use] - a.start[use]
    counts = np.bincount(code[use], minlength=len(a.runner.values))
    sums = np.bincount(code[use], weights=busy, minlength=len(a.runner.values))
    span = window[1] - window[0] if window else 0.0
    kept = sorted((name, c) for name, c in names.items() if counts[c] > 0)
    codes = np.array([c for _, c in kept], dtype=np.int64)
    busy_s = sums[codes].astype(np.float64)
    return {
        "runner_name": [name for name, _ in kept],
        "jobs": counts[codes].astype(np.int64),
        "busy_s": busy_s,
        "utilization": busy_s / span if span > 0 else np.full(codes.size, np.nan),
    }


def registered_runner_names(snapshots: Iterable[dict[str, Any]], labels: Iterable[str] = ()) -> set[str]:
    """Runner names seen in raw/runners.jsonl (rows are runners, or snapshots with a `runners` list):
    the fleet's, i.e. those carrying every one of `labels` (case-insensitive, as GitHub matches runs-on);
    other runners registered in the repository are not the fleet's."""
    need = {str(x).lower() for x in labels}
    names: set[str] = set()
    for row in snapshots:
        for runner in row.get("runners") or [row]:
            if not isinstance(runner, dict) or not runner.get("name"):
                continue
            has = {str(x.get("name", "")).lower() for x in runner.get("labels") or [] if isinstance(x, dict)}
            if need <= has:
                names.add(str(runner["name"]))
    return names


def runners(
    jobs: JobArrays,
    configured: int | None,
    window: tuple[float, float] | None,
    snapshots: list[dict[str, Any]],
    reasons: dict[str, str],
    labels: Iterable[str] = (),
) -> tuple[Runners, dict[str, Any]]:
    """The `runners` section, and per runner its columns (per_runner: the runner table)."""
    rows = per_runner(jobs, window)
    busy = math.fsum(rows["busy_s"].tolist())
    utilization = None
    if configured is None:
        reasons["runners.configured"] = (
            "no configured runner count in the manifest (--env existing: runner_count in suite.yaml)"
        )
        reasons["runners.utilization"] = (
            "the configured runner count is unknown (--env existing: set runner_count in suite.yaml); "
            "observed runners are beside it, never substituted"
        )
    elif window is None or window[1] <= window[0]:
        reasons["runners.utilization"] = "no window (no job completed)"
    elif configured <= 0:
        reasons["runners.utilization"] = f"configured runner count is {configured}"
    else:
        utilization = busy / (configured * (window[1] - window[0]))
    section: Runners = {
        "configured": configured,
        "observed": len(rows["runner_name"]),
        "registered_seen": len(registered_runner_names(snapshots, labels)) if snapshots else None,
        "busy_runner_s": busy,
        "utilization": utilization,
    }
    return section, rows


def throughput(jobs: JobArrays, window: tuple[float, float] | None, reasons: dict[str, str]) -> Throughput:
    """Completed jobs per minute of window, and per one-minute bucket [start + 60 i, start + 60 (i+1))."""
    a = jobs
    done, begun = a.end[a.busy], a.start[a.busy]
    if window is None or window[1] <= window[0]:
        reasons["throughput.jobs_per_min"] = "no window (no job completed)"
        return {"completed": int(done.size), "jobs_per_min": None, "per_minute": []}
    start, end = window
    buckets = max(1, math.ceil((end - start) / 60.0))

    def per_bucket(times: np.ndarray) -> list[int]:
        inside = times[(times >= start) & (times <= end)]
        # the window's last instant joins the last bucket
        b = np.minimum(((inside - start) // 60).astype(np.int64), buckets - 1)
        return np.bincount(b, minlength=buckets).tolist()

    started, completed = per_bucket(begun), per_bucket(done)
    per_minute = [
        MinuteCounts(minute=stamp(start + 60 * i), started=started[i], completed=completed[i])
        for i in range(buckets)
    ]
    in_window = int(np.count_nonzero((done >= start) & (done <= end)))
    return {
        "completed": in_window,
        "jobs_per_min": in_window / ((end - start) / 60.0),
        "per_minute": per_minute,
    }


def little_law(
    mean_concurrency: float | None, jobs_per_min: float | None, mean_execution_s: float | None
) -> LittleLaw:
    """L = λ·W: time-weighted mean concurrency vs throughput × mean execution time."""
    per_s = None if jobs_per_min is None else jobs_per_min / 60.0
    predicted = None if per_s is None or mean_execution_s is None else per_s * mean_execution_s
    error = None
    if mean_concurrency and predicted is not None:
        error = abs(predicted - mean_concurrency) / mean_concurrency
    return {
        "mean_concurrency": mean_concurrency,
        "throughput_per_s": per_s,
        "mean_execution_s": mean_execution_s,
        "throughput_x_execution": predicted,
        "relative_error": error,
    }

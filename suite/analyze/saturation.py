"""Where the fleet saturates, for step and ramp profiles: one row per stage of the offered load.

Stages come from the profile's pattern (manifest.json `profile.pattern`): a step pattern's steps
(suite.schedule.arrivals.step_rates, each `step_duration_s` long), a ramp pattern's stages (each
`duration_s`, the rate moving linearly to `target_rate_per_min`). The schedule's origin is the
first scheduled_at in the ledger minus the schedule's first offset (a step or ramp places its first
arrival 60/r after its origin), moved to GitHub's clock by the clock offset.

Per stage k with window [a_k, b_k) on GitHub's clock (all figures observed, the rate only a target):

- cohort: the workflows GitHub accepted whose (first) scheduled_at falls in (a_k, b_k], and their
  jobs: a workflow and its jobs belong to the stage in which it was SCHEDULED, whenever it ran or
  completed. The interval is closed at its end because the schedule places its k-th arrival when the
  expected count reaches k, so a stage's last arrival falls exactly on its end; boundaries are
  compared within 2 ms (the ledger keeps scheduled_at to the millisecond). Scheduled workflows never
  accepted (never sent after an abort, or refused) are not offered load: counted as not_offered;
- offered_per_min = cohort workflows / stage minutes;
- lag_s = the shortest observed turnaround (a workflow's last completed_at − its scheduled_at);
  jitter_s = max − min of the observed execution times (the service time's own spread);
- completed = cohort workflows whose last job completed by b_k + lag_s + jitter_s (the stage's load
  reaches completion one turnaround later; a boundary arrival whose service time is at the top of the
  observed spread still counts); completed_per_min = completed / stage minutes;
  completed_ratio = completed / offered; deficit = offered − completed;
- queue_time_s / queue_from_schedule_s: distributions over the cohort's jobs that ran;
- utilization = busy runner-seconds clipped to [a_k, b_k) / (configured runners × stage seconds).

Evidence of saturation in a stage (sustained, never one late workflow):

- throughput deficit: completed_ratio < 0.95 and deficit >= 2 workflows;
- queue time keeps rising: the cohort has at least 6 jobs that ran and, with the jobs ordered by their
  workflow's scheduled time (ties by job id), the least-squares slope of queue time on scheduled time
  is > 0 and the median queue time of the last third (floor(n/3) jobs) exceeds the median of the
  first third by more than 1 s (GitHub's timestamp resolution).

The saturation point (breaking point) is the first stage with evidence, stated with it. None (with a
reason) when no stage has any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.analyze.stats import distribution, exact_sum
from suite.analyze.timeline import JobArrays
from suite.isotime import stamp
from suite.rundir.result_schema import QueueTrend, Saturation, SaturationPoint
from suite.rundir.result_schema import Stage as StageRow
from suite.schedule.arrivals import RampPattern, StepPattern, first_offset, rate_segments
from suite.schedule.arrivals import pattern_from_dict as read_pattern

RATIO_LIMIT = 0.95
MIN_DEFICIT = 2  # workflows: one late workflow is not sustained evidence
MIN_RISING_JOBS = 6
RISE_MARGIN_S = 1.0
TOLERANCE_S = 0.002  # the ledger keeps scheduled_at to the millisecond
DEFINITION = (
    "saturation point = first stage (a workflow and its jobs belong to the stage it was scheduled in; "
    "only accepted dispatches are offered load) with a throughput deficit (completed/offered < 0.95 "
    "and >= 2 workflows short, completions counted to the stage end + the shortest observed "
    "turnaround + the spread of execution times) or with queue time that keeps rising (cohort of >= 6 "
    "jobs ordered by scheduled time: least-squares slope of queue time > 0 and median of the last "
    "third > median of the first third + 1 s)"
)


@dataclass(frozen=True)
class Stage:
    index: int
    start_s: float  # offset from the schedule's origin
    duration_s: float
    start_rate_per_min: float
    end_rate_per_min: float

    @property
    def target_rate_per_min(self) -> float:
        """The schedule's mean rate over the stage (its integral / its length)."""
        return (self.start_rate_per_min + self.end_rate_per_min) / 2.0


@dataclass(frozen=True)
class Offered:
    """The workflows of a run as saturation reads them, on GitHub's clock.

    scheduled: per accepted workflow, its first scheduled_at; done: per accepted workflow, its last
    job's completed_at when its run completed (NaN otherwise); unaccepted: the first scheduled_at of
    each scheduled workflow GitHub never accepted; every_scheduled: every ledger row's scheduled_at
    (the schedule's origin is found from it)."""

    scheduled: np.ndarray
    done: np.ndarray
    unaccepted: np.ndarray
    every_scheduled: np.ndarray


def pattern_from_dict(pattern: dict[str, Any]) -> StepPattern | RampPattern | None:
    if pattern.get("type") not in ("step", "ramp"):
        return None
    parsed = read_pattern(pattern)
    return parsed if isinstance(parsed, StepPattern | RampPattern) else None


def stages_of(pattern: StepPattern | RampPattern) -> list[Stage]:
    out, t = [], 0.0
    for i, seg in enumerate(rate_segments(pattern)):
        out.append(Stage(i + 1, t, seg.duration_s, seg.start_rate_per_min, seg.end_rate_per_min))
        t += seg.duration_s
    return out


def stage_index(xs: np.ndarray, origin: float, ends: np.ndarray) -> np.ndarray:
    """1-based stage of each time: stage k holds (end_{k-1}, end_k] (the first also its origin), within
    TOLERANCE_S; 0 before the origin, len(ends) + 1 after the last stage."""
    idx = np.searchsorted(ends + TOLERANCE_S, xs, side="left") + 1
    idx[xs < origin - TOLERANCE_S] = 0
    return idx


def queue_rising(xs: Sequence[float] | np.ndarray, ys: Sequence[float] | np.ndarray) -> QueueTrend | None:
    """The 'keeps rising' test over (scheduled time, queue time) pairs sorted by x; None if too few."""
    n = len(xs)
    if n < MIN_RISING_JOBS:
        return None
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    dx = x - x.mean()
    denom = float(np.dot(dx, dx))
    slope = float(np.dot(dx, y - y.mean()) / denom) if denom > 0 else 0.0
    third = n // 3
    first = float(np.median(y[:third]))
    last = float(np.median(y[n - third :]))
    return {
        "jobs": n,
        "slope_s_per_s": slope,
        "first_third_p50_s": first,
        "last_third_p50_s": last,
        "rising": slope > 0 and last > first + RISE_MARGIN_S,
    }


def saturation_arrays(
    pattern: dict[str, Any] | None,
    offered: Offered,
    job_scheduled: np.ndarray,
    a_: JobArrays,
    configured: int | None,
    reasons: dict[str, str],
) -> Saturation | None:
    """job_scheduled: per job, its workflow's scheduled_at on GitHub's clock (NaN when unknown)."""
    parsed = pattern_from_dict(pattern or {})
    if parsed is None:
        reasons["saturation"] = (
            f"saturation is found for step and ramp profiles; this profile's pattern is "
            f"{(pattern or {}).get('type')!r}"
        )
        return None
    if not offered.every_scheduled.size:
        reasons["saturation"] = "the ledger has no scheduled dispatch"
        return None
    first = first_offset(parsed)
    origin = float(offered.every_scheduled.min()) - (0.0 if first is None else first)
    stages = stages_of(parsed)
    completed_wf = ~np.isnan(offered.done)
    turnarounds = (offered.done - offered.scheduled)[completed_wf]
    turnarounds = turnarounds[~np.isnan(turnarounds)]
    lag = max(0.0, float(turnarounds.min())) if turnarounds.size else 0.0
    executions = a_.end[a_.busy] - a_.start[a_.busy]
    jitter = float(executions.max() - executions.min()) if executions.size else 0.0
    ends = np.asarray([origin + st.start_s + st.duration_s for st in stages], dtype=float)
    offered_stage = stage_index(offered.scheduled, origin, ends)
    never_stage = np.bincount(stage_index(offered.unaccepted, origin, ends), minlength=len(stages) + 2)

    # the cohort: jobs joined to their workflow's scheduled time, ordered by (scheduled, job id)
    x_all, ids = job_scheduled, a_.id
    known = np.flatnonzero(~np.isnan(x_all))
    order = known[np.lexsort((ids[known], x_all[known]))]
    cohort_x, cohort_q, cohort_started = x_all[order], a_.queue[order], a_.started[order]
    cohort_stage = stage_index(cohort_x, origin, ends)
    by_start = np.argsort(a_.start[a_.busy], kind="stable")
    iv_start, iv_end = a_.start[a_.busy][by_start], a_.end[a_.busy][by_start]
    longest = float((iv_end - iv_start).max()) if iv_start.size else 0.0

    # per stage: workflows offered, and those done by the stage's `by` (counted at once, by stage index)
    by_of = np.asarray([origin + st.start_s + st.duration_s + lag + jitter for st in stages], dtype=float)
    stage_by = np.append(by_of, np.nan)[np.clip(offered_stage - 1, 0, len(stages))]  # NaN: no stage
    done_in_time = completed_wf & (offered.done <= stage_by + TOLERANCE_S)
    offered_count = np.bincount(offered_stage, minlength=len(stages) + 2)
    done_count = np.bincount(offered_stage[done_in_time], minlength=len(stages) + 2)
    cohort_bounds = np.searchsorted(cohort_stage, np.arange(len(stages) + 2), side="left")
    rows: list[StageRow] = []
    point: SaturationPoint | None = None
    for st in stages:
        a, b = origin + st.start_s, origin + st.start_s + st.duration_s
        minutes = st.duration_s / 60.0
        by = b + lag + jitter
        offered_n = int(offered_count[st.index])
        done_n = int(done_count[st.index])
        lo, hi = int(cohort_bounds[st.index]), int(cohort_bounds[st.index + 1])
        q = cohort_q[lo:hi]
        has_q = ~np.isnan(q)
        rising = queue_rising(cohort_x[lo:hi][has_q], q[has_q])
        # only intervals starting in [a - longest, b) can overlap [a, b)
        i0, i1 = np.searchsorted(iv_start, [a - longest, b], side="left")
        clipped = np.minimum(iv_end[i0:i1], b) - np.maximum(iv_start[i0:i1], a)
        busy = exact_sum(np.clip(clipped, 0.0, None))
        offered_pm = offered_n / minutes if minutes > 0 else None
        completed = done_n / minutes if minutes > 0 else None
        ratio = done_n / offered_n if offered_n else None
        util = busy / (configured * st.duration_s) if configured and st.duration_s > 0 else None
        queue = distribution(q[has_q])
        row: StageRow = {
            "stage": st.index,
            "start": stamp(a),
            "end": stamp(b),
            "duration_s": st.duration_s,
            "target_rate_per_min": st.target_rate_per_min,
            "target_start_rate_per_min": st.start_rate_per_min,
            "target_end_rate_per_min": st.end_rate_per_min,
            "dispatched": offered_n,
            "not_offered": int(never_stage[st.index]),
            "offered_per_min": offered_pm,
            "completed": done_n,
            "completed_by": stamp(by),
            "completed_per_min": completed,
            "completed_ratio": ratio,
            "deficit": offered_n - done_n,
            "jobs": int(hi - lo),
            "queue_time_s": queue,
            "queue_from_schedule_s": distribution((cohort_started[lo:hi] - cohort_x[lo:hi])[has_q]),
            "queue_trend": rising,
            "busy_runner_s": busy,
            "utilization": util,
            "evidence": [],
        }
        row["evidence"] = _evidence(row)
        rows.append(row)
        if point is None and row["evidence"]:
            point = SaturationPoint(
                stage=st.index,
                target_rate_per_min=st.target_rate_per_min,
                offered_per_min=offered_pm,
                completed_ratio=ratio,
                queue_p95_s=queue["p95"],
                utilization=util,
                evidence=row["evidence"],
            )
    if point is None:
        reasons["saturation.point"] = (
            "no stage saturated: no stage completed < 0.95 of its offered workflows with 2 or more short, "
            "and no stage's queue time kept rising"
        )
    return {
        "pattern": parsed.type,
        "definition": DEFINITION,
        "origin": stamp(origin),
        "lag_s": lag,
        "jitter_s": jitter,
        "stages": rows,
        "point": point,
    }


def _evidence(row: StageRow) -> list[str]:
    out = []
    ratio = row["completed_ratio"]
    if ratio is not None and ratio < RATIO_LIMIT and row["deficit"] >= MIN_DEFICIT:
        out.append(
            f"throughput deficit: {row['completed']} of the {row['dispatched']} workflows scheduled in the "
            f"stage completed by {row['completed_by']} = {ratio:.3f} < 0.95 ({row['deficit']} short)"
        )
    trend = row["queue_trend"]
    if trend and trend["rising"]:
        out.append(
            f"queue time kept rising over {trend['jobs']} jobs: slope {trend['slope_s_per_s']:.3g} s/s, "
            f"median {trend['first_third_p50_s']:.3g} s in the first third -> "
            f"{trend['last_third_p50_s']:.3g} s in the last third"
        )
    return out

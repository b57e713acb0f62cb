"""Spike recovery: how long after the surge the fleet's queue time is back near its baseline.

For a spike pattern (baseline_s at baseline_rate_per_min, spike_s at spike_rate_per_min, recovery_s at
the baseline rate again) on GitHub's clock, with the schedule's origin found as saturation's is (the
first scheduled_at in the ledger minus the schedule's first offset, clock-offset corrected):

- surge = (origin + baseline_s, origin + baseline_s + spike_s]; a job belongs to the phase in which
  its workflow was scheduled (boundaries closed at their end, within 2 ms, as saturation's stages);
- baseline_p95_s = p95 of the queue times (started − created) of the jobs scheduled in the baseline
  that started; near_s = max(1.5 × baseline_p95_s, baseline_p95_s + 10 s);
- after the surge, the jobs scheduled after its end, ordered by (scheduled time, job id); a job that
  never started is not near;
- recovered_at = the scheduled time of the first of those jobs from which every later one waited
  <= near_s; recovery_s = recovered_at − the surge's end (resolution: the gap between arrivals after
  the surge, 60 / baseline_rate_per_min s).

recovery_s is null with the reason when the baseline ran no job, when no job was scheduled after the
surge, or when it never recovered inside the window (the last job scheduled after the surge waited
longer than near_s).

Beside it, the backlog (suite.analyze.headroom's jobs-waiting step function): baseline_max_waiting =
the highest level in force during the baseline [origin, surge start); backlog_drained_at = the first
instant >= the surge's end from which the level never again exceeds baseline_max_waiting;
backlog_drained_s = it − the surge's end (null with the reason when the level is still above at the
last step, or the baseline is unknown).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from suite.analyze.concurrency import sweep_arrays
from suite.analyze.headroom import waiting_intervals
from suite.analyze.saturation import TOLERANCE_S
from suite.analyze.stats import distribution
from suite.analyze.timeline import JobArrays
from suite.isotime import stamp
from suite.rundir.result_types import Recovery
from suite.schedule.arrivals import first_offset
from suite.schedule.arrivals import pattern_from_dict as read_pattern
from suite.schedule.patterns import SpikePattern

NEAR_FACTOR = 1.5
NEAR_MARGIN_S = 10.0
DEFINITION = (
    "recovery_s = from the surge's end to the scheduled time of the first job after it from which every "
    "later job waited <= near_s = max(1.5 x baseline queue p95, baseline queue p95 + 10 s)"
)


def recovery(
    pattern: dict[str, Any] | None,
    every_scheduled: np.ndarray,
    job_scheduled: np.ndarray,
    jobs: JobArrays,
    horizon: float | None,
    reasons: dict[str, str],
) -> Recovery | None:
    """every_scheduled: every ledger row's scheduled_at; job_scheduled: per job its workflow's
    scheduled_at (NaN when unknown); horizon: the window's end; all on GitHub's clock."""
    job_ids, queue = jobs.id, jobs.queue
    kind = (pattern or {}).get("type")
    parsed = read_pattern(pattern) if pattern and kind == "spike" else None
    if not isinstance(parsed, SpikePattern):
        reasons["recovery"] = f"recovery is measured for spike profiles; this profile's pattern is {kind!r}"
        return None
    if not every_scheduled.size:
        reasons["recovery"] = "the ledger has no scheduled dispatch"
        return None
    origin = float(every_scheduled.min()) - (first_offset(parsed) or 0.0)
    surge_start = origin + parsed.baseline_s
    surge_end = surge_start + parsed.spike_s
    known = ~np.isnan(job_scheduled)
    baseline = known & (job_scheduled <= surge_start + TOLERANCE_S) & ~np.isnan(queue)
    base = distribution(queue[baseline])
    after = np.flatnonzero(known & (job_scheduled > surge_end + TOLERANCE_S))
    after = after[np.lexsort((job_ids[after], job_scheduled[after]))]
    out: Recovery = {
        "definition": DEFINITION,
        "surge_start": stamp(surge_start),
        "surge_end": stamp(surge_end),
        "baseline_queue_s": base,
        "near_s": None,
        "jobs_after_surge": int(after.size),
        "recovered_at": None,
        "recovery_s": None,
        "baseline_max_waiting": None,
        "backlog_drained_at": None,
        "backlog_drained_s": None,
    }
    _backlog(out, sweep_arrays(*waiting_intervals(jobs, horizon)), origin, surge_start, surge_end, reasons)
    p95 = base["p95"]
    if p95 is None:
        reasons["recovery.recovery_s"] = "no job scheduled in the baseline started: no baseline queue time"
        return out
    near = max(NEAR_FACTOR * p95, p95 + NEAR_MARGIN_S)
    out["near_s"] = near
    if not after.size:
        reasons["recovery.recovery_s"] = "no job was scheduled after the surge"
        return out
    q = queue[after]
    far = np.flatnonzero(~(q <= near))  # NaN (never started) is not near
    if far.size and far[-1] == after.size - 1:
        last = after[-1]
        waited = "never started" if np.isnan(queue[last]) else f"waited {queue[last]:.0f} s"
        reasons["recovery.recovery_s"] = (
            f"never recovered inside the window: the last job scheduled after the surge "
            f"({stamp(float(job_scheduled[last]))}) {waited}, more than near_s = {near:.0f} s"
        )
        return out
    first = after[far[-1] + 1] if far.size else after[0]
    at = float(job_scheduled[first])
    out["recovered_at"] = stamp(at)
    out["recovery_s"] = at - surge_end
    return out


def level_at(times: np.ndarray, levels: np.ndarray, t: float) -> int:
    """The step function's level in force at t (0 before its first step)."""
    i = int(np.searchsorted(times, t, side="right"))
    return int(levels[i - 1]) if i > 0 else 0


def _backlog(
    out: Recovery,
    series: tuple[np.ndarray, np.ndarray],
    origin: float,
    surge_start: float,
    surge_end: float,
    reasons: dict[str, str],
) -> None:
    times, levels = series
    inside = (times >= origin) & (times < surge_start)
    base = max([level_at(times, levels, origin), *levels[inside].tolist()])
    out["baseline_max_waiting"] = base
    # steps above the baseline's level that still hold at or after the surge's end
    above = np.flatnonzero((levels > base) & (np.append(times[1:], np.inf) > surge_end))
    if above.size and above[-1] == times.size - 1:
        reasons["recovery.backlog_drained_s"] = (
            f"the backlog never drained inside the window: {int(levels[-1])} job(s) still waiting at its end"
        )
        return
    at = max(surge_end, float(times[above[-1] + 1])) if above.size else surge_end
    out["backlog_drained_at"] = stamp(at)
    out["backlog_drained_s"] = at - surge_end

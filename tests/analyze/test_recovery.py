"""Spike recovery (suite.analyze.recovery): queue time back near its baseline, and the backlog drained."""

from __future__ import annotations

import numpy as np
import pytest

from suite.analyze.recovery import recovery
from suite.isotime import stamp
from tests.helpers.analyze_records import Job, job_arrays

T0 = 1_800_000_000.0
# baseline 2/min for 120 s (arrivals at 30, 60, 90, 120), surge 12/min for 60 s (125, 130, ..., 180),
# baseline again for 300 s (210, 240, ..., 480): the origin is T0, the surge ends at T0 + 180
SPIKE = {
    "type": "spike",
    "baseline_rate_per_min": 2,
    "spike_rate_per_min": 12,
    "baseline_s": 120,
    "spike_s": 60,
    "recovery_s": 300,
}
BASELINE = [30, 60, 90, 120]
SURGE = list(range(125, 181, 5))
AFTER = list(range(210, 481, 30))


def analyse(after_queue, surge_queue=60.0, pattern=SPIKE):
    """One job per workflow, created 1 s after its scheduled time, waiting the given queue time."""
    offsets = BASELINE + SURGE + AFTER
    queues = [1, 1, 2, 1] + [surge_queue] * len(SURGE) + list(after_queue)
    jobs = []
    for i, (off, q) in enumerate(zip(offsets, queues, strict=True)):
        created = T0 + off + 1
        started = None if q is None else created + q
        jobs.append(Job(i + 1, i + 1, 1, "run", "r", "completed" if q is not None else "queued",
                        "success" if q is not None else None, created, started,
                        None if started is None else started + 60))  # fmt: skip
    every = T0 + np.asarray(offsets, dtype=float)
    reasons: dict[str, str] = {}
    ends = [j.completed for j in jobs if j.completed is not None]
    return recovery(pattern, every, every.copy(), job_arrays(jobs), max(ends), reasons), reasons


def test_recovery_is_the_first_job_after_the_surge_from_which_every_later_one_waited_near_the_baseline():
    rec, reasons = analyse([100, 80, 12, 5, 3, 11, 2, 1, 1, 1])
    # baseline queue [1, 1, 1, 2]: p95 = 1.85; near = max(1.5 x 1.85, 1.85 + 10) = 11.85; 12 s is not near
    assert rec["baseline_queue_s"]["p95"] == pytest.approx(1.85)
    assert rec["near_s"] == pytest.approx(11.85)
    assert rec["surge_start"] == stamp(T0 + 120) and rec["surge_end"] == stamp(T0 + 180)
    assert rec["jobs_after_surge"] == 10
    assert rec["recovered_at"] == stamp(T0 + 300) and rec["recovery_s"] == 120.0
    assert "recovery.recovery_s" not in reasons


def test_never_recovered_inside_the_window_is_null_with_the_reason():
    rec, reasons = analyse([100, 80, 70, 60, 50, 40, 30, 20, 10, 50])
    assert rec["recovery_s"] is None and rec["recovered_at"] is None
    assert reasons["recovery.recovery_s"].startswith("never recovered inside the window")
    assert "waited 50 s" in reasons["recovery.recovery_s"]
    rec, reasons = analyse([1, 1, 1, 1, 1, 1, 1, 1, 1, None])  # the last job never started
    assert rec["recovery_s"] is None and "never started" in reasons["recovery.recovery_s"]


def test_no_backlog_recovers_at_the_first_job_after_the_surge():
    rec, _ = analyse([1] * 10, surge_queue=1.0)
    assert rec["recovery_s"] == 30.0  # the first arrival after the surge: the definition's resolution
    assert rec["backlog_drained_s"] == 0.0 and rec["baseline_max_waiting"] == 1


def test_the_backlog_drains_when_jobs_waiting_is_back_to_the_baseline_level():
    rec, reasons = analyse([1] * 10, surge_queue=100.0)
    # the 12 surge jobs (created 126, 131, ..., 181) each wait 100 s: they start at 226, 231, ..., 281;
    # the level falls by one every 5 s from 12 and is 1 (the last surge job) at 276, and the jobs after
    # the surge wait 1 s each, alone (271..272 overlaps 2 surge jobs still waiting: 3, above 1)
    assert rec["baseline_max_waiting"] == 1
    assert rec["backlog_drained_at"] == stamp(T0 + 276) and rec["backlog_drained_s"] == 96.0
    assert "recovery.backlog_drained_s" not in reasons


def test_other_patterns_have_no_recovery_and_say_why():
    reasons: dict[str, str] = {}
    step = {"type": "step", "start_rate_per_min": 1, "increment_per_min": 1, "step_duration_s": 60,
            "max_rate_per_min": 2}  # fmt: skip
    empty = np.empty(0)
    assert recovery(step, empty, empty, job_arrays([]), None, reasons) is None
    assert "'step'" in reasons["recovery"]

"""Saturation over step and ramp stages, on scenarios from a tiny deterministic FIFO fleet."""

import heapq
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.saturation import pattern_from_dict, queue_rising, stages_of
from suite.isotime import stamp
from suite.schedule.arrivals import build_schedule
from tests.helpers.analyze_records import Dispatch, Job, Run, saturation

T0 = 1_800_000_000.0  # a whole minute
SHIFT = 2.0  # GitHub's clock is 2 s ahead of ours
STEP = {
    "type": "step",
    "start_rate_per_min": 2,
    "increment_per_min": 2,
    "step_duration_s": 300,
    "max_rate_per_min": 6,
}


def fleet(pattern, runners, service_s, pickup_s=1.0):
    """Dispatch the pattern's schedule on `runners` FIFO runners: (dispatches, runs, jobs)."""
    offsets = build_schedule(pattern_from_dict(pattern))
    free = [(T0, r) for r in range(runners)]
    heapq.heapify(free)
    dispatches, runs, jobs = [], {}, []
    for i, off in enumerate(offsets):
        sid = f"wf-{i:05d}"
        scheduled = T0 + off
        dispatches.append(Dispatch(i + 1, sid, scheduled, scheduled + 0.1, 200, i + 1, None))
        created = scheduled + SHIFT + 1.0
        at, runner = heapq.heappop(free)
        started = max(created + pickup_s, at)
        completed = started + service_s
        heapq.heappush(free, (completed, runner))
        runs[sid] = Run(i + 1, sid, "wf", "completed", "success", 1, created, completed, created)
        jobs.append(
            Job(i + 1, i + 1, 1, "run", f"r{runner}", "completed", "success", created, started, completed)
        )
    return dispatches, runs, jobs


def analyse(pattern, runners, service_s, configured=None):
    d, r, j = fleet(pattern, runners, service_s)
    reasons: dict[str, str] = {}
    return saturation(pattern, d, r, j, SHIFT, configured or runners, reasons), reasons


def test_step_saturates_at_the_first_stage_above_capacity():
    # 2 runners x 50 s service = 2.4 workflows/min: 2/min keeps up, 4/min does not
    sat, reasons = analyse(STEP, runners=2, service_s=50.0)
    assert sat["pattern"] == "step" and "saturation.point" not in reasons
    s1, s2, _ = sat["stages"]
    assert [s["target_rate_per_min"] for s in sat["stages"]] == [2.0, 4.0, 6.0]
    # the first arrival is 30 s after the origin (60 / 2): the origin is moved back to the stage start
    assert s1["start"] == stamp(T0 + SHIFT) and s2["start"] == stamp(T0 + SHIFT + 300)
    assert s1["dispatched"] == 10 and s1["offered_per_min"] == 2.0
    assert s1["completed_ratio"] == 1.0 and not s1["queue_trend"]["rising"]
    assert s2["dispatched"] == 20 and s2["completed_ratio"] < 0.95 and s2["queue_trend"]["rising"]
    assert sat["lag_s"] == pytest.approx(1 + 1 + 50)  # created +1 s after scheduled, pickup 1 s, service
    point = sat["point"]
    assert point["stage"] == 2 and point["target_rate_per_min"] == 4.0
    assert any("< 0.95" in e for e in point["evidence"])
    assert any("kept rising" in e for e in point["evidence"])
    # stage 1 = [T0+2, T0+302): arrivals at 30..270 s start 4 s later; the 9th runs 274..324, clipped
    # to 28 s; the 10th (arrival at 300 s, closing the stage) starts after it: 8 x 50 + 28 busy seconds
    assert s1["busy_runner_s"] == 428.0 and s1["utilization"] == 428 / 600
    assert s2["utilization"] > 0.99  # busy all stage but a few seconds after the 1st stage drains
    assert s2["queue_time_s"]["p95"] > s1["queue_time_s"]["p95"]


def test_ramp_on_a_big_fleet_has_no_saturation_point_and_says_why():
    ramp = {
        "type": "ramp",
        "start_rate_per_min": 0,
        "stages": [
            {"duration_s": 300, "target_rate_per_min": 6},
            {"duration_s": 300, "target_rate_per_min": 6},
        ],
    }
    sat, reasons = analyse(ramp, runners=20, service_s=50.0)
    assert sat["point"] is None and "no stage saturated" in reasons["saturation.point"]
    assert [s["target_rate_per_min"] for s in sat["stages"]] == [3.0, 6.0]
    assert [(s["target_start_rate_per_min"], s["target_end_rate_per_min"]) for s in sat["stages"]] == [
        (0, 6),
        (6, 6),
    ]
    assert sum(s["dispatched"] for s in sat["stages"]) == len(build_schedule(pattern_from_dict(ramp)))


def test_other_patterns_are_null_with_a_reason():
    reasons: dict[str, str] = {}
    assert (
        saturation({"type": "steady", "rate_per_min": 2, "duration_s": 60}, [], {}, [], 0.0, 4, reasons)
        is None
    )
    assert "'steady'" in reasons["saturation"]
    assert saturation(None, [], {}, [], 0.0, 4, {}) is None


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.sampled_from([60, 120, 300]),
    st.integers(1, 4),
    st.floats(5, 120),
)
def test_a_constant_turnaround_never_saturates(start, inc, step_s, steps, service):
    """With enough runners every workflow takes the same time: completions are the arrivals shifted."""
    pattern = {
        "type": "step",
        "start_rate_per_min": start,
        "increment_per_min": inc,
        "step_duration_s": step_s,
        "max_rate_per_min": start + inc * (steps - 1),
    }
    sat, _ = analyse(pattern, runners=2000, service_s=service)
    for row in sat["stages"]:
        assert row["completed"] == row["dispatched"]
        assert not (row["queue_trend"] or {}).get("rising")
    assert sat["point"] is None


def test_queue_rising_definition():
    assert queue_rising([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) is None  # fewer than 6 jobs
    r = queue_rising([0, 1, 2, 3, 4, 5], [0, 0, 1, 1, 3, 3])
    assert r == {
        "jobs": 6,
        "slope_s_per_s": pytest.approx(24 / 35),
        "first_third_p50_s": 0.0,
        "last_third_p50_s": 3.0,
        "rising": True,
    }
    # the last third is higher but only by the 1 s timestamp resolution: not rising
    assert not queue_rising([0, 1, 2, 3, 4, 5], [0, 0, 0, 0, 1, 1])["rising"]
    # a positive slope from one outlier in the middle third: medians of the thirds are flat
    assert not queue_rising([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 1, 50, 1, 1, 1])["rising"]
    # falling
    assert not queue_rising(list(range(9)), [9, 8, 7, 6, 5, 4, 3, 2, 1])["rising"]


def test_stages_of_step_are_capped_at_the_max_rate():
    stages = stages_of(pattern_from_dict({**STEP, "increment_per_min": 3, "max_rate_per_min": 7}))
    assert [(s.index, s.start_s, s.target_rate_per_min) for s in stages] == [
        (1, 0, 2),
        (2, 300, 5),
        (3, 600, 7),
    ]


def jittered_fleet(pattern, runners, service_s, jitter):
    """fleet(), each workflow's service time moved by jitter(i) seconds."""
    d, r, j = fleet(pattern, runners, service_s)
    return d, r, [replace(job, completed=job.completed + jitter(job.id - 1)) for job in j]


ONE_PER_MIN = {
    "type": "step",
    "start_rate_per_min": 1,
    "increment_per_min": 1,
    "step_duration_s": 300,
    "max_rate_per_min": 2,
}


def test_a_boundary_arrival_completing_a_second_late_does_not_saturate_the_stage():
    """Issue 13: stage 1's fifth workflow is scheduled on the stage's end; one second of jitter on its
    completion must not make stage 1 the breaking point."""
    d, r, j = jittered_fleet(ONE_PER_MIN, 20, 60.0, lambda i: 1.0 if i == 4 else 0.0)
    reasons: dict[str, str] = {}
    sat = saturation(ONE_PER_MIN, d, r, j, SHIFT, 20, reasons)
    s1 = sat["stages"][0]
    assert s1["dispatched"] == 5 and s1["completed"] == 5 and s1["evidence"] == []
    assert sat["jitter_s"] == 1.0 and sat["lag_s"] == 62.0
    assert sat["point"] is None
    # a boundary workflow that waited 30 s (no execution spread absorbs it): one short is not sustained
    late = [
        job if job.id != 5 else replace(job, started=job.started + 30, completed=job.completed + 30)
        for job in fleet(ONE_PER_MIN, 20, 60.0)[2]
    ]
    sat = saturation(ONE_PER_MIN, d, r, late, SHIFT, 20, {})
    s1 = sat["stages"][0]
    assert s1["completed"] == 4 and s1["deficit"] == 1 and s1["completed_ratio"] == 0.8
    assert s1["evidence"] == [] and sat["point"] is None


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(2, 4),
    st.floats(20, 120),
    st.lists(st.integers(-2, 2), min_size=200, max_size=200),
)
def test_jitter_on_an_unsaturated_fleet_never_makes_a_breaking_point(start, inc, steps, service, jitter):
    pattern = {
        "type": "step",
        "start_rate_per_min": start,
        "increment_per_min": inc,
        "step_duration_s": 300,
        "max_rate_per_min": start + inc * (steps - 1),
    }
    d, r, j = jittered_fleet(pattern, 2000, service, lambda i: float(jitter[i % len(jitter)]))
    sat = saturation(pattern, d, r, j, SHIFT, 2000, {})
    assert sat["point"] is None, [s["evidence"] for s in sat["stages"]]


def test_dispatches_never_sent_after_an_abort_are_not_offered_load():
    d, r, j = fleet(STEP, 2, 50.0)
    # the run aborted after stage 2: stage 3's 30 slots were written to the ledger, never sent
    cut = 30
    kept = {dd.suite_id for dd in d[:cut]}
    never = [
        replace(dd, sent=None, status=None, workflow_run_id=None, error="not dispatched: abort_on_fail")
        for dd in d[cut:]
    ]
    runs = {sid: run for sid, run in r.items() if sid in kept}
    jobs = [job for job in j if job.run_id <= cut]
    sat = saturation(STEP, d[:cut] + never, runs, jobs, SHIFT, 2, {})
    s3 = sat["stages"][2]
    assert s3["dispatched"] == 0 and s3["not_offered"] == 30 and s3["offered_per_min"] == 0.0
    assert s3["completed_ratio"] is None and s3["evidence"] == []
    assert [s["not_offered"] for s in sat["stages"]] == [0, 0, 30]
    assert sat["point"]["stage"] == 2

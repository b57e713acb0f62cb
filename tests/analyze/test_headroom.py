"""Jobs waiting and slot occupancy (suite.analyze.headroom), held to brute force on integer times."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.fleet import runners
from suite.analyze.headroom import jobs_waiting, occupancy, positive_time
from suite.analyze.tasks import Task
from tests.helpers.analyze_records import Job, job_arrays

T0 = 1_800_000_000.0


def job(i: int, created: float, started: float | None, completed: float | None, runner: str | None = None,
        conclusion: str | None = "success") -> Job:  # fmt: skip
    status = "completed" if completed is not None else ("in_progress" if started is not None else "queued")
    return Job(i, i, 1, "run", runner, status, conclusion, created, started, completed)


def brute_waiting(jobs: list[Job], horizon: float, t: float) -> int:
    """Jobs waiting at instant t, by the definition: [created, started or completed or horizon)."""
    n = 0
    for j in jobs:
        if j.conclusion == "skipped" or j.created is None:
            continue
        end = j.started if j.started is not None else j.completed if j.completed is not None else horizon
        n += j.created <= t < max(end, j.created)
    return n


# a job: created offset, wait (None: never started), run time (None: never completed)
JOB = st.tuples(st.integers(0, 200), st.one_of(st.none(), st.integers(0, 60)), st.integers(0, 90))


@settings(max_examples=200, deadline=None)
@given(st.lists(JOB, min_size=1, max_size=25))
def test_the_max_of_jobs_waiting_equals_brute_force(specs):
    jobs = []
    for i, (created, wait, run) in enumerate(specs):
        c = T0 + created
        s = None if wait is None else c + wait
        jobs.append(job(i + 1, c, s, None if s is None else s + run, f"r{i % 3}" if s is not None else None))
    ends = [j.completed for j in jobs if j.completed is not None]
    window = (T0, max(ends) if ends else T0 + 300)
    got, _, levels = jobs_waiting(job_arrays(jobs), window, {})
    # every change happens at an event instant: the max over them is the max over all t
    instants = {x for j in jobs for x in (j.created, j.started, j.completed) if x is not None} | {window[1]}
    assert got["max"] == max(brute_waiting(jobs, window[1], t) for t in instants)
    assert all(level >= 0 for level in levels.tolist())


def test_jobs_waiting_without_jobs_is_null_with_a_reason():
    reasons: dict[str, str] = {}
    got, times, levels = jobs_waiting(job_arrays([]), None, reasons)
    assert got["max"] is None and times.size == levels.size == 0
    assert "created_at" in reasons["jobs_waiting.max"]


def test_jobs_waiting_series_and_time_weighted_mean():
    # two jobs wait [0, 10) and [5, 20); a skipped job never waits; window [0, 40)
    jobs = [
        job(1, T0, T0 + 10, T0 + 30, "a"),
        job(2, T0 + 5, T0 + 20, T0 + 40, "b"),
        job(3, T0 + 5, None, T0 + 5, None, "skipped"),
    ]
    got, _, levels = jobs_waiting(job_arrays(jobs), (T0, T0 + 40), {})
    assert levels.tolist() == [1, 2, 1, 0]
    assert got["max"] == 2 and got["mean"] == pytest.approx((10 + 5 + 10) / 40)


def test_positive_time():
    times, levels = np.asarray([0.0, 10.0, 20.0, 30.0]), np.asarray([1, 0, 3, 0])
    lo, hi = np.asarray([-5.0, 5.0, 12.0, 25.0]), np.asarray([5.0, 25.0, 18.0, 99.0])
    got = positive_time(times, levels, lo, hi)
    assert got.tolist() == [5.0, 10.0, 0.0, 5.0]


# ---- occupancy --------------------------------------------------------------------------------------
def brute_booting(tasks: list[Task], jobs: list[Job], window: tuple[float, float]) -> float:
    """Booting runner-seconds, second by second (every time is a whole second here)."""
    first = {}
    for j in jobs:
        if j.runner_name and j.started is not None:
            first[j.runner_name] = min(first.get(j.runner_name, np.inf), j.started)
    total = 0
    for t in range(int(window[0]), int(window[1])):
        waiting = brute_waiting(jobs, window[1], t) > 0
        for task in tasks:
            if task.created is None:
                continue
            stop = window[1] if task.stopped is None else task.stopped
            started = stop if task.started is None else min(task.started, stop)
            cold = task.created <= t < started
            idle = started <= t < min(first.get(task.task_id, np.inf), stop) and waiting
            total += cold or idle
    return float(total)


TASK = st.tuples(st.integers(0, 100), st.integers(0, 90), st.one_of(st.none(), st.integers(1, 200)))


@settings(max_examples=150, deadline=None)
@given(st.lists(TASK, min_size=1, max_size=5), st.lists(JOB, min_size=1, max_size=12), st.integers(1, 6))
def test_occupancy_is_at_least_utilization_and_booting_is_brute_force(task_specs, job_specs, configured):
    tasks = []
    for k, (created, cold, life) in enumerate(task_specs):
        c = T0 + created
        s = c + cold
        tasks.append(Task(f"t{k}", c, s, None if life is None else s + life, "RUNNING"))
    jobs = []
    for i, (created, wait, run) in enumerate(job_specs):
        c = T0 + created
        s = None if wait is None else c + wait
        name = tasks[i % len(tasks)].task_id if s is not None else None
        jobs.append(job(i + 1, c, s, None if s is None else s + run, name))
    ends = [j.completed for j in jobs if j.completed is not None]
    window = (T0, max([T0 + 1, *ends]))
    arr = job_arrays(jobs)
    reasons: dict[str, str] = {}
    use, _ = runners(arr, configured, window, [], reasons)
    got = occupancy(tasks, arr, configured, window, use["busy_runner_s"], use["utilization"], reasons)
    assert got["booting_runner_s"] == brute_booting(tasks, jobs, window)
    assert got["slot_occupancy"] is not None and use["utilization"] is not None
    assert got["slot_occupancy"] >= use["utilization"]
    assert got["slot_occupancy"] == pytest.approx(
        (use["busy_runner_s"] + got["booting_runner_s"]) / (configured * (window[1] - window[0]))
    )


def test_occupancy_is_null_with_a_reason_when_nothing_was_observed_booting():
    jobs = [job(1, T0, T0 + 1, T0 + 61, "a")]
    arr, reasons = job_arrays(jobs), {}
    use, _ = runners(arr, 4, (T0, T0 + 61), [], reasons)
    got = occupancy([], arr, 4, (T0, T0 + 61), use["busy_runner_s"], use["utilization"], reasons)
    assert got["slot_occupancy"] is None and got["utilization"] == use["utilization"] > 0
    assert "nothing observed booting" in reasons["occupancy.slot_occupancy"]


def test_an_ephemeral_slot_booting_between_jobs_is_occupied():
    # one slot: task a runs a job [10, 70), stops at 72; task b is created at 72 and RUNNING at 132,
    # takes the job that waited since 60 at 133 (pickup) and runs it to 193. Window [0, 193).
    tasks = [Task("a", T0 - 100, T0 - 50, T0 + 72, "STOPPED"), Task("b", T0 + 72, T0 + 132, None, "RUNNING")]
    jobs = [job(1, T0 + 9, T0 + 10, T0 + 70, "a"), job(2, T0 + 60, T0 + 133, T0 + 193, "b")]
    arr, reasons = job_arrays(jobs), {}
    window = (T0, T0 + 193)
    use, _ = runners(arr, 1, window, [], reasons)
    got = occupancy(tasks, arr, 1, window, use["busy_runner_s"], use["utilization"], reasons)
    # busy 60 + 60; booting: a RUNNING with job 1 waiting 9..10 (its pickup, 1 s), b's cold start 72..132
    # (60 s), b RUNNING with job 2 waiting 132..133 (1 s); a idle 0..9 with no job waiting is headroom,
    # a's teardown 70..72 neither busy nor booting
    assert got["busy_runner_s"] == 120 and got["booting_runner_s"] == 62
    assert got["slot_occupancy"] == pytest.approx(182 / 193)
    assert use["utilization"] == pytest.approx(120 / 193)

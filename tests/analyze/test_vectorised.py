"""The vectorised analysis paths equal their brute-force definitions (the per-job/per-instant oracles)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.concurrency import concurrency_arrays, weighted_mean_arrays
from suite.analyze.fleet import per_runner, throughput
from suite.analyze.resources import FIGURES, join_resources, sample_arrays
from suite.clock import iso, iso_ms
from suite.isotime import _parse, _stamp, parse_iso
from tests.helpers.analyze_records import (
    Job,
    index_samples,
    job_arrays,
    job_resources,
    sweep,
    time_weighted_mean,
)
from tests.helpers.item_rows import item_rows

T0 = 1_800_000_000
TASKS = ["a" * 32, "b" * 32, "c" * 32]
METRIC_NAMES = ("CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved")


def brute(intervals, t):
    return sum(1 for s, e in intervals if s <= t < e)


interval = st.tuples(st.integers(0, 30), st.integers(0, 10)).map(lambda p: (p[0], p[0] + p[1]))


@given(st.lists(interval, max_size=25), st.integers(-5, 40), st.integers(1, 40))
def test_vectorised_mean_equals_the_integral_and_the_step_walk(intervals, start, length):
    end = start + length
    area = sum(brute(intervals, k + 0.5) for k in range(start, end))
    s = np.asarray([i[0] for i in intervals], float)
    e = np.asarray([i[1] for i in intervals], float)
    c = concurrency_arrays(s, e, start, end)
    assert c.mean == pytest.approx(area / length)
    assert c.mean == pytest.approx(time_weighted_mean(sweep(intervals), start, end))
    assert c.timeline == sweep(intervals)
    assert c.max == max((brute(intervals, k) for k in range(0, 41)), default=0)
    assert weighted_mean_arrays(np.empty(0), np.empty(0, np.int64), 0, 0) is None


@st.composite
def jobs_and_samples(draw):
    n = draw(st.integers(0, 12))
    jobs = []
    for i in range(n):
        start = draw(st.integers(0, 400))
        length = draw(st.integers(0, 200))
        kind = draw(
            st.sampled_from(["ok", "ok", "ok", "skipped", "running", "queued", "no-runner", "stranger"])
        )
        runner = {"no-runner": None, "stranger": "d" * 32}.get(kind, draw(st.sampled_from(TASKS)))
        jobs.append(
            Job(
                i + 1,
                1,
                1,
                "build",
                runner,
                "completed",
                "skipped" if kind == "skipped" else "success",
                T0 + start - 1,
                None if kind == "queued" else T0 + start,
                None if kind in ("running", "queued") else T0 + start + length,
            )
        )
    rows = []
    for task in TASKS:
        for metric in METRIC_NAMES:
            if draw(st.booleans()):
                for m in sorted(set(draw(st.lists(st.integers(0, 10), max_size=8)))):
                    value = draw(st.sampled_from([0.0, 256.0, 512.5, 1024.0, 2048.0]))
                    rows.append(
                        {"task_id": task, "metric": metric, "timestamp": iso(T0 + 60 * m), "value": value}
                    )
    return jobs, rows


@settings(max_examples=150, deadline=None)
@given(jobs_and_samples())
def test_join_equals_the_per_job_join(case):
    """join_resources (binary search + segment reductions) == job_resources for every job, including
    overlapping jobs on one task, jobs without samples, skipped/unfinished jobs, missing reservations."""
    jobs, rows = case
    cols = join_resources(job_arrays(jobs), sample_arrays(rows))
    index = index_samples(rows)
    for i, job in enumerate(jobs):
        want = job_resources(job, index)
        assert cols.samples[i] == want.samples
        assert cols.reasons[i] == want.reason
        for key in FIGURES:
            got, exp = cols.figures[key][i], getattr(want, key)
            assert (got is None) == (exp is None), key
            if exp is not None:
                assert got == pytest.approx(exp, rel=1e-12), key


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["r1", "r2", None]), st.integers(0, 300), st.integers(0, 120)), max_size=20
    ),
    st.integers(0, 200),
    st.integers(1, 400),
)
def test_per_runner_and_throughput_equal_their_loops(specs, w0, wlen):
    jobs = [
        Job(i, 1, 1, "b", r, "completed", "success", s - 1, s, s + d) for i, (r, s, d) in enumerate(specs)
    ]
    window = (float(w0), float(w0 + wlen))
    want: dict[str, list[float]] = {}
    for j in jobs:
        if j.runner_name and j.interval:
            busy = max(0.0, min(j.interval[1], window[1]) - max(j.interval[0], window[0]))
            want.setdefault(j.runner_name, []).append(busy)
    rows = item_rows(per_runner(job_arrays(jobs), window))
    assert [r["runner_name"] for r in rows] == sorted(want)
    for r in rows:
        assert r["jobs"] == len(want[r["runner_name"]])
        assert r["busy_s"] == pytest.approx(math.fsum(want[r["runner_name"]]))
    th = throughput(job_arrays(jobs), window, {})
    done = [j.interval[1] for j in jobs if j.interval]
    assert th["completed"] == sum(window[0] <= t <= window[1] for t in done)
    buckets = max(1, math.ceil(wlen / 60))
    expect = [0] * buckets
    for t in done:
        if window[0] <= t <= window[1]:
            expect[min(int((t - window[0]) // 60), buckets - 1)] += 1
    assert [m["completed"] for m in th["per_minute"]] == expect


def test_job_arrays_equal_the_job_properties():
    jobs = [
        Job(1, 1, 1, "b", "r", "completed", "success", 0.0, 5.0, 9.0),
        Job(2, 1, 1, "b", "r", "completed", "skipped", 0.0, 5.0, 5.0),
        Job(3, 1, 1, "b", "r", "in_progress", None, 0.0, 5.0, None),
        Job(4, 1, 1, "b", "r", "completed", "success", None, 5.0, 4.0),  # completed before started
    ]
    a = job_arrays(jobs)
    for i, j in enumerate(jobs):
        assert bool(a.busy[i]) == (j.interval is not None)
        assert bool(a.ran[i]) == j.ran
        if j.interval:
            assert (a.start[i], a.end[i]) == j.interval
        assert (None if np.isnan(a.queue[i]) else a.queue[i]) == j.queue_s


@given(st.integers(0, 4_102_444_800), st.integers(0, 999))
def test_fast_iso_paths_equal_suite_clock(t, ms):
    assert _stamp(float(t)) == iso(t)
    assert _parse(iso(t)) == parse_iso(iso(t))
    s = iso_ms(t + ms / 1000)
    assert _parse(s) == parse_iso(s)
    assert _stamp(t + ms / 1000) == (iso(t) if ms == 0 else iso_ms(t + ms / 1000))
    assert _parse("2026-11-15T10:00:00+00:00") == parse_iso("2026-11-15T10:00:00+00:00")

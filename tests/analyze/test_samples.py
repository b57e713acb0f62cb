"""The counter -> rate rule of the sampler's readings (suite.analyze.samples), exactly as documented,
and the one source per task: the sampler's rows when the task has readings, else Container Insights'."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.resources import CONTAINER_INSIGHTS, SAMPLER, join_resources
from suite.analyze.samples import MAX_GAP_S, cpu_rate, reading_rows, resource_samples, stamp_ms
from suite.analyze.tables import jobs_table
from suite.isotime import parse_iso

T0 = 1_790_000_000_000  # epoch ms


def reading(task: str, t_ms: int, cpu_ns: int, memory_mib: float = 300.0, **limits: Any) -> dict[str, Any]:
    return {
        "task_id": task,
        "timestamp_ms": t_ms,
        "cpu_ns": cpu_ns,
        "memory_bytes": int(memory_mib * 2**20),
        "cpu_limit_vcpu": limits.get("cpu", 1.0),
        "memory_limit_mib": limits.get("memory", 2048),
    }


def rows_of(readings: list[dict[str, Any]], metric: str) -> list[tuple[str, float, float]]:
    return [
        (r["task_id"], parse_iso(r["timestamp"]), r["value"])
        for r in reading_rows(readings)
        if r["metric"] == metric
    ]


def test_a_rate_is_the_counters_delta_over_the_wall_delta_in_units_stamped_at_the_later_reading() -> None:
    got = rows_of([reading("a", T0, 10**9), reading("a", T0 + 5000, 10**9 + 2_500_000_000)], "CpuUtilized")
    assert got == [("a", T0 / 1000 + 5, 2.5e9 / 5e9 * 1024)]  # half a vCPU: 512 units


def test_memory_and_reservations_come_from_every_reading() -> None:
    readings = [reading("a", T0, 0, 300.0, cpu=0.5, memory=1024), reading("a", T0 + 5123, 10**9, 512.5)]
    assert rows_of(readings, "MemoryUtilized") == [("a", T0 / 1000, 300.0), ("a", (T0 + 5123) / 1000, 512.5)]
    assert [v for *_, v in rows_of(readings, "CpuReserved")] == [512.0, 1024.0]
    assert [v for *_, v in rows_of(readings, "MemoryReserved")] == [1024.0, 2048.0]
    unlimited = {**reading("b", T0, 0), "cpu_limit_vcpu": None, "memory_limit_mib": None}
    assert {r["metric"] for r in reading_rows([unlimited])} == {"MemoryUtilized"}  # null limits: no row


def test_a_single_reading_gives_no_rate() -> None:
    assert rows_of([reading("a", T0, 10**9)], "CpuUtilized") == []


def test_readings_of_two_tasks_are_never_paired() -> None:
    """A new task id starts its counter anew: interleaved readings pair within each task only."""
    readings = [reading("a", T0, 0), reading("b", T0 + 1000, 9 * 10**9), reading("a", T0 + 5000, 10**9)]
    got = rows_of(readings, "CpuUtilized")
    assert got == [("a", T0 / 1000 + 5, 1e9 / 5e9 * 1024)]


def test_a_counter_that_went_down_a_gap_or_a_repeated_instant_give_no_rate() -> None:
    gap = int(MAX_GAP_S * 1000)
    assert cpu_rate(reading("a", T0, 5 * 10**9), reading("a", T0 + 5000, 10**9)) is None  # reset
    assert cpu_rate(reading("a", T0, 0), reading("a", T0 + gap + 1, 10**9)) is None  # a gap
    assert cpu_rate(reading("a", T0, 0), reading("a", T0 + gap, 10**9)) == pytest.approx(
        1e9 / (gap * 1e6) * 1024
    )
    assert cpu_rate(reading("a", T0, 0), reading("a", T0, 10**9)) is None  # no time between them
    # a repeated reading counts once (the last read), so it neither pairs with itself nor doubles memory
    twice = [reading("a", T0, 0), reading("a", T0 + 5000, 10**9), reading("a", T0 + 5000, 10**9)]
    assert len(rows_of(twice, "CpuUtilized")) == 1 and len(rows_of(twice, "MemoryUtilized")) == 2


def test_stamps_are_exact_milliseconds() -> None:
    assert stamp_ms(1_790_000_000_123) == "2026-09-21T14:13:20.123Z"
    assert parse_iso(stamp_ms(T0 + 7)) == pytest.approx((T0 + 7) / 1000, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.integers(0, 120_000),  # ms after T0
            st.integers(0, 10**12),  # cpu_ns
        ),
        max_size=30,
    )
)
def test_the_rate_rule_holds_for_any_readings(raw: list[tuple[str, int, int]]) -> None:
    """Per task, readings by time (one per instant, the last): a rate at b for each consecutive pair
    (a, b) with 0 < Δt ≤ MAX_GAP_S and a counter that did not go down, of Δcpu_ns / (Δt_ms x 1e6) x 1024."""
    readings = [reading(task, T0 + dt, cpu) for task, dt, cpu in raw]
    last: dict[tuple[str, int], dict[str, Any]] = {}
    for r in readings:
        last[(r["task_id"], r["timestamp_ms"])] = r
    want = []
    for task in sorted({t for t, _ in last}):
        ordered = [last[k] for k in sorted(k for k in last if k[0] == task)]
        for a, b in itertools.pairwise(ordered):
            dt, dc = b["timestamp_ms"] - a["timestamp_ms"], b["cpu_ns"] - a["cpu_ns"]
            if dt <= MAX_GAP_S * 1000 and dc >= 0:
                want.append((task, b["timestamp_ms"] / 1000, dc / (dt * 1e6) * 1024))
    got = sorted(rows_of(readings, "CpuUtilized"))
    assert [(t, s) for t, s, _ in got] == [(t, pytest.approx(s)) for t, s, _ in sorted(want)]
    assert [v for *_, v in got] == pytest.approx([v for *_, v in sorted(want)])
    assert len(list(r for r in reading_rows(readings) if r["metric"] == "MemoryUtilized")) == len(last)


# ---- one source per task, and each job's resource_source


def _job(job_id: int, runner: str, start: float, end: float) -> dict[str, Any]:
    from suite.clock import iso

    return {
        "id": job_id,
        "run_id": 1,
        "run_attempt": 1,
        "name": "build",
        "runner_name": runner,
        "status": "completed",
        "conclusion": "success",
        "created_at": iso(start - 5),
        "started_at": iso(start),
        "completed_at": iso(end),
    }


def _ci(task: str, t: float, metric: str, value: float) -> dict[str, Any]:
    from suite.clock import iso

    return {"task_id": task, "metric": metric, "timestamp": iso(t), "value": value}


def test_a_task_with_readings_takes_the_samplers_figures_only_and_the_others_container_insights() -> None:
    s = T0 / 1000
    readings = [reading("a", T0 + k * 5000, k * 2_500_000_000, 400.0) for k in range(5)]  # 512 units
    insights = [
        *(_ci("a", s + 10, m, v) for m, v in (("CpuUtilized", 999.0), ("MemoryUtilized", 1999.0))),
        *(_ci("b", s + 10, m, v) for m, v in (("CpuUtilized", 100.0), ("MemoryUtilized", 800.0))),
        *(
            _ci(t, s + 10, m, v)
            for t in "ab"
            for m, v in (("CpuReserved", 1024.0), ("MemoryReserved", 2048.0))
        ),
    ]
    jobs = jobs_table(
        [
            _job(1, "a", s + 3, s + 16),
            _job(2, "b", s + 3, s + 16),
            _job(3, "c", s + 3, s + 16),
            _job(4, "a", s + 1, s + 4),
        ]
    )
    res = join_resources(jobs, resource_samples(insights, readings))
    at = {job_id: i for i, job_id in enumerate(jobs.id.tolist())}  # the table orders jobs by start
    one, two, three, four = (at[k] for k in (1, 2, 3, 4))
    sources = res.sources.tolist()
    assert [sources[i] for i in (one, two, three, four)] == [SAMPLER, CONTAINER_INSIGHTS, None, None]
    figures = res.figures
    # job 1: readings at +5, +10, +15 inside [3, 16): rates 512 each, memory 400; CI's 999/1999 for a unused
    assert (figures["cpu_max"][one], figures["cpu_mean"][one], figures["memory_max"][one]) == (
        512.0,
        512.0,
        400.0,
    )
    assert figures["cpu_mean_pct"][one] == 50.0 and res.samples[one] == 3
    assert (figures["cpu_max"][two], figures["memory_max"][two]) == (100.0, 800.0)  # b: Container Insights
    assert res.reasons[three] == "no Container Insights samples at all for task c"
    assert res.reasons[four] == "no sampler reading inside the job's 3 s interval"  # no reading in [1, 4)

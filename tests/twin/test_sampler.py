"""The twin's sampler: its readings are the usage timeline's integrals and levels, every period from
the task's start until it stops, only at instants already final (< upto), each once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from suite.twin.fleet_model import FleetConfig, Task
from suite.twin.sampler import MIB, TaskSampler
from suite.twin.usage import UsageTimeline

CONFIG = FleetConfig(task_cpu=512, task_memory=1024)


def _timeline() -> UsageTimeline:
    usage = UsageTimeline()
    usage.set("a", 100, 8, 220)  # idle runner
    usage.set("a", 112, 1024, 700)  # a job at one vCPU
    usage.set("a", 121, 8, 220)  # idle again
    return usage


def test_readings_are_the_timelines_integral_and_level_every_period_from_the_start() -> None:
    usage, sampler = _timeline(), TaskSampler(period_s=5)
    tasks = {"a": Task("a", created=40, started=100)}
    got = sampler.readings(tasks, usage, CONFIG, upto=126)
    assert [r["timestamp_ms"] for r in got] == [100_000, 105_000, 110_000, 115_000, 120_000, 125_000]
    cpu_s = [usage.cpu_seconds("a", 100, t) for t in (100, 105, 110, 115, 120, 125)]
    assert [r["cpu_ns"] for r in got] == [round(s * 1e9) for s in cpu_s]
    assert got[3]["cpu_ns"] == round((12 * 8 + 3 * 1024) / 1024 * 1e9)  # by hand: 12 s idle, 3 s at 1 vCPU
    assert [r["memory_bytes"] for r in got] == [m * MIB for m in (220, 220, 220, 700, 700, 220)]
    assert {(r["task_id"], r["cpu_limit_vcpu"], r["memory_limit_mib"]) for r in got} == {("a", 0.5, 1024)}


def test_only_instants_before_upto_and_each_once() -> None:
    usage, sampler = _timeline(), TaskSampler(period_s=5)
    tasks = {"a": Task("a", created=40, started=100)}
    first = sampler.readings(tasks, usage, CONFIG, upto=110)  # 110 itself may still change
    second = sampler.readings(tasks, usage, CONFIG, upto=110.5)
    third = sampler.readings(tasks, usage, CONFIG, upto=111)
    assert [r["timestamp_ms"] for r in first] == [100_000, 105_000]
    assert [r["timestamp_ms"] for r in second] == [110_000] and third == []


def test_a_stopped_task_is_read_until_its_stop_and_a_task_not_started_never() -> None:
    usage, sampler = _timeline(), TaskSampler(period_s=5)
    usage.set("a", 122, 0, 0)
    tasks = {"a": Task("a", created=40, started=100, stopped=122), "b": Task("b", created=120)}
    got = sampler.readings(tasks, usage, CONFIG, upto=500)
    assert [r["timestamp_ms"] for r in got] == [100_000, 105_000, 110_000, 115_000, 120_000]
    assert sampler.readings(tasks, usage, CONFIG, upto=900) == []


@settings(max_examples=60, deadline=None)
@given(
    levels=st.lists(
        st.tuples(st.integers(1, 40), st.floats(0, 4096), st.floats(0, 8192)), min_size=1, max_size=12
    ),
    cuts=st.lists(st.floats(100, 400), max_size=6),
)
def test_readings_do_not_depend_on_how_often_the_twin_steps(
    levels: list[tuple[int, float, float]], cuts: list[float]
) -> None:
    """However the flushes fall, the readings are the same ones, and cpu_ns never goes down."""
    usage, t = UsageTimeline(), 100
    for gap, cpu, memory in levels:
        usage.set("a", t, cpu, memory)
        t += gap
    tasks = {"a": Task("a", created=0, started=100)}
    once = TaskSampler().readings(tasks, usage, CONFIG, upto=400)
    stepped, sampler = [], TaskSampler()
    for upto in [*sorted(cuts), 400]:
        stepped += sampler.readings(tasks, usage, CONFIG, upto=upto)
    assert stepped == once
    counters = [r["cpu_ns"] for r in once]
    assert counters == sorted(counters)
    assert counters[-1] == round(usage.cpu_seconds("a", 100, once[-1]["timestamp_ms"] / 1000) * 1e9)

"""The fleet simulator on its own (no HTTP): scheduling rules, cold starts, needs, truth."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.twin.fleet import Fleet, FleetConfig
from suite.twin.workflows import WORKFLOWS

T0 = 1_700_000_000 // 60 * 60
RUNNER_TEST = WORKFLOWS["runner_test.yml"]
K8S = WORKFLOWS["k8s_like.yml"]


def fleet(**kw: object) -> Fleet:
    cfg = FleetConfig(**{"cold_start_s": (45, 90), "overhead_s": (3, 6), **kw})  # type: ignore[arg-type]
    f = Fleet(cfg, T0)
    f.advance(T0 + 100)  # every initial task is online after at most 90 s
    return f


def dispatch(f: Fleet, n: int, at: float, wf=RUNNER_TEST, **inputs: str) -> None:
    for i in range(n):
        f.dispatch(wf, {"sleep_duration": "60", **inputs, "suite_id": f"s-{i}"}, f"s-{i}", at)


def test_runner_names_are_32_hex_task_ids():
    f = fleet()
    names = [t.task_id for t in f.online_runners()]
    assert len(names) == 4
    assert all(len(n) == 32 and int(n, 16) >= 0 for n in names)


def test_burst_of_20_on_4_persistent_runners_never_exceeds_4():
    f = fleet(ephemeral=False)
    dispatch(f, 20, T0 + 100)
    f.advance(T0 + 3000)
    truth = f.truth()
    assert len(truth["jobs"]) == 20
    assert all(j["status"] == "completed" for j in truth["jobs"])
    assert truth["max_concurrency"] == 4
    # persistent runners: 5 waves on 4 runners
    assert len({j["runner_name"] for j in truth["jobs"]}) == 4


def test_one_job_per_runner_at_a_time():
    f = fleet()
    dispatch(f, 20, T0 + 100)
    f.advance(T0 + 5000)
    by_runner: dict[str, list[tuple[int, int]]] = {}
    for j in f.jobs.values():
        assert j.started is not None and j.completed is not None and j.task_id is not None
        by_runner.setdefault(j.task_id, []).append((j.started, j.completed))
    for spans in by_runner.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in pairwise(spans))


def test_ephemeral_runner_takes_one_job_and_is_replaced_after_cold_start():
    f = fleet(ephemeral=True, stop_delay_s=2)
    dispatch(f, 8, T0 + 100)
    f.advance(T0 + 5000)
    runners = [j.task_id for j in f.jobs.values()]
    assert len(set(runners)) == 8  # one job per task
    stopped = [t for t in f.tasks.values() if t.stopped is not None]
    assert len(stopped) == 8
    replacements = {t.created: t for t in f.tasks.values() if t.created > T0}
    for old in stopped:
        new = replacements[old.stopped]  # the service creates the replacement when the old one stops
        assert new.started is not None and 45 <= new.started - new.created <= 90
    # the second wave had to wait for a cold start: its queue time is at least 45 s
    second_wave = sorted(f.jobs.values(), key=lambda j: j.started or 0)[4:]
    assert all((j.started or 0) - j.created >= 45 for j in second_wave)


def test_job_duration_is_sleep_plus_overhead_and_pickup_latency_applies():
    f = fleet(ephemeral=False, pickup_latency_s=1, overhead_s=(3, 6))
    dispatch(f, 1, T0 + 100.7)
    f.advance(T0 + 400)
    (job,) = f.jobs.values()
    assert job.created == T0 + 100  # 1 s resolution, floor
    assert job.started == T0 + 101
    assert job.completed is not None and 63 <= job.completed - job.started <= 66


def test_k8s_like_has_four_jobs_created_when_their_needs_finish():
    f = fleet(ephemeral=False)
    f.dispatch(K8S, {"sleep_duration": "60", "suite_id": "k"}, "k", T0 + 100)
    f.advance(T0 + 1000)
    jobs = {j.name: j for j in f.jobs.values()}
    assert set(jobs) == {"diagnostic", "build / npm", "build / sonar", "report"}
    assert jobs["build / npm"].created == jobs["diagnostic"].completed
    assert jobs["build / sonar"].created == jobs["diagnostic"].completed
    last_build = max(jobs["build / npm"].completed or 0, jobs["build / sonar"].completed or 0)
    assert jobs["report"].created == last_build
    assert f.runs[next(iter(f.runs))].status == "completed"
    assert f.max_busy == 2  # npm and sonar ran side by side


def test_sequential_jobs_run_one_after_another():
    f = fleet(ephemeral=False)
    f.dispatch(
        RUNNER_TEST,
        {"sleep_duration": "30", "job_count": "3", "job_type": "sequential", "suite_id": "q"},
        "q",
        T0 + 100,
    )
    f.advance(T0 + 1000)
    jobs = sorted(f.jobs.values(), key=lambda j: j.id)
    assert [j.name for j in jobs] == ["run (1)", "run (2)", "run (3)"]
    assert all(j.created == T0 + 100 for j in jobs)
    for a, b in pairwise(jobs):
        assert (b.started or 0) >= (a.completed or 0)
    assert f.max_busy == 1


def test_busy_tasks_report_more_cpu_and_memory_than_idle_ones():
    f = fleet(ephemeral=False)
    f.metric_samples.clear()
    dispatch(f, 2, T0 + 100)
    f.advance(T0 + 100 + 59)
    busy = {j.task_id for j in f.jobs.values()}
    f.metric_samples.clear()
    f.advance(T0 + 180)  # the minute tick at T0+180 sees 2 busy and 2 idle tasks
    cpu = {task: v for task, t, m, v in f.metric_samples if m == "CpuUtilized"}
    assert len(cpu) == 4
    assert min(v for k, v in cpu.items() if k in busy) > max(v for k, v in cpu.items() if k not in busy)
    reserved = {v for _, _, m, v in f.metric_samples if m == "CpuReserved"}
    assert reserved == {1024.0}


def test_task_lifecycle_events_are_ecs_task_state_changes():
    f = fleet(ephemeral=True)
    dispatch(f, 1, T0 + 100)
    f.advance(T0 + 1000)
    statuses = [e["detail"]["lastStatus"] for e in f.task_events]
    assert statuses.count("STOPPED") == 1
    assert statuses.count("PROVISIONING") == 5  # 4 initial + 1 replacement
    stop = next(e for e in f.task_events if e["detail"]["lastStatus"] == "STOPPED")
    assert stop["detail-type"] == "ECS Task State Change"
    assert stop["detail"]["taskArn"].endswith("/" + next(iter(f.jobs.values())).task_id)


def test_same_seed_same_simulation():
    a, b = fleet(seed=7), fleet(seed=7)
    for f in (a, b):
        dispatch(f, 10, T0 + 100)
        f.advance(T0 + 3000)
    assert a.truth() == b.truth()


def test_container_insights_mode_round_trips_and_defaults_to_enhanced():
    standard = FleetConfig(container_insights="standard")
    assert FleetConfig.from_dict(standard.to_dict()) == standard
    older = {k: v for k, v in FleetConfig().to_dict().items() if k != "container_insights"}
    assert FleetConfig.from_dict(older).container_insights == "enhanced"  # a state file from before
    with pytest.raises(
        ValueError, match="container_insights must be one of enhanced, standard, not 'disabled'"
    ):
        FleetConfig(container_insights="disabled")


def test_completion_jitter_moves_each_job_by_at_most_n_seconds_seeded():
    def executions(**kw: object) -> list[int]:
        f = fleet(ephemeral=False, runners=50, **kw)
        dispatch(f, 40, T0 + 100)
        f.advance(T0 + 1000)
        return [j.completed - j.started for j in sorted(f.jobs.values(), key=lambda j: j.id)]  # type: ignore[operator]

    plain = executions()
    jittered = executions(completion_jitter_s=2)
    assert jittered == executions(completion_jitter_s=2)  # the same seed, the same draws
    moved = [b - a for a, b in zip(plain, jittered, strict=True)]
    assert all(-2 <= m <= 2 for m in moved) and set(moved) == {-2, -1, 0, 1, 2}
    assert executions(completion_jitter_s=2, seed=1) != jittered
    with pytest.raises(ValueError, match="completion_jitter_s"):
        FleetConfig(completion_jitter_s=-1)
    assert FleetConfig.from_dict(FleetConfig(completion_jitter_s=3).to_dict()).completion_jitter_s == 3


def test_cpu_bound_twin_job_time_is_work_at_one_vcpu_over_usable_vcpus():
    # the CPU-bound twin: 60 s sleep + 3 s overhead = 63 work-seconds at 1 vCPU, no randomness in overhead
    def execution(task_cpu: int, threads: int | None) -> int:
        f = fleet(
            ephemeral=False, overhead_s=(3, 3), task_cpu=task_cpu, cpu_bound_share=1.0, job_threads=threads
        )
        dispatch(f, 1, T0 + 100)
        f.advance(T0 + 1000)
        (job,) = f.jobs.values()
        assert job.started is not None and job.completed is not None
        return job.completed - job.started

    assert execution(1024, None) == 63
    assert execution(2048, None) == round(63 / 2)
    assert execution(512, None) == 126  # a downsize is slower
    assert execution(4096, 2) == round(63 / 2)  # two threads gain nothing from a 3rd and 4th vCPU
    assert execution(512, 2) == 126  # the cap only limits; half a vCPU is half a vCPU
    # the default twin is unchanged: job time does not depend on the task's CPU
    assert FleetConfig(task_cpu=512).job_time_scale() == FleetConfig(task_cpu=4096).job_time_scale() == 1.0


@given(
    st.sampled_from([256, 512, 1024, 2048, 4096, 8192, 16384]),
    st.floats(0.0, 1.0),
    st.one_of(st.none(), st.integers(1, 16)),
    st.floats(0.5, 2.0),
)
def test_job_time_scale_is_the_documented_formula(task_cpu, share, threads, factor):
    cfg = FleetConfig(task_cpu=task_cpu, cpu_bound_share=share, job_threads=threads, job_time_factor=factor)
    usable = task_cpu / 1024 if threads is None else min(task_cpu / 1024, threads)
    assert cfg.job_time_scale() == pytest.approx(factor * ((1 - share) + share / usable))
    assert FleetConfig.from_dict(cfg.to_dict()) == cfg


def test_fleet_config_refuses_a_share_outside_0_1_and_zero_threads():
    for bad in ({"cpu_bound_share": 1.5}, {"cpu_bound_share": -0.1}, {"job_threads": 0}):
        with pytest.raises(ValueError):
            FleetConfig(**bad)  # type: ignore[arg-type]

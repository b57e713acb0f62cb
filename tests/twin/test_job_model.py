"""The twin's job model (suite.twin.job_model) through the fleet simulator: step times follow the work and
the task's size, memory above the limit kills the job and stops the task, and every resource figure is
derived from Fleet.usage."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.failures import task_stops
from suite.twin.fleet import OOM_EXIT_CODE, OOM_REASON, Fleet, FleetConfig
from suite.twin.github_objects import job_object, run_object
from suite.twin.job_model import JOB_BASE_CPU_UNITS, JOB_BASE_MEMORY_MIB, lay_out, plan_job, planned_seconds
from suite.twin.workflows import WORKFLOWS, StepSpec
from suite.workload import Work

T0 = 1_700_000_000 // 60 * 60
WORKLOAD = WORKFLOWS["runner_workload.yml"]
RUNNER_TEST = WORKFLOWS["runner_test.yml"]


def run_one(wf=WORKLOAD, cpu: int = 1024, memory: int = 2048, **inputs: str) -> Fleet:
    f = Fleet(FleetConfig(task_cpu=cpu, task_memory=memory, ephemeral=False, overhead_s=(3, 3)), T0)
    f.advance(T0 + 100)
    f.dispatch(wf, {**inputs, "suite_id": "s"}, "s", T0 + 100)
    f.advance(T0 + 2000)
    return f


def steps_of(f: Fleet) -> dict[str, tuple[int | None, str]]:
    (job,) = f.jobs.values()
    return {
        s.name: (None if s.start is None or s.end is None else s.end - s.start, s.conclusion)
        for s in job.step_runs
    }


def test_cpu_work_takes_units_x_threads_over_usable_vcpus():
    # build: 2 threads x 60 units; 1 vCPU: 120 s, 2 vCPUs: 60 s, 4 vCPUs: still 60 s (2 threads)
    one, two, four = (steps_of(run_one(cpu=c, memory=4096, preset="build")) for c in (1024, 2048, 4096))
    assert one["CPU work"] == (120, "success") and two["CPU work"] == (60, "success")
    assert four["CPU work"] == (60, "success")
    half = steps_of(run_one(cpu=512, memory=2048, preset="build"))
    assert half["CPU work"] == (240, "success")  # half a vCPU is half a vCPU


def test_a_sleep_job_takes_the_same_time_on_any_size():
    times = set()
    for cpu, memory in ((256, 512), (1024, 2048), (4096, 8192)):
        f = run_one(RUNNER_TEST, cpu, memory, sleep_duration="60", job_count="1", job_type="parallel")
        (job,) = f.jobs.values()
        assert job.completed is not None and job.started is not None
        times.add(job.completed - job.started)
    assert times == {63}  # 60 s sleep + 3 s overhead, as before the job model


def test_steps_are_set_up_the_steps_and_complete_in_order_covering_the_job():
    f = run_one(preset="light")
    (job,) = f.jobs.values()
    names = [s.name for s in job.step_runs]
    work = ["CPU work", "Memory work", "Disk work", "Network work", "Sleep"]
    assert names == ["Set up job", "Identify", *work, "Complete job"]
    assert job.step_runs[0].start == job.started and job.step_runs[-1].end == job.completed
    for a, b in pairwise(job.step_runs):
        assert a.end == b.start
    assert steps_of(f)["Sleep"] == (5, "success") and steps_of(f)["Network work"] == (0, "success")
    assert job.conclusion == "success" and f.runs[job.run_id].conclusion == "success"


def test_memory_above_the_limit_kills_the_job_and_stops_the_task_with_oom():
    f = run_one(memory=2048, preset="memory-heavy")
    (job,) = f.jobs.values()
    steps = steps_of(f)
    assert steps["Memory work"][1] == "failure"
    assert [steps[n] for n in ("Disk work", "Network work", "Sleep", "Complete job")] == [
        (None, "skipped")
    ] * 4
    assert job.conclusion == "failure" and f.runs[job.run_id].conclusion == "failure"
    assert job.task_id is not None
    task = f.tasks[job.task_id]
    assert task.stopped == job.completed and task.out_of_memory  # persistent, yet stopped: killed
    stop = [e for e in f.task_events if e["detail"]["lastStatus"] == "STOPPED"]
    assert len(stop) == 1
    (container,) = stop[0]["detail"]["containers"]
    assert container["exitCode"] == OOM_EXIT_CODE == 137 and container["reason"] == OOM_REASON
    assert task_stops(f.task_events)[job.task_id].out_of_memory  # what the analysis reads
    assert f.usage.peak_memory_mib(job.task_id, job.started, job.completed) == 2048  # filled to the limit
    assert len(f.tasks) == 5 and len(f.online_runners()) == 4  # the service started a replacement
    # on 4 GiB the same job fits and holds 3 GiB + the runner's baseline
    big = run_one(cpu=2048, memory=4096, preset="memory-heavy")
    (ok,) = big.jobs.values()
    assert ok.conclusion == "success" and ok.task_id is not None
    assert big.usage.peak_memory_mib(ok.task_id, ok.started, ok.completed) == 3072 + JOB_BASE_MEMORY_MIB


def test_a_failed_job_skips_the_jobs_that_need_it():
    f = Fleet(FleetConfig(task_memory=512, task_cpu=256, ephemeral=False), T0)  # npm's 512 MiB cannot fit
    f.advance(T0 + 100)
    f.dispatch(WORKFLOWS["k8s_like.yml"], {"sleep_duration": "10", "suite_id": "k"}, "k", T0 + 100)
    f.advance(T0 + 3000)
    jobs = {j.name: j for j in f.jobs.values()}
    assert jobs["build / npm"].conclusion == "failure" and jobs["build / sonar"].conclusion == "success"
    report = jobs["report"]
    assert (report.status, report.conclusion, report.started, report.task_id) == (
        "completed",
        "skipped",
        None,
        None,
    )
    run = f.runs[report.run_id]
    assert run.status == "completed" and run.conclusion == "failure"


def test_container_insights_minutes_are_derived_from_the_usage_timeline():
    f = run_one(preset="build")
    (job,) = f.jobs.values()
    samples = {(task, t, m): v for task, t, m, v in f.metric_samples}
    minutes = sorted({t for task, t, _ in samples if task == job.task_id})
    assert minutes
    for t in minutes:
        cpu = f.usage.mean_cpu_units(job.task_id, t - 60, t)
        mem = f.usage.peak_memory_mib(job.task_id, t - 60, t)
        assert samples[(job.task_id, t, "CpuUtilized")] == round(cpu or 0, 2)
        assert samples[(job.task_id, t, "MemoryUtilized")] == float(round(mem or 0))
        assert samples[(job.task_id, t, "CpuReserved")] == 1024.0
    # a minute wholly inside the CPU step: the task's whole vCPU (2 threads on 1 vCPU)
    assert job.started is not None
    inside = [t for t in minutes if t - 60 >= job.started + 2 and t <= job.started + 122]
    assert inside and all(samples[(job.task_id, t, "CpuUtilized")] == 1024.0 for t in inside)


def test_a_sleeping_job_uses_about_one_percent_of_a_vcpu():
    f = run_one(RUNNER_TEST, sleep_duration="600", job_count="1", job_type="parallel")
    (job,) = f.jobs.values()
    assert job.task_id is not None and job.started is not None
    assert f.usage.mean_cpu_units(job.task_id, job.started + 10, job.started + 600) == JOB_BASE_CPU_UNITS


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            Work,
            cpu_units=st.floats(0, 50),
            threads=st.integers(1, 4),
            memory_mib=st.floats(0, 3000),
            hold_s=st.floats(0, 20),
            disk_mib=st.floats(0, 300),
            sleep_s=st.integers(0, 30).map(float),
        ),
        max_size=4,
    ),
    st.sampled_from([(256, 512), (1024, 2048), (2048, 4096)]),
    st.integers(0, 6),
    st.integers(0, 400),
)
def test_lay_out_covers_exactly_the_total_in_order(works, size, overhead, total):
    steps = tuple(StepSpec(f"s{i}", w) for i, w in enumerate(works))
    plans = plan_job(steps, size[0], size[1], overhead)
    assert planned_seconds(plans) >= 0
    levels, laid = lay_out(plans, T0, total)
    assert laid[0][1] == T0 and laid[-1][2] == T0 + total
    assert all(a[2] == b[1] for a, b in pairwise(laid))
    assert all(lo[0] <= hi[0] for lo, hi in pairwise(levels))
    assert all(0 <= cpu <= size[0] and 0 < mem <= size[1] for _, cpu, mem in levels)
    killed = [s for s in laid if s[3]]
    assert len(killed) <= 1 and (not killed or laid[-1] == killed[0])


def test_the_what_if_scale_applies_on_top_of_the_model():
    cfg = FleetConfig(cpu_bound_share=1.0, task_cpu=2048, overhead_s=(3, 3), ephemeral=False)
    f = Fleet(cfg, T0)
    f.advance(T0 + 100)
    f.dispatch(RUNNER_TEST, {"sleep_duration": "60", "suite_id": "s"}, "s", T0 + 100)
    f.advance(T0 + 1000)
    (job,) = f.jobs.values()
    assert job.completed is not None and job.started is not None
    assert job.completed - job.started == round(63 / 2)
    assert [s.name for s in job.step_runs] == ["Set up job", "Identify", "Sleep", "Complete job"]
    assert job.step_runs[-1].end == job.completed


@pytest.mark.parametrize("preset", ["light", "build", "memory-heavy"])
def test_truth_records_each_jobs_conclusion_and_steps(preset):
    f = run_one(preset=preset)
    (row,) = f.truth()["jobs"]
    (job,) = f.jobs.values()
    assert row["conclusion"] == job.conclusion
    assert [s["name"] for s in row["steps"]] == [s.name for s in job.step_runs]
    assert [s["conclusion"] for s in row["steps"]] == [s.conclusion for s in job.step_runs]


def test_the_jobs_api_serves_the_models_steps_as_of_now():
    f = Fleet(FleetConfig(ephemeral=False, overhead_s=(3, 3)), T0)
    f.advance(T0 + 100)
    f.dispatch(WORKLOAD, {"preset": "build", "suite_id": "s"}, "s", T0 + 100)
    f.advance(T0 + 150)  # inside the CPU step (120 s from about T0 + 103)
    (job,) = f.jobs.values()
    seen = job_object("https://api.invalid", "o/r", f, job)["steps"]
    assert [(s["name"], s["status"]) for s in seen[:4]] == [
        ("Set up job", "completed"),
        ("Identify", "completed"),
        ("CPU work", "in_progress"),
        ("Memory work", "queued"),
    ]
    assert (
        seen[2]["started_at"] is not None
        and seen[2]["completed_at"] is None
        and seen[2]["conclusion"] is None
    )
    assert seen[3]["started_at"] is None
    f.advance(T0 + 1000)
    done = job_object("https://api.invalid", "o/r", f, job)
    assert done["conclusion"] == "success" and {s["conclusion"] for s in done["steps"]} == {"success"}
    assert [s["number"] for s in done["steps"]] == list(range(1, 9))
    killed = run_one(preset="memory-heavy")
    (bad,) = killed.jobs.values()
    served = job_object("https://api.invalid", "o/r", killed, bad)
    assert served["conclusion"] == "failure"
    assert [(s["name"], s["conclusion"]) for s in served["steps"] if s["conclusion"] != "success"] == [
        ("Memory work", "failure"),
        ("Disk work", "skipped"),
        ("Network work", "skipped"),
        ("Sleep", "skipped"),
        ("Complete job", "skipped"),
    ]
    assert all(s["started_at"] is None for s in served["steps"] if s["conclusion"] == "skipped")
    assert run_object("https://api.invalid", "o/r", killed.runs[bad.run_id])["conclusion"] == "failure"

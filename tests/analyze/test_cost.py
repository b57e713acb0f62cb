"""The cost rules (docs/architecture.md, Definitions; suite.analyze.cost) held exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze import cost as cost_mod
from suite.analyze.tasks import Task
from suite.fleet.prices import read_prices

TABLE = read_prices()
FLEET = {"task_cpu": 1024, "task_memory": 2048, "region": "us-east-1"}
PER_S = (1.0 * 0.04048 + 2.0 * 0.004445) / 3600


def _jobs(rows):
    """rows: (name, runner, start, end) with end None for a job that did not complete."""
    n = len(rows)
    busy = np.asarray([r[3] is not None for r in rows], bool)
    start = np.asarray([r[2] if r[3] is not None else np.nan for r in rows], float)
    end = np.asarray([r[3] if r[3] is not None else np.nan for r in rows], float)
    return (
        cost_mod.Jobs([r[0] for r in rows], [r[1] for r in rows], busy, start, end)
        if n
        else cost_mod.Jobs([], [], np.zeros(0, bool), np.zeros(0), np.zeros(0))
    )


@st.composite
def fleets(draw):
    """Tasks (each with jobs one after another on it) and a window."""
    tasks, jobs = [], []
    for k in range(draw(st.integers(0, 6))):
        created = draw(st.floats(0, 500))
        started = None if draw(st.integers(0, 5)) == 0 else created + draw(st.floats(0, 90))
        t = (started if started is not None else created) + draw(st.floats(0, 30))
        for _ in range(draw(st.integers(0, 3)) if started is not None else 0):
            t0 = t + draw(st.floats(0, 40))
            t1 = t0 + draw(st.floats(0, 120))
            jobs.append((draw(st.sampled_from(["build", "test"])), f"task{k}", t0, t1))
            t = t1
        stopped = None if draw(st.booleans()) else t + draw(st.floats(0, 60))
        tasks.append(Task(f"task{k}", created, started, stopped, "RUNNING" if stopped is None else "STOPPED"))
    w0 = draw(st.floats(0, 300))
    return tasks, jobs, (w0, w0 + draw(st.floats(1, 1500)))


def _clip(a, b, w):
    return max(0.0, min(b, w[1]) - max(a, w[0]))


@settings(max_examples=300, deadline=None)
@given(fleets())
def test_the_run_costs_every_task_second_in_the_window_split_three_ways(case):
    tasks, rows, window = case
    reasons: dict[str, str] = {}
    section, per_job = cost_mod.cost_section(_jobs(rows), tasks, window, FLEET, TABLE, reasons)
    lifetimes = [_clip(t.created, t.stopped if t.stopped is not None else window[1], window) for t in tasks]
    run = section["run"]
    if not any(x > 0 for x in lifetimes):
        assert run["usd"] is None and "cost.run" in reasons
        return
    assert run["tasks"] == sum(x > 0 for x in lifetimes)
    assert run["task_s"] == pytest.approx(sum(lifetimes))
    assert run["usd"] == pytest.approx(sum(x * PER_S for x in lifetimes))
    assert run["busy_s"] + run["idle_s"] + run["cold_start_s"] == pytest.approx(run["task_s"])
    assert min(run["busy_s"], run["idle_s"], run["cold_start_s"]) >= -1e-9
    by_task = {t.task_id: t for t in tasks}
    busy = 0.0
    for _, runner, a, b in rows:  # jobs on one task never overlap here: the busy time is their sum
        t = by_task[runner]
        end = min(t.stopped if t.stopped is not None else window[1], window[1])
        busy += max(0.0, min(b, end) - max(a, t.started, window[0]))
    assert run["busy_s"] == pytest.approx(busy, abs=1e-6)

    def never(x):
        return np.inf if x is None else x

    cold = sum(_clip(t.created, min(never(t.started), never(t.stopped)), window) for t in tasks)
    assert run["cold_start_s"] == pytest.approx(cold, abs=1e-6)
    ran = len(rows)
    assert section["jobs"] == ran
    assert section["per_job_usd"] == (pytest.approx(run["usd"] / ran) if ran else None)
    assert per_job.tolist() == pytest.approx([(b - a) * PER_S for _, _, a, b in rows])


def test_a_job_costs_its_execution_at_the_task_price_and_the_names_add_up():
    rows = [("build", "t1", 0.0, 100.0), ("test", "t1", 100.0, 130.0), ("build", "t2", 5.0, None)]
    tasks = [Task("t1", -10.0, -5.0, 140.0, "STOPPED"), Task("t2", 0.0, 2.0, None, "RUNNING")]
    section, per_job = cost_mod.cost_section(_jobs(rows), tasks, (0.0, 130.0), FLEET, TABLE, {})
    assert per_job[:2].tolist() == pytest.approx([100 * PER_S, 30 * PER_S]) and np.isnan(per_job[2])
    assert section["by_job_name"]["build"] == {
        "jobs": 1,
        "execution_usd": pytest.approx(100 * PER_S),
        "mean_execution_usd": pytest.approx(100 * PER_S),
    }
    assert section["jobs"] == 2
    run = section["run"]  # t1: 130 s in the window, all busy; t2: 2 s cold, 128 s idle
    assert (run["busy_s"], run["cold_start_s"], run["idle_s"]) == pytest.approx((130.0, 2.0, 128.0))
    assert run["idle_share"] == pytest.approx(128 / 260)
    assert section["per_job_usd"] == pytest.approx(260 * PER_S / 2)
    p = section["prices"]
    assert (p["checked"], p["source"], p["table"]) == (
        TABLE["checked"],
        TABLE["source"],
        "pricing/fargate.yaml",
    )
    assert p["task_hour"] == pytest.approx(PER_S * 3600) and p["architecture"] == "X86_64"


@pytest.mark.parametrize(
    ("fleet", "why"),
    [
        (FLEET | {"region": "xx-nowhere-1"}, "no price for region xx-nowhere-1 (X86_64)"),
        (
            FLEET | {"region": "eu-west-1", "cpu_architecture": "ARM64"},
            "no price for region eu-west-1 (ARM64)",
        ),
        ({"task_cpu": 1024, "task_memory": 2048}, "region is unknown"),
        ({"region": "us-east-1", "task_cpu": 1024}, "task size is unknown"),
    ],
)
def test_a_price_that_cannot_be_known_is_null_with_the_reason(fleet, why):
    reasons: dict[str, str] = {}
    rows = [("build", "t1", 0.0, 100.0)]
    tasks = [Task("t1", 0.0, 1.0, 120.0, "STOPPED")]
    section, per_job = cost_mod.cost_section(_jobs(rows), tasks, (0.0, 100.0), fleet, TABLE, reasons)
    assert why in reasons["cost"]
    assert np.isnan(per_job).all() and section["per_job_usd"] is None and section["run"]["usd"] is None
    assert section["run"]["task_s"] == 100.0  # the seconds are observed; only their price is unknown
    assert section["execution_usd"]["count"] == 0


def test_arm64_is_priced_where_the_table_has_it_and_the_manifest_says_so():
    fleet = FLEET | {"cpu_architecture": "ARM64"}
    used, per_s, why = cost_mod.price_of(fleet, TABLE)
    assert why is None and used["architecture_from"] == "the manifest's fleet.cpu_architecture"
    assert per_s == pytest.approx((0.03238 + 2 * 0.00356) / 3600)
    used, _, _ = cost_mod.price_of(FLEET, TABLE)
    assert used["architecture_from"] == cost_mod.ASSUMED_ARCHITECTURE


def test_tasks_not_collected_leave_the_run_null_with_the_manifests_reason():
    reasons: dict[str, str] = {}
    section, _ = cost_mod.cost_section(
        _jobs([("b", "t", 0.0, 10.0)]), [], (0.0, 10.0), FLEET, TABLE, reasons, "no ECS cluster configured"
    )
    assert section["run"]["usd"] is None and reasons["cost.run"] == "no ECS cluster configured"
    assert section["execution_usd"]["count"] == 1  # the jobs' own cost is still known


def test_jobs_never_collected_leave_rightsize_and_cost_null_with_the_reason():
    from suite.analyze.result import compute_result
    from tests.helpers.hand_made_run import LEDGER, MANIFEST, TASKS

    r = compute_result(MANIFEST, LEDGER, [], [], [], TASKS, [], uncollected=["raw/jobs.jsonl"], prices=TABLE)
    assert r["rightsize"] is None and r["cost"] is None
    for section in ("cost", "rightsize"):
        assert "raw/jobs.jsonl absent" in r["reasons"][section]

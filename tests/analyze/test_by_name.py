"""suite.analyze.by_name: per job name and per workflow, each figure equals numpy over that subset."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.by_name import by_job_name
from suite.analyze.columns import Cat
from suite.analyze.result import compute_result
from suite.analyze.timeline import JobArrays
from tools.bench import Synthetic

NAMES = ["diagnostic", "build / npm", "build / sonar", "report", "", "test (3)"]
CONCLUSIONS = ["success", "failure", "cancelled", "skipped", "timed_out", None]


@st.composite
def job_columns(draw):
    n = draw(st.integers(0, 60))
    name = draw(st.lists(st.sampled_from(NAMES), min_size=n, max_size=n))
    conclusion = draw(st.lists(st.sampled_from(CONCLUSIONS), min_size=n, max_size=n))
    created = [float(draw(st.integers(0, 1000))) for _ in range(n)]
    started = [c + draw(st.sampled_from([math.nan, 0.0, 1.0, 7.5, 300.0])) for c in created]
    completed = [s + draw(st.sampled_from([math.nan, 0.0, 7.0, 31.0, 65.5])) for s in started]
    run_created = [c - draw(st.sampled_from([math.nan, 0.0, 3.0, 40.0])) for c in created]
    status = ["completed" if not math.isnan(c) else "in_progress" for c in completed]
    jobs = JobArrays.of(
        np.arange(n, dtype=np.int64),
        np.arange(n, dtype=np.int64) // 4,
        np.ones(n, np.int64),
        Cat.of(name),
        Cat.of([None] * n),
        Cat.of(status),
        Cat.of(conclusion),
        np.asarray(created, float),
        np.asarray(started, float),
        np.asarray(completed, float),
    )
    return jobs, np.asarray(run_created, float)


def numpy_figures(values: np.ndarray) -> dict[str, float | int | None]:
    """The Distribution of `values` straight from numpy (method='linear'), for comparison."""
    v = values[~np.isnan(values)]
    if not v.size:
        return {"count": 0, "p50": None, "p95": None, "max": None}
    return {
        "count": int(v.size),
        "p50": float(np.percentile(v, 50)),
        "p95": float(np.percentile(v, 95)),
        "max": float(v.max()),
    }


@settings(max_examples=200, deadline=None)
@given(job_columns())
def test_per_name_distributions_equal_numpy_over_each_names_subset(case):
    jobs, run_created = case
    reasons: dict[str, str] = {}
    got = by_job_name(jobs, run_created, reasons)
    names = jobs.name.objects()
    present = list(dict.fromkeys(names.tolist()))  # in order of the first job with the name
    assert list(got) == present
    busy = jobs.busy
    for name in present:
        mine = names == name
        queue = jobs.queue[mine]
        execution = np.where(busy, jobs.completed - jobs.started, np.nan)[mine]
        total = np.where(busy, jobs.completed - run_created, np.nan)[mine]
        for key, values in (
            ("queue_time_s", queue),
            ("execution_time_s", execution),
            ("total_time_s", total),
        ):
            want = numpy_figures(values)
            d = got[name][key]
            assert {k: d[k] for k in want} == want, (name, key)
            if want["count"] == 0:
                assert f'jobs["{name}"].{key}' in reasons
        counts = got[name]["jobs"]
        assert counts["count"] == int(mine.sum()) and counts["ran"] == int((busy & mine).sum())
        assert counts["skipped"] == int((jobs.conclusion.objects() == "skipped")[mine].sum())
    # the names partition the jobs: their counts add up to the headline counts
    assert sum(g["jobs"]["count"] for g in got.values()) == len(jobs)
    assert sum(g["execution_time_s"]["count"] for g in got.values()) == int(busy.sum())
    assert sum(g["queue_time_s"]["count"] for g in got.values()) == int((~np.isnan(jobs.queue)).sum())


def test_the_bench_run_splits_its_four_job_names_and_one_workflow():
    r = compute_result(**Synthetic(jobs=4000, runners=8, seed=5).inputs())
    by_name, by_wf = r["by_job_name"], r["by_workflow"]
    assert set(by_name) == {"run", "diagnostic", "build / npm", "build / sonar", "report"}
    for key in ("count", "succeeded", "failed", "cancelled", "skipped", "incomplete", "ran"):
        assert sum(g["jobs"][key] for g in by_name.values()) == r["jobs"][key]
    for key in ("queue_time_s", "execution_time_s"):
        assert sum(g[key]["count"] for g in by_name.values()) == r[key]["count"]
    assert list(by_wf) == ["bench.yml"]  # the file name of the runs' path
    wf = by_wf["bench.yml"]
    for key in ("queue_time_s", "execution_time_s", "total_time_s"):
        assert wf[key] == r[key]  # one workflow: its figures are the headline figures
    assert wf["jobs"] == r["jobs"] and wf["runs"] == r["workflows"]["collected"]

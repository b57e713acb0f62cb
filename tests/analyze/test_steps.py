"""suite.analyze.steps: the step definitions, exactly, on hand-made job rows; and per-key counts adding
up to the steps with both stamps (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.result import compute_result
from suite.analyze.steps import StepTap, parse_steps, step_figures
from tests.helpers.hand_made_run import JOBS, LEDGER, MANIFEST, RUNS, job_row, t


def step(number, name, conclusion, started, completed):
    return {
        "name": name,
        "number": number,
        "status": "completed",
        "conclusion": conclusion,
        "started_at": None if started is None else t(started),
        "completed_at": None if completed is None else t(completed),
    }


def figures(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    tap, reasons = StepTap(), {}
    seen = list(tap.rows(rows))
    assert seen == rows  # the rows pass through unchanged
    out = step_figures(
        [r["id"] for r in rows],
        [r["name"] for r in rows],
        [r["conclusion"] for r in rows],
        tap.columns(),
        reasons,
    )
    return dict(out), reasons


def with_steps(row: dict[str, Any], *steps: dict[str, Any]) -> dict[str, Any]:
    return row | {"steps": list(steps)}


def test_duration_is_completed_minus_started_per_job_name_and_step_number():
    rows = [
        with_steps(
            job_row(1, 101, "build / npm", "a", 0, 5, 100),
            step(1, "Set up job", "success", 5, 7),  # 2
            step(2, "Run tests", "success", 7, 47),  # 40
            step(3, "Run tests", "success", 47, 57),  # same name, number 3: its own key, 10
            step(4, "Upload", "skipped", None, None),  # skipped: no stamps, no duration
        ),
        with_steps(
            job_row(2, 101, "build / npm", "b", 0, 5, 100),
            step(1, "Set up job", "success", 5, 9),  # 4
            step(2, "Run tests", "success", 9, 69),  # 60
        ),
        with_steps(job_row(3, 102, "lint", "a", 0, 5, 10), step(1, "Run tests", "success", 5, 6)),  # 1
    ]
    out, reasons = figures(rows)
    keys = [(f["job_name"], f["number"], f["name"]) for f in out["by_step"]]
    assert keys == [
        ("build / npm", 1, "Set up job"),
        ("build / npm", 2, "Run tests"),
        ("build / npm", 3, "Run tests"),
        ("build / npm", 4, "Upload"),
        ("lint", 1, "Run tests"),  # the same step name in another job name: another key
    ]
    by_key = {k: f for k, f in zip(keys, out["by_step"], strict=True)}
    tests = by_key[("build / npm", 2, "Run tests")]
    assert (tests["steps"], tests["timed"], tests["failed"]) == (2, 2, 0)
    assert tests["duration_s"]["min"] == 40.0 and tests["duration_s"]["max"] == 60.0
    assert tests["duration_s"]["mean"] == 50.0 and tests["duration_s"]["p50"] == 50.0
    assert by_key[("build / npm", 3, "Run tests")]["duration_s"]["max"] == 10.0
    upload = by_key[("build / npm", 4, "Upload")]
    assert (upload["steps"], upload["timed"], upload["duration_s"]["count"]) == (1, 0, 0)
    assert reasons == {
        'steps["build / npm"][4].duration_s': (
            "no step of this key had both started_at and completed_at (skipped)"
        )
    }
    assert [(f["number"], f["name"], f["duration_s"]["p95"]) for f in out["slowest"]] == [
        (2, "Run tests", 59.0),  # 40, 60: linear p95
        (3, "Run tests", 10.0),
        (1, "Set up job", 3.9),
        (1, "Run tests", 1.0),
    ]
    assert out["failed_at"] == []


def test_failed_job_fails_at_its_first_failing_step_by_number_else_null_with_a_reason():
    rows = [
        with_steps(
            job_row(1, 101, "build", "a", 0, 5, 100, "failure"),
            step(3, "Deploy", "cancelled", 60, 61),
            step(2, "Run tests", "failure", 10, 60),  # listed after 3, numbered before it
            step(1, "Set up job", "success", 5, 10),
        ),
        with_steps(
            job_row(2, 101, "build", "b", 0, 5, 100, "timed_out"), step(1, "Set up job", "success", 5, 6)
        ),
        job_row(3, 101, "build", "c", 0, 5, 100, "failure"),  # no steps at all
        with_steps(job_row(4, 101, "build", "d", 0, 5, 100, "cancelled"), step(1, "x", "cancelled", 5, 6)),
        job_row(5, 101, "build", "d", 0, 5, 100, "success"),
    ]
    out, _ = figures(rows)
    assert out["failed_at"] == [  # cancelled and successful jobs are not failed jobs
        {"job_id": 1, "job_name": "build", "step_number": 2, "step_name": "Run tests",
         "step_conclusion": "failure", "reason": None},
        {"job_id": 2, "job_name": "build", "step_number": None, "step_name": None, "step_conclusion": None,
         "reason": "no step concluded failure, timed_out or cancelled"},
        {"job_id": 3, "job_name": "build", "step_number": None, "step_name": None, "step_conclusion": None,
         "reason": "the job carried no steps"},
    ]  # fmt: skip
    deploy = next(f for f in out["by_step"] if f["name"] == "Deploy")
    assert (deploy["failed"], deploy["duration_s"]["max"]) == (1, 1.0)


def test_no_stamped_step_is_a_reason_and_completed_before_started_is_no_duration():
    rows = [with_steps(job_row(1, 101, "build", "a", 0, 5, 100), step(1, "odd", "success", 10, 9))]
    out, reasons = figures(rows)
    assert out["by_step"][0]["timed"] == 0 and out["slowest"] == []
    assert reasons["steps"] == "no job of this test carried a step with started_at and completed_at"
    assert parse_steps("not a list") == [] and parse_steps([1, None]) == []


def test_result_json_counts_only_this_tests_jobs_and_a_job_ids_last_copy():
    jobs = [with_steps(j, step(1, "Run", "success", 0, j["id"])) for j in JOBS]
    jobs.append(with_steps(JOBS[0], step(1, "Run", "success", 0, 7)))  # job 1 again: this copy wins
    result = compute_result(MANIFEST, LEDGER, RUNS, jobs, [], [], [])
    by_key = {(f["job_name"], f["name"]): f for f in result["steps"]["by_step"]}
    # job 3 is superseded by attempt 2, job 9 belongs to another run: neither counts
    assert sorted(by_key) == [
        ("build", "Run"),
        ("build / npm", "Run"),
        ("diagnostic", "Run"),
        ("lint", "Run"),
    ]
    assert by_key[("diagnostic", "Run")]["duration_s"]["max"] == 7.0
    assert by_key[("build", "Run")]["duration_s"]["max"] == 4.0
    assert "failed_at" not in result["steps"]  # per job: per_job's failed_step; counted: failed_by_step
    failed = [
        (r["id"], r["failed_step"]) for r in result["per_job"] if r["conclusion"] in ("failure", "timed_out")
    ]
    assert [job_id for job_id, _ in failed] == [4]
    assert [f["jobs"] for f in result["steps"]["failed_by_step"]] == [1]
    assert result["steps"]["failed_by_step"][0]["step_name"] == failed[0][1]


stamps = st.one_of(st.none(), st.integers(0, 100))
steps_strategy = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from(["a", "b"]), st.sampled_from(["success", "failure", None]),
              stamps, stamps),
    max_size=6,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["x", "y / z"]), steps_strategy), max_size=6))
def test_per_key_counts_add_up_to_the_steps_with_both_stamps(jobs):
    rows = [
        with_steps(job_row(i, 1, name, "r", 0, 0, 1), *(step(*s) for s in steps))
        for i, (name, steps) in enumerate(jobs, 1)
    ]
    out, _ = figures(rows)
    every = [s for _, steps in jobs for s in steps]
    timed = [s for s in every if s[3] is not None and s[4] is not None and s[4] >= s[3]]
    assert sum(f["steps"] for f in out["by_step"]) == len(every)
    assert sum(f["timed"] for f in out["by_step"]) == sum(f["duration_s"]["count"] for f in out["by_step"])
    assert sum(f["timed"] for f in out["by_step"]) == len(timed)
    total = sum(f["duration_s"]["mean"] * f["timed"] for f in out["by_step"] if f["timed"])
    assert total == pytest.approx(sum(s[4] - s[3] for s in timed))
    p95 = [f["duration_s"]["p95"] for f in out["slowest"]]
    assert p95 == sorted(p95, reverse=True)


def test_jobs_never_collected_is_the_reason_for_no_steps():
    result = compute_result(MANIFEST, LEDGER, RUNS, [], [], [], [], uncollected=["raw/jobs.jsonl"])
    assert result["steps"]["by_step"] == [] and result["steps"]["failed_by_step"] == []
    why = "raw/jobs.jsonl absent: the jobs were never collected (suite collect)"
    assert result["reasons"]["steps"] == why

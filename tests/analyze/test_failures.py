"""Failure attribution (suite.analyze.failures): every cause on hand-made rows, exactly; the causes
partition the jobs that did not succeed (hypothesis); the count equals compare's failure-rate samples;
and result.json, per_job and jobs.csv carry it."""

import csv
import io

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.failures import (
    CAUSES,
    NO_RUNNER,
    NO_TASK_EVENT,
    NOT_SUCCEEDED,
    failure_causes,
    failures_section,
    task_stops,
)
from suite.analyze.resources import sample_arrays
from suite.analyze.result import as_json, compute_result, result_of
from suite.analyze.tables import jobs_table
from suite.decisions.compare.samples import FAILED, samples_from_result
from suite.report.jobs_csv import write_jobs_csv
from tests.helpers.analyze_records import jobs_from_raw
from tests.helpers.failures_reference import cause as reference_cause
from tests.helpers.failures_reference import task_ends
from tests.helpers.hand_made_run import LEDGER, MANIFEST, RUNS, A, B, C, job_row, t, task_event

D, E = "d" * 32, "e" * 32
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"


def stop_event(task, stopped, reason="Essential container in task exited", exit_code=0, **extra):
    e = task_event(task, "STOPPED", 0, 1)
    e["time"] = t(stopped)
    e["detail"] |= {
        "stoppedAt": t(stopped),
        "stoppedReason": reason,
        "containers": [{"name": "runner", "exitCode": exit_code}],
        **extra,
    }
    return e


def attribute(jobs, events, not_collected=None):
    """Each job's cause in the order of `jobs` (the table orders its rows its own way), the unknown
    reasons, and the table."""
    arr = jobs_table(jobs)
    causes, unknown = failure_causes(arr, task_stops(events), not_collected)
    by_id = dict(zip(arr.id.tolist(), causes.tolist(), strict=True))
    return [by_id[j["id"]] for j in jobs], unknown, arr


def in_table_order(arr, jobs, causes):
    by_id = {j["id"]: c for j, c in zip(jobs, causes, strict=True)}
    return np.asarray([by_id[i] for i in arr.id.tolist()] + [None], dtype=object)[:-1]


def test_each_cause_on_hand_made_rows():
    jobs = [
        job_row(1, 101, "build", A, 0, 10, 70, "success"),
        job_row(2, 101, "build", A, 0, 10, 3600, "timed_out"),
        job_row(3, 101, "build", B, 0, 10, 40, "cancelled"),
        job_row(4, 101, "test", C, 0, 10, 50, "failure"),  # C: exit 137 at 50
        job_row(5, 101, "test", D, 0, 10, 200, "failure"),  # D: stopped at 60, GitHub gave up at 200
        job_row(6, 101, "test", E, 0, 10, 50, "failure"),  # E: outlived the job (stopped 55, exit 1)
        job_row(7, 101, "test", None, 0, None, 5, "startup_failure"),  # never had a runner
        job_row(8, 101, "lint", "f" * 32, 0, 10, 30, "failure"),  # no event of its task
        job_row(9, 101, "lint", B, 0, 10, 20, "skipped"),
    ]
    events = [
        task_event(C, "RUNNING", 0, 1),
        stop_event(C, 50, "Essential container in task exited", 137),
        stop_event(D, 60, "Task stopped by user"),
        stop_event(E, 55, exit_code=1),
        task_event(B, "RUNNING", 0, 1),
    ]
    causes, unknown, _ = attribute(jobs, events)
    want = [
        None,
        "timed_out",
        "cancelled",
        "out_of_memory",
        "runner_lost",
        "failed",
        "unknown",
        "unknown",
        None,
    ]
    assert causes == want
    assert unknown == {NO_RUNNER: 1, NO_TASK_EVENT: 1}


def test_out_of_memory_is_read_from_each_documented_field():
    job = [job_row(1, 101, "m", C, 0, 10, 50, "failure")]
    marks = [
        {"reason": OOM_REASON},  # stoppedReason
        {"reason": "x", "stopCode": "OutOfMemory"},
        {"reason": "x", "containers": [{"name": "runner", "exitCode": 1, "reason": OOM_REASON}]},
        {"reason": "x", "exit_code": 137},
    ]
    for mark in marks:
        assert attribute(job, [stop_event(C, 50, **mark)])[0] == ["out_of_memory"], mark
    assert attribute(job, [stop_event(C, 50, "x", 1)])[0] == ["failed"]


def test_a_stop_outside_the_job_is_not_its_cause():
    job = [job_row(1, 101, "m", C, 0, 100, 150, "failure")]
    before = stop_event(C, 99, OOM_REASON, 137)  # an earlier job's kill on the same task
    assert attribute(job, [before])[0] == ["failed"]
    late = stop_event(C, 150 + 61, OOM_REASON, 137)  # more than STOP_GRACE_S after completed_at
    assert attribute(job, [late])[0] == ["failed"]
    just = stop_event(C, 150 + 60, OOM_REASON, 137)  # the container exit stamped after GitHub's end
    assert attribute(job, [just])[0] == ["out_of_memory"]
    running = task_event(C, "RUNNING", 0, 1)  # the task had not stopped: its runner outlived the job
    assert attribute(job, [running])[0] == ["failed"]


def test_tasks_not_collected_make_every_task_cause_unknown_with_the_manifests_reason():
    why = "an existing fleet: its runners are not ECS tasks of ours"
    jobs = [
        job_row(1, 101, "a", A, 0, 10, 50, "failure"),
        job_row(2, 101, "a", A, 0, 10, 50, "cancelled"),  # told by GitHub alone
    ]
    causes, unknown, arr = attribute(jobs, [], not_collected=why)
    assert causes == ["unknown", "cancelled"]
    assert unknown == {why: 1}
    section = failures_section(arr, in_table_order(arr, jobs, causes), unknown)
    assert section["total"] == {
        "did_not_succeed": 2,
        "timed_out": 0,
        "cancelled": 1,
        "out_of_memory": 0,
        "runner_lost": 0,
        "failed": 0,
        "unknown": 1,
    }
    assert section["unknown_reasons"] == {why: 1}


def test_counts_per_job_name_in_order_of_first_job_and_names_without_failures_listed():
    jobs = [
        job_row(1, 101, "ok", A, 0, 10, 20, "success"),
        job_row(2, 101, "x", A, 0, 10, 20, "timed_out"),
        job_row(3, 101, "ok", A, 0, 10, 20, "cancelled"),
        job_row(4, 101, "x", A, 0, 10, 20, "timed_out"),
    ]
    causes, unknown, arr = attribute(jobs, [])
    section = failures_section(arr, in_table_order(arr, jobs, causes), unknown)
    assert list(section["by_job_name"]) == ["ok", "x"]
    assert section["by_job_name"]["ok"]["cancelled"] == 1
    assert section["by_job_name"]["ok"]["did_not_succeed"] == 1
    assert section["by_job_name"]["x"]["timed_out"] == 2
    assert section["total"]["did_not_succeed"] == 3


CONCLUSIONS = ["success", "failure", "timed_out", "cancelled", "skipped", "startup_failure", "neutral", None]
RUNNERS = [A, B, C, None]


@st.composite
def cases(draw):
    jobs = []
    for i in range(draw(st.integers(0, 12))):
        started = draw(st.one_of(st.none(), st.integers(0, 300)))
        completed = None if started is None else started + draw(st.integers(0, 300))
        row = job_row(i + 1, 101, draw(st.sampled_from(["a", "b", "c"])), draw(st.sampled_from(RUNNERS)),
                      0, started, completed, draw(st.sampled_from(CONCLUSIONS)))  # fmt: skip
        jobs.append(row)
    events = []
    for task in draw(st.lists(st.sampled_from([A, B, C]), unique=True)):
        stopped = draw(st.one_of(st.none(), st.integers(0, 700)))
        if stopped is None:
            events.append(task_event(task, "RUNNING", 0, 1))
        else:
            reason = draw(st.sampled_from(["Essential container in task exited", OOM_REASON]))
            events.append(stop_event(task, stopped, reason, draw(st.sampled_from([0, 1, 137]))))
    return jobs, events, draw(st.sampled_from([None, "not collected here"]))


@settings(max_examples=300, deadline=None)
@given(cases())
def test_causes_partition_the_jobs_that_did_not_succeed_and_follow_the_rules(case):
    jobs, events, not_collected = case
    causes, unknown, arr = attribute(jobs, events, not_collected)
    failed = [j["conclusion"] in NOT_SUCCEEDED for j in jobs]
    assert [c is not None for c in causes] == failed  # a cause exactly for the jobs that did not succeed
    assert all(c is None or c in CAUSES for c in causes)  # one cause each, from the six
    ends = task_ends(events)
    reference = {j.id: reference_cause(j, ends, not_collected) for j in jobs_from_raw(jobs)}
    assert causes == [reference[j["id"]] for j in jobs]
    section = failures_section(arr, in_table_order(arr, jobs, causes), unknown)
    total = section["total"]
    assert total["did_not_succeed"] == sum(failed) == sum(total[c] for c in CAUSES)
    assert sum(unknown.values()) == total["unknown"]
    for c in ("did_not_succeed", *CAUSES):
        assert sum(g[c] for g in section["by_job_name"].values()) == total[c]


def test_the_jobs_attributed_are_the_jobs_compares_failure_rate_counts_as_failed():
    assert frozenset(NOT_SUCCEEDED) == FAILED


def test_result_json_per_job_and_jobs_csv_carry_the_causes():
    jobs = [
        job_row(1, 101, "diagnostic", A, 3, 5, 65),
        job_row(2, 101, "build", C, 3, 10, 40, "failure"),  # C: out-of-memory kill at 40
        job_row(3, 101, "build", B, 3, 10, 600, "timed_out"),
    ]
    events = [task_event(C, "RUNNING", 0, 1), stop_event(C, 40, OOM_REASON, 137)]
    result = compute_result(MANIFEST, LEDGER, RUNS, jobs, [], events, [])
    failures = result["failures"]
    assert failures["total"]["did_not_succeed"] == 2
    assert failures["total"]["out_of_memory"] == failures["total"]["timed_out"] == 1
    assert failures["by_job_name"]["build"]["out_of_memory"] == 1
    assert failures["by_job_name"]["diagnostic"]["did_not_succeed"] == 0
    assert [j["failure_cause"] for j in result["per_job"]] == [None, "out_of_memory", "timed_out"]
    rate = samples_from_result(result, {101: 0.0})["failure_rate"]
    assert sum(rate) == failures["total"]["did_not_succeed"]  # compare's gated rate agrees
    out = io.StringIO()
    write_jobs_csv(out, result["per_job"])
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["failure_cause"] for r in rows] == ["", "out_of_memory", "timed_out"]


def test_failures_are_null_with_a_reason_when_the_jobs_were_never_collected():
    result = as_json(
        result_of(
            MANIFEST, LEDGER, RUNS, [], lambda: sample_arrays([]), [], [], uncollected=["raw/jobs.jsonl"]
        )
    )
    assert result["failures"] is None
    assert "never collected" in result["reasons"]["failures"]

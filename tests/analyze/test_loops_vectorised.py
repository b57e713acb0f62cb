"""Each per-row loop the analysis replaced by a vectorised or batched form (issue 18: the analysis at a
million jobs) against the loop itself (tests/helpers/loops_reference.py): equal, bit for bit, over
generated inputs (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze import steps as steps_mod
from suite.analyze.steps import StepTap, step_figures
from tests.helpers.loops_reference import step_groups, tap_by_job

STAMPS = [None, "2027-01-15T08:00:00Z", "2027-01-15T08:00:07Z", "2027-01-15T08:01:00Z"]
step_dicts = st.fixed_dictionaries(
    {
        "number": st.one_of(st.none(), st.integers(1, 4)),
        "name": st.sampled_from(["Set up job", "Run tests", ""]),
        "conclusion": st.sampled_from([None, "success", "failure", "cancelled", "skipped"]),
        "started_at": st.sampled_from(STAMPS),
        "completed_at": st.sampled_from(STAMPS),
    }
)
job_rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.one_of(st.integers(1, 6), st.just("7")),  # a repeated id, and one not an int
            "name": st.sampled_from(["build", "lint"]),
            "conclusion": st.sampled_from([None, "success", "failure", "timed_out", "skipped"]),
        },
        optional={"steps": st.one_of(st.none(), st.lists(step_dicts, max_size=3))},
    ),
    max_size=300,  # more than a batch of StepTap's, so batches mix rows with and without steps
)


def _visible(by_job: dict[int, list[Any]]) -> dict[int, list[Any]]:
    return {k: v for k, v in by_job.items() if v}  # an id without steps is as good as absent


@settings(max_examples=150, deadline=None)
@given(job_rows, st.sampled_from([1, 3, 128]))
def test_the_batched_step_tap_records_what_the_row_by_row_loop_did(rows, batch):
    old = steps_mod.BATCH
    steps_mod.BATCH = batch
    try:
        tap = StepTap()
        assert list(tap.rows(rows)) == rows  # every row passes, in order, unchanged
    finally:
        steps_mod.BATCH = old
    assert _visible(tap.by_job) == _visible(tap_by_job(rows))


@settings(max_examples=150, deadline=None)
@given(job_rows)
def test_step_figures_visiting_only_jobs_with_steps_or_failed_equals_the_loop_over_every_job(rows):
    kept = [r for r in rows if type(r["id"]) is int]
    ids, names, conclusions = (
        [r["id"] for r in kept],
        [r["name"] for r in kept],
        [r["conclusion"] for r in kept],
    )
    by_job = tap_by_job(rows)
    out = step_figures(ids, names, conclusions, by_job, {})
    groups, failed_at = step_groups(ids, names, conclusions, by_job)
    assert out["failed_at"] == failed_at
    assert [(f["job_name"], f["number"], f["name"], f["steps"]) for f in out["by_step"]] == sorted(
        ((k[0], k[1], k[2], len(v)) for k, v in groups.items()),
        key=lambda e: ([k[0] for k in groups].index(e[0]), e[1] is None, e[1] or 0, e[2]),
    )

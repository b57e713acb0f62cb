"""The twin check: a report agrees with truth.json, including a run in which no job ran (the report's
concurrency is null by definition then, the twin's record 0)."""

from __future__ import annotations

from suite.twin.truth_check import mismatches


def test_a_run_where_no_job_ran_agrees_with_the_twins_record() -> None:
    result = {"jobs": {"count": 0}, "concurrency": {"max": None}, "per_job": []}
    assert mismatches(result, {"jobs": [], "max_concurrency": 0}) == []


def test_a_null_figure_where_jobs_ran_is_still_a_mismatch() -> None:
    result = {"jobs": {"count": 0}, "concurrency": {"max": None}, "per_job": []}
    assert mismatches(result, {"jobs": [], "max_concurrency": 2}) == ["concurrency.max None != truth 2"]

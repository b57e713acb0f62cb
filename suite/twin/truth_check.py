"""Check a twin run's result (its figures and per-job rows: the in-memory result, or result.json with the
job table's rows, suite.rundir.job_rows.read_run_result) against the twin's own record (truth.json), job
by job."""

from __future__ import annotations

from typing import Any

from suite.rundir.column_rows import rows_of
from suite.rundir.result_schema import PER_JOB_KEYS


def mismatches(result: dict[str, Any], truth: dict[str, Any]) -> list[str]:
    """Every way the report differs from the truth; empty when they agree exactly."""
    out: list[str] = []
    if result["jobs"]["count"] != len(truth["jobs"]):
        out.append(f"jobs.count {result['jobs']['count']} != truth {len(truth['jobs'])}")
    reported_max = result["concurrency"]["max"]
    # no job of the test ran: the report's figure is null with its reason (docs/architecture.md), the
    # twin's record says 0; both say the same thing
    nothing_ran = reported_max is None and truth["max_concurrency"] == 0
    if reported_max != truth["max_concurrency"] and not nothing_ran:
        out.append(f"concurrency.max {result['concurrency']['max']} != truth {truth['max_concurrency']}")
    jobs = rows_of(result.get("per_job"), PER_JOB_KEYS)  # the in-memory columns, or the job table's
    compared = ("runner_name", "queue_s", "execution_s")
    reported = {
        values[0]: dict(zip(compared, values[1:], strict=True))
        for part in jobs.slices(("id", *compared))
        for values in zip(*part, strict=True)
    }
    for t in truth["jobs"]:
        j = reported.get(t["job_id"])
        if j is None:
            out.append(f"job {t['job_id']} ({t['suite_id']} / {t['name']}) is not in the report")
            continue
        for key in compared:
            if j.get(key) != t[key]:
                out.append(f"job {t['job_id']} {key}: report {j.get(key)!r} != truth {t[key]!r}")
    return out

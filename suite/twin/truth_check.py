"""Check a twin run's result.json against the twin's own record (truth.json), job by job."""

from __future__ import annotations

from typing import Any


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
    reported = {j["id"]: j for j in result.get("per_job", [])}
    for t in truth["jobs"]:
        j = reported.get(t["job_id"])
        if j is None:
            out.append(f"job {t['job_id']} ({t['suite_id']} / {t['name']}) is not in the report")
            continue
        for key in ("runner_name", "queue_s", "execution_s"):
            if j.get(key) != t[key]:
                out.append(f"job {t['job_id']} {key}: report {j.get(key)!r} != truth {t[key]!r}")
    return out

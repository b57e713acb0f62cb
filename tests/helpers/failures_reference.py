"""The failure attribution record by record (docs/architecture.md, Definitions): the oracle that
suite.analyze.failures' columns are held equal to, written straight from the rules' text."""

from typing import Any

from suite.isotime import ts
from tests.helpers.analyze_records import Job

FAILED = {"failure", "timed_out", "cancelled", "startup_failure"}
CAUSES = ("timed_out", "cancelled", "out_of_memory", "runner_lost", "failed", "unknown")


def task_ends(events: list[dict[str, Any]]) -> dict[str, tuple[float | None, bool]]:
    """task id -> (earliest stoppedAt or None, whether any event marks an out-of-memory kill)."""
    out: dict[str, tuple[float | None, bool]] = {}
    for e in events:
        d = e.get("detail") or {}
        if not d.get("taskArn"):
            continue
        tid = str(d["taskArn"]).split("/")[-1]
        stopped, oom = out.get(tid, (None, False))
        at = ts(d.get("stoppedAt")) if d.get("stoppedAt") else None
        if at is not None and (stopped is None or at < stopped):
            stopped = at
        containers = d.get("containers") or []
        words = [d.get("stopCode"), d.get("stoppedReason")] + [c.get("reason") for c in containers]
        oom = (
            oom
            or any(w and "outofmemory" in str(w).lower().replace(" ", "") for w in words)
            or any(c.get("exitCode") == 137 for c in containers)
        )
        out[tid] = (stopped, oom)
    return out


def cause(job: Job, ends: dict[str, tuple[float | None, bool]], not_collected: str | None) -> str | None:
    if job.conclusion not in FAILED:
        return None
    if job.conclusion in ("timed_out", "cancelled"):
        return job.conclusion
    if job.runner_name is None or not_collected or job.runner_name not in ends:
        return "unknown"
    stopped, oom = ends[job.runner_name]
    if stopped is None:
        return "failed"
    during = (job.started is None or stopped >= job.started) and (
        job.completed is None or stopped <= job.completed + 60
    )
    if during and oom:
        return "out_of_memory"
    if during and (job.completed is None or stopped < job.completed):
        return "runner_lost"
    return "failed"


def failures(jobs: list[Job], causes: list[str | None], unknown_reasons: dict[str, int]) -> dict[str, Any]:
    def counts(cs: list[str | None]) -> dict[str, int]:
        return {"did_not_succeed": sum(c is not None for c in cs), **{k: cs.count(k) for k in CAUSES}}

    names = list(dict.fromkeys(j.name for j in jobs))
    by_name = {n: counts([c for j, c in zip(jobs, causes, strict=True) if j.name == n]) for n in names}
    return {"total": counts(causes), "by_job_name": by_name, "unknown_reasons": unknown_reasons}

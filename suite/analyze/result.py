"""result.json (schema suite.result/v1) from the run directory's raw records. Pure: no I/O here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from suite.analyze.concurrency import concurrency
from suite.analyze.fleet import little_law, runners, throughput
from suite.analyze.resources import FIGURES, JobResources, index_samples, job_resources
from suite.analyze.stats import PERCENTILE_METHOD, distribution, mean
from suite.analyze.tasks import tasks_from_events
from suite.analyze.timeline import Job, Run, jobs_from_raw, runs_from_raw, stamp
from suite.analyze.workflows import (
    Dispatch,
    accepted_dispatches,
    dispatches_from_ledger,
    match_runs,
    not_dispatched,
    workflow_counts,
)

SCHEMA = "suite.result/v1"
Rows = list[dict[str, Any]]


def compute_result(
    manifest: dict[str, Any],
    ledger: Rows,
    runs: Rows,
    jobs: Rows,
    metrics: Rows,
    tasks: Rows,
    runners_snapshots: Rows,
    api: dict[str, Any] | None = None,
    thresholds: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    reasons: dict[str, str] = {}  # dotted path of a null figure -> why it could not be observed
    notes: list[str] = [f"percentiles: {PERCENTILE_METHOD}"]
    dispatches = dispatches_from_ledger(ledger)
    accepted = accepted_dispatches(dispatches)
    matched = match_runs(accepted, runs_from_raw(runs))
    suite_of_run = {run.id: suite_id for suite_id, run in matched.runs.items()}
    parsed = jobs_from_raw(jobs)
    scoped = [j for j in parsed if j.run_id in suite_of_run]  # this test's runs only, known by run id
    if len(scoped) < len(parsed):
        notes.append(
            f"{len(parsed) - len(scoped)} job(s) in raw/jobs.jsonl belong to no run of this test: ignored"
        )

    offset = manifest.get("clock_offset_s")
    if offset is None:
        notes.append("clock_offset_s unknown: scheduled_at is compared with GitHub times uncorrected")
    shift = float(offset or 0.0)  # clock_offset_s = GitHub clock − local clock

    # window = first dispatch's scheduled_at (shifted to GitHub's clock) .. last job's completed_at
    window = _window(dispatches, scoped, shift, reasons)
    notes.append("window = first dispatch scheduled_at (clock-offset corrected) .. last job completed_at")

    conc = concurrency([iv for j in scoped if (iv := j.interval)], *(window or (None, None)))
    if conc.mean is None:
        reasons["concurrency.mean"] = reasons.get("window", "empty window")
    thru = throughput(scoped, window, reasons)
    executions = [x for j in scoped if (x := j.execution_s) is not None]
    fleet = manifest.get("fleet") or {}
    configured = fleet.get("runner_count")
    resources, per_job_res = _resources(scoped, metrics)
    task_list = tasks_from_events(tasks)

    result: dict[str, Any] = {
        "schema": SCHEMA,
        "test_run_id": manifest.get("test_run_id"),
        "profile": (manifest.get("profile") or {}).get("name"),
        "environment": manifest.get("environment"),
        "suite_version": manifest.get("suite_version"),
        "clock_offset_s": offset,
        "fleet": fleet,  # configuration: appears as configuration/targets only, never as observed figures
        "window": {
            "start": stamp(window[0]) if window else None,
            "end": stamp(window[1]) if window else None,
            "duration_s": window[1] - window[0] if window else None,
        },
        "workflows": workflow_counts(accepted, matched) | {"not_dispatched": not_dispatched(dispatches)},
        "jobs": _job_counts(scoped),
        "queue_time_s": distribution(x for j in scoped if (x := j.queue_s) is not None),
        "execution_time_s": distribution(executions),
        "total_time_s": distribution(_totals(matched.runs.values(), scoped)),
        "dispatch_lag_s": distribution(x for d in accepted.values() if (x := d.lag_s) is not None),
        "queue_from_schedule_s": distribution(_from_schedule(scoped, suite_of_run, accepted, shift).values()),
        "concurrency": {
            "max": conc.max,
            "mean": conc.mean,
            "timeline": [[stamp(t), level] for t, level in conc.timeline],
        },
        "throughput": thru,
        "runners": runners(scoped, configured, window, runners_snapshots, reasons),
        "little_law": little_law(conc.mean, thru["jobs_per_min"], mean(executions)),
        "tasks": {
            "count": len(task_list),
            "cold_start_s": distribution(x for t in task_list if (x := t.cold_start_s) is not None),
        },
        "resources": resources,
        "per_job": _per_job(scoped, suite_of_run, accepted, shift, per_job_res),
        "api": dict(api or {}),
        "thresholds": list(thresholds or []),
        "verdict": verdict(thresholds or []),
        "notes": notes,
        "reasons": reasons,
    }
    _empty_distribution_reasons(result, reasons)
    return result


def with_thresholds(result: dict[str, Any], thresholds: list[dict[str, Any]]) -> dict[str, Any]:
    """The result with thresholds evaluated over it (by suite.thresholds) and the verdict they give."""
    return result | {"thresholds": list(thresholds), "verdict": verdict(thresholds)}


def verdict(thresholds: list[dict[str, Any]]) -> str:
    """fail if any threshold is not ok (a threshold that could not be evaluated is not ok)."""
    return "fail" if any(t.get("ok") is not True for t in thresholds) else "pass"


def _window(
    dispatches: list[Dispatch], jobs: list[Job], shift: float, reasons: dict[str, str]
) -> tuple[float, float] | None:
    starts = [d.scheduled for d in dispatches if d.scheduled is not None]
    ends = [iv[1] for j in jobs if (iv := j.interval)]
    if not starts:
        reasons["window"] = "the ledger has no scheduled dispatch"
    elif not ends:
        reasons["window"] = "no job of this test completed"
    elif max(ends) <= min(starts) + shift:
        reasons["window"] = "the last job completed before the first scheduled dispatch"
    else:
        return (min(starts) + shift, max(ends))
    return None


def _job_counts(jobs: list[Job]) -> dict[str, int]:
    return {
        "count": len(jobs),
        "succeeded": sum(j.conclusion == "success" for j in jobs),
        "failed": sum(j.conclusion in ("failure", "timed_out") for j in jobs),
        "cancelled": sum(j.conclusion == "cancelled" for j in jobs),
        "skipped": sum(j.conclusion == "skipped" for j in jobs),
        "incomplete": sum(j.status != "completed" for j in jobs),
        "ran": sum(j.interval is not None for j in jobs),
    }


def _totals(runs: Iterable[Run], jobs: list[Job]) -> list[float]:
    """Per completed run: its last job's completed_at − the run's created_at."""
    last: dict[int, float] = {}
    for j in jobs:
        if j.completed is not None:
            last[j.run_id] = max(last.get(j.run_id, j.completed), j.completed)
    out = []
    for run in runs:
        if run.status == "completed" and run.created is not None and run.id in last:
            out.append(last[run.id] - run.created)
    return out


def _from_schedule(
    jobs: list[Job], suite_of_run: dict[int, str], accepted: dict[str, Dispatch], shift: float
) -> dict[int, float]:
    """job id -> started_at − its workflow's scheduled_at (on GitHub's clock)."""
    out = {}
    for j in jobs:
        d = accepted.get(suite_of_run.get(j.run_id, ""))
        if j.ran and j.started is not None and d is not None and d.scheduled is not None:
            out[j.id] = j.started - (d.scheduled + shift)
    return out


def _resources(jobs: list[Job], metrics: Rows) -> tuple[dict[str, Any], dict[int, JobResources]]:
    samples = index_samples(metrics)
    per_job = {j.id: job_resources(j, samples) for j in jobs}
    measured = [per_job[j.id] for j in jobs if j.interval is not None]

    def dist(name: str) -> dict[str, Any]:
        return distribution(x for r in measured if (x := getattr(r, name)) is not None)

    return {
        "cpu": {"unit": "CPU units (1024 = 1 vCPU)"}
        | {k: dist(f"cpu_{k}") for k in ("max", "mean", "max_pct", "mean_pct")},
        "memory": {"unit": "MiB"} | {k: dist(f"memory_{k}") for k in ("max", "mean", "max_pct", "mean_pct")},
        "jobs_with_samples": sum(r.samples > 0 for r in measured),
        "jobs_without_samples": sum(r.samples == 0 for r in measured),
    }, per_job


def _per_job(
    jobs: list[Job],
    suite_of_run: dict[int, str],
    accepted: dict[str, Dispatch],
    shift: float,
    res: dict[int, JobResources],
) -> list[dict[str, Any]]:
    from_schedule = _from_schedule(jobs, suite_of_run, accepted, shift)
    rows = []
    for j in jobs:
        r = asdict(res[j.id])
        rows.append(
            {
                "id": j.id,
                "run_id": j.run_id,
                "run_attempt": j.run_attempt,
                "suite_id": suite_of_run.get(j.run_id),
                "name": j.name,
                "runner_name": j.runner_name,
                "status": j.status,
                "conclusion": j.conclusion,
                "created": stamp(j.created),
                "started": stamp(j.started),
                "completed": stamp(j.completed),
                "queue_s": j.queue_s,
                "execution_s": j.execution_s,
                "queue_from_schedule_s": from_schedule.get(j.id),
                "samples": r["samples"],
                **{k: r[k] for k in FIGURES},
                "resource_reason": r["reason"],
            }
        )
    return rows


def _empty_distribution_reasons(result: dict[str, Any], reasons: dict[str, str]) -> None:
    why = {
        "queue_time_s": "no job of this test started",
        "execution_time_s": "no job of this test ran to completion",
        "total_time_s": "no completed run with a completed job",
        "dispatch_lag_s": "no accepted dispatch",
        "queue_from_schedule_s": "no started job joined to a scheduled dispatch",
        "tasks.cold_start_s": "no ECS task event with both createdAt and startedAt in raw/tasks.jsonl",
    }
    for path, text in why.items():
        node: Any = result
        for part in path.split("."):
            node = node[part]
        if node["count"] == 0:
            reasons.setdefault(path, text)
    if result["little_law"]["relative_error"] is None:
        reasons.setdefault(
            "little_law.relative_error", "mean concurrency or throughput × execution unknown or 0"
        )
    if result["resources"]["jobs_with_samples"] == 0:
        reasons.setdefault("resources", "no job had a Container Insights sample inside its interval")

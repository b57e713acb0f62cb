"""The oracle for compute_result: result.json built record by record from the parsed Job, Run and
Dispatch objects (the definitions), as compute_result did before it went columnar. Per-job resources
come from job_resources (the per-job definition), not from the vectorised join."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from suite.analyze.concurrency import concurrency_arrays
from suite.analyze.cost import Jobs, cost_section
from suite.analyze.failures import NO_RUNNER, NO_TASK_EVENT
from suite.analyze.fleet import little_law, runners, throughput
from suite.analyze.headroom import jobs_waiting, occupancy
from suite.analyze.recovery import recovery
from suite.analyze.resources import FIGURES
from suite.analyze.result import LATE_AFTER_REAL_S, SCHEMA, with_thresholds
from suite.analyze.rightsize import fleet_size, rightsize_section
from suite.analyze.stats import PERCENTILE_METHOD, distribution
from suite.analyze.tasks import task_summary, tasks_from_events
from suite.analyze.timeline import JobArrays
from suite.analyze.unobserved import blank_unobserved
from suite.isotime import stamp
from tests.helpers import by_name_reference, failures_reference
from tests.helpers.analyze_records import (
    Dispatch,
    Job,
    JobResources,
    Run,
    accepted_dispatches,
    dispatches_from_ledger,
    index_samples,
    job_arrays,
    job_resources,
    jobs_from_raw,
    match_runs,
    not_dispatched,
    runs_from_raw,
    saturation,
    workflow_counts,
)
from tests.helpers.steps_reference import steps_reference

Rows = Iterable[dict[str, Any]]  # each read once, in order: lists, or rows streamed from raw/


def reference_result(
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
    jobs = list(jobs)  # read twice: the jobs, then their steps
    dispatches = dispatches_from_ledger(ledger)
    accepted = accepted_dispatches(dispatches)
    matched = match_runs(accepted, runs_from_raw(runs))
    suite_of_run = {run.id: suite_id for suite_id, run in matched.runs.items()}
    run_of = {run.id: run for run in matched.runs.values()}
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

    arr = job_arrays(scoped)
    conc = concurrency_arrays(arr.start[arr.busy], arr.end[arr.busy], *(window or (None, None)))
    from_schedule = _from_schedule(scoped, suite_of_run, accepted, shift)
    if conc.mean is None:
        reasons["concurrency.mean"] = reasons.get("window", "empty window")
    thru = throughput(arr, window, reasons)
    executions = arr.end[arr.busy] - arr.start[arr.busy]
    fleet = manifest.get("fleet") or {}
    configured = fleet.get("runner_count")
    resources, per_job_res = _resources(scoped, metrics)
    task_events = list(tasks)
    task_list = tasks_from_events(task_events)
    ends = failures_reference.task_ends(task_events)
    not_collected = (manifest.get("not_collected") or {}).get("tasks")
    causes = [failures_reference.cause(j, ends, not_collected) for j in scoped]
    speed = float((manifest.get("clock") or {}).get("speed") or 1.0)
    lags = [x for d in accepted.values() if (x := d.lag_s) is not None]
    fleet_use, per_runner = runners(arr, configured, window, list(runners_snapshots), reasons)
    tasks_seen, per_task = task_summary(task_list, arr)
    waiting, *waiting_steps = jobs_waiting(arr, window, reasons)
    steps = steps_reference(jobs, scoped, reasons)
    failed_at = steps.pop("failed_at")
    sched_of: dict[str, float] = {}
    for d in dispatches:
        if d.scheduled is not None:
            sched_of.setdefault(d.suite_id, d.scheduled + shift)
    job_sched = np.asarray([sched_of.get(suite_of_run[j.run_id], np.nan) for j in scoped], dtype=float)
    every = np.asarray([d.scheduled + shift for d in dispatches if d.scheduled is not None], dtype=float)
    pattern = (manifest.get("profile") or {}).get("pattern")
    # the sections of suite.analyze.cost and .rightsize (exact-definition tests of their own) over this
    # oracle's records
    cost, job_cost = cost_section(
        Jobs([j.name for j in scoped], [j.runner_name for j in scoped], arr.busy, arr.start, arr.end),
        task_list,
        window,
        dict(fleet),
        None,
        reasons,
        not_collected,
    )
    figures = {k: np.asarray([_nan(getattr(r, k)) for r in per_job_res], float) for k in FIGURES}

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
        "jobs": by_name_reference.counts(scoped),
        "queue_time_s": distribution(arr.queue[~np.isnan(arr.queue)]),
        "execution_time_s": distribution(executions),
        "total_time_s": distribution(_totals(matched.runs.values(), scoped)),
        "dispatch_lag_s": distribution(lags),
        "dispatch_lag_real_s": distribution(x / speed for x in lags),  # twin: virtual / clock speed
        "dispatch": {
            "clock_speed": speed,
            "late_after_real_s": LATE_AFTER_REAL_S,
            "late": sum(x / speed > LATE_AFTER_REAL_S for x in lags),
            "not_dispatched": len(not_dispatched(dispatches)),
            "aborted": manifest.get("aborted"),  # {at, reason, threshold, value, ...} or None
        },
        "queue_from_schedule_s": distribution(list(from_schedule.values())),
        "concurrency": {
            "max": conc.max,
            "mean": conc.mean,
        },
        "throughput": thru,
        "runners": fleet_use,
        "little_law": little_law(
            conc.mean,
            thru["jobs_per_min"],
            math.fsum(executions.tolist()) / executions.size if executions.size else None,
        ),
        "tasks": tasks_seen,
        "saturation": saturation(
            (manifest.get("profile") or {}).get("pattern"),
            dispatches,
            matched.runs,
            scoped,
            shift,
            configured,
            reasons,
        ),
        "jobs_waiting": waiting,
        "occupancy": occupancy(
            task_list, arr, configured, window, fleet_use["busy_runner_s"], fleet_use["utilization"], reasons
        ),
        "recovery": recovery(pattern, every, job_sched, arr, window[1] if window else None, reasons),
        "resources": resources,
        "steps": steps | {"failed_by_step": _failed_by_step(failed_at)},
        "per_job": _per_job(
            scoped,
            suite_of_run,
            from_schedule,
            per_job_res,
            arr,
            causes,
            job_cost,
            _failed_step(scoped, failed_at),
        ),
        "timeline": _timeline(conc.timeline, list(zip(*waiting_steps, strict=True))),
        "per_task": per_task,
        "per_runner": per_runner,
        "dispatches": _sends(dispatches),
        "by_job_name": by_name_reference.by_job_name(scoped, run_of, reasons),
        "by_workflow": by_name_reference.by_workflow(scoped, run_of, matched.runs.values(), reasons),
        "failures": failures_reference.failures(
            scoped, causes, _unknown_reasons(scoped, causes, not_collected)
        ),
        "rightsize": rightsize_section(
            [j.name for j in scoped], arr.busy, arr.end - arr.start, figures, causes, fleet_size(fleet)
        ),
        "cost": cost,
        "api": dict(api or {}),
        "thresholds": list(thresholds or []),
        "completeness": _completeness(manifest, dispatches),
        "verdict": "",
        "verdict_reasons": [],
        "notes": notes,
        "reasons": reasons,
    }
    blank_unobserved(result, reasons, ())  # (it and the verdict have tests of their own)
    _empty_distribution_reasons(result, reasons)
    judged = with_thresholds(result, list(thresholds or []))
    return result | {k: judged[k] for k in ("thresholds", "verdict", "verdict_reasons")}


def _completeness(manifest: dict[str, Any], dispatches: list[Dispatch]) -> dict[str, Any]:
    """suite.analyze.completeness's definitions, dispatch by dispatch (no schedule.json; collected)."""
    scheduled = len({d.suite_id for d in dispatches})
    sent = len({d.suite_id for d in dispatches if d.sent is not None})
    stopped_by = None
    if scheduled > sent:
        stopped_by = "abort_on_fail" if manifest.get("aborted") else "interruption"
    ended = not ("ended_at" in manifest and manifest["ended_at"] is None)
    return {
        "scheduled": scheduled,
        "sent": sent,
        "never_sent": scheduled - sent,
        "stopped_by": stopped_by,
        "collected": ended,
        "not_collected_why": None if ended else "the run has not ended",
        "ended_by": manifest.get("ended_by"),
    }


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


def _resources(
    jobs: list[Job], metrics: Iterable[dict[str, Any]]
) -> tuple[dict[str, Any], list[JobResources]]:
    index = index_samples(metrics)
    per_job = [job_resources(j, index) for j in jobs]

    def dist(name: str) -> dict[str, Any]:
        return distribution(
            x
            for j, r in zip(jobs, per_job, strict=True)
            if j.interval is not None and (x := getattr(r, name)) is not None
        )

    return {
        "cpu": {"unit": "CPU units (1024 = 1 vCPU)"}
        | {k: dist(f"cpu_{k}") for k in ("max", "mean", "max_pct", "mean_pct")},
        "memory": {"unit": "MiB"} | {k: dist(f"memory_{k}") for k in ("max", "mean", "max_pct", "mean_pct")},
        "jobs_with_samples": sum(
            j.interval is not None and r.samples > 0 for j, r in zip(jobs, per_job, strict=True)
        ),
        "jobs_without_samples": sum(
            j.interval is not None and r.samples == 0 for j, r in zip(jobs, per_job, strict=True)
        ),
    }, per_job


PER_JOB_KEYS = (
    "id",
    "run_id",
    "run_attempt",
    "suite_id",
    "name",
    "runner_name",
    "status",
    "conclusion",
    "failure_cause",
    "created",
    "started",
    "completed",
    "queue_s",
    "execution_s",
    "queue_from_schedule_s",
    "cost_usd",
    "samples",
    *FIGURES,
    "resource_source",
    "resource_reason",
    "failed_step",
)


def _nan(x: float | None) -> float:
    return float("nan") if x is None else x


def _nullable(a: np.ndarray) -> list[float | None]:
    return [None if x != x else x for x in a.tolist()]


def _per_job(
    jobs: list[Job],
    suite_of_run: dict[int, str],
    from_schedule: dict[int, float],
    res: list[JobResources],
    arr: JobArrays,
    causes: list[str | None],
    cost: np.ndarray,
    failed_step: list[str | None],
) -> list[dict[str, Any]]:
    """One row per job (PER_JOB_KEYS), built column by column."""
    columns = (
        [j.id for j in jobs],
        [j.run_id for j in jobs],
        [j.run_attempt for j in jobs],
        [suite_of_run.get(j.run_id) for j in jobs],
        [j.name for j in jobs],
        [j.runner_name for j in jobs],
        [j.status for j in jobs],
        [j.conclusion for j in jobs],
        causes,
        [stamp(j.created) for j in jobs],
        [stamp(j.started) for j in jobs],
        [stamp(j.completed) for j in jobs],
        _nullable(arr.queue),
        _nullable(arr.end - arr.start),
        [from_schedule.get(j.id) for j in jobs],
        _nullable(cost),
        [r.samples for r in res],
        *([getattr(r, k) for r in res] for k in FIGURES),
        [("container_insights" if r.samples else None) for r in res],  # its rows: Container Insights'
        [r.reason for r in res],
        failed_step,
    )
    keys = PER_JOB_KEYS
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]


def _sends(dispatches: list[Dispatch]) -> dict[str, list[Any]]:
    """Per suite_id (first row's order): scheduled (a later sent row fills a gap), first and last sent."""
    first: dict[str, list[float | None]] = {}
    for d in dispatches:
        old = first.setdefault(d.suite_id, [d.scheduled, d.sent, d.sent])
        if old[1] is None and d.sent is not None:
            old[0], old[1] = (old[0] if old[0] is not None else d.scheduled), d.sent
        if d.sent is not None:
            old[2] = d.sent
    rows = list(first.values())
    cols = {k: [r[i] for r in rows] for i, k in enumerate(("scheduled", "sent", "last_sent"))}
    return {"suite_id": list(first), **cols}


def _failed_by_step(failed_at: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The failed jobs counted per (job name, step number, name, conclusion, reason), first job's order."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for f in failed_at:
        keys = ("job_name", "step_number", "step_name", "step_conclusion", "reason")
        entry = out.setdefault(tuple(f[k] for k in keys), {k: f[k] for k in keys} | {"jobs": 0})
        entry["jobs"] += 1
    return list(out.values())


def _failed_step(jobs: list[Job], failed_at: list[dict[str, Any]]) -> list[str | None]:
    """Per job, the step name its failed_at entry names (by job id; None for the others)."""
    at = {f["job_id"]: f["step_name"] for f in failed_at if f["step_name"] is not None}
    return [at.get(j.id) for j in jobs]


def _timeline(running: list[tuple[float, int]], waiting: list[tuple[float, int]]) -> dict[str, list[Any]]:
    """Both step functions on the union of their change instants, each level as it holds there."""
    times = sorted({float(t) for t, _ in running} | {float(t) for t, _ in waiting})

    def at(steps: list[tuple[float, int]], t: float) -> int:
        held = [level for u, level in steps if u <= t]
        return int(held[-1]) if held else 0

    return {
        "time": times,
        "running": [at(running, t) for t in times],
        "waiting": [at(waiting, t) for t in times],
    }


def _empty_distribution_reasons(result: dict[str, Any], reasons: dict[str, str]) -> None:
    why = {
        "queue_time_s": "no job of this test started",
        "execution_time_s": "no job of this test ran to completion",
        "total_time_s": "no completed run with a completed job",
        "dispatch_lag_s": "no accepted dispatch",
        "dispatch_lag_real_s": "no accepted dispatch",
        "queue_from_schedule_s": "no started job joined to a scheduled dispatch",
        "tasks.cold_start_s": "no ECS task event with both createdAt and startedAt in raw/tasks.jsonl",
        "tasks.started_to_first_job_s": "no started task ran a job of this test",
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
    if result["resources"]["jobs_with_samples"] in (0, None):
        reasons.setdefault(
            "resources", "no job had a sampler or Container Insights sample inside its interval"
        )


def _unknown_reasons(jobs: list[Job], causes: list[str | None], not_collected: str | None) -> dict[str, int]:
    """Why each unknown cause is unknown (suite.analyze.failures' fixed texts), counted."""
    out: dict[str, int] = {}
    for j, c in zip(jobs, causes, strict=True):
        if c == "unknown":
            why = NO_RUNNER if j.runner_name is None else (not_collected or NO_TASK_EVENT)
            out[why] = out.get(why, 0) + 1
    return out

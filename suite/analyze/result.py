"""result.json (suite.rundir.result_schema.Result) from the run directory's raw records. Pure: no I/O here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, cast

import numpy as np

from suite.analyze.by_name import by_job_name, by_workflow, job_counts
from suite.analyze.completeness import completeness
from suite.analyze.concurrency import concurrency_arrays
from suite.analyze.cost import Jobs, cost_section
from suite.analyze.failures import failure_causes, failures_section, task_stops
from suite.analyze.fleet import little_law, runners, throughput
from suite.analyze.headroom import jobs_waiting, occupancy
from suite.analyze.item_columns import dispatch_columns, failed_steps, timeline_columns
from suite.analyze.per_job import JobRows, dispatch_times, per_job_rows
from suite.analyze.recovery import recovery
from suite.analyze.resources import (
    SampleArrays,
    not_collected_reasons,
)
from suite.analyze.result_parts import last_completed, resources_of, totals, window_of
from suite.analyze.rightsize import DEFAULT_HEADROOM_PCT, fleet_size, rightsize_section
from suite.analyze.samples import resource_samples
from suite.analyze.saturation import Offered, saturation_arrays
from suite.analyze.scope import Scope, first_scheduled, not_dispatched, scope, workflow_counts
from suite.analyze.stats import PERCENTILE_METHOD, distribution, exact_sum
from suite.analyze.steps import StepTap, step_figures
from suite.analyze.tables import DispatchTable, RunTable, dispatch_table, jobs_table, runs_table
from suite.analyze.tasks import task_summary, tasks_from_events
from suite.analyze.timeline import JobArrays
from suite.analyze.unobserved import blank_unobserved
from suite.gates.verdict import judge_thresholds, verdict
from suite.isotime import stamp
from suite.rundir.cost_types import PriceTable
from suite.rundir.result_schema import (
    SCHEMA,
    Api,
    Concurrency,
    Fleet,
    PerJob,
    Result,
    Saturation,
    Steps,
    ThresholdResult,
    Window,
    Workflows,
)

LATE_AFTER_REAL_S = 0.25  # a dispatch sent later than this (real seconds) after its slot is late
Rows = Iterable[dict[str, Any]]  # each read once, in order: lists, or rows streamed from raw/


Beside = Callable[[Callable[[], Any]], Callable[[], Any]]


def later(work: Callable[[], Any]) -> Callable[[], Any]:
    """result_of's default `beside`: the work is done when its result is asked for."""
    return work


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
    readings: Rows = (),
    **done: Any,
) -> dict[str, Any]:
    """result.json of one run, every row read in this process (readings: the in-task sampler's, raw/
    samples.jsonl; done: result_of's keywords)."""
    metric_side = partial(resource_samples, metrics, readings)
    side = (metric_side, tasks, runners_snapshots, api, thresholds)
    return as_json(result_of(manifest, ledger, runs, jobs, *side, **done))


def as_json(result: Result) -> dict[str, Any]:
    """A Result as the plain mapping json.dump and the thresholds take."""
    return cast(dict[str, Any], result)


def result_of(
    manifest: dict[str, Any],
    ledger: Rows,
    runs: Rows,
    jobs: Rows,
    samples: Callable[[], SampleArrays],
    tasks: Rows,
    runners_snapshots: Rows,
    api: dict[str, Any] | None = None,
    thresholds: list[dict[str, Any]] | None = None,
    *,
    schedule_size: int | None = None,
    uncollected: Sequence[str] = (),
    prices: PriceTable | None = None,
    headroom_pct: float = DEFAULT_HEADROOM_PCT,
    beside: Beside = later,
    first: Callable[[Sequence[PerJob]], None] | None = None,
) -> Result:
    """result.json of one run. samples: the CloudWatch side (the metric rows as SampleArrays, which
    is independent of the GitHub side), called once, after the GitHub side's tables are built: the
    caller may compute it elsewhere meanwhile (suite.pipeline.analysis reads it in a child process).
    beside: how the CPU/memory join (samples and all) is run, given once the jobs are known and asked
    for last (`later`, the default: when asked; suite.pipeline.analysis: in a thread meanwhile).
    first: called with per_job (the very rows the result will hold) as soon as it is known, before the
    aggregates: suite.pipeline.reporting starts writing jobs.csv then, while the analysis goes on.
    schedule_size: dispatches in schedule.json; uncollected: the collection files absent
    (suite.analyze.completeness); prices: the Fargate price table (suite.fleet.prices; None: every
    cost null with the reason); headroom_pct: the right-size recommendation's headroom."""
    reasons: dict[str, str] = {}  # dotted path of a null figure -> why it could not be observed
    notes: list[str] = [f"percentiles: {PERCENTILE_METHOD}"]
    dispatches = dispatch_table(ledger)
    run_table = runs_table(runs)
    sc = scope(dispatches, run_table)
    steps = StepTap()  # each job row's steps, recorded as jobs_table reads the rows once
    parsed = jobs_table(steps.rows(jobs))
    job_run = sc.run_rows(run_table, parsed.run_id)  # each job's run (RunTable row), -1 if none
    job_owner = np.append(sc.owner, -1)[job_run]  # the accepted suite_id its run counts for, or -1
    in_scope = np.flatnonzero(job_owner >= 0)  # this test's runs only, known by run id
    if in_scope.size < len(parsed):
        arr, owner, job_run = parsed.take(in_scope), job_owner[in_scope], job_run[in_scope]
    else:  # every job is this test's (the usual case): the columns as they are, not a copy of each
        arr, owner = parsed, job_owner
    if len(arr) < len(parsed):
        notes.append(
            f"{len(parsed) - len(arr)} job(s) in raw/jobs.jsonl belong to no run of this test: ignored"
        )
    # the steps first, while little else is held: their flat columns (five million entries at a million
    # jobs) and the section's temporaries are freed before the CPU/memory join builds its own; their
    # reasons join `reasons` below, where they always stood (no other figure writes a steps key)
    step_reasons: dict[str, str] = {}
    steps_seen, failed_step = failed_steps(_steps(arr, steps, step_reasons, uncollected), arr.id)
    del steps
    skipped = manifest.get("not_collected") or {}  # what the run could not collect, and why
    joined = beside(lambda: resources_of(arr, samples(), skipped.get("metrics")))

    offset = manifest.get("clock_offset_s")
    if offset is None:
        notes.append("clock_offset_s unknown: scheduled_at is compared with GitHub times uncorrected")
    shift = float(offset or 0.0)  # clock_offset_s = GitHub clock − local clock

    # window = first dispatch's scheduled_at (shifted to GitHub's clock) .. last job's completed_at
    window = window_of(dispatches, arr, shift, reasons)
    notes.append("window = first dispatch scheduled_at (clock-offset corrected) .. last job completed_at")

    conc = concurrency_arrays(arr.start[arr.busy], arr.end[arr.busy], *(window or (None, None)))
    # started_at − its workflow's scheduled_at (the suite_id's last accepted dispatch), on GitHub's clock
    accepted_scheduled = dispatches.scheduled[sc.accepted]
    job_dispatch = sc.accepted[owner]  # each job's accepted dispatch (its ledger row)
    from_schedule = np.where(arr.ran, arr.started - (accepted_scheduled[owner] + shift), np.nan)
    if conc.mean is None:
        reasons["concurrency.mean"] = reasons.get("window", "empty window")
    thru = throughput(arr, window, reasons)
    executions = arr.end[arr.busy] - arr.start[arr.busy]
    fleet = cast(Fleet, manifest.get("fleet") or {})
    configured = fleet.get("runner_count")
    reasons.update(not_collected_reasons(skipped))
    task_events = list(tasks)  # read twice: the lifecycle, then the stops (a few rows per task)
    task_list = tasks_from_events(task_events)
    causes, unknown = failure_causes(arr, task_stops(task_events), skipped.get("tasks"))
    speed = float((manifest.get("clock") or {}).get("speed") or 1.0)
    lag_all = dispatches.sent[sc.accepted] - accepted_scheduled
    lags = lag_all[~np.isnan(lag_all)]
    last_done = last_completed(arr, job_run, len(run_table))
    dropped = not_dispatched(dispatches, sc)
    labels = fleet.get("labels") or ()
    fleet_use, per_runner = runners(arr, configured, window, list(runners_snapshots), reasons, labels)
    tasks_seen, per_task = task_summary(task_list, arr)
    waiting, *waiting_steps = jobs_waiting(arr, window, reasons)
    reasons.update(step_reasons)
    accepted_first = sc.first_scheduled(dispatches) + shift  # found once for its three users
    scheduled_of_job = accepted_first[owner]
    every_scheduled = dispatches.scheduled[~np.isnan(dispatches.scheduled)] + shift
    pattern = (manifest.get("profile") or {}).get("pattern")
    tasks_read = None if "raw/tasks.jsonl" in uncollected else task_list
    cost, job_cost = cost_section(
        Jobs(arr.name, arr.runner, arr.busy, arr.start, arr.end),
        tasks_read,
        window,
        dict(fleet),
        prices,
        reasons,
        skipped.get("tasks"),
    )
    # what needs no CPU/memory figure, before them: the samples are read meanwhile (by a child process);
    # the per-name reasons join `reasons` below, in the place they always had
    timeline = timeline_columns((conc.times, conc.levels), (waiting_steps[0], waiting_steps[1]))
    dispatch_cols = dispatch_columns(dispatches.suite_id, dispatches.scheduled, dispatches.sent, sc.code)
    name_reasons: dict[str, str] = {}
    names = by_job_name(arr, run_table.created[job_run], name_reasons)
    workflows = by_workflow(arr, job_run, run_table, sc.run[sc.found], last_done, name_reasons)
    failures = failures_section(arr, causes, unknown)
    resources, per_job_res = joined()
    per_job = JobRows(
        per_job_rows(
            arr, dispatches.suite_id[job_dispatch], from_schedule, per_job_res, causes, job_cost, failed_step
        ),
        dispatch_times(dispatches.scheduled, dispatches.sent, job_dispatch, shift),
    )
    if first is not None:
        first(cast(Sequence[PerJob], per_job))

    result: Result = {
        "schema": SCHEMA,
        "test_run_id": manifest.get("test_run_id"),
        "profile": (manifest.get("profile") or {}).get("name"),
        "environment": manifest.get("environment"),
        "suite_version": manifest.get("suite_version"),
        "clock_offset_s": offset,
        "fleet": fleet,  # configuration: appears as configuration/targets only, never as observed figures
        "window": Window(
            start=stamp(window[0]) if window else None,
            end=stamp(window[1]) if window else None,
            duration_s=window[1] - window[0] if window else None,
        ),
        "workflows": cast(Workflows, workflow_counts(sc, run_table) | {"not_dispatched": dropped}),
        "jobs": job_counts(arr),
        "queue_time_s": distribution(arr.queue[~np.isnan(arr.queue)]),
        "execution_time_s": distribution(executions),
        "total_time_s": distribution(totals(sc, run_table, last_done)),
        "dispatch_lag_s": distribution(lags),
        "dispatch_lag_real_s": distribution(lags / speed),  # twin: virtual / clock speed
        "dispatch": {
            "clock_speed": speed,
            "late_after_real_s": LATE_AFTER_REAL_S,
            "late": int(np.count_nonzero(lags / speed > LATE_AFTER_REAL_S)),
            "not_dispatched": len(dropped),
            "aborted": manifest.get("aborted"),  # {at, reason, threshold, value, ...} or None
        },
        "queue_from_schedule_s": distribution(from_schedule[~np.isnan(from_schedule)]),
        "concurrency": Concurrency(max=conc.max, mean=conc.mean),
        "throughput": thru,
        "runners": fleet_use,
        "little_law": little_law(
            conc.mean,
            thru["jobs_per_min"],
            exact_sum(executions) / executions.size if executions.size else None,
        ),
        "tasks": tasks_seen,
        "saturation": _saturation(
            manifest,
            dispatches,
            sc,
            run_table,
            last_done,
            arr,
            owner,
            shift,
            configured,
            reasons,
            accepted_first,
            dropped,
        ),
        "jobs_waiting": waiting,
        "occupancy": occupancy(
            task_list, arr, configured, window, fleet_use["busy_runner_s"], fleet_use["utilization"], reasons
        ),
        "recovery": recovery(
            pattern, every_scheduled, scheduled_of_job, arr, window[1] if window else None, reasons
        ),
        "resources": resources,
        "steps": steps_seen,
        "per_job": cast(Sequence[PerJob], per_job),
        "timeline": timeline,
        "per_task": per_task,
        "per_runner": per_runner,
        "dispatches": dispatch_cols,
        "by_job_name": names,
        "by_workflow": workflows,
        "failures": failures,
        "rightsize": rightsize_section(
            arr.name,
            arr.busy,
            arr.end - arr.start,
            per_job_res.values,
            causes,
            fleet_size(fleet),
            headroom_pct,
        ),
        "cost": cost,
        "api": cast(Api, dict(api or {})),
        "thresholds": cast(list[ThresholdResult], list(thresholds or [])),
        "completeness": completeness(manifest, dispatches, schedule_size, uncollected, (sc.code, sc.codes)),
        "verdict": "",  # below, once every figure is final
        "verdict_reasons": [],
        "notes": notes,
        "reasons": reasons,
    }
    reasons.update(name_reasons)
    blank_unobserved(result, reasons, uncollected)
    if "raw/jobs.jsonl" in uncollected:  # no job read: no verdict, and no job to divide the cost by
        result["rightsize"] = result["cost"] = None
        reasons["rightsize"] = reasons["cost"] = reasons["failures"]
    _empty_distribution_reasons(result, reasons)
    judged = with_thresholds(as_json(result), thresholds or [])
    result["thresholds"], result["verdict"] = judged["thresholds"], judged["verdict"]
    result["verdict_reasons"] = judged["verdict_reasons"]
    return result


def with_thresholds(
    result: dict[str, Any], thresholds: list[dict[str, Any]], run_dir: str | None = None
) -> dict[str, Any]:
    """The result with thresholds evaluated over it (by suite.gates.thresholds), each judged, and the
    verdict (suite.gates.verdict); run_dir: the path a "run suite collect" reason names."""
    judged = judge_thresholds(thresholds, result)
    decided, why = verdict(result, judged, run_dir)
    return result | {"thresholds": judged, "verdict": decided, "verdict_reasons": why}


def _saturation(
    manifest: dict[str, Any],
    dispatches: DispatchTable,
    sc: Scope,
    runs: RunTable,
    last_done: np.ndarray,
    jobs: JobArrays,
    owner: np.ndarray,
    shift: float,
    configured: int | None,
    reasons: dict[str, str],
    scheduled: np.ndarray,
    dropped: list[dict[str, Any]],
) -> Saturation | None:
    """saturation.py's inputs: per accepted workflow its first scheduled_at (`scheduled`, shifted) and
    (run completed) its last job's completed_at; the never-accepted workflows' (`dropped`:
    not_dispatched) scheduled_at; all on GitHub's clock."""
    done = np.full(sc.accepted.size, np.nan)
    found = sc.found
    run = sc.run[found]
    completed = runs.status.isin("completed")[run]
    done[found[completed]] = last_done[run[completed]]
    never = np.asarray([d["suite_id"] for d in dropped], dtype=object)
    every = dispatches.scheduled[~np.isnan(dispatches.scheduled)] + shift
    offered = Offered(scheduled, done, first_scheduled(dispatches, never) + shift, every)
    pattern = (manifest.get("profile") or {}).get("pattern")
    return saturation_arrays(pattern, offered, scheduled[owner], jobs, configured, reasons)


def _steps(jobs: JobArrays, tap: StepTap, reasons: dict[str, str], uncollected: Sequence[str]) -> Steps:
    """result.json `steps` over this test's jobs (suite.analyze.steps)."""
    if "raw/jobs.jsonl" in uncollected:  # no step read, rather than none observed
        reasons["steps"] = "raw/jobs.jsonl absent: the jobs were never collected (suite collect)"
    return step_figures(jobs.id, jobs.name.objects(), jobs.conclusion.objects(), tap.columns(), reasons)


def _empty_distribution_reasons(result: Result, reasons: dict[str, str]) -> None:
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
    if not result["resources"]["jobs_with_samples"]:
        reasons.setdefault(
            "resources", "no job had a sampler or Container Insights sample inside its interval"
        )

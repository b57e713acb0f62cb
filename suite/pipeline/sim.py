"""`suite sim PROFILE`: a profile on the twin's fleet model alone: no HTTP, no moto, no clock to wait for.

The schedule is the profile's own (same pattern and seed as `suite run`); each workflow is dispatched
into suite.twin.fleet at its scheduled time on a fleet whose runners are all online (as after `suite
deploy`), and the model runs until every job has completed (or the profile's drain_timeout_s). What it
produced is written as a run directory exactly like a real run's: the ledger, and raw/ holding the runs
and jobs as GitHub's API returns them, runner snapshots, ECS task events and Container Insights samples,
plus the model's truth.json. `suite report` then computes result.json and every report from it, with
the profile's thresholds: a two-hour soak is simulated in seconds, a first answer before a real run.

abort_on_fail works as in a run: the abort check looks every minute of model time at the same partial
result a run's live observer computes (the runs so far, the jobs of the completed ones; the same
thresholds) and, once one fails, the rest of the schedule is not dispatched.

Run directories go under reports/sim/ (not indexed by `suite history`, so a simulation is never taken
for a measured baseline). Dispatch lag is 0 by construction; the model's figures (cold starts,
per-job overhead, CPU and memory) are the twin's, not measurements.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from suite.analyze.result import compute_result
from suite.clock import iso, iso_ms
from suite.collect.task_metrics import minute_window, task_windows
from suite.dispatch.dispatcher import DispatchPlan, write_schedule
from suite.errors import UsageError
from suite.pipeline.abort import AbortCheck, as_it_stands, read_ledger
from suite.profiles.profile import Profile
from suite.rundir.jsonio import JsonlAppender, write_json, write_jsonl
from suite.rundir.ledger import dispatch_row, not_sent_row
from suite.rundir.manifest import new_manifest
from suite.rundir.paths import RunDir, new_test_run_id
from suite.schedule.arrivals import build_schedule
from suite.twin.fleet import Fleet, FleetConfig
from suite.twin.github_objects import job_object, run_object, runner_object
from suite.twin.workflows import WORKFLOWS

ENVIRONMENT = "sim"
API = "https://sim.invalid"  # URLs inside the simulated GitHub objects (a reserved name: never reached)
REPO = "runner-suite/sim"
SETTLE_S = 120  # model time run on after the last job: its last minute's samples and task stops
SOURCE = "twin model"
ABORT_EVERY_S = 60.0  # model time between the abort check's looks


def simulate(profile: Profile, fleet: FleetConfig, reports_root: Path, now: float | None = None) -> Path:
    """Write the run directory of `profile` on the fleet model; returns its path."""
    workflow = WORKFLOWS.get(profile.workflow_file)
    if workflow is None:
        raise UsageError(
            f"{profile.path}: the fleet model knows the workflows {', '.join(sorted(WORKFLOWS))}, "
            f"not {profile.workflow_file}"
        )
    wall = time.time() if now is None else now
    origin = int(wall) // 60 * 60
    model = Fleet(fleet, start=origin)
    ready = origin + fleet.cold_start_s[1] + 1  # every runner online, as after `suite deploy`
    model.advance(ready)
    test_run_id = new_test_run_id(profile.name, wall)
    rd = RunDir(reports_root / test_run_id).create()
    start = float(ready + 1)
    offsets = build_schedule(profile.pattern, profile.seed)
    plan = DispatchPlan(profile.workflow_file, "main", profile.inputs.dispatch_inputs(), offsets, test_run_id)
    write_schedule(rd.path, plan, start)
    runners = [_runners_snapshot(model)]
    manifest = _manifest(profile, fleet, test_run_id, start)
    monitor = AbortCheck(profile.threshold_specs, ModelClock(model))
    next_check = start + ABORT_EVERY_S
    with JsonlAppender(rd.file("ledger.jsonl")) as ledger:
        for seq, offset in enumerate(offsets, 1):
            suite_id = plan.suite_id(seq)
            at = start + offset
            while monitor.thresholds and next_check <= at:  # abort_on_fail: the looks a run takes
                model.advance(next_check)
                monitor.check(
                    _partial(model, manifest, read_ledger(rd.file("ledger.jsonl"))), model.now, len(offsets)
                )
                next_check += ABORT_EVERY_S
            model.advance(at)
            reason = monitor.should_stop()
            if reason is not None:  # stop adding load, as a run does: the rest is not dispatched, with why
                for rest, later in enumerate(offsets[seq - 1 :], seq):
                    ledger.append(not_sent_row(rest, plan.suite_id(rest), start + later, reason))
                manifest["aborted"] = monitor.aborted
                break
            run = model.dispatch(workflow, {**plan.inputs, "suite_id": suite_id}, suite_id, at)
            row = dispatch_row(seq, suite_id, at, at, 200, run.id, None)
            row["attempts"] = 1
            ledger.append(row)
    deadline = start + (offsets[-1] if offsets else 0.0) + profile.drain_timeout_s
    while any(j.completed is None for j in model.jobs.values()) and model.now < deadline:
        model.advance(min(model.now + 60, deadline))
    model.advance(model.now + SETTLE_S)
    reader = ModelReader(model)
    runs = reader.list_runs()
    jobs = [job for run in runs for job in reader.list_jobs(int(run["id"]))]
    runners.append(_runners_snapshot(model))
    manifest["ended_at"] = iso_ms(model.now)
    write_json(rd.file("manifest.json"), manifest)
    write_jsonl(rd.raw_file("runs.jsonl"), runs)
    write_jsonl(rd.raw_file("jobs.jsonl"), jobs)
    write_jsonl(rd.raw_file("runners.jsonl"), runners)
    write_jsonl(rd.raw_file("tasks.jsonl"), model.task_events)
    write_jsonl(rd.raw_file("metrics.jsonl"), _metric_rows(model, jobs))
    write_json(rd.file("truth.json"), model.truth())
    return rd.path


def _partial(model: Fleet, manifest: dict[str, Any], ledger: list[dict[str, Any]]) -> dict[str, Any]:
    """result.json over what a run's live observer would have read by now: every run, and the jobs of
    the completed ones."""
    reader = ModelReader(model)
    runs = reader.list_runs()
    jobs = [j for r in runs if r.get("status") == "completed" for j in reader.list_jobs(int(r["id"]))]
    return as_it_stands(compute_result(manifest, ledger, runs, jobs, [], [], []))


class ModelClock:
    """The fleet model's time, as a Clock for the abort check (nothing waits in a simulation)."""

    speed = 1.0

    def __init__(self, model: Fleet) -> None:
        self.model = model

    def now(self) -> float:
        return float(self.model.now)

    def sleep(self, seconds: float) -> None:
        self.model.advance(self.model.now + seconds)


class ModelReader:
    """The model's runs and jobs as GitHub's API returns them (what the abort check looks at)."""

    def __init__(self, model: Fleet) -> None:
        self.model = model

    def list_runs(self, created_since_iso: str | None = None) -> list[dict[str, Any]]:
        return [run_object(API, REPO, r) for r in sorted(self.model.runs.values(), key=lambda r: r.id)]

    def clock_offset_low_s(self) -> float:  # the model's runs are stamped on the run's own clock
        return 0.0

    def list_jobs(self, run_id: int) -> list[dict[str, Any]]:
        run = self.model.runs[run_id]
        return [job_object(API, REPO, self.model, self.model.jobs[j]) for j in sorted(run.job_ids.values())]


def _runners_snapshot(model: Fleet) -> dict[str, Any]:
    """What GET .../actions/runners would list now (raw/runners.jsonl's rows)."""
    return {
        "observed_at": iso(model.now),
        "runners": [runner_object(model, t) for t in model.online_runners()],
    }


def _metric_rows(model: Fleet, jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The model's per-minute samples of the tasks that ran a job, inside each task's window (what
    suite.collect.task_metrics asks CloudWatch for), as collect's rows."""
    spans = {task: minute_window(*window) for task, window in task_windows(jobs).items()}
    rows = [
        {"task_id": task_id, "metric": metric, "timestamp": iso(t), "value": value, "source": SOURCE}
        for task_id, t, metric, value in model.metric_samples
        if task_id in spans and spans[task_id][0] <= t < spans[task_id][1]
    ]
    return sorted(rows, key=lambda r: (r["task_id"], r["metric"], r["timestamp"]))


def _manifest(profile: Profile, fleet: FleetConfig, test_run_id: str, start: float) -> dict[str, Any]:
    return new_manifest(
        test_run_id,
        profile.to_dict(),
        ENVIRONMENT,
        {**fleet.to_dict(), "source": "the twin's fleet model (suite sim)"},
        {"url": None, "repo": REPO},
        1.0,
        start,
        ended_by="suite sim: the fleet model ran every job to completion (or drain_timeout_s)",
        clock_offset_s=0.0,
    )

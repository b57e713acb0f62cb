"""`suite run`, `suite collect`, `suite report`: the pipeline from profile to report.

profiles -> schedule -> dispatch (ledger.jsonl) -> collect (raw/) -> analyze (result.json) -> report.
Everything computed is computed from the run directory, so `suite report DIR` gives the same answer.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from suite.clock import iso, iso_ms
from suite.collect.runs import COLLECT_GET_TRIES, CollectionLeft, RunTracker, collect_jobs, wait_for_runs
from suite.dispatch import preflight
from suite.dispatch.dispatcher import (
    INFLIGHT_FILE,
    DispatchPlan,
    record_unsent,
    recover_inflight,
    run_dispatches,
    write_schedule,
)
from suite.dispatch.reconcile import reconcile_unknown
from suite.errors import Terminated, UsageError
from suite.fleet.clients import github_client
from suite.fleet.environments import Target, local_target
from suite.fleet.prices import cost_settings
from suite.fleet.readiness import wait_target_online
from suite.fleet.targets import resolve_target
from suite.github.client import GitHubClient
from suite.github.cost import SUMMED, SUMMED_S, api_section, merge_stats
from suite.pipeline.abort import AbortCheck
from suite.pipeline.aws_collect import collect_aws, live_task_events
from suite.pipeline.dashboard import Dashboard
from suite.pipeline.guard import resumable, writes_run_dir
from suite.pipeline.live import RunProgress
from suite.pipeline.observer import LiveObserver
from suite.pipeline.progress import Progress, fmt_eta
from suite.pipeline.reporting import existing_run_dir, report
from suite.profiles.profile import Profile, load_profile
from suite.rundir.job_rows import read_run_result
from suite.rundir.jsonio import JsonlAppender, read_json, read_jsonl, write_json, write_jsonl
from suite.rundir.ledger import accepted_suite_ids
from suite.rundir.lock import locked
from suite.rundir.manifest import new_manifest
from suite.rundir.paths import RunDir, new_test_run_id
from suite.rundir.readback import check_for_collect, read_api_stats
from suite.schedule.arrivals import build_schedule
from suite.twin.service import Twin, TwinConfig

TWIN_READY_TIMEOUT_S = 600.0  # virtual seconds for an embedded twin's runners to come online


def run_profile(
    profile_path: Path,
    environment: str,
    reports_root: Path,
    target: Target | None = None,
    force: bool = False,
    dashboard: int | Dashboard | None = None,
) -> tuple[int, Path]:
    """Run one profile end to end; returns (exit code, run directory). dashboard: a port to serve the
    live page on (suite.pipeline.dashboard; 0: any free port), stopped with the run, or a server the
    caller started and stops."""
    profile = load_profile(profile_path, environment)
    cost_settings()  # the prices and headroom the report will use: a bad one stops here, not after the run
    with ExitStack() as stack:
        if isinstance(dashboard, int):
            dashboard = stack.enter_context(Dashboard(dashboard))
            print(f"Live dashboard: {dashboard.url} (served until the run ends)", file=sys.stderr, flush=True)
        target = target or resolve_target(environment)
        if target is None:  # local, nothing deployed: an embedded twin lives for this run only
            print("No deployed twin (suite deploy): starting an embedded one for this run.", flush=True)
            twin = stack.enter_context(Twin(TwinConfig()))
            target = local_target(twin.state())
            wait_target_online(target, TWIN_READY_TIMEOUT_S)
        client = stack.enter_context(github_client(target))
        return _run(profile, target, client, reports_root, force, dashboard)
    raise AssertionError("unreachable")


def _run(
    profile: Profile,
    target: Target,
    client: GitHubClient,
    reports_root: Path,
    force: bool = False,
    dashboard: Dashboard | None = None,
) -> tuple[int, Path]:
    with ExitStack() as held:  # the run directory's lock, from the moment it exists
        return _run_locked(profile, target, client, reports_root, force, held, dashboard)


def _run_locked(
    profile: Profile,
    target: Target,
    client: GitHubClient,
    reports_root: Path,
    force: bool,
    held: ExitStack,
    dashboard: Dashboard | None,
) -> tuple[int, Path]:
    clock = target.clock
    offsets = build_schedule(profile.pattern, profile.seed)
    _preflight(profile, client, clock.now(), len(offsets), offsets[-1] if offsets else 0.0, force)
    test_run_id = new_test_run_id(profile.name, time.time())
    rd = RunDir(reports_root / test_run_id).create()
    held.enter_context(locked(rd.path, "suite run"))
    held.enter_context(resumable(f"suite collect {rd.path} (dispatching stopped; collect finishes the run)"))
    fleet = {**target.fleet, "cluster": target.cluster, "service": target.service}
    fleet["region"] = target.region if target.cluster is not None else None
    github = {"url": target.github_url, "repo": target.repo}
    manifest = new_manifest(
        test_run_id, profile.to_dict(), target.environment, fleet, github, clock.speed, clock.now()
    )
    manifest["not_collected"] = target.not_collected()  # what this fleet cannot give, and why
    write_json(rd.file("manifest.json"), manifest)
    snapshots = [{"observed_at": iso(clock.now()), "runners": client.list_runners()}]
    write_jsonl(rd.raw_file("runners.jsonl"), snapshots)  # on disk now: a killed run keeps it
    workflow_file = profile.workflow_file
    plan = DispatchPlan(workflow_file, target.ref, profile.inputs.dispatch_inputs(), offsets, test_run_id)
    start = clock.now() + 1.0
    print(f"Run directory: {rd.path}", flush=True)
    if dashboard is not None:  # again, just above the live line (80 columns have no room for it there)
        print(f"Live dashboard: {dashboard.url}", file=sys.stderr, flush=True)
    print(
        f"{test_run_id}: {len(offsets)} workflows of {workflow_file} over {_window(offsets, clock.speed)}, "
        f"{target.environment}",
        flush=True,
    )
    monitor = AbortCheck(profile.threshold_specs, clock)
    observer = LiveObserver(
        client, clock, rd, manifest, RunTracker(client), monitor if monitor.thresholds else None
    )
    live = RunProgress(Progress(), observer, dashboard.url if dashboard else None)
    window = offsets[-1] if offsets else 0.0
    write_schedule(rd.path, plan, start)
    live.dispatching([start + o for o in offsets], preflight.progress_poll_s(window, len(offsets)))
    if dashboard is not None:  # from here the page shows this run (before: the preflight's placeholder)
        observer.task_tail = live_task_events(target, clock.now())  # booting tasks, the runner lanes
        dashboard.attach(observer.page)
    try:
        with JsonlAppender(rd.file("ledger.jsonl")) as ledger:
            run_dispatches(
                plan,
                client,
                clock,
                ledger,
                start,
                on_progress=live.on_dispatch,
                should_stop=monitor.should_stop,
                inflight=rd.file(INFLIGHT_FILE),
            )
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the rest of the schedule goes in the ledger
        live.progress.done()
        how = ("terminated", "SIGTERM") if isinstance(exc, Terminated) else ("interrupted", "Ctrl-C")
        unsent = record_unsent(rd.path, f"{how[0]} ({how[1]}) before it was sent")
        print(
            f"\n{how[0]}: {len(unsent)} scheduled dispatch(es) never sent; the run is INCOMPLETE. "
            f"Collect what was dispatched: suite collect {rd.path}",
            file=sys.stderr,
            flush=True,
        )
        raise
    except BaseException:
        live.progress.done()  # the live line cleared and the terminal's cursor back before the error
        raise
    finally:
        observer.stop()
    observer.keep()  # the jobs it read while dispatching, into the collection's checkpoint
    live.progress.done(live.dispatched_line())  # what was sent: after an abort, not the schedule
    if monitor.aborted:  # abort_on_fail: load stopped; drain and report what was dispatched
        manifest["aborted"] = monitor.aborted
        write_json(rd.file("manifest.json"), manifest)
        print(f"ABORTED at {monitor.aborted['at']}: {monitor.aborted['reason']}; draining", flush=True)
    write_json(rd.raw_file("api_dispatch.json"), client.api_stats())
    _collect(rd, target, client, profile.drain_timeout_s, live)
    snapshots.append({"observed_at": iso(clock.now()), "runners": client.list_runners()})
    write_jsonl(rd.raw_file("runners.jsonl"), snapshots)
    manifest["ended_at"] = iso_ms(clock.now())
    manifest["clock_offset_s"] = client.clock_offset_s()
    write_json(rd.file("manifest.json"), manifest)
    write_json(rd.raw_file("api.json"), _api_json(rd, client.api_stats()))
    if target.is_twin:
        write_json(rd.file("truth.json"), client.twin_truth(test_run_id + "-"))
    observer.stage = "analysing"
    code = report(rd.path)
    observer.finish(read_run_result(rd.path), rd.file("report.html"))
    return code, rd.path


def _collect(
    rd: RunDir,
    target: Target,
    client: GitHubClient,
    drain_timeout_s: float,
    live: RunProgress,
    resumed: bool = False,
) -> None:
    """Runs and jobs (checkpointed in raw/ as they are read, so a later `suite collect` goes on from
    there), then what the fleet gives from AWS. Exit 3 with what is left when GitHub keeps failing."""
    ledger = read_jsonl(rd.file("ledger.jsonl"))
    client.read_tries(COLLECT_GET_TRIES)  # the collection's budget per read (suite.collect.runs)
    checkpoint = live.observer.checkpoint  # the one the observer adds the jobs it reads to
    progress = live.progress
    if resumed and checkpoint.completed_runs():
        progress.done(f"going on from raw/: {checkpoint.summary()} already read")
    try:
        clock = target.clock
        live.observer.drain_deadline = clock.now() + drain_timeout_s
        runs = wait_for_runs(
            client,
            clock,
            ledger,
            drain_timeout_s,
            live.observer.drain_poll_s,
            live.on_poll,
            live.tracker,
            checkpoint,
        )
        live.observer.stage = "collecting"
        jobs = collect_jobs(client, runs, checkpoint)
    except CollectionLeft as exc:
        progress.done()
        raise CollectionLeft(
            f"{exc}; what was read is kept in {rd.raw}: run `suite collect {rd.path}` to go on"
        ) from None
    progress.done(f"collected {len(runs)} runs, {len(jobs)} jobs")
    write_jsonl(rd.raw_file("runs.jsonl"), runs)
    write_jsonl(rd.raw_file("jobs.jsonl"), jobs)
    collect_aws(rd, target, ledger, jobs, progress, client.clock_offset_s() or 0.0)


def _preflight(
    profile: Profile, client: GitHubClient, now: float, workflows: int, duration_s: float, force: bool
) -> None:
    """Refuse (exit 2) a profile its workflow does not accept (a custom workflow, read from the
    repository), and a run whose API cost cannot fit the token's budget, unless forced; print the plan."""
    if preflight.check_workflow(profile, client) is not None:
        print(f"workflow {profile.workflow_file}: the profile's inputs match what it declares", flush=True)
    budget = preflight.estimate(workflows, profile.jobs_per_workflow, duration_s, profile.drain_timeout_s)
    budget = preflight.with_rate_limit(budget, client.rate_limit(), now, profile.drain_timeout_s)
    try:
        print(preflight.check(budget), flush=True)
    except UsageError as exc:
        if not force:
            raise
        print(f"--force: running anyway. {exc}", flush=True)


def _window(offsets: list[float], speed: float) -> str:
    """The dispatch window in real time (and the clock's, when it runs faster)."""
    span = offsets[-1] if offsets else 0.0
    return fmt_eta(span) if speed == 1 else f"{fmt_eta(span / speed)} real ({fmt_eta(span)} at {speed:g}x)"


def _api_json(rd: RunDir, stats: dict[str, Any]) -> dict[str, Any]:
    return api_section(stats, len(accepted_suite_ids(read_jsonl(rd.file("ledger.jsonl")))))


@writes_run_dir("collect", repair_ledger=True)
def collect(run_dir: Path, target: Target | None = None, dashboard: int | None = None) -> int:
    """Resume or repeat collection for a run directory from its ledger (idempotent); `target`: the
    fleet to collect from (default: the manifest's environment, resolved as `suite run` does);
    `dashboard`: a port to serve the live page on while it collects (0: any free port), started once
    the run directory and its fleet are found (a bad one is one error line, never after a URL)."""
    rd = _existing(run_dir)
    manifest = read_json(rd.file("manifest.json"))
    unsent = record_unsent(rd.path)  # a run killed mid-schedule: what it never sent, in the ledger
    if unsent:
        print(f"{len(unsent)} scheduled dispatch(es) never sent (the run stopped first): ledger rows added")
    target = target or resolve_target(manifest["environment"])
    if target is None:
        raise UsageError(
            f"{run_dir}: its runs live in a local twin that is no longer running; deploy one and run again, "
            "or `suite report` what was already collected"
        )
    with ExitStack() as stack:
        server = None
        if dashboard is not None:
            server = stack.enter_context(Dashboard(dashboard))
            print(
                f"Live dashboard: {server.url} (served until the collection ends)",
                file=sys.stderr,
                flush=True,
            )
        return _collect_run_dir(rd, manifest, target, server)
    raise AssertionError("unreachable")


def _collect_run_dir(
    rd: RunDir, manifest: dict[str, Any], target: Target, dashboard: Dashboard | None
) -> int:
    with github_client(target) as client:
        client.read_tries(COLLECT_GET_TRIES)  # every read of a collection: its reconciliations too
        recovered = recover_inflight(rd.path, client, target.clock)
        if recovered is not None:
            found = f"run {recovered['workflow_run_id']}" if recovered["reconciled"] else "no run"
            print(f"{recovered['suite_id']} was being dispatched when the run stopped: GitHub lists {found}")
        for known in reconcile_unknown(rd.path, client, target.clock):  # asked again by every collect
            found = f"run {known['workflow_run_id']}" if known["reconciled"] else "no run"
            print(f"{known['suite_id']}'s dispatch outcome was unknown: GitHub lists {found}")
        profile_drain = float(manifest["profile"].get("drain_timeout_s") or 1800)
        observer = LiveObserver(client, target.clock, rd, manifest)
        if dashboard is not None:
            dashboard.attach(observer.page)
        live = RunProgress(Progress(), observer, dashboard.url if dashboard else None)
        _collect(rd, target, client, profile_drain, live, resumed=True)
        manifest["not_collected"] = target.not_collected()  # what this collection could not read, and why
        write_json(rd.file("manifest.json"), manifest)
        if manifest.get("ended_at") is None:  # the run was interrupted: finish what it left undone
            snapshots = read_jsonl(rd.raw_file("runners.jsonl"))
            snapshots.append({"observed_at": iso(target.clock.now()), "runners": client.list_runners()})
            write_jsonl(rd.raw_file("runners.jsonl"), snapshots)
            manifest["ended_at"] = iso_ms(target.clock.now())
            manifest["ended_by"] = "suite collect after an interruption"
            if manifest.get("clock_offset_s") is None:
                manifest["clock_offset_s"] = client.clock_offset_s()
            write_json(rd.file("manifest.json"), manifest)
        if target.is_twin and not rd.file("truth.json").exists():
            write_json(rd.file("truth.json"), client.twin_truth(str(manifest["test_run_id"]) + "-"))
        dispatch_path = rd.raw_file("api_dispatch.json")
        stats = client.api_stats()
        if dispatch_path.exists():  # the dispatch session's cost plus this collection's
            stats = merge_stats(read_json(dispatch_path), stats)
        write_json(rd.raw_file("api.json"), _api_json(rd, stats))
    observer.stage = "analysing"
    code = report(rd.path)
    observer.finish(read_run_result(rd.path), rd.file("report.html"))
    return code


def _existing(run_dir: Path, collecting: bool = True) -> RunDir:
    """The run directory at run_dir, its small files checked before any work: manifest.json; for
    `suite collect` (collecting) also schedule.json, inflight.json, the ledger's rows and the runner
    snapshots, which collection reads and appends to (raw/ runs and jobs it rewrites)."""
    rd, _ = existing_run_dir(run_dir, ("profile", "environment") if collecting else ("profile",))
    if collecting:
        check_for_collect(rd)
        if rd.raw_file("api_dispatch.json").exists():  # added to this collection's API stats
            read_api_stats(rd.raw_file("api_dispatch.json"), SUMMED, SUMMED_S)
    return rd

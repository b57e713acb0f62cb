"""Collect, fleet side: the in-task sampler's readings, Container Insights task metrics and ECS task
events, for what the target has, once the last job has had time to reach CloudWatch."""

from __future__ import annotations

from typing import Any

from suite.collect.samples import collect_samples
from suite.collect.task_events import TaskEventsTail, collect_task_events
from suite.collect.task_metrics import SOURCE_PERFORMANCE_LOG, collect_task_metrics, task_windows
from suite.fleet.clients import aws_client
from suite.fleet.environments import Target
from suite.isotime import parse_iso
from suite.pipeline.progress import Progress, fmt_eta
from suite.rundir.jsonio import write_jsonl
from suite.rundir.paths import RunDir

# wait after the last job before reading metrics (existing: real CloudWatch, as aws)
CLOUDWATCH_SETTLE_S = {"local": 120.0, "aws": 300.0, "existing": 300.0}


def collect_aws(
    rd: RunDir,
    target: Target,
    ledger: list[dict[str, Any]],
    jobs: list[dict[str, Any]],
    progress: Progress,
    offset_s: float,
) -> None:
    """The in-task sampler's readings, Container Insights task metrics and ECS task events, for what
    the target has (not_collected() names the rest, with why: an empty file, the reason in the
    manifest; the readings go with the metrics).

    AWS stamps on the world's clock, as GitHub does: the window is on GitHub's clock (our scheduled
    times moved by the measured offset `offset_s`, GitHub − local), and the settle wait converts the
    last job's end back to our clock, so a local clock that is off neither narrows the window nor
    shortens (or stretches) the wait."""
    skipped = target.not_collected()
    for kind in ("metrics", "tasks"):
        if kind in skipped:
            for name in ("metrics", "samples") if kind == "metrics" else (kind,):
                write_jsonl(rd.raw_file(f"{name}.jsonl"), [])
            progress.done(f"not collected ({kind}): {skipped[kind]}")
    if "metrics" in skipped and "tasks" in skipped:
        return
    ends = [parse_iso(j["completed_at"]) for j in jobs if j.get("completed_at")]
    github_now = target.clock.now() + offset_s
    start = min(parse_iso(r["scheduled_at"]) for r in ledger) + offset_s - 300 if ledger else github_now
    end = (max(ends) if ends else github_now) + 120
    settle = CLOUDWATCH_SETTLE_S[target.environment]
    wait = max(ends, default=github_now) + settle - github_now
    if wait > 0:
        real = f"{fmt_eta(wait / target.clock.speed)}" + (
            f" ({wait:.0f} s of the twin's clock)" if target.is_twin else ""
        )
        progress.update(f"waiting {real} for CloudWatch to settle", force=True)
        target.clock.sleep(wait)
    if "metrics" not in skipped:
        assert target.cluster is not None and target.service is not None  # else not_collected() names it
        readings = collect_samples(aws_client(target, "logs"), target.cluster, task_windows(jobs))
        write_jsonl(rd.raw_file("samples.jsonl"), readings)
        progress.done(f"collected {len(readings)} sampler readings")
        metrics = collect_task_metrics(
            aws_client(target, "cloudwatch"),
            aws_client(target, "logs"),
            target.cluster,
            target.service,
            sorted({j["runner_name"] for j in jobs if j.get("runner_name")}),
            start,
            end,
            windows=task_windows(jobs),
        )
        write_jsonl(rd.raw_file("metrics.jsonl"), metrics)
        via = ""
        if any(m["source"] == SOURCE_PERFORMANCE_LOG for m in metrics):
            via = " (from the performance log: the cluster runs standard Container Insights)"
        progress.done(f"collected {len(metrics)} CloudWatch datapoints{via}")
    if "tasks" not in skipped and target.task_events_log_group:
        events = collect_task_events(aws_client(target, "logs"), target.task_events_log_group, start, end)
        write_jsonl(rd.raw_file("tasks.jsonl"), events)
        progress.done(f"collected {len(events)} task events")


LIVE_TASKS_LOOKBACK_S = 900.0  # the live page's first read of task events goes back this far


def live_task_events(target: Target, now: float) -> TaskEventsTail | None:
    """The fleet's task events as the run goes, for the live page; None when the target has none."""
    if "tasks" in target.not_collected() or not target.task_events_log_group:
        return None
    logs = aws_client(target, "logs")
    return TaskEventsTail(logs, target.task_events_log_group, now - LIVE_TASKS_LOOKBACK_S)

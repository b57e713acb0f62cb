"""Collect stage: after the dispatches, read back what GitHub and AWS recorded into raw/.

GitHub: this test's runs (known by run id or display_title == suite_id; nothing else is in scope),
re-read until completed or the drain timeout, then every run's jobs (filter=all, paginated).
AWS: Container Insights task metrics for the tasks that ran this test's jobs, each task read over
its own job window only (GetMetricData calls of at most 500 queries and 30 minutes); when that
returns nothing (standard Container Insights publishes no TaskId dimension) the same figures from the
performance log group's `Type=Task` events. Each metrics row says which in `source`. And the ECS
task state-change events from the log group.
Idempotent: `suite collect DIR` runs it again from the ledger and overwrites raw/.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from suite.clock import Clock, iso, iso_ms
from suite.isotime import parse_iso

METRICS = ("CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved")
NAMESPACE = "ECS/ContainerInsights"
MAX_QUERIES_PER_CALL = 500
CALL_SLICE_S = 1800.0  # one GetMetricData call covers at most 30 minutes (see plan_metric_calls)
TASK_WINDOW_MARGIN_S = 60.0  # a task's metrics are read from 1 min before its first job to 1 min after
SOURCE_GMD = "GetMetricData"
SOURCE_PERFORMANCE_LOG = "performance_log"


class RunsReader(Protocol):
    def list_runs(
        self, created_since_iso: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]: ...

    def list_jobs(self, run_id: int, filter: str = "all") -> list[dict[str, Any]]: ...


def accepted_suite_ids(ledger: Iterable[dict[str, Any]]) -> dict[str, int | None]:
    """suite_id -> workflow_run_id (None when GitHub did not return one) for every accepted dispatch."""
    out: dict[str, int | None] = {}
    for row in ledger:
        if row.get("status") is not None and 200 <= int(row["status"]) < 300:
            out[row["suite_id"]] = row.get("workflow_run_id")
    return out


class RunTracker:
    """The latest state of this test's runs, kept with as few counted requests as possible.

    Each poll lists runs created since the oldest run still not completed (or, for a run not yet seen,
    since its dispatch was scheduled minus RUN_SINCE_MARGIN_S), so finished runs drop out of the
    listing and a poll reads about one page. Conditional requests: an unchanged page costs nothing.
    """

    def __init__(self, client: RunsReader, ledger: Iterable[dict[str, Any]] = ()) -> None:
        self.client = client
        self.runs: dict[str, dict[str, Any]] = {}
        self.wanted: dict[str, int | None] = {}
        self._scheduled: dict[str, float] = {}
        self.polls = 0
        self.set_ledger(ledger)

    def set_ledger(self, ledger: Iterable[dict[str, Any]]) -> None:
        rows = list(ledger)
        self.wanted = accepted_suite_ids(rows)
        self._scheduled = {r["suite_id"]: parse_iso(r["scheduled_at"]) for r in rows if r.get("scheduled_at")}

    def outstanding(self) -> list[str]:
        return [t for t in self.wanted if self.runs.get(t, {}).get("status") != "completed"]

    def since(self) -> str | None:
        """The `created` bound of the next poll; None when every wanted run is completed."""
        bounds = []
        for title in self.outstanding():
            run = self.runs.get(title)
            if run is not None and run.get("created_at"):
                bounds.append(parse_iso(run["created_at"]))
            else:
                bounds.append(self._scheduled.get(title, 0.0) - RUN_SINCE_MARGIN_S)
        return iso(min(bounds)) if bounds else None

    def poll(self) -> dict[str, int]:
        since = self.since()
        if since is not None:
            self.polls += 1
            for run in self.client.list_runs(created_since_iso=since):
                if _ours(run, self.wanted):
                    self.runs[run["display_title"]] = run
        return self.counts()

    def counts(self) -> dict[str, int]:
        return _status_counts([self.runs[t] for t in self.wanted if t in self.runs], len(self.wanted))

    def done(self) -> bool:
        return bool(self.wanted) and not self.outstanding()

    def result(self) -> list[dict[str, Any]]:
        return [self.runs[t] for t in self.wanted if t in self.runs]


RUN_SINCE_MARGIN_S = 300.0  # margin for the clock offset between us and GitHub


def wait_for_runs(
    client: RunsReader,
    clock: Clock,
    ledger: list[dict[str, Any]],
    drain_timeout_s: float,
    poll_s: float = 30.0,
    on_progress: Callable[[dict[str, int]], None] | None = None,
    tracker: RunTracker | None = None,
) -> list[dict[str, Any]]:
    """Re-read this test's runs (conditional list-runs) until every accepted dispatch's run is
    completed or the drain timeout passes; returns each run as last read."""
    tracker = tracker or RunTracker(client)
    tracker.set_ledger(ledger)
    if not tracker.wanted:
        return []
    deadline = clock.now() + drain_timeout_s
    while True:
        counts = tracker.poll()
        if on_progress:
            on_progress(counts)
        if tracker.done() or clock.now() >= deadline:
            return sorted(tracker.result(), key=lambda r: int(r["id"]))
        clock.sleep(poll_s)


def _ours(run: dict[str, Any], wanted: dict[str, int | None]) -> bool:
    title = run.get("display_title")
    if title not in wanted:
        return False
    run_id = wanted[title]
    return run_id is None or run_id == run.get("id")


def _status_counts(runs: list[dict[str, Any]], expected: int) -> dict[str, int]:
    counts = {"queued": 0, "in_progress": 0, "completed": 0}
    for r in runs:
        key = r.get("status") if r.get("status") in counts else "queued"
        counts[str(key)] += 1
    counts["missing"] = max(0, expected - len({r.get("display_title") for r in runs}))
    return counts


def busy_runners(client: Any) -> tuple[int, int] | None:
    """(busy, online) self-hosted runners, or None when the token may not list runners."""
    from suite.github.client import GitHubError

    try:
        runners = client.list_runners()
    except GitHubError as exc:
        if exc.status in (403, 404):
            return None
        raise
    online = [r for r in runners if r.get("status") == "online"]
    return sum(bool(r.get("busy")) for r in online), len(online)


def collect_jobs(client: RunsReader, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    jobs: list[dict[str, Any]] = []
    for run in sorted(runs, key=lambda r: r["id"]):
        jobs.extend(client.list_jobs(run["id"], filter="all"))
    return jobs


# ---- AWS ------------------------------------------------------------------------------------------
def metric_queries(cluster: str, service: str, task_ids: list[str]) -> list[dict[str, Any]]:
    queries = []
    for i, task_id in enumerate(sorted(task_ids)):
        for j, metric in enumerate(METRICS):
            dims = [
                {"Name": "ClusterName", "Value": cluster},
                {"Name": "ServiceName", "Value": service},
                {"Name": "TaskId", "Value": task_id},
            ]
            queries.append(
                {
                    "Id": f"t{i}m{j}",
                    "Label": json.dumps({"task_id": task_id, "metric": metric}),
                    "MetricStat": {
                        "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dims},
                        "Period": 60,
                        "Stat": "Average",
                    },
                    "ReturnData": True,
                }
            )
    return queries


Window = tuple[float, float]  # [start, end) epoch seconds


def minute_window(start: float, end: float) -> Window:
    """[start, end) widened to whole minutes (CloudWatch buckets periods from StartTime: aligned, each
    datapoint keeps the timestamp Container Insights gave it); never empty."""
    lo, hi = math.floor(start / 60) * 60, math.ceil(end / 60) * 60
    return float(lo), float(max(hi, lo + 60))


def task_windows(jobs: Iterable[dict[str, Any]], margin_s: float = TASK_WINDOW_MARGIN_S) -> dict[str, Window]:
    """task id (runner_name) -> the window its metrics are read over: its first job's start to its last
    job's end, widened by `margin_s` each side (one sample before the job gives the reservation of a
    job too short to have its own). Jobs that never started contribute their created/completed time."""
    out: dict[str, Window] = {}
    for job in jobs:
        task = job.get("runner_name")
        stamps = [job.get(k) for k in ("started_at", "completed_at", "created_at")]
        times = [parse_iso(s) for s in stamps if s]
        if not task or not times:
            continue
        lo, hi = min(times) - margin_s, max(times) + margin_s
        if task in out:
            lo, hi = min(lo, out[task][0]), max(hi, out[task][1])
        out[str(task)] = (lo, hi)
    return out


def plan_metric_calls(
    windows: dict[str, Window], slice_s: float = CALL_SLICE_S
) -> list[tuple[Window, list[str]]]:
    """GetMetricData calls for per-task windows: the time axis cut into slices of `slice_s` (on the
    minute grid); each slice reads the tasks whose window overlaps it, over the part of the slice those
    windows cover. Slices are half-open and disjoint, so no datapoint is read twice, and a call never
    spans more than `slice_s`: the datapoints a call asks for stay bounded however long the run
    (real CloudWatch: <= 100,800 per call; moto scans every stored datapoint per query and period)."""
    spans = {t: minute_window(*w) for t, w in windows.items()}
    if not spans:
        return []
    step = max(60.0, math.floor(slice_s / 60) * 60)
    first = min(lo for lo, _ in spans.values())
    last = max(hi for _, hi in spans.values())
    calls: list[tuple[Window, list[str]]] = []
    at = first
    while at < last:
        cut = min(at + step, last)
        tasks = sorted(t for t, (lo, hi) in spans.items() if lo < cut and hi > at)
        if tasks:
            lo = max(at, min(spans[t][0] for t in tasks))
            hi = min(cut, max(spans[t][1] for t in tasks))
            calls.append(((lo, hi), tasks))
        at = cut
    return calls


def collect_metrics(
    cloudwatch: Any,
    cluster: str,
    service: str,
    task_ids: list[str],
    start: float,
    end: float,
    windows: dict[str, Window] | None = None,
) -> list[dict[str, Any]]:
    """Task metrics as rows {task_id, metric, timestamp, value, source}.

    Each task is read over its own window (`windows`, e.g. from task_windows(jobs); a task without one
    is read over [start, end)), and only the datapoints inside that window are kept. The calls come from
    plan_metric_calls, each with at most 500 queries.
    """
    wanted = {t: (windows or {}).get(t, (start, end)) for t in task_ids}
    spans = {t: minute_window(*w) for t, w in wanted.items()}
    rows: list[dict[str, Any]] = []
    for (lo, hi), tasks in plan_metric_calls(wanted):
        queries = metric_queries(cluster, service, tasks)
        for i in range(0, len(queries), MAX_QUERIES_PER_CALL):
            rows.extend(_get_metric_data(cloudwatch, queries[i : i + MAX_QUERIES_PER_CALL], lo, hi))
    rows = [r for r in rows if spans[r["task_id"]][0] <= r["_t"] < spans[r["task_id"]][1]]
    for r in rows:
        del r["_t"]
    rows.sort(key=lambda r: (r["task_id"], r["metric"], r["timestamp"]))
    return rows


def _get_metric_data(
    cloudwatch: Any, batch: list[dict[str, Any]], start: float, end: float
) -> list[dict[str, Any]]:
    """One GetMetricData request (all its pages): rows with their epoch time under `_t`."""
    labels = {q["Id"]: json.loads(q["Label"]) for q in batch}
    kwargs: dict[str, Any] = {
        "MetricDataQueries": batch,
        "StartTime": datetime.fromtimestamp(start, UTC),
        "EndTime": datetime.fromtimestamp(end, UTC),
        "ScanBy": "TimestampAscending",
    }
    rows: list[dict[str, Any]] = []
    while True:
        page = cloudwatch.get_metric_data(**kwargs)
        for res in page["MetricDataResults"]:
            label = labels[res["Id"]]
            for stamp, value in zip(res["Timestamps"], res["Values"], strict=True):
                t = stamp.timestamp()
                rows.append(
                    {**label, "timestamp": iso(t), "value": float(value), "source": SOURCE_GMD, "_t": t}
                )
        token = page.get("NextToken")
        if not token:
            return rows
        kwargs["NextToken"] = token


def collect_task_events(logs: Any, log_group: str, start: float, end: float) -> list[dict[str, Any]]:
    """ECS task state-change events (EventBridge JSON) logged between start and end."""
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "logGroupName": log_group,
        "startTime": int(start * 1000),
        "endTime": int(end * 1000),
    }
    while True:
        page = logs.filter_log_events(**kwargs)
        for e in page.get("events", []):
            events.append(json.loads(e["message"]))
        token = page.get("nextToken")
        if not token:
            break
        kwargs["nextToken"] = token
    events.sort(key=lambda e: e.get("time", ""))
    return events


def performance_log_group(cluster: str) -> str:
    return f"/aws/ecs/containerinsights/{cluster}/performance"


def _ms_stamp(ms: float) -> str:
    t = ms / 1000.0
    return iso(t) if t == int(t) else iso_ms(t)


def collect_performance_metrics(
    logs: Any, cluster: str, task_ids: list[str], start: float, end: float
) -> list[dict[str, Any]]:
    """Task metrics from Container Insights performance log events (`Type=Task`), as the same rows
    {task_id, metric, timestamp, value, source} collect_metrics gives.

    The JSON filter pattern narrows what real CloudWatch Logs sends; the events are filtered again
    here (Type, TaskId in task_ids, a numeric value), since moto ignores JSON patterns.
    """
    wanted = set(task_ids)
    rows: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "logGroupName": performance_log_group(cluster),
        "startTime": int(math.floor(start / 60) * 60 * 1000),
        "endTime": int(math.ceil(end / 60) * 60 * 1000),
        "filterPattern": '{ $.Type = "Task" }',
    }
    while True:
        try:
            page = logs.filter_log_events(**kwargs)
        except logs.exceptions.ResourceNotFoundException:
            return []
        for e in page.get("events", []):
            try:
                event = json.loads(e["message"])
            except ValueError:
                continue
            if (
                not isinstance(event, dict)
                or event.get("Type") != "Task"
                or event.get("TaskId") not in wanted
            ):
                continue
            when = event.get("Timestamp", e.get("timestamp"))
            if not isinstance(when, int | float):
                continue
            for metric in METRICS:
                value = event.get(metric)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    rows.append(
                        {
                            "task_id": event["TaskId"],
                            "metric": metric,
                            "timestamp": _ms_stamp(when),
                            "value": float(value),
                            "source": SOURCE_PERFORMANCE_LOG,
                        }
                    )
        token = page.get("nextToken")
        if not token:
            break
        kwargs["nextToken"] = token
    unique = {(r["task_id"], r["metric"], r["timestamp"]): r for r in rows}  # a stream may repeat an event
    return sorted(unique.values(), key=lambda r: (r["task_id"], r["metric"], r["timestamp"]))


def collect_task_metrics(
    cloudwatch: Any,
    logs: Any,
    cluster: str,
    service: str,
    task_ids: list[str],
    start: float,
    end: float,
    windows: dict[str, Window] | None = None,
) -> list[dict[str, Any]]:
    """GetMetricData (enhanced Container Insights); when it has nothing for these tasks, the
    performance log events (standard Container Insights). With `windows`, each task's rows are those
    inside its own window (task_windows), else inside [start, end)."""
    rows = collect_metrics(cloudwatch, cluster, service, task_ids, start, end, windows)
    if rows or not task_ids:
        return rows
    rows = collect_performance_metrics(logs, cluster, task_ids, start, end)
    if windows:
        spans = {t: minute_window(*w) for t, w in windows.items()}
        rows = [r for r in rows if r["task_id"] not in spans or _inside(r["timestamp"], spans[r["task_id"]])]
    return rows


def _inside(stamp: str, window: Window) -> bool:
    return window[0] <= parse_iso(stamp) < window[1]

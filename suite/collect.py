"""Collect stage: after the dispatches, read back what GitHub and AWS recorded into raw/.

GitHub: this test's runs (known by run id or display_title == suite_id; nothing else is in scope),
re-read until completed or the drain timeout, then every run's jobs (filter=all, paginated).
AWS: Container Insights task metrics (GetMetricData, at most 500 queries per call) for the tasks
that ran this test's jobs; when that returns nothing (standard Container Insights publishes no TaskId
dimension) the same figures from the performance log group's `Type=Task` events. Each metrics row
says which in `source`. And the ECS task state-change events from the log group.
Idempotent: `suite collect DIR` runs it again from the ledger and overwrites raw/.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from suite.clock import Clock, iso, iso_ms, parse_iso

METRICS = ("CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved")
NAMESPACE = "ECS/ContainerInsights"
MAX_QUERIES_PER_CALL = 500
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


def collect_metrics(
    cloudwatch: Any, cluster: str, service: str, task_ids: list[str], start: float, end: float
) -> list[dict[str, Any]]:
    """Task metrics as rows {task_id, metric, timestamp, value}, batched at most 500 queries a call."""
    rows: list[dict[str, Any]] = []
    queries = metric_queries(cluster, service, task_ids)
    # CloudWatch buckets datapoints into periods counted from StartTime: align to the minute so each
    # datapoint keeps the timestamp Container Insights gave it
    start, end = math.floor(start / 60) * 60, math.ceil(end / 60) * 60
    for i in range(0, len(queries), MAX_QUERIES_PER_CALL):
        batch = queries[i : i + MAX_QUERIES_PER_CALL]
        labels = {q["Id"]: json.loads(q["Label"]) for q in batch}
        kwargs: dict[str, Any] = {
            "MetricDataQueries": batch,
            "StartTime": datetime.fromtimestamp(start, UTC),
            "EndTime": datetime.fromtimestamp(end, UTC),
            "ScanBy": "TimestampAscending",
        }
        while True:
            page = cloudwatch.get_metric_data(**kwargs)
            for res in page["MetricDataResults"]:
                label = labels[res["Id"]]
                for ts, value in zip(res["Timestamps"], res["Values"], strict=True):
                    rows.append(
                        {
                            **label,
                            "timestamp": iso(ts.timestamp()),
                            "value": float(value),
                            "source": SOURCE_GMD,
                        }
                    )
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
    rows.sort(key=lambda r: (r["task_id"], r["metric"], r["timestamp"]))
    return rows


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
) -> list[dict[str, Any]]:
    """GetMetricData (enhanced Container Insights); when it has nothing for these tasks, the
    performance log events (standard Container Insights)."""
    rows = collect_metrics(cloudwatch, cluster, service, task_ids, start, end)
    if rows or not task_ids:
        return rows
    return collect_performance_metrics(logs, cluster, task_ids, start, end)

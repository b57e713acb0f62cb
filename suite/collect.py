"""Collect stage: after the dispatches, read back what GitHub and AWS recorded into raw/.

GitHub: this test's runs (known by run id or display_title == suite_id; nothing else is in scope),
re-read until completed or the drain timeout, then every run's jobs (filter=all, paginated).
AWS: Container Insights task metrics (GetMetricData, at most 500 queries per call) for the tasks
that ran this test's jobs, and the ECS task state-change events from the log group.
Idempotent: `suite collect DIR` runs it again from the ledger and overwrites raw/.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from suite.clock import Clock, iso, parse_iso

METRICS = ("CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved")
NAMESPACE = "ECS/ContainerInsights"
MAX_QUERIES_PER_CALL = 500


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


def wait_for_runs(
    client: RunsReader,
    clock: Clock,
    ledger: list[dict[str, Any]],
    drain_timeout_s: float,
    poll_s: float = 30.0,
    on_progress: Callable[[dict[str, int]], None] | None = None,
) -> list[dict[str, Any]]:
    """Poll list-runs (conditional requests) until every accepted dispatch's run is completed."""
    wanted = accepted_suite_ids(ledger)
    if not wanted:
        return []
    first = min(parse_iso(r["scheduled_at"]) for r in ledger)
    since = iso(first - 300)  # margin for clock offset between us and GitHub
    deadline = clock.now() + drain_timeout_s
    while True:
        runs = [r for r in client.list_runs(created_since_iso=since) if _ours(r, wanted)]
        counts = _status_counts(runs, len(wanted))
        if on_progress:
            on_progress(counts)
        if counts["completed"] >= len(wanted) and counts["missing"] == 0:
            return runs
        if clock.now() >= deadline:
            return runs
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
                    rows.append({**label, "timestamp": iso(ts.timestamp()), "value": float(value)})
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

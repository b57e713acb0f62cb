"""Collect, AWS side: Container Insights task metrics for the tasks that ran this test's jobs.

Each task is read over its own job window only (GetMetricData calls of at most 500 queries and 30
minutes); when that returns nothing (standard Container Insights publishes no TaskId dimension) the
same figures come from the performance log group's `Type=Task` events. Each row says which in `source`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from suite.clock import iso, iso_ms
from suite.isotime import parse_iso

METRICS = ("CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved")
NAMESPACE = "ECS/ContainerInsights"
MAX_QUERIES_PER_CALL = 500
CALL_SLICE_S = 1800.0  # one GetMetricData call covers at most 30 minutes (see plan_metric_calls)
TASK_WINDOW_MARGIN_S = 60.0  # a task's metrics are read from 1 min before its first job to 1 min after
SOURCE_GMD = "GetMetricData"
SOURCE_PERFORMANCE_LOG = "performance_log"


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

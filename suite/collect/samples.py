"""Collect, AWS side: the in-task sampler's readings for the tasks that ran this test's jobs.

Each runner task carries a sampler container (terraform/templates/sampler.sh) that writes one JSON line
of raw counters every few seconds to its own stream of the sampler log group: `sampler/sampler/<task
id>` (the awslogs driver's prefix/container/task id). Each task's stream is read over the task's own job
window (suite.collect.task_metrics.task_windows) and every reading is kept as read, one row per reading
(raw/samples.jsonl): {task_id, timestamp_ms, cpu_ns, memory_bytes, cpu_limit_vcpu, memory_limit_mib}.
Lines that are not readings of that task (the sampler's notes on stderr share the stream) are left out.
No rate is computed here: that is analysis (suite.analyze.samples).
"""

from __future__ import annotations

import json
import math
from typing import Any

from suite.collect.task_metrics import Window

READING_COUNTERS = ("timestamp_ms", "cpu_ns", "memory_bytes")  # numbers every reading carries
READING_LIMITS = ("cpu_limit_vcpu", "memory_limit_mib")  # numbers, or null when /task had none


def sampler_log_group(cluster: str) -> str:
    """The sampler's log group (terraform/main.tf `sampler_log_group`: `/ecs/<fleet name>/sampler`; the
    fleet's cluster is named after the fleet)."""
    return f"/ecs/{cluster}/sampler"


def sampler_stream(task_id: str) -> str:
    return f"sampler/sampler/{task_id}"


def _number(v: Any) -> bool:
    return type(v) is int or (type(v) is float and math.isfinite(v))


def reading_of(message: str, task_id: str) -> dict[str, Any] | None:
    """The reading a log line holds (its fields only), or None for any other line."""
    try:
        line = json.loads(message)
    except ValueError:
        return None
    if type(line) is not dict or line.get("task_id") != task_id:
        return None
    if not all(_number(line.get(k)) for k in READING_COUNTERS):
        return None
    if not all(line.get(k) is None or _number(line.get(k)) for k in READING_LIMITS):
        return None
    return {
        "task_id": task_id,
        **{k: line[k] for k in READING_COUNTERS},
        **{k: line.get(k) for k in READING_LIMITS},
    }


def collect_samples(logs: Any, cluster: str, windows: dict[str, Window]) -> list[dict[str, Any]]:
    """Every task's readings inside its window, sorted by (task, time); one row per reading time (a
    line delivered twice is kept once). A fleet without the sampler log group gives no rows (its tasks'
    figures then come from Container Insights); a task without a stream gives none for that task."""
    group = sampler_log_group(cluster)
    found = logs.describe_log_groups(logGroupNamePrefix=group).get("logGroups", [])
    if not any(g.get("logGroupName") == group for g in found):
        return []  # a fleet without the sampler
    rows: dict[tuple[str, float], dict[str, Any]] = {}
    for task_id in sorted(windows):
        lo, hi = windows[task_id]
        kwargs: dict[str, Any] = {
            "logGroupName": group,
            "logStreamName": sampler_stream(task_id),
            "startTime": math.floor(lo * 1000),
            "endTime": math.ceil(hi * 1000),
            "startFromHead": True,
        }
        while True:
            try:
                page = logs.get_log_events(**kwargs)
            except logs.exceptions.ResourceNotFoundException:
                break  # this task has no stream (its sampler never wrote)
            for event in page.get("events", []):
                reading = reading_of(event.get("message", ""), task_id)
                if reading is not None and lo * 1000 <= reading["timestamp_ms"] <= hi * 1000:
                    rows[(task_id, reading["timestamp_ms"])] = reading
            token = page.get("nextForwardToken")
            if not page.get("events") or not token or token == kwargs.get("nextToken"):
                break  # the end of the stream: the same token again
            kwargs["nextToken"] = token
    return [rows[k] for k in sorted(rows)]

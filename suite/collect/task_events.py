"""Collect, ECS task events: the task state-change events (EventBridge JSON) from their log group."""

from __future__ import annotations

import json
from typing import Any


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

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


TAIL_OVERLAP_S = 120.0  # each live read goes back this far: events delivered late are still read once


class TaskEventsTail:
    """The task events as a run goes (the live observer): each `read(until)` reads the log group from the
    previous read's end minus TAIL_OVERLAP_S, and returns only events not returned before (by CloudWatch's
    eventId), so an event the service delivered late is still seen, and none twice."""

    def __init__(self, logs: Any, log_group: str, since: float) -> None:
        self.logs, self.log_group, self.since = logs, log_group, since
        self._seen: set[str] = set()

    def read(self, until: float) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "logGroupName": self.log_group,
            "startTime": int(self.since * 1000),
            "endTime": int(until * 1000),
        }
        new: list[dict[str, Any]] = []
        while True:
            page = self.logs.filter_log_events(**kwargs)
            for e in page.get("events", []):
                key = str(e.get("eventId") or (e.get("timestamp"), e.get("message")))
                if key not in self._seen:
                    self._seen.add(key)
                    new.append(json.loads(e["message"]))
            token = page.get("nextToken")
            if not token:
                break
            kwargs["nextToken"] = token
        self.since = max(self.since, until - TAIL_OVERLAP_S)
        return sorted(new, key=lambda e: e.get("time", ""))

"""ECS task lifecycle from EventBridge "ECS Task State Change" events; cold start = createdAt → startedAt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from suite.analyze.timeline import ts


@dataclass(frozen=True)
class Task:
    task_id: str
    created: float | None
    started: float | None
    stopped: float | None
    last_status: str | None

    @property
    def cold_start_s(self) -> float | None:
        if self.created is None or self.started is None:
            return None
        return self.started - self.created


def task_id_from_arn(arn: str) -> str:
    """arn:aws:ecs:region:acct:task/<cluster>/<32 hex> -> the task id (the runner name)."""
    return arn.rsplit("/", 1)[-1]


def tasks_from_events(events: Iterable[dict[str, Any]]) -> list[Task]:
    """One Task per task id; each lifecycle field is taken from the first event that carries it."""
    fields: dict[str, dict[str, Any]] = {}
    ordered = sorted(events, key=lambda e: ts(e.get("time")) or 0.0)
    for event in ordered:
        detail = event.get("detail") or {}
        arn = detail.get("taskArn")
        if not arn:
            continue
        f = fields.setdefault(task_id_from_arn(str(arn)), {})
        for key in ("createdAt", "startedAt", "stoppedAt"):
            if f.get(key) is None and detail.get(key):
                f[key] = ts(detail[key])
        if detail.get("lastStatus"):
            f["lastStatus"] = detail["lastStatus"]
    return [
        Task(tid, f.get("createdAt"), f.get("startedAt"), f.get("stoppedAt"), f.get("lastStatus"))
        for tid, f in sorted(fields.items())
    ]

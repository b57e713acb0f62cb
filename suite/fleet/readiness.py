"""Readiness: the service runs runner_count tasks, and GitHub lists that many online runners with the
fleet's labels whose names are exactly those tasks' ids (DESIGN.md: runner name = ECS task id).

`check` is the pure comparison; `running_task_ids` reads ECS; `wait_ready` polls both until ready or
the timeout, then says exactly what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from suite.clock import Clock, WallClock
from suite.errors import EnvironmentFailure


def task_id(task_arn: str) -> str:
    """The task id: the last segment of a task ARN (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID)."""
    return task_arn.rsplit("/", 1)[-1]


def label_names(runner: dict[str, Any]) -> set[str]:
    """A runner's label names, lower-cased (GitHub matches runs-on labels case-insensitively)."""
    return {str(lb.get("name", "")).lower() for lb in runner.get("labels", []) if isinstance(lb, dict)}


@dataclass
class Readiness:
    want: int
    running_tasks: list[str]
    online_matching: list[str] = field(default_factory=list)  # runners online, labelled, named after a task
    tasks_without_runner: list[str] = field(default_factory=list)
    offline_runners: list[str] = field(default_factory=list)  # named after a running task, not online
    unlabelled_runners: list[str] = field(default_factory=list)  # named after a task, missing fleet labels
    missing_labels: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return len(self.running_tasks) >= self.want and len(self.online_matching) >= self.want

    def missing(self) -> str:
        """What stands between the fleet and ready, in one paragraph ('' when ready)."""
        if self.ready:
            return ""
        parts = []
        if len(self.running_tasks) < self.want:
            parts.append(f"the service runs {len(self.running_tasks)} of {self.want} tasks")
        parts.append(
            f"{len(self.online_matching)} of {self.want} runners are online and named after a running task"
        )
        if self.tasks_without_runner:
            parts.append(
                "running tasks GitHub lists no runner for: " + ", ".join(sorted(self.tasks_without_runner))
            )
        if self.offline_runners:
            parts.append("runners registered but not online: " + ", ".join(sorted(self.offline_runners)))
        for name in sorted(self.unlabelled_runners):
            parts.append(f"runner {name} lacks the fleet label(s) {', '.join(self.missing_labels[name])}")
        return "; ".join(parts)


def check(
    want: int, running_task_ids: list[str], runners: list[dict[str, Any]], labels: list[str]
) -> Readiness:
    """Compare the service's RUNNING tasks with GitHub's runner list (pure)."""
    need = {lb.lower() for lb in labels}
    tasks = sorted(set(running_task_ids))
    by_name = {str(r.get("name")): r for r in runners}
    result = Readiness(want=want, running_tasks=tasks)
    for tid in tasks:
        runner = by_name.get(tid)
        if runner is None:
            result.tasks_without_runner.append(tid)
            continue
        lacking = sorted(need - label_names(runner))
        if lacking:
            result.unlabelled_runners.append(tid)
            result.missing_labels[tid] = lacking
        elif runner.get("status") != "online":
            result.offline_runners.append(tid)
        else:
            result.online_matching.append(tid)
    return result


def running_task_ids(ecs: Any, cluster: str, service: str) -> list[str]:
    """Ids of the service's tasks whose lastStatus is RUNNING."""
    arns: list[str] = []
    for page in ecs.get_paginator("list_tasks").paginate(
        cluster=cluster, serviceName=service, desiredStatus="RUNNING"
    ):
        arns.extend(page.get("taskArns", []))
    ids = []
    for i in range(0, len(arns), 100):  # describe_tasks takes at most 100
        for task in ecs.describe_tasks(cluster=cluster, tasks=arns[i : i + 100]).get("tasks", []):
            group = task.get("group")
            if task.get("lastStatus") == "RUNNING" and (group is None or group == f"service:{service}"):
                ids.append(task_id(task["taskArn"]))
    return ids


def wait_ready(
    want: int,
    labels: list[str],
    tasks: Callable[[], list[str]],
    runners: Callable[[], list[dict[str, Any]]],
    *,
    timeout_s: float,
    poll_s: float = 10.0,
    clock: Clock | None = None,
    progress: Callable[[str], None] | None = None,
) -> Readiness:
    """Poll until ready; raise EnvironmentFailure naming what is missing at the timeout."""
    clock = clock or WallClock()
    deadline = clock.now() + timeout_s
    last = ""
    while True:
        state = check(want, tasks(), runners(), labels)
        if state.ready:
            return state
        line = (
            f"waiting: {len(state.running_tasks)}/{want} tasks RUNNING, "
            f"{len(state.online_matching)}/{want} runners online"
        )
        if progress and line != last:
            progress(line)
            last = line
        if clock.now() + poll_s > deadline:
            raise EnvironmentFailure(f"the fleet was not ready within {timeout_s:.0f} s: {state.missing()}")
        clock.sleep(poll_s)

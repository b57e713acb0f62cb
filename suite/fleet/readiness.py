"""Readiness, the one definition: GitHub lists at least runner_count runners online with the fleet's
labels, reached within a timeout on the target's clock. Where the fleet's ECS tasks can be read (aws,
existing) the service must also run that many tasks, and a runner counts only when it is named after
one of them (the runner name is the ECS task id).

`check` is the pure comparison; `running_task_ids` reads ECS; `wait_ready` polls until ready or the
timeout, then says exactly what is missing; `wait_target_online` is that wait for a Target's fleet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from suite.clock import Clock
from suite.errors import EnvironmentFailure
from suite.fleet.environments import Target
from suite.github.client import GitHubClient


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
    tasks_known: bool = True  # False: no ECS to read (the twin); every labelled online runner counts

    @property
    def ready(self) -> bool:
        tasks_ok = not self.tasks_known or len(self.running_tasks) >= self.want
        return tasks_ok and len(self.online_matching) >= self.want

    def progress_line(self) -> str:
        """One line for a waiting terminal: tasks RUNNING (when known) and runners online."""
        tasks = f"{len(self.running_tasks)}/{self.want} tasks RUNNING, " if self.tasks_known else ""
        return f"waiting: {tasks}{len(self.online_matching)}/{self.want} runners online"

    def missing(self) -> str:
        """What stands between the fleet and ready, in one paragraph ('' when ready)."""
        if self.ready:
            return ""
        parts = []
        if self.tasks_known and len(self.running_tasks) < self.want:
            parts.append(f"the service runs {len(self.running_tasks)} of {self.want} tasks")
        online = f"{len(self.online_matching)} of {self.want} runners are online"
        parts.append(
            f"{online} and named after a running task"
            if self.tasks_known
            else f"{online} with the fleet's labels"
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
    want: int, running_task_ids: list[str] | None, runners: list[dict[str, Any]], labels: list[str]
) -> Readiness:
    """Compare the service's RUNNING tasks with GitHub's runner list (pure). Without task ids (None: no
    ECS to read), every online runner with the fleet's labels counts."""
    need = {lb.lower() for lb in labels}
    if running_task_ids is None:
        online = Readiness(want=want, running_tasks=[], tasks_known=False)
        for listed in runners:
            name = str(listed.get("name"))
            if listed.get("status") != "online":
                continue
            if lacking := sorted(need - label_names(listed)):
                online.unlabelled_runners.append(name)
                online.missing_labels[name] = lacking
            else:
                online.online_matching.append(name)
        return online
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
    tasks: Callable[[], list[str]] | None,
    runners: Callable[[], list[dict[str, Any]]],
    *,
    timeout_s: float,
    clock: Clock,
    poll_s: float = 10.0,
    progress: Callable[[str], None] | None = None,
) -> Readiness:
    """Poll until ready (`tasks` None: no ECS to read); raise EnvironmentFailure naming what is missing
    at the timeout. `timeout_s` and `poll_s` are seconds of `clock` (the target's: virtual on the twin)."""
    deadline = clock.now() + timeout_s
    last = ""
    while True:
        state = check(want, tasks() if tasks is not None else None, runners(), labels)
        if state.ready:
            return state
        line = state.progress_line()
        if progress and line != last:
            progress(line)
            last = line
        if clock.now() + poll_s > deadline:
            virtual = " (virtual)" if clock.speed != 1.0 else ""
            raise EnvironmentFailure(
                f"the fleet was not ready within {timeout_s:.0f} s{virtual}: {state.missing()}"
            )
        clock.sleep(poll_s)


def wait_target_online(target: Target, timeout_s: float, poll_s: float = 5.0) -> Readiness:
    """wait_ready for a target whose tasks are not read (the twin): its runner_count runners online
    with its labels, as GitHub lists them, on the target's clock."""
    with GitHubClient(target.github_url, target.repo, target.credentials, clock=target.clock) as gh:
        return wait_ready(
            int(target.fleet["runner_count"]),
            list(target.fleet.get("labels") or []),
            None,
            gh.list_runners,
            timeout_s=timeout_s,
            clock=target.clock,
            poll_s=poll_s,
        )

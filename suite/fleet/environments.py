"""Where a run goes: the local twin (default) or a real fleet on AWS.

A Target carries everything the stages need to reach GitHub and AWS, and the clock they share.
suite.fleet.targets resolves an environment name to its Target.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from suite.clock import Clock, SteppedClock, VirtualClock

if TYPE_CHECKING:  # startup time: the GitHub client (httpx, JWT) is imported by what uses it
    from suite.github.app import AppCredentials

ENVIRONMENTS = ("local", "aws", "existing")
DEFAULT_STATE_DIR = Path(".suite")


def state_dir() -> Path:
    return Path(os.environ.get("SUITE_STATE_DIR", str(DEFAULT_STATE_DIR)))


def default_environment() -> str:
    return os.environ.get("SUITE_ENV", "local")


@dataclass
class Target:
    environment: str
    github_url: str
    repo: str
    token: str = field(repr=False)
    clock: Clock
    region: str
    cluster: str | None  # None: no ECS to read (an `existing` fleet measured GitHub-side only)
    service: str | None
    task_events_log_group: str | None
    fleet: dict[str, Any]
    aws_endpoint: str | None = None  # None: AWS's own endpoints (real credentials)
    ref: str = "main"
    app: AppCredentials | None = field(default=None, repr=False)  # GitHub App instead of `token`

    @property
    def credentials(self) -> str | AppCredentials:
        """What the GitHub client authenticates with: the App when configured, else the token."""
        return self.app if self.app is not None else self.token

    def not_collected(self) -> dict[str, str]:
        """What a run on this target does not collect, and why: `metrics` (Container Insights, the
        per-job CPU and memory) and `tasks` (ECS task events, the cold starts). Written to the
        manifest, so the analysis gives those figures null with this reason."""
        skipped: dict[str, str] = {}
        if self.cluster is None:
            skipped["metrics"] = NO_CLUSTER
            skipped["tasks"] = NO_CLUSTER_TASKS
            return skipped
        if self.fleet.get("cloudwatch") is False:
            skipped["metrics"] = NO_CLOUDWATCH
        if not self.task_events_log_group:
            skipped["tasks"] = NO_TASK_EVENTS
        return skipped

    @property
    def is_twin(self) -> bool:
        return self.environment == "local"


NO_CLUSTER = "no ECS cluster configured: CPU and memory are measured only for ECS fleets"
NO_CLUSTER_TASKS = "no ECS cluster configured: task cold starts are measured only for ECS fleets"
NO_CLOUDWATCH = "the fleet is configured without CloudWatch (suite.yaml existing.cloudwatch: false)"
NO_TASK_EVENTS = (
    "no ECS task-event log group configured (--env existing: task_events_log_group in suite.yaml)"
)


def local_target(state: dict[str, Any]) -> Target:
    """The target of a twin from its state; an in-process stepped twin's clock is shared as is."""
    clock = state["clock"]
    return Target(
        environment="local",
        github_url=state["github_url"],
        repo=state["repo"],
        token=state["token"],
        clock=clock if isinstance(clock, SteppedClock) else VirtualClock.from_state(clock),
        region=state["region"],
        cluster=state["cluster"],
        service=state["service"],
        task_events_log_group=state["task_events_log_group"],
        fleet=state["fleet"],
        aws_endpoint=state["aws_endpoint"],
    )

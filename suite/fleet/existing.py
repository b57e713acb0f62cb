"""`--env existing`: a fleet the user already runs, on any platform; the suite measures it, never manages it.

suite.yaml (or $SUITE_CONFIG):

    existing:
      repo: my-org/my-repo                  # where the workflows are dispatched (required)
      github_api_url: https://api.github.com   # optional (GitHub Enterprise Server: https://HOST/api/v3)
      runner_labels: [self-hosted, linux]   # optional: the fleet's runners are those with these labels
      runner_count: 4                       # optional: the configured runners (utilization needs it)
      task_cpu: 1024                        # optional, like task_memory and ephemeral: recorded sizing
      # the ECS join, only for a fleet on ECS (cluster and service together):
      cluster: ci-runners
      service: runners
      region: eu-west-1                     # default: $AWS_REGION, then $AWS_DEFAULT_REGION, then us-east-1
      task_events_log_group: /aws/events/ecs/ci-runners   # optional: task cold starts
      cloudwatch: true                      # false: no Container Insights (CPU and memory null)

Without `cluster`, the fleet is measured GitHub-side only (any platform: ECS, Kubernetes, OpenShift,
machines): every timing figure, and CPU and memory null with the reason. Every error names the file
and line and says how to fix it (exit 2).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from suite.errors import UsageError
from suite.fleet.config import (
    DEFAULT_GITHUB_API_URL,
    check_region,
    config_exists,
    config_path,
    default_region,
    load_config_node,
)
from suite.profiles.userfile import display_path
from suite.profiles.yamlpos import Node, brief, where

EXAMPLE = (
    "`existing: {repo: owner/name, runner_labels: [self-hosted, linux], runner_count: 4}` "
    "(add cluster: and service: for the ECS join of a fleet on ECS; docs/aws.md)"
)
KNOWN = (
    "repo", "github_api_url", "runner_labels", "runner_count", "task_cpu", "task_memory", "ephemeral",
    "cluster", "service", "region", "task_events_log_group", "cloudwatch",
)  # fmt: skip
NEEDS_CLUSTER = ("task_events_log_group", "cloudwatch", "region")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass
class ExistingConfig:
    """`existing:` in suite.yaml. `cluster` None: no ECS join (the fleet is measured GitHub-side only)."""

    repo: str
    region: str
    cluster: str | None = None
    service: str | None = None
    github_api_url: str = DEFAULT_GITHUB_API_URL
    task_events_log_group: str | None = None
    cloudwatch: bool = True
    runner_labels: list[str] = field(default_factory=list)
    runner_count: int | None = None
    task_cpu: int | None = None
    task_memory: int | None = None
    ephemeral: bool | None = None

    @property
    def on_ecs(self) -> bool:
        return self.cluster is not None


class _Section:
    """`existing:`'s entries with their lines, for errors that say file:line and how to fix."""

    def __init__(self, source: str, node: Node) -> None:
        self.source, self.node = source, node
        self.entries: dict[str, Node] = node.value

    def fail(self, key: str | None, message: str) -> UsageError:
        line = self.entries[key].line if key in self.entries else self.node.line
        return UsageError(f"{where(self.source, line)}: {message}")

    def get(self, key: str) -> Any:
        entry = self.entries.get(key)
        return None if entry is None else entry.value

    def text(self, key: str, fix: str) -> str | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > 1000:
            raise self.fail(key, f"existing.{key} must be a non-empty string, got {_shown(value)}: {fix}")
        return value.strip()

    def whole(self, key: str, fix: str, hi: int) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= hi:
            raise self.fail(key, f"existing.{key} must be a whole number 1..{hi}, got {_shown(value)}: {fix}")
        return value

    def flag(self, key: str) -> bool | None:
        value = self.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.fail(key, f"existing.{key} must be true or false, got {_shown(value)}")
        return value


def _shown(value: Any) -> str:
    return "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else brief(value)


def existing_config(path: Path | None = None) -> ExistingConfig:
    """The `existing:` section of suite.yaml, checked; UsageError (exit 2) naming file:line otherwise."""
    path = path or config_path()
    source = display_path(path)
    if not config_exists(path):
        raise UsageError(
            f"--env existing reads the fleet from {source}, which does not exist: create it with {EXAMPLE}"
        )
    root = load_config_node(path)
    if root is None or "existing" not in root.value:
        line = root.line if root is not None else 0
        raise UsageError(
            f"{where(source, line)}: --env existing needs an `existing:` section, e.g. {EXAMPLE}"
        )
    node = root.value["existing"]
    if not node.is_mapping:
        raise UsageError(f"{where(source, node.line)}: `existing:` must be a mapping, e.g. {EXAMPLE}")
    s = _Section(source, node)
    for key in s.entries:
        if key not in KNOWN:
            close = difflib.get_close_matches(key, KNOWN, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(KNOWN)}"
            raise s.fail(key, f"existing.{key}: unknown key ({hint})")
    repo = s.text("repo", "the repository the workflows are dispatched in, as owner/name")
    if repo is None:
        raise s.fail(None, "existing.repo is required: the repository the workflows run in, as owner/name")
    if not _REPO.match(repo):
        raise s.fail("repo", f"existing.repo must be 'owner/name', got {brief(repo)}")
    url = s.text("github_api_url", "e.g. https://api.github.com") or DEFAULT_GITHUB_API_URL
    if not url.startswith(("https://", "http://")):
        raise s.fail("github_api_url", f"existing.github_api_url must be an http(s) URL, got {brief(url)}")
    labels = s.get("runner_labels")
    if labels is not None and (
        not isinstance(labels, list) or not all(isinstance(n.value, str) and n.value for n in labels)
    ):
        raise s.fail(
            "runner_labels", "existing.runner_labels must be a list of labels, e.g. [self-hosted, linux]"
        )
    cluster = s.text("cluster", "the ECS cluster's name")
    service = s.text("service", "the ECS service's name")
    if (cluster is None) != (service is None):
        given, other = ("cluster", "service") if cluster is not None else ("service", "cluster")
        raise s.fail(
            given,
            f"existing.{given} is set but existing.{other} is not: the ECS join needs both; set {other}, "
            f"or remove {given} to measure the fleet GitHub-side only",
        )
    if cluster is None:
        for key in NEEDS_CLUSTER:
            if key in s.entries:
                raise s.fail(
                    key,
                    f"existing.{key} is about the ECS cluster, but no cluster is configured: set cluster "
                    f"and service (a fleet on ECS), or remove {key}",
                )
    log_group = s.text("task_events_log_group", "the CloudWatch Logs group of the ECS task events")
    cloudwatch = s.flag("cloudwatch")
    region = s.text("region", "an AWS region, e.g. eu-west-1")
    if region is not None:
        check_region(region, f"{where(source, s.entries['region'].line)}: existing.region")
    elif cluster is not None:
        region = check_region(
            default_region(), "$AWS_REGION / $AWS_DEFAULT_REGION (existing.region is not set)"
        )
    return ExistingConfig(
        repo=repo,
        region=region or default_region(),
        cluster=cluster,
        service=service,
        github_api_url=url.rstrip("/"),
        task_events_log_group=log_group,
        cloudwatch=cloudwatch is not False,
        runner_labels=[str(n.value) for n in labels or []],
        runner_count=s.whole("runner_count", "the number of runners the fleet is configured to run", 100_000),
        task_cpu=s.whole("task_cpu", "CPU units (1024 = 1 vCPU)", 1024 * 1024),
        task_memory=s.whole("task_memory", "MiB", 1024 * 1024 * 1024),
        ephemeral=s.flag("ephemeral"),
    )

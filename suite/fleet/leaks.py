"""The destroy proof: nothing tagged with the fleet's name is left (Resource Groups Tagging API).

Some tagged ARNs are not leftovers: ECS task definition revisions, which ECS keeps as INACTIVE after
Terraform deregisters them (they cost nothing and run nothing; the proof asks ECS to delete them) or
DELETE_IN_PROGRESS, and deleted ECS clusters, which ECS lists as INACTIVE for a while. IAM roles are
global and not all partitions list them through the Tagging API, so the proof also lists the fleet's
roles by name prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from suite.clock import Clock, WallClock
from suite.errors import EnvironmentFailure
from suite.fleet.config import FLEET_TAG_KEY

_GONE_TASK_DEFINITION = {"INACTIVE", "DELETE_IN_PROGRESS"}


def tagged_arns(tagging: Any, fleet_name: str, tag_key: str = FLEET_TAG_KEY) -> list[str]:
    arns: list[str] = []
    pages = tagging.get_paginator("get_resources").paginate(
        TagFilters=[{"Key": tag_key, "Values": [fleet_name]}]
    )
    for page in pages:
        arns.extend(m["ResourceARN"] for m in page.get("ResourceTagMappingList", []))
    return sorted(arns)


def _is_task_definition(arn: str) -> bool:
    return ":task-definition/" in arn


def fleet_roles(iam: Any, fleet_name: str) -> list[str]:
    """ARNs of IAM roles named like the fleet's (terraform/iam.tf name_prefix)."""
    prefixes = (f"{fleet_name}-exec-", f"{fleet_name}-task-")
    roles: list[str] = []
    for page in iam.get_paginator("list_roles").paginate():
        roles.extend(r["Arn"] for r in page.get("Roles", []) if r["RoleName"].startswith(prefixes))
    return sorted(roles)


@dataclass
class LeakReport:
    leftovers: list[str] = field(default_factory=list)
    retired_task_definitions: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.leftovers


def scan(tagging: Any, ecs: Any, fleet_name: str, iam: Any | None = None) -> LeakReport:
    """One look: what tagged with the fleet still exists (task definitions: only ACTIVE ones count)."""
    report = LeakReport()
    for arn in tagged_arns(tagging, fleet_name):
        if _is_task_definition(arn):
            status = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"].get("status")
            if status in _GONE_TASK_DEFINITION:
                report.retired_task_definitions.append(arn)
                continue
        if ":cluster/" in arn:
            clusters = ecs.describe_clusters(clusters=[arn]).get("clusters", [])
            if all(c.get("status") == "INACTIVE" for c in clusters):
                continue
        report.leftovers.append(arn)
    if iam is not None:
        report.leftovers.extend(a for a in fleet_roles(iam, fleet_name) if a not in report.leftovers)
    return report


def delete_retired_task_definitions(ecs: Any, arns: list[str]) -> None:
    """Ask ECS to delete INACTIVE revisions (best effort: they are free and unusable either way)."""
    inactive = [
        a
        for a in arns
        if ecs.describe_task_definition(taskDefinition=a)["taskDefinition"].get("status") == "INACTIVE"
    ]
    for i in range(0, len(inactive), 10):  # DeleteTaskDefinitions takes at most 10
        try:
            ecs.delete_task_definitions(taskDefinitions=inactive[i : i + 10])
        except Exception:
            return


def prove_gone(
    tagging: Any,
    ecs: Any,
    fleet_name: str,
    *,
    iam: Any | None = None,
    timeout_s: float = 180.0,
    poll_s: float = 15.0,
    clock: Clock | None = None,
    progress: Callable[[str], None] | None = None,
) -> LeakReport:
    """Scan until nothing is left (the Tagging API lags deletions by a little); raise listing leftovers."""
    clock = clock or WallClock()
    deadline = clock.now() + timeout_s
    while True:
        report = scan(tagging, ecs, fleet_name, iam)
        if report.clean:
            delete_retired_task_definitions(ecs, report.retired_task_definitions)
            return report
        if clock.now() + poll_s > deadline:
            raise EnvironmentFailure(
                f"{len(report.leftovers)} resource(s) tagged {FLEET_TAG_KEY}={fleet_name} remain after "
                f"destroy (checked for {timeout_s:.0f} s):\n  " + "\n  ".join(report.leftovers)
            )
        if progress:
            progress(f"waiting for {len(report.leftovers)} tagged resource(s) to disappear")
        clock.sleep(poll_s)

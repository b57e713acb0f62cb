"""`suite status --env existing`: the fleet as GitHub lists it (runners online with its labels) and, on
ECS, the service's RUNNING tasks, each runner named after one; against the configured count."""

from __future__ import annotations

from typing import Any

from suite.errors import EXIT_PASS, EnvironmentFailure
from suite.fleet import readiness
from suite.fleet.clients import aws_client, github_client
from suite.fleet.existing import ExistingConfig, existing_config
from suite.fleet.targets import existing_target


def existing_status(
    cfg: ExistingConfig, runners: list[dict[str, Any]], ecs: Any | None = None
) -> dict[str, Any]:
    """The fleet against GitHub's runner list (`runners`): runners online with the fleet's labels, and
    on ECS (`ecs`, a boto3 ECS client) the service's RUNNING tasks, each runner named after one.

    The count to compare with: runner_count from suite.yaml, else (on ECS) the service's desiredCount;
    None when neither is known."""
    want = cfg.runner_count
    tasks: list[str] | None = None
    if cfg.cluster is not None and cfg.service is not None:
        if ecs is None:
            raise ValueError("an ECS fleet's status needs an ECS client")
        if want is None:
            found = ecs.describe_services(cluster=cfg.cluster, services=[cfg.service]).get("services", [])
            if not found:
                raise EnvironmentFailure(
                    f"ECS service {cfg.service} not found in cluster {cfg.cluster} ({cfg.region}): check "
                    "existing.cluster, .service and .region in suite.yaml"
                )
            want = int(found[0]["desiredCount"])
        tasks = readiness.running_task_ids(ecs, cfg.cluster, cfg.service)
    return {
        "readiness": readiness.check(want or 0, tasks, runners, cfg.runner_labels),
        "configured": want,
        "registered": len(runners),
    }


def status_lines(cfg: ExistingConfig, info: dict[str, Any]) -> list[str]:
    state: readiness.Readiness = info["readiness"]
    want = info["configured"]
    labels = ", ".join(cfg.runner_labels) or "(any)"
    where = (
        f"ECS cluster {cfg.cluster}, service {cfg.service} in {cfg.region}"
        if cfg.cluster
        else "GitHub-side only (no ECS cluster configured: CPU and memory are not measured)"
    )
    lines = [f"existing fleet · {cfg.repo} at {cfg.github_api_url} · {where}"]
    online = f"{len(state.online_matching)} runners online with the labels {labels}"
    online += f" ({info['registered']} registered)"
    if state.tasks_known:
        online = f"{len(state.running_tasks)} of {want} tasks RUNNING, " + online
    if want is None:
        lines.append(f"  {online}; configured runner count not set (runner_count in suite.yaml)")
        return lines
    lines.append(f"  {online}, of {want} configured")
    if not state.ready:
        lines.append(f"  not ready: {state.missing()}")
    return lines


def print_existing_status() -> int:
    cfg = existing_config()
    target = existing_target(cfg)
    with github_client(target) as client:
        runners = client.list_runners()
    ecs = aws_client(target, "ecs") if cfg.cluster is not None else None
    print("\n".join(status_lines(cfg, existing_status(cfg, runners, ecs))))
    return EXIT_PASS

"""Targets for the real environments: `aws` (the Terraform fleet's saved outputs) and `existing`."""

from __future__ import annotations

from typing import Any

from suite.clock import WallClock
from suite.errors import UsageError
from suite.fleet import aws
from suite.fleet.config import ExistingConfig, aws_config, existing_config
from suite.fleet.environments import Target


def fleet_from_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    """The manifest's fleet sizing, from Terraform outputs (observed configuration, not targets)."""
    return {
        "runner_count": int(outputs["runner_count"]),
        "task_cpu": int(outputs["task_cpu"]),
        "task_memory": int(outputs["task_memory"]),
        "ephemeral": bool(outputs.get("ephemeral", True)),
        "container_insights": outputs.get("container_insights"),  # None: deployed before it was an output
        "labels": list(outputs.get("runner_labels", [])),
        "cluster": outputs["cluster"],
        "service": outputs["service"],
        "region": outputs["region"],
        "fleet_name": outputs.get("fleet_name"),
        "source": "terraform outputs",
    }


def _credentials() -> dict[str, Any]:
    """Target fields for GitHub auth: a GitHub App when GITHUB_APP_* are set, else GITHUB_TOKEN/GH_TOKEN."""
    from suite.github.app import credentials_from_env

    found = credentials_from_env()
    return {"token": found, "app": None} if isinstance(found, str) else {"token": "", "app": found}


def aws_target() -> Target:
    saved = aws.read_outputs()
    if saved is None:
        raise UsageError(
            "no AWS fleet is deployed from here: `suite deploy --env aws` (make deploy ENV=aws) first"
        )
    outputs = saved["outputs"]
    repo = str(outputs["github_repository"])
    if outputs.get("runner_scope") == "org":
        repo = str(aws_config().dispatch_repository or "")
        if "/" not in repo:
            raise UsageError(
                "organization-scoped fleet: set aws.dispatch_repository: owner/name in suite.yaml"
            )
    return Target(
        environment="aws",
        github_url=str(saved.get("github_api_url") or aws.DEFAULT_API_URL),
        repo=repo,
        **_credentials(),
        clock=WallClock(),
        region=str(outputs["region"]),
        cluster=str(outputs["cluster"]),
        service=str(outputs["service"]),
        task_events_log_group=outputs.get("task_events_log_group"),
        fleet=fleet_from_outputs(outputs),
    )


def existing_target(cfg: ExistingConfig | None = None) -> Target:
    cfg = cfg or existing_config()
    fleet: dict[str, Any] = {
        "runner_count": cfg.runner_count,
        "task_cpu": cfg.task_cpu,
        "task_memory": cfg.task_memory,
        "ephemeral": cfg.ephemeral,
        "labels": cfg.runner_labels,
        "cluster": cfg.cluster,
        "service": cfg.service,
        "region": cfg.region,
        "cloudwatch": cfg.cloudwatch,
        "source": "suite.yaml existing",
    }
    return Target(
        environment="existing",
        github_url=cfg.github_api_url,
        repo=cfg.repo,
        **_credentials(),
        clock=WallClock(),
        region=cfg.region,
        cluster=cfg.cluster,
        service=cfg.service,
        task_events_log_group=cfg.task_events_log_group,
        fleet=fleet,
    )

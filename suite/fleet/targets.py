"""An environment name resolved to its Target: `local` (a deployed twin's state file), `aws` (the
Terraform fleet's saved outputs) and `existing` (suite.yaml)."""

from __future__ import annotations

from typing import Any

from suite.clock import WallClock
from suite.errors import UsageError
from suite.fleet import aws
from suite.fleet.config import aws_config
from suite.fleet.environments import ENVIRONMENTS, Target, local_target, state_dir
from suite.fleet.existing import ExistingConfig, existing_config
from suite.github.app import credentials_from_env
from suite.twin.service import STATE_FILE, pid_alive, read_state


def resolve_target(environment: str, credentials_required: bool = True) -> Target | None:
    """The target for `environment`; None for `local` when no twin is deployed (the caller starts one).
    `credentials_required=False` (doctor, which checks the GitHub credential as a check of its own): no
    credential in the environment gives a target with an empty token instead of a UsageError."""
    if environment not in ENVIRONMENTS:
        raise UsageError(f"unknown environment {environment!r}: choose one of {', '.join(ENVIRONMENTS)}")
    if environment == "local":
        state = read_state(state_dir())
        if state is None:
            return None
        if not pid_alive(int(state["pid"])):  # a twin that stopped by itself leaves its state behind
            (state_dir() / STATE_FILE).unlink(missing_ok=True)
            return None
        return local_target(state)
    if environment == "aws":
        return aws_target(credentials_required)
    return existing_target(credentials_required=credentials_required)


def fleet_from_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    """The manifest's fleet sizing, from Terraform outputs (observed configuration, not targets)."""
    return {
        "runner_count": int(outputs["runner_count"]),
        "task_cpu": int(outputs["task_cpu"]),
        "task_memory": int(outputs["task_memory"]),
        "ephemeral": bool(outputs.get("ephemeral", True)),
        "runner_image": outputs.get("runner_image"),  # None: deployed before it was an output
        "container_insights": outputs.get("container_insights"),  # None: deployed before it was an output
        "cpu_architecture": outputs.get("cpu_architecture"),  # None: deployed before it was an output
        "labels": list(outputs.get("runner_labels", [])),
        "cluster": outputs["cluster"],
        "service": outputs["service"],
        "region": outputs["region"],
        "fleet_name": outputs.get("fleet_name"),
        "source": "terraform outputs",
    }


def _credentials(required: bool = True) -> dict[str, Any]:
    """Target fields for GitHub auth: a GitHub App when GITHUB_APP_* are set, else GITHUB_TOKEN/GH_TOKEN."""
    try:
        found = credentials_from_env()
    except UsageError:
        if required:
            raise
        return {"token": "", "app": None}
    return {"token": found, "app": None} if isinstance(found, str) else {"token": "", "app": found}


def aws_target(credentials_required: bool = True) -> Target:
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
        **_credentials(credentials_required),
        clock=WallClock(),
        region=str(outputs["region"]),
        cluster=str(outputs["cluster"]),
        service=str(outputs["service"]),
        task_events_log_group=outputs.get("task_events_log_group"),
        fleet=fleet_from_outputs(outputs),
    )


def existing_target(cfg: ExistingConfig | None = None, credentials_required: bool = True) -> Target:
    """A fleet the user runs, from suite.yaml `existing:`: GitHub-side always; the ECS join (cluster,
    service, region) only when a cluster is configured. runner_count is suite.yaml's, or None (never
    read from anywhere else: utilization is then null with the reason)."""
    cfg = cfg or existing_config()
    fleet: dict[str, Any] = {
        "runner_count": cfg.runner_count,
        "task_cpu": cfg.task_cpu,
        "task_memory": cfg.task_memory,
        "ephemeral": cfg.ephemeral,
        "labels": cfg.runner_labels,
        "cluster": cfg.cluster,
        "service": cfg.service,
        "region": cfg.region if cfg.cluster else None,
        "cloudwatch": cfg.cloudwatch if cfg.cluster else None,
        "source": "suite.yaml existing",
    }
    return Target(
        environment="existing",
        github_url=cfg.github_api_url,
        repo=cfg.repo,
        **_credentials(credentials_required),
        clock=WallClock(),
        region=cfg.region,
        cluster=cfg.cluster,
        service=cfg.service,
        task_events_log_group=cfg.task_events_log_group,
        fleet=fleet,
    )

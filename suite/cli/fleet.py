"""The CLI's real-fleet commands: deploy (or `deploy --plan`), destroy, status and secrets for
--env aws; status for --env existing (a fleet the suite measures but does not manage)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from suite.errors import EXIT_PASS, UsageError
from suite.fleet import aws
from suite.fleet.config import AwsConfig, aws_config, existing_config


def _config(args: argparse.Namespace) -> AwsConfig:
    tfvars: Path | None = getattr(args, "tfvars", None)
    sizing = getattr(args, "sizing", None)
    if sizing:
        if tfvars is not None:
            raise UsageError("give --tfvars or --sizing, not both")
        tfvars = Path("terraform") / "sizings" / f"{sizing}.tfvars"
        if not tfvars.is_file():
            names = sorted(p.stem for p in tfvars.parent.glob("*.tfvars"))
            raise UsageError(f"no sizing {sizing!r}: choose one of {', '.join(names) or '(none)'}")
    overrides: dict[str, Any] = {
        "runner_count": getattr(args, "runners", None),
        "task_cpu": getattr(args, "task_cpu", None),
        "task_memory": getattr(args, "task_memory", None),
        "container_insights": getattr(args, "container_insights", None),
    }
    if getattr(args, "persistent", False):
        overrides["ephemeral"] = False
    cfg = aws_config(tfvars=tfvars, overrides=overrides)
    named_in_tfvars = cfg.tfvars is not None and "github_repository" in cfg.tfvars.read_text(encoding="utf-8")
    if "github_repository" not in cfg.variables and not named_in_tfvars:
        raise UsageError(
            "the AWS fleet needs to know where its runners register: set `aws: {github_repository: "
            "owner/name}` in suite.yaml (or $SUITE_CONFIG), or github_repository in a --tfvars file; "
            "see docs/aws.md"
        )
    return cfg


def fleet_command(args: argparse.Namespace) -> int:
    if args.env == "existing":
        if args.command != "status":
            raise UsageError(
                f"`suite {args.command} --env existing`: the suite does not manage an existing fleet "
                "(only status and run measure it)"
            )
        info = aws.existing_status(existing_config())
        return _print_readiness(info["readiness"], "existing fleet")
    cfg = _config(args)
    if args.command == "deploy" and args.plan:
        aws.plan(cfg)
        return EXIT_PASS
    if args.command == "secrets":
        arn = aws.secrets_put(cfg)
        print(f"Runner credential stored in {arn} (the value is not shown).")
        return EXIT_PASS
    if args.command == "deploy":
        outputs = aws.deploy(cfg)
        print(
            f"AWS fleet {outputs['fleet_name']} ready: {outputs['runner_count']} runners online "
            f"({outputs['task_cpu']} CPU units / {outputs['task_memory']} MiB) in {outputs['region']}, "
            f"cluster {outputs['cluster']}, service {outputs['service']}"
        )
        return EXIT_PASS
    if args.command == "destroy":
        report = aws.destroy(cfg, leak_timeout_s=args.leak_timeout)
        retired = len(report.retired_task_definitions)
        print(
            f"AWS fleet {cfg.fleet_name} destroyed: no resource tagged suite:fleet={cfg.fleet_name} remains"
            + (f" ({retired} deregistered task definition revision(s) sent for deletion)" if retired else "")
        )
        return EXIT_PASS
    current = aws.status(cfg)
    if current is None:
        print(f"No AWS fleet {cfg.fleet_name} is deployed (the Terraform state is empty).")
        return EXIT_PASS
    o = current["outputs"]
    print(
        f"AWS fleet {o['fleet_name']} · {o['region']} · cluster {o['cluster']} · service {o['service']} · "
        f"{o['task_cpu']} CPU / {o['task_memory']} MiB"
    )
    return _print_readiness(current["readiness"], "fleet")


def _print_readiness(state: Any, what: str) -> int:
    print(
        f"{what}: {len(state.running_tasks)} of {state.want} tasks RUNNING, "
        f"{len(state.online_matching)} runners online"
    )
    if not state.ready:
        print(f"  not ready: {state.missing()}")
    return EXIT_PASS

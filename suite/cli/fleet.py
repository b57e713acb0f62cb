"""The fleet commands: `suite deploy [--plan]`, `destroy`, `status`, `doctor` and `secrets put`.

--env local is the twin as a deployed fleet (suite.fleet.local); --env aws the Terraform fleet
(suite.fleet.aws); --env existing a fleet the suite measures but does not manage (status only).
The fleets are imported when a command runs, not at the top: `suite --help` must not load boto3,
moto or the embedded Terraform.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from suite.cli.args import (
    MAX_RUNNERS,
    MAX_SECONDS,
    MAX_TASK_UNITS,
    MAX_TWIN_SPEED,
    aws_args,
    cold_start_arg,
    completion_jitter_arg,
    directory,
    env_arg,
    real,
    seed_arg,
    whole,
)
from suite.errors import EXIT_PASS, UsageError
from suite.fleet.config import AwsConfig, aws_config
from suite.profiles.userfile import read_text

if TYPE_CHECKING:
    from suite.twin.fleet import FleetConfig

COMMANDS = ("deploy", "destroy", "status", "doctor", "secrets")
_SIZING_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def add_commands(sub: Any) -> None:
    d = sub.add_parser("deploy", help="provision the fleet and wait until every runner is online")
    env_arg(d)
    d.add_argument(
        "--plan",
        action="store_true",
        help="aws: only show what deploy would change (the Terraform plan; nothing applied)",
    )
    d.add_argument(
        "--runners", type=whole("--runners", 1, MAX_RUNNERS), default=None, help="runner count (default 4)"
    )
    d.add_argument("--persistent", action="store_true", help="persistent runners (default: ephemeral)")
    d.add_argument(
        "--speed",
        type=real("--speed", 0.0, MAX_TWIN_SPEED),
        default=60.0,
        help="twin clock speed factor (default 60x)",
    )
    cold_start_arg(d, "twin: ")
    completion_jitter_arg(d, "twin: ")
    d.add_argument(
        "--task-cpu",
        type=whole("--task-cpu", 1, MAX_TASK_UNITS),
        default=None,
        help="task CPU units (default 1024)",
    )
    d.add_argument(
        "--task-memory",
        type=whole("--task-memory", 1, MAX_TASK_UNITS),
        default=None,
        help="task memory MiB (default 2048)",
    )
    d.add_argument(
        "--container-insights",
        choices=("enhanced", "standard"),
        default=None,
        help="the cluster's Container Insights mode (default enhanced: task metrics by TaskId; standard, "
        "the cluster setting's `enabled`, is cheaper and the suite reads the same per-task figures from "
        "the performance log)",
    )
    aws_args(d)
    seed_arg(d, "twin: random seed")
    d.add_argument(
        "--cpu-bound-share",
        type=real("--cpu-bound-share", 0.0, 1.0, above_lo=False),
        default=0.0,
        metavar="S",
        help="twin: share of a job's time that scales with 1 / vCPU (default 0: job time does not depend "
        "on task CPU; 1: the CPU-bound twin)",
    )
    d.add_argument(
        "--job-threads",
        type=whole("--job-threads", 1, 1024),
        default=None,
        metavar="N",
        help="twin: a job uses at most N vCPUs (default: every vCPU of its task)",
    )
    d.add_argument(
        "--workflows",
        type=directory("--workflows folder"),
        default=None,
        metavar="DIR",
        help="twin: a folder of your own workflow files; the twin's repository holds them beside the "
        "suite's, for profiles that name them (`workflow: ci.yml`)",
    )
    d.add_argument(
        "--idle-timeout",
        type=real("--idle-timeout", 0.0, MAX_SECONDS),
        default=1800.0,
        help="twin: stop by itself after this many real seconds without a request (default 1800)",
    )

    x = sub.add_parser("destroy", help="tear the fleet down and prove nothing is left")
    env_arg(x)
    aws_args(x)
    x.add_argument(
        "--leak-timeout",
        type=real("--leak-timeout", 0.0, MAX_SECONDS),
        default=180.0,
        help="aws: seconds to wait for tagged resources to go",
    )
    s = sub.add_parser("status", help="show the deployed fleet and its runners")
    env_arg(s)
    dr = sub.add_parser(
        "doctor",
        help="check that everything a run needs is in place (GitHub credential, workflows, runners, "
        "Container Insights, task events) and say how to fix what is not",
    )
    env_arg(dr)
    dr.add_argument(
        "--profile",
        default=None,
        metavar="PROFILE",
        help="also check this profile's workflow in the repository: it exists and is active, is "
        "dispatchable, declares suite_id and the run-name, and declares the inputs the profile sends",
    )

    se = sub.add_parser("secrets", help="aws: store the runners' GitHub credential in Secrets Manager")
    se.add_argument("action", choices=["put"])
    env_arg(se)
    aws_args(se)


def run(args: argparse.Namespace) -> int:
    if args.command == "doctor":
        from suite.fleet.doctor import doctor  # startup time: the pipeline's clients

        profile = None
        if args.profile is not None:
            from suite.profiles.profile import resolve_profile

            profile = resolve_profile(args.profile, environment=args.env)
        return doctor(args.env, profile)
    if args.env != "local":
        return fleet_command(args)
    if args.command == "secrets":
        raise UsageError("`suite secrets` is for the AWS fleet: add --env aws")
    if args.command == "deploy" and args.plan:
        raise UsageError("`suite deploy --plan` shows a Terraform plan: add --env aws (the twin has no plan)")
    return _local_fleet(args)


def twin_fleet(args: argparse.Namespace) -> FleetConfig:
    """The twin's fleet that `suite deploy --env local` asks for (the defaults filled in)."""
    from suite.twin.fleet import FleetConfig  # startup time: the twin

    runners = 4 if args.runners is None else args.runners
    if runners < 1 or args.speed <= 0:
        raise UsageError("--runners must be >= 1 and --speed > 0")
    if args.completion_jitter < 0:
        raise UsageError(f"--completion-jitter must be >= 0 seconds, not {args.completion_jitter}")
    if not 0.0 <= args.cpu_bound_share <= 1.0 or (args.job_threads is not None and args.job_threads < 1):
        raise UsageError("--cpu-bound-share must be in [0, 1] and --job-threads >= 1")
    return FleetConfig(
        runners=runners,
        ephemeral=not args.persistent,
        cold_start_s=args.cold_start,
        task_cpu=1024 if args.task_cpu is None else args.task_cpu,
        task_memory=2048 if args.task_memory is None else args.task_memory,
        seed=args.seed,
        container_insights=args.container_insights or "enhanced",
        completion_jitter_s=args.completion_jitter,
        cpu_bound_share=args.cpu_bound_share,
        job_threads=args.job_threads,
    )


def _local_fleet(args: argparse.Namespace) -> int:
    from suite.fleet import local as fleet_local  # startup time: the twin (moto)

    if args.command == "deploy":
        fleet = twin_fleet(args)
        # the same sizing: idempotent; another sizing: a usage error with the fix (exit 2)
        folder = fleet_local.workflows_folder(args.workflows)
        running = fleet_local.running_at(fleet, args.speed, folder)
        state = running or fleet_local.deploy(
            fleet, args.speed, args.idle_timeout, workflows_dir=args.workflows
        )
        f = state["fleet"]
        kind = "ephemeral" if f["ephemeral"] else "persistent"
        runners = f"{f['runner_count']} {kind} runners"
        head = (
            f"Local twin already running at this sizing (pid {state['pid']}): {runners}"
            if running
            else f"Local twin ready: {runners} online"
        )
        print(
            f"{head} ({f['task_cpu']} CPU units / {f['task_memory']} MiB), "
            f"clock {state['clock']['speed']:g}x, Container Insights {f['container_insights']}"
        )
        print(
            f"  GitHub API {state['github_url']} (repo {state['repo']}) · AWS (moto) {state['aws_endpoint']}"
        )
        print(f"  state: {fleet_local.state_path()} · stop it with `suite destroy` (or `make destroy`)")
        return EXIT_PASS
    if args.command == "destroy":
        if fleet_local.destroy():
            print("Local twin stopped: its process has exited and its ports are closed.")
        else:
            print("No local twin is running: nothing to destroy.")
        return EXIT_PASS
    info = fleet_local.status()
    if info is None:
        print("No local twin is running (`suite deploy` starts one).")
        return EXIT_PASS
    st = info["state"]
    busy = sum(1 for r in info["runners"] if r.get("busy"))
    print(
        f"Local twin pid {st['pid']} · {st['github_url']} · "
        f"{len(info['runners'])} runners online, {busy} busy"
    )
    for r in info["runners"]:
        print(f"  {r['name']}  {r['status']}{'  busy' if r.get('busy') else ''}")
    return EXIT_PASS


def _config(args: argparse.Namespace) -> AwsConfig:
    tfvars: Path | None = getattr(args, "tfvars", None)
    sizing = getattr(args, "sizing", None)
    if sizing:
        if tfvars is not None:
            raise UsageError("give --tfvars or --sizing, not both")
        if not _SIZING_NAME.match(sizing):
            raise UsageError("--sizing takes a sizing name such as 2vcpu-4gb (letters, digits, dashes)")
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
        raise UsageError(
            "--persistent is not available with --env aws: the runners are just-in-time (single use), "
            "so the runner container never holds the GitHub credential (docs/aws.md); drop --persistent"
        )
    cfg = aws_config(tfvars=tfvars, overrides=overrides)
    named_in_tfvars = cfg.tfvars is not None and "github_repository" in read_text(cfg.tfvars, "tfvars file")
    if "github_repository" not in cfg.variables and not named_in_tfvars:
        raise UsageError(
            "the AWS fleet needs to know where its runners register: set `aws: {github_repository: "
            "owner/name}` in suite.yaml (or $SUITE_CONFIG), or github_repository in a --tfvars file; "
            "see docs/aws.md"
        )
    return cfg


def fleet_command(args: argparse.Namespace) -> int:
    """deploy, destroy, status and secrets for --env aws; status for --env existing."""
    from suite.fleet import aws  # startup time: boto3 and the embedded Terraform

    if args.env == "existing":
        if args.command != "status":
            raise UsageError(
                f"`suite {args.command} --env existing`: the suite does not manage an existing fleet "
                "(only status and run measure it)"
            )
        from suite.fleet.existing_status import print_existing_status

        return print_existing_status()
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

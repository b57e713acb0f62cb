"""The `suite` command line (DESIGN.md: CLI and exit codes).

0 pass · 1 a threshold failed · 2 bad usage/config/profile · 3 environment failure · 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from suite import __version__
from suite.errors import EXIT_INTERRUPTED, EXIT_PASS, EXIT_USAGE, SuiteError, UsageError
from suite.fleet.environments import ENVIRONMENTS, default_environment


def cold_start_range(text: str) -> tuple[int, int]:
    """argparse type for MIN-MAX seconds (e.g. 45-90, or 60 for both)."""
    try:
        lo, _, hi = text.partition("-")
        pair = (int(lo), int(hi or lo))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected MIN-MAX seconds, e.g. 45-90, got {text!r}") from exc
    if pair[0] < 0 or pair[1] < pair[0]:
        raise argparse.ArgumentTypeError(f"expected 0 <= MIN <= MAX, got {text!r}")
    return pair


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="suite", description="Measure self-hosted GitHub Actions runner fleets.")
    p.add_argument("--version", action="version", version=f"runner-suite {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def env_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--env",
            choices=ENVIRONMENTS,
            default=default_environment(),
            help="where the fleet is (default: $SUITE_ENV or local, the twin)",
        )

    def cold_start_arg(sp: argparse.ArgumentParser, scope: str = "") -> None:
        sp.add_argument(
            "--cold-start",
            type=cold_start_range,
            default=(45, 90),
            metavar="MIN-MAX",
            help=f"{scope}seconds for a replacement task to come online (default 45-90)",
        )

    def aws_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--tfvars", type=Path, default=None, help="aws: a Terraform variables file (e.g. a sizing)"
        )
        sp.add_argument(
            "--sizing", default=None, help="aws: NAME for terraform/sizings/NAME.tfvars (e.g. 2vcpu-4gb)"
        )

    d = sub.add_parser("deploy", help="provision the fleet and wait until every runner is online")
    env_arg(d)
    d.add_argument(
        "--plan",
        action="store_true",
        help="aws: only show what deploy would change (the Terraform plan; nothing applied)",
    )
    d.add_argument("--runners", type=int, default=None, help="runner count (default 4)")
    d.add_argument("--persistent", action="store_true", help="persistent runners (default: ephemeral)")
    d.add_argument("--speed", type=float, default=60.0, help="twin clock speed factor (default 60x)")
    cold_start_arg(d, "twin: ")
    d.add_argument("--task-cpu", type=int, default=None, help="task CPU units (default 1024)")
    d.add_argument("--task-memory", type=int, default=None, help="task memory MiB (default 2048)")
    d.add_argument(
        "--container-insights",
        choices=("enhanced", "standard"),
        default=None,
        help="the cluster's Container Insights mode (default enhanced: task metrics by TaskId; standard "
        "is cheaper and the suite reads the same per-task figures from the performance log)",
    )
    aws_args(d)
    d.add_argument("--seed", type=int, default=0, help="twin: random seed")
    d.add_argument(
        "--idle-timeout",
        type=float,
        default=1800.0,
        help="twin: stop by itself after this many real seconds without a request (default 1800)",
    )

    x = sub.add_parser("destroy", help="tear the fleet down and prove nothing is left")
    env_arg(x)
    aws_args(x)
    x.add_argument(
        "--leak-timeout", type=float, default=180.0, help="aws: seconds to wait for tagged resources to go"
    )
    s = sub.add_parser("status", help="show the deployed fleet and its runners")
    env_arg(s)
    dr = sub.add_parser(
        "doctor",
        help="check that everything a run needs is in place (GitHub credential, workflows, runners, "
        "Container Insights, task events) and say how to fix what is not",
    )
    env_arg(dr)

    se = sub.add_parser("secrets", help="aws: store the runners' GitHub credential in Secrets Manager")
    se.add_argument("action", choices=["put"])
    env_arg(se)
    aws_args(se)

    r = sub.add_parser("run", help="run a load profile against the fleet and report")
    r.add_argument("profile", help="a profile file, or a name from profiles/ (e.g. capacity)")
    env_arg(r)
    r.add_argument("--reports", type=Path, default=Path("reports"), help="where run directories go")
    r.add_argument(
        "--force",
        action="store_true",
        help="run even when the API budget preflight says the run cannot fit (the governor then waits "
        "for GitHub's limit to reset)",
    )

    sm = sub.add_parser(
        "sim",
        help="run a profile on the twin's fleet model alone (no HTTP, no waiting): a run directory and "
        "its reports in seconds, a first answer before a real run",
    )
    sm.add_argument("profile", help="a profile file, or a name from profiles/ (e.g. capacity)")
    sm.add_argument("--runners", type=int, default=4, help="runner count (default 4)")
    sm.add_argument("--persistent", action="store_true", help="persistent runners (default: ephemeral)")
    cold_start_arg(sm)
    sm.add_argument("--task-cpu", type=int, default=1024, help="task CPU units (default 1024)")
    sm.add_argument("--task-memory", type=int, default=2048, help="task memory MiB (default 2048)")
    sm.add_argument("--seed", type=int, default=0, help="the fleet model's random seed (default 0)")
    sm.add_argument(
        "--reports",
        type=Path,
        default=Path("reports/sim"),
        help="where run directories go (default reports/sim)",
    )

    c = sub.add_parser("collect", help="resume or repeat collection for a run directory, then report")
    c.add_argument("dir", type=Path)
    rp = sub.add_parser("report", help="recompute result.json and the reports from a run directory")
    rp.add_argument("dir", type=Path)

    pr = sub.add_parser("profiles", help="list the profile catalogue, or validate a profile file")
    pr.add_argument("action", nargs="?", choices=["list", "validate"], default="list")
    pr.add_argument("file", nargs="?", type=Path)
    pr.add_argument("--dir", type=Path, default=Path("profiles"))
    from suite.cli import decisions as cli_decisions

    cli_decisions.add_commands(sub)  # compare, plan, history, validate-sizing
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except SuiteError as exc:
        print(f"suite: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        aws = _aws_configuration_error(exc)
        if aws is None:
            raise
        print(f"suite: error: {aws}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\nsuite: interrupted; the ledger is kept: resume with `suite collect DIR`", file=sys.stderr)
        return EXIT_INTERRUPTED


def _aws_configuration_error(exc: Exception) -> str | None:
    """One line for the AWS SDK's configuration errors (no profile, no credentials), else None."""
    from botocore.exceptions import NoCredentialsError, NoRegionError, ProfileNotFound

    if isinstance(exc, ProfileNotFound):
        return f"{exc} (AWS_PROFILE names a profile missing from ~/.aws/config: set another or unset it)"
    if isinstance(exc, NoCredentialsError | NoRegionError):
        return (
            f"{exc}: configure the AWS SDK "
            "(AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and AWS_REGION)"
        )
    return None


def dispatch(args: argparse.Namespace) -> int:
    from suite.cli import decisions as cli_decisions

    if cli_decisions.handles(args):
        return cli_decisions.run(args)
    if args.command == "run":
        from suite.pipeline.run import run_profile
        from suite.profiles.profile import resolve_profile

        profile = resolve_profile(str(args.profile), environment=args.env)
        code, _ = run_profile(profile.path, args.env, args.reports, force=args.force)
        return code
    if args.command == "sim":
        return _sim(args)
    if args.command == "doctor":
        from suite.fleet.doctor import doctor

        return doctor(args.env)
    if args.command == "collect":
        from suite.pipeline.run import collect

        return collect(args.dir)
    if args.command == "report":
        from suite.pipeline.run import report

        return report(args.dir)
    if args.command == "profiles":
        from suite.cli.profiles import profiles_command

        return profiles_command(args.action, args.file, args.dir)
    if args.env != "local":
        from suite.cli.fleet import fleet_command

        return fleet_command(args)
    if args.command == "secrets":
        raise UsageError("`suite secrets` is for the AWS fleet: add --env aws")
    if args.command == "deploy" and args.plan:
        raise UsageError("`suite deploy --plan` shows a Terraform plan: add --env aws (the twin has no plan)")
    return _local_fleet(args)


def _sim(args: argparse.Namespace) -> int:
    from suite.fleet import sizing
    from suite.pipeline.run import report
    from suite.pipeline.sim import simulate
    from suite.profiles.profile import resolve_profile
    from suite.twin.fleet import FleetConfig

    if args.runners < 1:
        raise UsageError("--runners must be >= 1")
    if problem := sizing.describe_invalid(args.task_cpu, args.task_memory):
        raise UsageError(problem)
    profile = resolve_profile(str(args.profile), environment="local")
    fleet = FleetConfig(
        runners=args.runners,
        ephemeral=not args.persistent,
        cold_start_s=args.cold_start,
        task_cpu=args.task_cpu,
        task_memory=args.task_memory,
        seed=args.seed,
    )
    run_dir = simulate(profile, fleet, args.reports)
    print(f"Simulated on the fleet model (no GitHub, no AWS): {run_dir}")
    return report(run_dir)


def _local_fleet(args: argparse.Namespace) -> int:
    from suite.fleet import local as fleet_local
    from suite.twin.fleet import FleetConfig

    if args.command == "deploy":
        args.runners = 4 if args.runners is None else args.runners
        if args.runners < 1 or args.speed <= 0:
            raise UsageError("--runners must be >= 1 and --speed > 0")
        fleet = FleetConfig(
            runners=args.runners,
            ephemeral=not args.persistent,
            cold_start_s=args.cold_start,
            task_cpu=1024 if args.task_cpu is None else args.task_cpu,
            task_memory=2048 if args.task_memory is None else args.task_memory,
            seed=args.seed,
            container_insights=args.container_insights or "enhanced",
        )
        state = fleet_local.deploy(fleet, args.speed, args.idle_timeout)
        f = state["fleet"]
        kind = "ephemeral" if f["ephemeral"] else "persistent"
        print(
            f"Local twin ready: {f['runner_count']} {kind} runners online "
            f"({f['task_cpu']} CPU units / {f['task_memory']} MiB), clock {state['clock']['speed']:g}x, "
            f"Container Insights {f['container_insights']}"
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


if __name__ == "__main__":
    sys.exit(main())

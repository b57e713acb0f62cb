"""The run commands: `suite run`, `suite sim`, `suite collect DIR` and `suite report DIR`.

The pipeline is imported when a command runs, not at the top: `suite --help` must not load numpy,
moto or the analysis.
"""

from __future__ import annotations

import argparse
from typing import Any

from suite.cli.args import (
    MAX_RUNNERS,
    MAX_TASK_UNITS,
    cold_start_arg,
    completion_jitter_arg,
    dashboard_arg,
    env_arg,
    reports_dir,
    run_dir,
    seed_arg,
    whole,
)
from suite.cli.exports import export_after, out_arg
from suite.errors import UsageError
from suite.fleet import sizing

COMMANDS = ("run", "sim", "collect", "report")


def add_commands(sub: Any) -> None:
    r = sub.add_parser("run", help="run a load profile against the fleet and report")
    r.add_argument("profile", help="a profile file, or a name from profiles/ (e.g. capacity)")
    env_arg(r)
    r.add_argument("--reports", type=reports_dir, default="reports", help="where run directories go")
    r.add_argument(
        "--force",
        action="store_true",
        help="run even when the API budget preflight says the run cannot fit (the governor then waits "
        "for GitHub's limit to reset)",
    )
    dashboard_arg(r)
    out_arg(r)

    sm = sub.add_parser(
        "sim",
        help="run a profile on the twin's fleet model alone (no HTTP, no waiting): a run directory and "
        "its reports in seconds, a first answer before a real run",
    )
    sm.add_argument("profile", help="a profile file, or a name from profiles/ (e.g. capacity)")
    sm.add_argument(
        "--runners", type=whole("--runners", 1, MAX_RUNNERS), default=4, help="runner count (default 4)"
    )
    sm.add_argument("--persistent", action="store_true", help="persistent runners (default: ephemeral)")
    cold_start_arg(sm)
    completion_jitter_arg(sm)
    sm.add_argument(
        "--task-cpu",
        type=whole("--task-cpu", 1, MAX_TASK_UNITS),
        default=1024,
        help="task CPU units (default 1024)",
    )
    sm.add_argument(
        "--task-memory",
        type=whole("--task-memory", 1, MAX_TASK_UNITS),
        default=2048,
        help="task memory MiB (default 2048)",
    )
    seed_arg(sm, "the fleet model's random seed (default 0)")
    sm.add_argument(
        "--reports",
        type=reports_dir,
        default="reports/sim",  # a string: argparse checks it with the type too
        help="where run directories go (default reports/sim)",
    )

    c = sub.add_parser("collect", help="resume or repeat collection for a run directory, then report")
    c.add_argument("dir", type=run_dir)
    dashboard_arg(c)
    out_arg(c)
    rp = sub.add_parser("report", help="recompute result.json and the reports from a run directory")
    rp.add_argument("dir", type=run_dir)
    out_arg(rp)


def run(args: argparse.Namespace) -> int:
    if args.command == "report":  # startup time: the analysis and writers only
        from suite.pipeline.reporting import report

        return export_after(args.dir, args.out, report(args.dir))
    from suite.pipeline import run as pipeline  # startup time: numpy, moto and the analysis

    if args.command == "run":
        from suite.profiles.profile import resolve_profile  # startup time: YAML and the profile grammar

        profile = resolve_profile(str(args.profile), environment=args.env)
        code, rd = pipeline.run_profile(
            profile.path, args.env, args.reports, force=args.force, dashboard=args.dashboard
        )
        return export_after(rd, args.out, code)
    if args.command == "sim":
        return _sim(args)
    if args.command == "collect":
        return export_after(args.dir, args.out, pipeline.collect(args.dir, dashboard=args.dashboard))
    raise UsageError(f"unknown command {args.command!r}")


def _sim(args: argparse.Namespace) -> int:
    from suite.pipeline.reporting import report  # startup time (as above)
    from suite.pipeline.sim import simulate
    from suite.profiles.profile import resolve_profile
    from suite.twin.fleet import FleetConfig

    if args.runners < 1:
        raise UsageError("--runners must be >= 1")
    if args.completion_jitter < 0:
        raise UsageError(f"--completion-jitter must be >= 0 seconds, not {args.completion_jitter}")
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
        completion_jitter_s=args.completion_jitter,
    )
    run_dir = simulate(profile, fleet, args.reports)
    print(f"Simulated on the fleet model (no GitHub, no AWS): {run_dir}")
    return report(run_dir)

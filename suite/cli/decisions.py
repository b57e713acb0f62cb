"""The decision commands: `suite compare`, `suite plan`, `suite history`, `suite validate-sizing`.

The decisions are imported when a command runs, not at the top: `suite --help` must not load scipy
or the pipeline.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from suite.cli.args import (
    MAX_RUNNERS,
    MAX_SECONDS,
    MAX_TWIN_SPEED,
    cold_start_range,
    input_file,
    read_run_dir,
    real,
    reports_dir,
    seed_arg,
    whole,
)
from suite.decisions.history import last_passing, list_runs, render
from suite.errors import EXIT_FAILED, EXIT_PASS, UsageError, clip
from suite.fleet.environments import ENVIRONMENTS
from suite.gates.compare import parse_gate

COMMANDS = ("compare", "plan", "history", "validate-sizing")


def gate_expr(text: str) -> str:
    """argparse type: a compare gate, checked before any work (validate-sizing runs two fleets first)."""
    try:
        parse_gate(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _trends_page(args: argparse.Namespace, rows: list[dict[str, Any]]) -> int:
    """`suite history --html [FILE]`: the trends page of the runs listed, written atomically; its path
    printed. No runs, or a FILE that cannot be a file, is one exit-2 line."""
    from suite.decisions.trends import trends  # startup time: scipy (compare's rule)
    from suite.profiles.userfile import check_name, display_path
    from suite.report.trends_page import trends_html
    from suite.rundir.jsonio import atomic_path

    if not rows:
        which = f"of profile {clip(args.profile, 100)!r} " if args.profile else ""
        raise UsageError(
            f"no runs {which}indexed in {clip(str(args.reports), 200)}: nothing to draw; run a profile "
            "first (`suite run PROFILE`), or name the reports directory with --reports"
        )
    if args.html == "":
        raise UsageError("--html FILE is empty: name a file, or leave FILE out (REPORTS/trends.html)")
    out = args.reports / "trends.html" if args.html is True else Path(args.html)
    check_name(out, "trends page (--html FILE)")  # then is_dir cannot fail on the name
    if out.suffix.lower() not in (".html", ".htm"):  # a slip of the keyboard never overwrites another file
        raise UsageError(f"--html {display_path(out)}: not an .html file name; name it e.g. trends.html")
    if out.is_dir() or not out.parent.is_dir():
        what = "is a directory" if out.is_dir() else "its directory does not exist"
        raise UsageError(
            f"--html {display_path(out)}: {what}; name a file in an existing directory "
            "(or leave FILE out: REPORTS/trends.html)"
        )
    page = trends_html(trends(rows))
    with atomic_path(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    print(out)
    return EXIT_PASS


def add_commands(sub: Any) -> None:
    cmp = sub.add_parser(
        "compare",
        help="compare two run directories: both fleets' sizing, verdict per metric, regression gates",
        description="Verdict: REGRESSION (exit 1), INCONCLUSIVE (exit 1: a gated metric has too few samples "
        "to judge), BETTER or NO REGRESSION (exit 0). Gated by default: queue, execution and workflow total "
        "time and the job failure rate; CPU/memory (absolute and as a share of the task), utilization and "
        "throughput are reported, not gated.",
    )
    cmp.add_argument("base", type=read_run_dir)
    cmp.add_argument("candidate", type=read_run_dir)
    out = cmp.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON (schema suite.compare/v1)")
    out.add_argument("--markdown", action="store_true", help="print Markdown")
    cmp.add_argument("--force", action="store_true", help="compare runs of different profiles")
    cmp.add_argument(
        "--gate",
        type=gate_expr,
        action="append",
        default=[],
        metavar="EXPR",
        help='regression gate, e.g. "execution_time_s.p50 +10%%" (repeatable; default: the profile\'s '
        "compare_gates, else queue, execution and total time and the failure rate, each judged worse / "
        "better / inconclusive)",
    )

    # The capacity plan. (The Terraform plan of the AWS fleet is `suite deploy --plan --env aws`.)
    pl = sub.add_parser(
        "plan",
        help="capacity plan: the smallest fleet that meets a target at an arrival rate",
        description="Simulates 1..N runners (persistent and ephemeral) with the job durations and cold "
        "starts measured in RUN_DIR and recommends the smallest fleet that meets --target.",
    )
    pl.add_argument(
        "--from", dest="source", type=read_run_dir, default=None, metavar="RUN_DIR", help="capacity plan"
    )
    pl.add_argument(
        "--arrival",
        type=real("--arrival", 0.0, 10_000.0),
        default=None,
        metavar="JOBS_PER_MIN",
        help="capacity: arrival rate",
    )
    pl.add_argument("--arrival-pattern", choices=("poisson", "steady"), default="poisson")
    pl.add_argument(
        "--target", default="queue_time_s.p95 < 60", help='capacity: default "queue_time_s.p95 < 60"'
    )
    pl.add_argument("--max-runners", type=whole("--max-runners", 1, MAX_RUNNERS), default=10)
    pl.add_argument(
        "--duration",
        type=real("--duration", 0.0, MAX_SECONDS),
        default=3600.0,
        help="capacity: seconds of arrivals per run",
    )
    pl.add_argument(
        "--seeds", type=whole("--seeds", 1, 1000), default=20, help="capacity: simulated runs per fleet size"
    )
    pl.add_argument(
        "--cold-start",
        dest="plan_cold_start",
        type=cold_start_range,
        default=None,
        metavar="MIN-MAX",
        help="capacity: cold starts to use if the run has no task events",
    )
    pl.add_argument("--json", dest="plan_json", action="store_true", help="capacity: print JSON")

    hi = sub.add_parser(
        "history",
        help="list the runs under --reports (their tables/run.parquet, via DuckDB) with headline figures",
    )
    hi.add_argument("--profile", default=None)
    hi.add_argument("--reports", type=reports_dir, default="reports")
    hi.add_argument("--limit", type=whole("--limit", 1, 1_000_000), default=None)
    shown = hi.add_mutually_exclusive_group()
    shown.add_argument(
        "--baseline", action="store_true", help="print only the newest passing run's directory"
    )
    shown.add_argument("--json", action="store_true")
    shown.add_argument(
        "--html",
        nargs="?",
        const=True,  # --html alone: REPORTS/trends.html
        default=None,
        metavar="FILE",
        help="write the trends page (default REPORTS/trends.html): per profile, figures over time with "
        "sizing changes, baselines and regressions marked; prints its path",
    )

    vs = sub.add_parser("validate-sizing", help="run a profile at FROM and TO sizing and compare")
    tfvars = input_file("tfvars file")
    vs.add_argument("--from", dest="from_vars", type=tfvars, required=True, metavar="TFVARS")
    vs.add_argument("--to", dest="to_vars", type=tfvars, required=True, metavar="TFVARS")
    vs.add_argument("--profile", required=True)
    vs.add_argument("--env", choices=ENVIRONMENTS, default="local")
    vs.add_argument("--reports", type=reports_dir, default="reports")
    vs.add_argument("--revert", action="store_true", help="apply FROM again at the end")
    vs.add_argument(
        "--speed",
        type=real("--speed", 0.0, MAX_TWIN_SPEED),
        default=60.0,
        help="twin clock speed (default 60x)",
    )
    seed_arg(vs)
    vs.add_argument("--gate", type=gate_expr, action="append", default=[], metavar="EXPR")
    vs.add_argument(
        "--twin-cpu-bound-share",
        type=real("--twin-cpu-bound-share", 0.0, 1.0, above_lo=False),
        default=0.0,
        metavar="S",
        help="twin: a further share of a job's time scaled with 1 / vCPU, for what-if runs "
        "(default 0: the job model alone)",
    )
    vs.add_argument(
        "--twin-job-threads",
        type=whole("--twin-job-threads", 1, 1024),
        default=None,
        metavar="N",
        help="twin: a job uses at most N vCPUs (default: every vCPU of its task)",
    )


def run(args: argparse.Namespace) -> int:
    if args.command == "compare":
        from suite.decisions.compare.core import compare_dirs  # startup: scipy
        from suite.decisions.compare.render import as_json, markdown, terminal

        comparison = compare_dirs(args.base, args.candidate, args.gate, force=args.force)
        print(
            as_json(comparison)
            if args.json
            else markdown(comparison)
            if args.markdown
            else terminal(comparison)
        )
        return EXIT_FAILED if comparison.failed else EXIT_PASS
    if args.command == "plan":
        from suite.decisions.plan import make_plan, measured_from_run  # startup time: numpy
        from suite.decisions.plan import render as render_plan

        if args.source is None or args.arrival is None:
            raise UsageError("the capacity plan needs both --from RUN_DIR and --arrival JOBS_PER_MIN")
        measured = measured_from_run(args.source, args.plan_cold_start)
        plan = make_plan(
            measured,
            args.arrival,
            target=args.target,
            max_runners=args.max_runners,
            arrival=args.arrival_pattern,
            duration_s=args.duration,
            seeds=args.seeds,
        )
        print(
            json.dumps(plan.to_dict(), indent=2) if args.plan_json else render_plan(plan, measured.ephemeral)
        )
        return EXIT_PASS
    if args.command == "history":
        if args.baseline:
            if not args.profile:
                raise UsageError("--baseline needs --profile")
            row = last_passing(args.reports, args.profile)
            if row is None:
                print(f"No passing run of {args.profile} in {args.reports}.")
                return EXIT_FAILED
            print(row["path"])
            return EXIT_PASS
        rows = list_runs(args.reports, args.profile, args.limit)
        if args.html is not None:
            return _trends_page(args, rows)
        print(json.dumps(rows, indent=2) if args.json else render(rows))
        return EXIT_PASS
    if args.command == "validate-sizing":
        from suite.decisions.sizing_change import validate_sizing  # startup time: the whole pipeline

        if args.speed <= 0:
            raise UsageError("--speed must be > 0")
        return validate_sizing(
            args.from_vars,
            args.to_vars,
            args.profile,
            environment=args.env,
            reports_root=args.reports,
            revert=args.revert,
            speed=args.speed,
            gates=args.gate,
            seed=args.seed,
            cpu_bound_share=args.twin_cpu_bound_share,
            job_threads=args.twin_job_threads,
        )
    raise UsageError(f"unknown command {args.command!r}")

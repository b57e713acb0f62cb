"""`suite export RUN_DIR... --to KIND=URL` and the `--out KIND=URL` option of run, collect and report:
the run directories' tables sent to OpenTelemetry (otlp) or ClickHouse (suite.export.targets).

An export after a run, a collection or a report comes once the reports are on disk: when it fails the
command ends with exit 3 naming what failed, and the run directory is whole (`suite export` sends it again).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from suite.cli.args import read_run_dir
from suite.errors import EnvironmentFailure, SuiteError, UsageError
from suite.export.targets import ExportTarget, export_all, parse_target

COMMANDS = ("export",)


def target_arg(text: str) -> ExportTarget:
    """argparse type: KIND=URL (suite.export.targets.parse_target)."""
    try:
        return parse_target(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def out_arg(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--out",
        type=target_arg,
        action="append",
        default=[],
        metavar="KIND=URL",
        help="after the report, export the run directory's tables: otlp=http://HOST:4318 (OpenTelemetry) "
        "or clickhouse=URL (clickhouse://, http(s)://, chdb://PATH); repeatable",
    )


def add_commands(sub: Any) -> None:
    ex = sub.add_parser(
        "export",
        help="send run directories' tables to OpenTelemetry (otlp=URL) or ClickHouse (clickhouse=URL)",
    )
    ex.add_argument("dirs", nargs="+", type=read_run_dir, metavar="RUN_DIR")
    ex.add_argument(
        "--to",
        type=target_arg,
        action="append",
        required=True,
        metavar="KIND=URL",
        help="otlp=http://HOST:4318 (an OTLP/HTTP collector) or clickhouse=URL (clickhouse://, http(s)://, "
        "chdb://PATH); repeatable",
    )


def run(args: argparse.Namespace) -> int:
    for line in export_all(args.to, args.dirs):
        print(line)
    return 0


def export_after(run_dir: Path, targets: Sequence[ExportTarget], code: int) -> int:
    """After a command wrote the reports of run_dir: export it to every target; the command's own exit
    code when all went, else EnvironmentFailure (exit 3) naming the target and how to send it again."""
    if not targets:
        return code
    try:
        for line in export_all(targets, [run_dir]):
            print(line)
    except SuiteError as exc:
        raise EnvironmentFailure(
            f"{exc} (the run directory and its reports are on disk: send them again with "
            f"`suite export {run_dir} --to KIND=URL`)"
        ) from None
    return code

"""Argument helpers shared by the command groups: --env, --cold-start, the AWS fleet's --tfvars/--sizing."""

from __future__ import annotations

import argparse
from pathlib import Path

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


def completion_jitter_arg(sp: argparse.ArgumentParser, scope: str = "") -> None:
    sp.add_argument(
        "--completion-jitter",
        type=int,
        default=0,
        metavar="N",
        help=f"{scope}move each job's completion by a seeded whole number of seconds in -N..+N "
        "(default 0: the model's own spread only)",
    )


def aws_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--tfvars", type=Path, default=None, help="aws: a Terraform variables file (e.g. a sizing)"
    )
    sp.add_argument(
        "--sizing", default=None, help="aws: NAME for terraform/sizings/NAME.tfvars (e.g. 2vcpu-4gb)"
    )

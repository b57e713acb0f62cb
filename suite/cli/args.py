"""Argument types and helpers shared by the command groups: --env, --cold-start, the AWS fleet's
--tfvars/--sizing, bounded numbers and checked paths.

Every argument is checked by argparse before any work starts: numbers are finite and inside their
bounds (a runner count of 10**23 or a twin speed of nan never reaches the fleet), paths exist and are
what they must be (a regular file, a directory). :class:`OneLineParser` reports a bad argument as one
line on stderr (exit 2), like every other usage error.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from suite.errors import UsageError
from suite.fleet.environments import ENVIRONMENTS, default_environment
from suite.profiles.userfile import check_directory, check_file
from suite.profiles.yamlpos import brief

MAX_RUNNERS = 1000  # the twin's and the fleet model's; Terraform's own bound (100) is in suite.fleet.config
MAX_TWIN_SPEED = 100_000.0
MAX_SECONDS = 7 * 24 * 3600.0
MAX_SEED = 2**63 - 1
MAX_TASK_UNITS = 1_000_000  # CPU units or MiB: suite.fleet.sizing then checks the Fargate pairs
_MAX_NUMBER_CHARS = 40  # int() of 4,300+ digits raises, and of thousands is slow: refuse early
_MAX_ERROR_CHARS = 400


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are a :class:`UsageError` (one line, exit 2, no usage block), raised out
    of ``parse_args`` for suite.cli.main to report like any other."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())
        flag, sep, rest = text.partition(": ")
        if (
            sep
            and flag.startswith("argument ")
            and rest.startswith(flag.removeprefix("argument ").split("/")[0])
        ):
            text = rest  # "argument --runners: --runners must be >= 1" says it once
        if len(text) > _MAX_ERROR_CHARS:
            text = text[: _MAX_ERROR_CHARS - 3] + "..."
        raise UsageError(f"{self.prog}: {text} (see `{self.prog} --help`)")


def _number_text(text: str, flag: str) -> str:
    if len(text) > _MAX_NUMBER_CHARS:
        raise argparse.ArgumentTypeError(f"{flag} must be a number, got {len(text)} characters")
    return text.strip()


def whole(flag: str, lo: int, hi: int) -> Callable[[str], int]:
    """argparse type: a whole number lo..hi (``flag`` names it in the message)."""

    def parse(text: str) -> int:
        try:
            value = int(_number_text(text, flag))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a whole number, got {brief(text)}") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"{flag} must be >= {lo}, not {value}")
        if value > hi:
            raise argparse.ArgumentTypeError(f"{flag} must be <= {hi}, not {value}")
        return value

    return parse


def real(flag: str, lo: float, hi: float, *, above_lo: bool = True) -> Callable[[str], float]:
    """argparse type: a finite number in (lo, hi] (``above_lo``) or [lo, hi]."""

    def parse(text: str) -> float:
        try:
            value = float(_number_text(text, flag))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be a number, got {brief(text)}") from None
        low_ok = value > lo if above_lo else value >= lo
        if not (math.isfinite(value) and low_ok and value <= hi):  # text: short, and a float's
            bound = f"> {lo:g} and <= {hi:g}" if above_lo else f"in [{lo:g}, {hi:g}]"
            raise argparse.ArgumentTypeError(f"{flag} must be {bound}, got {text.strip()}")
        return value

    return parse


def input_file(what: str) -> Callable[[str], Path]:
    """argparse type: an existing, readable regular file of bounded size."""

    def parse(text: str) -> Path:
        try:
            _named(text, what)
            check_file(Path(text), what)
        except UsageError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return Path(text)

    return parse


def directory(what: str, *, writable: bool = False, may_create: bool = False) -> Callable[[str], Path]:
    """argparse type: a directory (readable; ``writable``; ``may_create``: or creatable)."""

    def parse(text: str) -> Path:
        try:
            _named(text, what)
            check_directory(Path(text), what, writable=writable, may_create=may_create)
        except UsageError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return Path(text)

    return parse


def _named(text: str, what: str) -> None:
    if not text:  # Path("") would be the current directory: an empty argument is a mistake
        raise UsageError(f"the {what} is empty: name one")


def sizing_name(text: str) -> str:
    """argparse type: a sizing's name, terraform/sizings/NAME.tfvars (letters, digits, `_.-`)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", text):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r}: not a sizing name; name a file of terraform/sizings/ without .tfvars "
            "(e.g. 2vcpu-4gb)"
        )
    return text


reports_dir = directory("reports directory", may_create=True)
profiles_dir = directory("profiles folder")
run_dir = directory("run directory", writable=True)
read_run_dir = directory("run directory")


def cold_start_range(text: str) -> tuple[int, int]:
    """argparse type for MIN-MAX seconds (e.g. 45-90, or 60 for both), each 0..3600."""
    try:
        lo, _, hi = _number_text(text, "--cold-start").partition("-")
        pair = (int(lo), int(hi or lo))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected MIN-MAX seconds, e.g. 45-90, got {brief(text)}") from exc
    if pair[0] < 0 or pair[1] < pair[0] or pair[1] > 3600:
        raise argparse.ArgumentTypeError(f"expected 0 <= MIN <= MAX <= 3600, got {brief(text)}")
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
        type=whole("--completion-jitter", 0, 3600),
        default=0,
        metavar="N",
        help=f"{scope}move each job's completion by a seeded whole number of seconds in -N..+N "
        "(default 0: the model's own spread only)",
    )


def seed_arg(sp: argparse.ArgumentParser, help_text: str = "random seed (default 0)") -> None:
    sp.add_argument("--seed", type=whole("--seed", -MAX_SEED, MAX_SEED), default=0, help=help_text)


def aws_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--tfvars",
        type=input_file("tfvars file"),
        default=None,
        help="aws: a Terraform variables file (e.g. a sizing)",
    )
    sp.add_argument(
        "--sizing",
        type=sizing_name,
        default=None,
        help="aws: NAME for terraform/sizings/NAME.tfvars (e.g. 2vcpu-4gb)",
    )


def dashboard_arg(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--dashboard",
        nargs="?",
        const=0,
        default=None,
        type=whole("--dashboard", 0, 65535),
        metavar="PORT",
        help="serve the live page on 127.0.0.1 while it runs and print its URL (--dashboard=PORT; "
        "alone: any free port); it stops when the command ends, report.html is the same page frozen",
    )

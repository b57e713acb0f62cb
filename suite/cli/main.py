"""The `suite` command line: one module per command group, each with COMMANDS, add_commands and run.

0 pass · 1 a threshold failed · 2 bad usage/config/profile · 3 environment failure (a full disk or an
unwritable run directory included: one line naming the file) · 130 interrupted (Ctrl-C) · 143 terminated
(SIGTERM, handled like Ctrl-C) · 141 stdout was closed by its reader (`suite profiles | head -1`): the
output stops quietly, as SIGPIPE would.

    suite.cli.pipeline   run, sim, collect, report
    suite.cli.fleet      deploy, destroy, status, doctor, secrets
    suite.cli.profiles   profiles [list|validate]
    suite.cli.decisions  compare, plan, history, validate-sizing
    suite.cli.query      query
    suite.cli.exports    export (and --out on run, collect, report)
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from botocore.exceptions import ConnectionError as AwsConnectionError
from botocore.exceptions import NoCredentialsError, NoRegionError, ProfileNotFound

from suite import __version__
from suite.cli import decisions, exports, fleet, pipeline, query
from suite.cli.args import OneLineParser, profiles_dir
from suite.errors import (
    EXIT_CLOSED_PIPE,
    EXIT_ENVIRONMENT,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    SuiteError,
    Terminated,
    clip,
)
from suite.rundir.io_errors import describe, fix_for, is_io_error

GROUPS = (pipeline, fleet, decisions, query, exports)


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="suite", description="Measure self-hosted GitHub Actions runner fleets.")
    p.add_argument("--version", action="version", version=f"runner-suite {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fleet.add_commands(sub)  # deploy, destroy, status, doctor, secrets
    pipeline.add_commands(sub)  # run, sim, collect, report
    pr = sub.add_parser("profiles", help="list the profile catalogue, or validate a profile file")
    pr.add_argument("action", nargs="?", choices=["list", "validate"], default="list")
    pr.add_argument("file", nargs="?", type=Path)
    pr.add_argument("--dir", type=profiles_dir, default=Path("profiles"))
    decisions.add_commands(sub)  # compare, plan, history, validate-sizing
    query.add_commands(sub)  # query
    exports.add_commands(sub)  # export
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)  # a bad argument: UsageError, one line (OneLineParser)
        with _sigterm_as_interrupt():
            code = dispatch(args)
        sys.stdout.flush()  # here, not at interpreter exit, so a closed pipe is caught below
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except SuiteError as exc:
        print(f"suite: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        if is_io_error(exc):  # a write outside the run directory's own writers: still one line, exit 3
            assert isinstance(exc, OSError)
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"suite: error: {where}{describe(exc)}: {fix_for(exc)}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        if isinstance(exc, AwsConnectionError):  # no route to AWS (endpoint, proxy, timeout): environment
            print(f"suite: error: {_aws_unreachable(exc)}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        aws = _aws_configuration_error(exc)
        if aws is None:
            raise
        print(f"suite: error: {aws}", file=sys.stderr)
        return EXIT_USAGE
    except Terminated:
        hint = "the ledger is kept: resume with `suite collect DIR`"
        print(f"\nsuite: terminated (SIGTERM); {hint}", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("\nsuite: interrupted; the ledger is kept: resume with `suite collect DIR`", file=sys.stderr)
        return EXIT_INTERRUPTED


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises Terminated (a KeyboardInterrupt) in the main thread while a command runs, so it
    stops a run as Ctrl-C does: the ledger kept, what was never sent recorded, the resume hint printed.
    A second SIGTERM while that cleanup runs ends the process at once (the default action)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _closed_pipe() -> int:
    """The reader of stdout went away (`| head -1`): nothing more can be said there, and nothing is wrong
    with the suite. Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_CLOSED_PIPE


def _aws_unreachable(exc: Exception) -> str:
    """One bounded line for an AWS endpoint the SDK could not reach (its own text names the URL)."""
    said = clip(str(exc), 160)
    return f"cannot reach AWS ({type(exc).__name__}: {said}): check the network, HTTPS_PROXY and AWS_REGION"


def _aws_configuration_error(exc: Exception) -> str | None:
    """One line for the AWS SDK's configuration errors (no profile, no credentials), else None."""
    if isinstance(exc, ProfileNotFound):
        return f"{exc} (AWS_PROFILE names a profile missing from ~/.aws/config: set another or unset it)"
    if isinstance(exc, NoCredentialsError | NoRegionError):
        return (
            f"{exc}: configure the AWS SDK "
            "(AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and AWS_REGION)"
        )
    return None


def dispatch(args: argparse.Namespace) -> int:
    for group in GROUPS:
        if args.command in group.COMMANDS:
            return group.run(args)
    if args.command == "profiles":
        from suite.cli.profiles import profiles_command  # startup time: the profile grammar and YAML

        return profiles_command(args.action, args.file, args.dir)
    raise AssertionError(f"no command group for {args.command!r}")


if __name__ == "__main__":
    sys.exit(main())

"""Errors that map to the CLI's exit codes (docs/architecture.md: Exit codes)."""

from __future__ import annotations

EXIT_PASS = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_INCOMPLETE = 4  # the run was interrupted or not yet collected: its figures cover part of the load
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM: stopped by SIGTERM, handled like Ctrl-C (ledger kept, resume hint)
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE: stdout's reader closed the pipe (`suite history | head -1`)


class SuiteError(Exception):
    """An error the CLI reports in one clear message, without a traceback."""

    exit_code = EXIT_ENVIRONMENT


class UsageError(SuiteError):
    """Bad usage, configuration or profile: exit 2."""

    exit_code = EXIT_USAGE


class EnvironmentFailure(SuiteError):
    """The environment or infrastructure failed (twin, GitHub, AWS): exit 3."""

    exit_code = EXIT_ENVIRONMENT


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread by the CLI's handler: every `except KeyboardInterrupt` that
    keeps the ledger and records what was never sent handles it as it handles Ctrl-C."""


def clip(text: str, limit: int) -> str:
    """`text` on one line (runs of whitespace, line breaks included, made one space) and cut to `limit`
    characters with an ellipsis: what an error line may carry of a value it did not write itself."""
    said = " ".join(text.split())
    return said if len(said) <= limit else said[: limit - 1] + "…"

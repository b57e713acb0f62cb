"""What every command that writes a run directory goes through: the directory's lock (one writer at a
time: suite.rundir.lock), a write failure turned into one line that says which command finishes the job
once the cause is fixed, and (`suite collect`, `suite report`) a torn last ledger line repaired before it
is read."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec

from suite.errors import UsageError
from suite.rundir.io_errors import RunDirWriteError
from suite.rundir.ledger import repair_torn_tail
from suite.rundir.lock import locked
from suite.rundir.paths import INFLIGHT_FILE, SCHEDULE_FILE

P = ParamSpec("P")


@contextmanager
def resumable(command: str) -> Iterator[None]:
    """A RunDirWriteError in the block says `command` (e.g. `suite collect DIR`) finishes the job."""
    try:
        yield
    except RunDirWriteError as exc:
        raise exc.resumable_by(command) from None


def writes_run_dir(
    command: str, repair_ledger: bool = False
) -> Callable[[Callable[Concatenate[Path, P], int]], Callable[Concatenate[Path, P], int]]:
    """Decorate a command taking the run directory first: it runs holding the directory's lock, its write
    failures name `suite <command> DIR` as the way to finish, and with `repair_ledger` a torn last ledger
    line is set aside first (suite.rundir.ledger.repair_torn_tail; said on stdout)."""

    def wrap(fn: Callable[Concatenate[Path, P], int]) -> Callable[Concatenate[Path, P], int]:
        @functools.wraps(fn)
        def guarded(run_dir: Path, *args: P.args, **kwargs: P.kwargs) -> int:
            if not (run_dir / "manifest.json").exists():
                raise UsageError(
                    f"{run_dir}: not a run directory (no manifest.json); run directories live under reports/"
                )
            with locked(run_dir, f"suite {command}"), resumable(f"suite {command} {run_dir}"):
                if repair_ledger:
                    repaired = repair_torn_tail(
                        run_dir / "ledger.jsonl", run_dir / INFLIGHT_FILE, run_dir / SCHEDULE_FILE
                    )
                    if repaired:
                        print(repaired, flush=True)
                return fn(run_dir, *args, **kwargs)

        return guarded

    return wrap

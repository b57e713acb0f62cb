"""The run directory's lock: one process writes a run directory at a time (`suite run`, `suite collect`,
`suite report`). An exclusive flock on `run.lock` in the directory, which holds the holder's pid and
command; the kernel releases it when the process ends, however it ends, so a killed run never leaves a
stale lock. A second writer is refused at once (exit 3: the environment is busy, run again once the
holder has ended). The lock is re-entrant within a process (`suite collect` ends by reporting)."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from suite.errors import EnvironmentFailure
from suite.rundir.io_errors import write_error

LOCK_FILE = "run.lock"

_held: dict[Path, tuple[int, int]] = {}  # run directory -> (fd, depth) held by this process
_guard = threading.Lock()


class RunDirLocked(EnvironmentFailure):
    """Another process is writing the run directory (exit 3)."""


@contextmanager
def locked(run_dir: Path, command: str) -> Iterator[None]:
    """Hold `run_dir`'s lock for the block, or raise RunDirLocked naming the process that holds it."""
    key = run_dir.resolve()
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
        else:
            _held[key] = (_acquire(run_dir, command), 1)
    try:
        yield
    finally:
        with _guard:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                os.close(fd)  # closing the descriptor releases the flock


def _acquire(run_dir: Path, command: str) -> int:
    path = run_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise RunDirLocked(
            f"{run_dir}: another suite process ({holder}) is writing this run directory; wait until it "
            "ends (or stop it), then run this again"
        ) from None
    try:  # who holds it, for the message above; on a full disk the lock holds all the same
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {command}\n".encode(), 0)
    except OSError:
        pass
    return fd


def _holder(fd: int) -> str:
    """'pid N, `suite run`' from the lock file (bounded, never echoed raw), or 'pid unknown'."""
    try:
        text = os.pread(fd, 200, 0).decode("ascii", errors="replace").split("\n", 1)[0]
    except OSError:
        text = ""
    pid, _, command = text.partition(" ")
    if not pid.isdigit() or len(pid) > 10:
        return "pid unknown"
    safe = "".join(c for c in command[:40] if c.isalnum() or c in " -_")
    return f"pid {pid}, `{safe}`" if safe else f"pid {pid}"

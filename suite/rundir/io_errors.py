"""Write failures in the run directory (a full disk, a read-only or unwritable directory, a failing
disk) as one clear error: the file, what went wrong, what to do. Exit 3: the environment failed, not the
command; what was written before stays readable (atomic files stay whole, the ledger append-only)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from suite.errors import EnvironmentFailure

# errno -> what to do about it
_FIXES = {
    errno.ENOSPC: "free space on that file system",
    errno.EDQUOT: "free space or raise the disk quota",
    errno.EFBIG: "free space, or write the reports to another file system (--reports)",
    errno.EROFS: "the file system is read-only: remount it read-write or use another --reports directory",
    errno.EACCES: "make the directory writable for this user, or use another --reports directory",
    errno.EPERM: "make the directory writable for this user, or use another --reports directory",
    errno.EIO: "the disk reported an I/O error: check it (dmesg) or use another --reports directory",
}
IO_ERRNOS = frozenset(_FIXES)


class RunDirWriteError(EnvironmentFailure):
    """A file in the run directory could not be written (exit 3); `path`: that file."""

    def __init__(self, message: str, path: Path, resume: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.resume = resume

    def resumable_by(self, command: str) -> RunDirWriteError:
        """This error with what finishes the job once the cause is fixed (e.g. `suite collect DIR`); an
        error that already names one (the innermost command's) keeps it."""
        if self.resume is not None:
            return self
        return RunDirWriteError(f"{self}, then: {command}", self.path, command)


def describe(exc: OSError) -> str:
    """`exc`'s reason in words with its errno's name (no file contents, nothing unbounded)."""
    name = errno.errorcode.get(exc.errno or 0, "")
    reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
    return f"{reason.lower()} ({name})" if name else reason.lower()


def fix_for(exc: OSError) -> str:
    return _FIXES.get(exc.errno or 0, "check the file system")


def write_error(path: Path, exc: OSError) -> RunDirWriteError:
    """The one-line error for `exc` raised while writing `path`."""
    return RunDirWriteError(
        f"{path}: cannot write: {describe(exc)}; what was written before is kept: {fix_for(exc)}", path
    )


def is_io_error(exc: BaseException) -> bool:
    """True for an OSError that the file system or the disk raised (full, read-only, no access, failing)."""
    return isinstance(exc, OSError) and exc.errno in IO_ERRNOS

"""One stage of the analysis in a forked child process, while the parent process does the rest.

The analysis reads two independent sides of a run: GitHub's (ledger, runs, jobs) and CloudWatch's
(the Container Insights rows and the in-task sampler's readings). With two cores, those rows are
turned into sample columns in a child process while the parent builds the job tables. The child is
forked with the one-shot row iterators not yet read, reads them alone, and sends its result back
pickled through a pipe, which a thread of the parent reads as it is written (so the child ends, and
gives its memory back, as soon as it is done, not when the parent asks for the result); the parent
never touches those iterators (unless the child fails without an answer, in which case the parent
does the work itself).

It runs inline instead (the same result, one core) when fork is not available or not safe: not
Linux, a single usable core, or other Python threads alive (fork copies only the calling thread, so a
lock held by another thread would stay held in the child; the twin and the dispatcher run threads).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
# the child's niceness over the parent's: while the parent's DuckDB reads want both cores, the child
# yields to them (the scheduler gives a nice-10 process about a tenth of a contended core), and it
# takes a core whole while the parent runs on one (its single-threaded analysis, its Python between
# reads): the same work, the two cores kept busier
CHILD_NICE = 10


def can_fork() -> bool:
    """Fork is available, safe here (this is the only Python thread) and useful (2+ usable cores)."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    return len(os.sched_getaffinity(0)) >= 2 and threading.active_count() == 1


class Background(Generic[T]):
    """build() started at once: in a forked child when `fork` (and can_fork()), else inline on result()."""

    def __init__(self, build: Callable[[], T], fork: bool) -> None:
        self._build = build
        self._pid = 0
        self._pipe = -1
        self.forked = fork and can_fork()
        if self.forked:
            self._start()

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: build, answer, and leave without running the parent's exit handlers
            code = 0
            try:
                with contextlib.suppress(OSError):
                    os.nice(CHILD_NICE)  # the parent's threads (DuckDB's readers) first: see CHILD_NICE
                os.close(read_end)
                with open(write_end, "wb") as out:
                    out.write(_answer(self._build))
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end
        # the answer is read as soon as it is written, so the child ends then and its memory (its own
        # interpreter, the rows it read) is given back while this process works on, not when result()
        # is called; a thread of this process only: it forks nothing
        self._answer: list[bytes] = []
        self._reader = threading.Thread(target=self._read, args=(read_end,), daemon=True)
        self._reader.start()

    def _read(self, fd: int) -> None:
        chunks = []
        with contextlib.suppress(OSError):
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
        self._answer.append(b"".join(chunks))

    def result(self) -> T:
        """build()'s value, or the exception it raised (raised here again)."""
        if not self.forked:
            return self._build()
        try:
            self._reader.join()
            data = self._answer.pop() if self._answer else b""
        finally:
            self._reap()
        if not data:  # the child died without answering (killed, out of memory): do the work here
            return self._build()
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        result: T = value
        return result

    def close(self) -> None:
        """Stop the child if its answer was never collected (the parent failed before it needed it)."""
        if self._pid:
            self._reap()

    def _reap(self) -> None:
        if self._pid and self._reader.is_alive():  # the answer not all read: the child is stopped
            os.kill(self._pid, signal.SIGKILL)
            self._reader.join()  # the pipe's end reached (the child is gone)
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1
        if self._pid:
            os.waitpid(self._pid, 0)
            self._pid = 0

    def __del__(self) -> None:  # a child never collected nor closed is stopped
        if getattr(self, "_pid", 0):
            with contextlib.suppress(OSError):
                self._reap()


def _answer(build: Callable[[], object]) -> bytes:
    """(True, value) or (False, the exception) pickled; an exception that cannot be pickled and
    unpickled is sent as a RuntimeError with its text."""
    try:
        return pickle.dumps((True, build()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # every failure is the parent's to raise
        try:
            data = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(data)  # some exceptions pickle but cannot be rebuilt from their args
            return data
        except Exception:
            return pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))

"""Run directory I/O: JSON written atomically, JSON lines read line by line, and the ledger's appender."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from suite.errors import SuiteError, UsageError
from suite.rundir.io_errors import write_error

RowCheck = Callable[[dict[str, Any]], str | None]  # what is wrong with a row, or None


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` (path + ".tmp") to write, moved onto `path` once the block ends:
    a reader never sees a half-written file; on an error the partial file is removed and `path` keeps
    what it held. An OSError while writing (a full disk, a read-only directory) is a RunDirWriteError
    naming `path` (exit 3)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise write_error(path, exc) from None
    finally:
        with suppress(OSError):  # a directory we cannot write: the error above says so
            tmp.unlink(missing_ok=True)


_ROWS_MARK = re.compile(r'("\\u0000rows:\d+\\u0000")')  # a placeholder as json.dumps writes it


def write_json(path: Path, obj: Any) -> None:
    """Indented JSON, written atomically. A row sequence that is not a list (suite.rundir.column_rows:
    per-job columns; result.json v2 holds none, the report leaves them to the tables) is written one row
    per line as it is read, never held as one string."""
    streamed: dict[str, Sequence[Any]] = {}
    text = json.dumps(_placeholders(obj, streamed), indent=2, sort_keys=False)
    with atomic_path(path) as tmp, tmp.open("w") as f:
        for part in _ROWS_MARK.split(text):
            rows = streamed.get(part)
            if rows is None:
                f.write(part)
                continue
            f.write("[")
            for i, row in enumerate(rows):
                f.write(("\n    " if i == 0 else ",\n    ") + json.dumps(row))
            f.write("\n  ]" if rows else "]")
        f.write("\n")


def _placeholders(obj: Any, streamed: dict[str, Sequence[Any]]) -> Any:
    """obj with each non-list row Sequence replaced by a placeholder string (remembered in streamed)."""
    if isinstance(obj, dict):
        return {k: _placeholders(v, streamed) for k, v in obj.items()}
    if isinstance(obj, Sequence) and not isinstance(obj, str | bytes | list | tuple):
        n = len(streamed)
        streamed[f'"\\u0000rows:{n}\\u0000"'] = obj
        return f"\x00rows:{n}\x00"
    return obj


FIX_REPORT = "fix or delete that line, then run `suite report` on the run directory again"


def read_json(path: Path, fix: str = "restore it, or run the command that writes it again") -> Any:
    """A JSON file's content; a file that cannot be read or is not JSON is a UsageError naming it
    (and the line), saying `fix`, without echoing any of its content."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a JSON file (move it away); {fix}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror}); {fix}") from None
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"{path}:{line}: damaged: not UTF-8 text; {fix}") from None
    except json.JSONDecodeError as exc:
        what = "empty" if not data.strip() else f"not JSON ({exc.msg}, column {exc.colno})"
        raise UsageError(f"{path}:{exc.lineno}: damaged: {what}; {fix}") from None
    except RecursionError:
        raise UsageError(f"{path}: damaged: nested too deeply to be a run-directory file; {fix}") from None


def read_jsonl(path: Path, check: RowCheck | None = None) -> list[dict[str, Any]]:
    return list(stream_jsonl(path, check))


def stream_jsonl(path: Path, check: RowCheck | None = None) -> Iterable[dict[str, Any]]:
    """The rows of a JSONL file read line by line as they are iterated (none when it is absent)."""
    return iter_jsonl(path, check) if path.exists() else []


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)  # NaN and Infinity refused: not JSON


def iter_jsonl(
    path: Path, check: RowCheck | None = None, fix: str = FIX_REPORT, torn_tail: bool = False
) -> Iterator[dict[str, Any]]:
    """The rows of a JSONL file, read line by line. A line that is not UTF-8, not JSON or not an
    object, or a row `check` finds wrong (suite.rundir.readback.row_check: what is wrong, or None), is a
    UsageError naming the file and the line. torn_tail: a last line that is not JSON and has no
    newline (a process killed mid-append) ends the rows quietly, for the caller that repairs it."""
    with open_jsonl(
        path, fix, binary=True
    ) as f:  # lines end at LF; each decoded alone: damage found in order
        yield from decode_lines(
            path, ((n, utf8(path, line, n, fix)) for n, line in enumerate(f, start=1)), check, fix, torn_tail
        )


def utf8(path: Path, line: bytes, number: int, fix: str = FIX_REPORT) -> str:
    """Line `number` of `path` as text; not UTF-8: a UsageError naming the file and the line."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}:{number}: damaged: not UTF-8 text; {fix}") from None


def open_jsonl(path: Path, fix: str = FIX_REPORT, binary: bool = False) -> IO[Any]:
    """The JSON lines file at `path` opened to read (text, UTF-8; or bytes); one that cannot be is a
    UsageError naming it."""
    try:
        return path.open("rb") if binary else path.open(encoding="utf-8")
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a JSON lines file (move it away); {fix}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror}); {fix}") from None


def decode_lines(
    path: Path,
    lines: Iterable[tuple[int, str]],
    check: RowCheck | None = None,
    fix: str = FIX_REPORT,
    torn_tail: bool = False,
) -> Iterator[dict[str, Any]]:
    """The rows of numbered JSON lines of `path` (iter_jsonl's rules and error lines; also the fallback of
    suite.rundir.fast_jsonl for a block its reader refuses)."""
    decode = _DECODER.decode
    for number, line in lines:
        try:
            row = decode(line)
        except json.JSONDecodeError as exc:
            if not line.strip():
                continue
            if torn_tail and not line.endswith("\n"):
                return
            raise UsageError(
                f"{path}:{number}: damaged: not a JSON line ({exc.msg}, column {exc.colno}); {fix}"
            ) from None
        except (ValueError, RecursionError):
            raise UsageError(f"{path}:{number}: damaged: not a JSON value the suite writes; {fix}") from None
        if type(row) is not dict:
            raise UsageError(f"{path}:{number}: damaged: not a JSON object; {fix}")
        if check is not None and (wrong := check(row)) is not None:
            raise UsageError(f"{path}:{number}: damaged: {wrong}; {fix}")
        yield row


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_path(path) as tmp, tmp.open("w") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")) + "\n")
            n += 1
    return n


class JsonlAppender:
    """Append one JSON object per line (the ledger).

    Each row is written and flushed to the operating system before append() returns, so a process
    killed at any point loses nothing it appended. fsync to the disk runs in a background thread that
    covers every row appended while the previous fsync ran (group commit): a slow disk (a CI volume
    can take tens of milliseconds per fsync) never holds up the caller, whose next dispatch is due on
    the schedule. close() returns once everything appended is on the disk; a failed fsync is raised by
    the next append() (after its row is written) or by close().

    A row is one os.write of the whole line. A write that fails (a full disk: ENOSPC after part of the
    line went in) cuts the file back to the rows before it, so the ledger never ends in a partial line
    that this process left; every failure is a RunDirWriteError naming the file (exit 3). A partial line
    left by a process killed mid-write is repaired by suite.rundir.ledger.repair_torn_tail.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._size = os.fstat(self._fd).st_size  # the end of the last whole row
        except OSError as exc:
            raise write_error(path, exc) from None
        self._closed = False
        self._changed = threading.Condition()
        self._written = 0  # rows flushed to the OS
        self._synced = 0  # rows known to be on the disk
        self._closing = False
        self._error: OSError | None = None
        self._syncer = threading.Thread(target=self._sync_loop, name=f"fsync {path.name}", daemon=True)
        self._syncer.start()

    def append(self, row: Mapping[str, Any]) -> None:
        line = (json.dumps(row, separators=(",", ":")) + "\n").encode()
        try:
            done = 0
            while done < len(line):  # a short write (the disk filled mid-line) is followed by the error
                done += os.write(self._fd, line[done:])
        except OSError as exc:
            self._cut_back(done)
            raise write_error(self.path, exc) from None
        self._size += len(line)
        with self._changed:
            self._written += 1
            self._changed.notify_all()
            self._raise_failed_sync()

    def _cut_back(self, partial: int) -> None:
        """Remove the `partial` bytes of a row a failed write left (cutting frees space, so it works on a
        full disk), only when the file ends exactly there (no other writer appended meanwhile). If that
        cannot be done, the partial last line is repaired when the run directory is next read."""
        with suppress(OSError):
            if partial and os.fstat(self._fd).st_size == self._size + partial:
                os.ftruncate(self._fd, self._size)

    def close(self) -> None:
        if self._closed:
            return
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._syncer.join()
        self._closed = True
        os.close(self._fd)
        self._raise_failed_sync()

    def _sync_loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._written > self._synced or self._closing)
                target, closing = self._written, self._closing
            if target > self._synced and self._error is None:
                try:
                    os.fsync(self._fd)
                except OSError as exc:
                    self._error = exc
            with self._changed:
                self._synced = target
                if closing and self._synced == self._written:
                    return

    def _raise_failed_sync(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise write_error(self.path, error) from None

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
            return
        with suppress(SuiteError):  # already failing: that error is the one to report
            self.close()

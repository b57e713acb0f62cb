"""ENOSPC (and the other file-system errors) injected at each write site of the run directory: one
RunDirWriteError naming the file (exit 3), and nothing lost: an atomic file keeps its previous content,
no temporary file is left, and the ledger holds only whole rows (a partly written row is cut back)."""

from __future__ import annotations

import errno
import io
import json
import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

from suite.errors import EXIT_ENVIRONMENT
from suite.report import jobs_csv
from suite.report.job_files import JobFiles
from suite.rundir import jsonio
from suite.rundir.io_errors import RunDirWriteError
from suite.rundir.jsonio import JsonlAppender, write_json, write_jsonl
from suite.rundir.paths import RunDir

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FillsAfter(io.TextIOWrapper):
    """A text file whose disk is full after `room` characters: the write that crosses it goes in part."""

    room = 10

    def write(self, s: str) -> int:
        if len(s) > self.room:
            super().write(s[: self.room])
            self.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        FillsAfter.room -= len(s)
        return super().write(s)


@pytest.fixture
def full_after_10_chars(monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = Path.open

    def open_filling(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        f = real_open(self, mode, *args, **kwargs)
        if "w" not in mode or "b" in mode:
            return f
        encoding = f.encoding
        return FillsAfter(f.detach(), encoding=encoding, newline="")

    FillsAfter.room = 10
    monkeypatch.setattr(Path, "open", open_filling)


def assert_one_clear_error(exc: pytest.ExceptionInfo[RunDirWriteError], path: Path, reason: str) -> None:
    assert exc.value.exit_code == EXIT_ENVIRONMENT
    message = str(exc.value)
    assert message.startswith(f"{path}: cannot write: {reason}")
    assert "\n" not in message and "what was written before is kept" in message


@pytest.mark.parametrize("writer", ["write_json", "write_jsonl"])
def test_an_atomic_file_keeps_its_previous_content_when_the_disk_fills(
    tmp_path: Path, writer: str, full_after_10_chars: None
) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(b'{"before": true}\n')
    with pytest.raises(RunDirWriteError) as exc:
        if writer == "write_json":
            write_json(path, {"after": "x" * 100})
        else:
            write_jsonl(path, [{"after": "x" * 100}])
    assert_one_clear_error(exc, path, "no space left on device (ENOSPC)")
    assert json.loads(path.read_text()) == {"before": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]  # no .tmp left behind


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EROFS, errno.EACCES, errno.EDQUOT])
def test_a_failed_rename_is_the_same_one_error_whatever_the_errno(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    path = tmp_path / "schedule.json"

    def failing(src: Any, dst: Any) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(RunDirWriteError) as exc:
        write_json(path, {"offsets_s": [0.0]})
    assert_one_clear_error(exc, path, f"{os.strerror(code).lower()} ({errno.errorcode[code]})")
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_ledger_row_cut_short_by_a_full_disk_is_cut_back_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = JsonlAppender(path)
    ledger.append({"seq": 1, "suite_id": "a-00001"})
    real_write = os.write

    def short_then_enospc(fd: int, data: bytes) -> int:
        if len(data) > 8:
            return real_write(fd, data[:8])  # the page that was left
        raise ENOSPC

    monkeypatch.setattr(os, "write", short_then_enospc)
    with pytest.raises(RunDirWriteError) as exc:
        ledger.append({"seq": 2, "suite_id": "a-00002"})
    assert_one_clear_error(exc, path, "no space left on device (ENOSPC)")
    monkeypatch.setattr(os, "write", real_write)
    assert path.read_text() == '{"seq":1,"suite_id":"a-00001"}\n'  # the whole rows, nothing torn
    ledger.append({"seq": 2, "suite_id": "a-00002"})  # space freed: the same appender goes on
    ledger.close()
    assert [json.loads(line)["seq"] for line in path.read_text().splitlines()] == [1, 2]


def test_a_partial_row_is_not_cut_when_another_writer_appended_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger = JsonlAppender(path)
    ledger.append({"seq": 1})
    real_write = os.write

    calls: list[int] = []

    def short_then_another_writer_then_enospc(fd: int, data: bytes) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            done = real_write(fd, data[:8])
            with path.open("a") as other:
                other.write('{"seq":99}\n')
            return done
        raise ENOSPC

    monkeypatch.setattr(os, "write", short_then_another_writer_then_enospc)
    with pytest.raises(RunDirWriteError):
        ledger.append({"seq": 2, "suite_id": "a-00002"})
    monkeypatch.setattr(os, "write", real_write)
    ledger.close()
    assert path.read_text() == '{"seq":1}\n{"seq":2{"seq":99}\n'  # the other's row is never cut


def test_a_ledger_that_cannot_be_opened_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(jsonio.os, "open", read_only)
    with pytest.raises(RunDirWriteError) as exc:
        JsonlAppender(tmp_path / "ledger.jsonl")
    assert_one_clear_error(exc, tmp_path / "ledger.jsonl", "read-only file system (EROFS)")
    assert "remount it read-write" in str(exc.value)


def test_the_resume_command_is_added_once_by_the_innermost_command(tmp_path: Path) -> None:
    error = RunDirWriteError("x: cannot write", tmp_path / "x")
    inner = error.resumable_by("suite report DIR")
    assert str(inner.resumable_by("suite collect DIR")) == "x: cannot write, then: suite report DIR"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_jobs_csv_that_duckdb_cannot_write_is_the_one_error_of_its_errno(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """jobs.csv is written by DuckDB (suite.report.jobs_csv): its IOException, which names the system's
    error in words, becomes that OSError, and the run directory's one error (exit 3), the file as before."""
    path = tmp_path / "jobs.csv"
    path.write_bytes(b"before\r\n")
    real_connect = duckdb.connect

    class Failing:
        def __init__(self) -> None:
            self.con = real_connect()

        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.con.close()

        def __getattr__(self, name: str) -> Any:
            return getattr(self.con, name)

        def execute(self, sql: str) -> Any:
            if sql.startswith("COPY"):
                raise duckdb.IOException(f'Could not write file "{path}.tmp": {os.strerror(code)}')
            return self.con.execute(sql)

    monkeypatch.setattr(jobs_csv.duckdb, "connect", Failing)
    with JobFiles(RunDir(tmp_path), {}) as files, pytest.raises(RunDirWriteError) as exc:
        files.start([{"id": 1, "name": "build"}])
        files.place({"per_job": [{"id": 1, "name": "build"}]})
    assert_one_clear_error(exc, path, f"{os.strerror(code).lower()} ({errno.errorcode[code]})")
    assert path.read_bytes() == b"before\r\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["jobs.csv", "tables"]

"""The CLI's last word on errors that reach it: a file-system OSError from outside the run directory's
writers is still one line (the file, the errno in words, what to do), exit 3; SIGTERM is exit 143 with
the resume hint; the SIGTERM handler lives only while a command runs."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from suite.cli import main as cli


def failing_with(exc: BaseException) -> Any:
    def dispatch(args: Any) -> int:
        raise exc

    return dispatch


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "no space left on device (ENOSPC): free space on that file system"),
        (errno.EIO, "input/output error (EIO): the disk reported an I/O error"),
        (errno.EROFS, "read-only file system (EROFS): the file system is read-only"),
    ],
)
def test_a_file_system_error_is_one_line_naming_the_file_exit_3(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    code: int,
    words: str,
) -> None:
    monkeypatch.setattr(
        cli, "dispatch", failing_with(OSError(code, os.strerror(code), "reports/x/summary.md"))
    )
    assert cli.main(["report", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"suite: error: reports/x/summary.md: {words}") and err.count("\n") == 1


def test_an_os_error_that_is_not_the_file_systems_is_not_swallowed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cli, "dispatch", failing_with(OSError(errno.EINVAL, "Invalid argument")))
    with pytest.raises(OSError, match="Invalid argument"):  # a bug stays visible
        cli.main(["report", str(tmp_path)])


def test_sigterm_while_a_command_runs_is_exit_143_with_the_resume_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    seen: list[Any] = []

    def terminated_while_running(args: Any) -> int:
        seen.append(signal.getsignal(signal.SIGTERM))
        os.kill(os.getpid(), signal.SIGTERM)  # the handler raises Terminated here
        raise AssertionError("SIGTERM did not stop the command")

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(cli, "dispatch", terminated_while_running)
    assert cli.main(["report", str(tmp_path)]) == 143
    err = capsys.readouterr().err
    assert "suite: terminated (SIGTERM); the ledger is kept: resume with `suite collect DIR`" in err
    assert callable(seen[0]) and seen[0] is not before  # installed while the command ran
    assert signal.getsignal(signal.SIGTERM) is before  # and gone after

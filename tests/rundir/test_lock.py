"""The run directory's lock: a second writer (another process) is refused at once, naming the holder's
pid; the holder's death releases it (no stale lock, even after SIGKILL); within one process it nests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from suite.errors import EXIT_ENVIRONMENT
from suite.rundir.lock import LOCK_FILE, RunDirLocked, locked

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def held_by_another_process(run_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """A child process holding `run_dir`'s lock until it is killed; yields once it holds it."""
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from suite.rundir.lock import locked
        with locked(Path({str(run_dir)!r}), "suite run"):
            print("held", flush=True)
            sys.stdin.read()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=60)


def test_a_second_writer_is_refused_naming_the_holder_and_a_killed_holder_leaves_no_stale_lock(
    tmp_path: Path,
) -> None:
    with held_by_another_process(tmp_path) as holder:
        with pytest.raises(RunDirLocked) as refused, locked(tmp_path, "suite collect"):
            pass
        assert refused.value.exit_code == EXIT_ENVIRONMENT
        message = str(refused.value)
        assert (
            f"another suite process (pid {holder.pid}, `suite run`) is writing this run directory" in message
        )
        assert "\n" not in message and "then run this again" in message
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    assert (tmp_path / LOCK_FILE).exists()  # the file stays; the kernel dropped the lock with the process
    with locked(tmp_path, "suite collect"):
        assert (tmp_path / LOCK_FILE).read_text() == f"{os.getpid()} suite collect\n"


def another_process_can_lock(run_dir: Path) -> bool:
    code = "from pathlib import Path\nfrom suite.rundir.lock import locked\n"
    code += f"with locked(Path({str(run_dir)!r}), 'x'): pass"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 or "RunDirLocked" in proc.stderr, proc.stderr
    return proc.returncode == 0


def test_the_lock_nests_within_a_process_and_is_released_by_the_outermost(tmp_path: Path) -> None:
    with locked(tmp_path, "suite collect"):
        with locked(tmp_path, "suite report"):  # collect ends by reporting: the same process, no refusal
            pass
        assert not another_process_can_lock(tmp_path)  # the inner release left the outer's lock held
    assert another_process_can_lock(tmp_path)


def test_a_lock_file_with_garbage_names_no_pid(tmp_path: Path) -> None:
    with held_by_another_process(tmp_path):
        (tmp_path / LOCK_FILE).write_text("x" * 500 + "\n$(rm -rf /)")
        with (
            pytest.raises(RunDirLocked, match=r"another suite process \(pid unknown\)") as refused,
            locked(tmp_path, "suite report"),
        ):
            pass
        assert len(str(refused.value)) < 300  # nothing of the file echoed

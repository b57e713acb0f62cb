"""Run one hostile case through the real `suite` CLI in a forked child, and judge what came out.

The parent imports the suite once (`preload`); each case is a forked child (no fresh interpreter) that
becomes its own process group, moves to a fresh directory (its cwd, with SUITE_STATE_DIR inside),
points stdout and stderr at files, may reach loopback only, and calls `suite.cli.main.main(argv)`.
A child still running at the timeout is killed with its group (a hang), and a twin it deployed is
stopped. The verdict (`classify`):

    pass        exit 2 with one error line (argparse's usage block aside), bounded, not echoing the
                file's contents; or, for an input that may be valid, a documented outcome: 0, 1, 4, and
                3 (one line) for a command that reaches GitHub or AWS
    traceback   "Traceback" on stderr (an exception escaped)
    hang        still running at the harness's timeout
    wrong-exit  any other exit code, 0/1/4 for an input that is invalid whatever the code chooses,
                3 for an input problem
    multi-line  an error (exit 2 or 3) that is not one line
    unbounded   an error line over MAX_LINE characters, or one that echoes a file's contents (CANARY)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import shutil
import signal
import socket
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.fuzz_cases import CANARY, MAX_LINE, REPO, Case
from tools.fuzz_cli_cases import damage

OUTCOMES = ("pass", "traceback", "hang", "wrong-exit", "multi-line", "unbounded")
LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}
MEMORY_HEADROOM = 1536 * 2**20  # a child may map this much more than the parent: a bomb is a MemoryError
AWS_OUTPUTS = {  # state/aws.json for `suite status --env aws`: the saved outputs, so no Terraform runs
    "outputs": {"cluster": "c", "service": "s", "runner_count": 4, "runner_labels": ["self-hosted"],
                "region": "us-east-1", "fleet_name": "runner-suite", "task_cpu": 1024, "task_memory": 2048},
    "github_api_url": "https://api.github.com",
}  # fmt: skip


def preload() -> None:
    """Import what the commands import, once, before any fork (a child then starts in milliseconds)."""
    import suite.cli.main
    import suite.decisions.compare.core
    import suite.decisions.plan
    import suite.fleet.aws
    import suite.fleet.existing_status
    import suite.fleet.local
    import suite.pipeline.run
    import suite.pipeline.sim
    import suite.profiles.profile  # noqa: F401


@dataclass
class Places:
    """Where a case's placeholders point: {RUN}, {BASE}, {REPORTS} (None: no base run directory)."""

    reports: Path | None  # the base run's reports directory (the run directory)
    run_name: str


def fill(text: str, places: Places) -> str:
    return (
        text.replace("{RUN}", f"reports/{places.run_name}")
        .replace("{BASE}", f"base/{places.run_name}")
        .replace("{REPORTS}", "reports")
    )


def materialize(case: Case, where: Path, places: Places | None) -> list[str]:
    """Write the case's files into `where` (created); returns its argv with the placeholders filled."""
    where.mkdir(parents=True, exist_ok=True)
    (where / "state").mkdir(exist_ok=True)
    (where / "home").mkdir(exist_ok=True)
    (where / "profiles").symlink_to(REPO / "profiles")
    if case.kind == "suite_yaml":
        (where / "state" / "aws.json").write_text(json.dumps(AWS_OUTPUTS))
    if case.rundir:
        if places is None or places.reports is None:
            raise RuntimeError(f"case {case.label!r} needs the base run directory")
        shutil.copytree(places.reports, where / "reports", symlinks=True)
        shutil.copytree(places.reports / places.run_name, where / "base" / places.run_name, symlinks=True)
    filled = places or Places(None, "run")
    for name, content in case.files.items():
        path = where / fill(name, filled)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content == "dir":
            path.mkdir(exist_ok=True)
        elif content == "fifo":
            os.mkfifo(path)
        elif content.startswith("damage:"):
            damage(path, content.removeprefix("damage:"), where)
        else:
            raise ValueError(f"case {case.label!r}: {name}: text must be bytes, or dir, fifo, damage:SPEC")
    return [fill(a, filled) for a in case.argv]


def child_env(where: Path, extra: dict[str, str]) -> dict[str, str]:
    """A clean environment: no credentials of the machine, AWS and HTTP pointed nowhere but loopback."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(where / "home"),
        "LANG": "C.UTF-8",
        "SUITE_STATE_DIR": str(where / "state"),
        "AWS_ACCESS_KEY_ID": "fuzz",
        "AWS_SECRET_ACCESS_KEY": "fuzz",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(where / "home" / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(where / "home" / "aws-credentials"),
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost,::1",
        "TF_IN_AUTOMATION": "1",
        "COLUMNS": "120",
        **extra,
    }


def _loopback_only() -> None:
    """Refuse every connection and name lookup that is not loopback (the child's network)."""
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            raise ConnectionRefusedError(111, f"fuzz harness: no network beyond loopback ({address[0]})")
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, f"fuzz harness: no name lookup ({name})")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo


def _short_wall_waits() -> None:
    """Waits on the wall clock (retry backoffs against the refused network) last at most 20 ms, so a
    case that reaches for GitHub or AWS ends in its retries' time, not minutes."""
    from suite.clock import WallClock

    def sleep(self: WallClock, seconds: float) -> None:
        if seconds > 0:
            time.sleep(min(seconds, 0.02))

    WallClock.sleep = sleep  # type: ignore[method-assign]


def _child(where: Path, cwd: Path, argv: list[str], env: dict[str, str], memory: int) -> None:
    """In the forked child: never returns."""
    code = 1
    try:
        os.setpgid(0, 0)
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        stdio = [(0, os.devnull, os.O_RDONLY), (1, "stdout", 0), (2, "stderr", 0)]
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        for fd, name, flags in stdio:
            opened = os.open(where / name, flags or os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _loopback_only()
        _short_wall_waits()
        from suite.cli.main import main

        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()  # what the interpreter prints for an exception that escapes: exit 1
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code & 0xFF)


@dataclass
class Running:
    pid: int
    where: Path
    deadline: float
    started: float


def start(case: Case, where: Path, places: Places | None, timeout: float) -> Running:
    argv = materialize(case, where, places)
    env = child_env(where, case.env)
    cwd = where / case.cwd
    cwd.mkdir(parents=True, exist_ok=True)
    memory = _memory_limit()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _child(where, cwd, argv, env, memory)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    now = time.monotonic()
    return Running(pid, where, now + timeout, now)


def _memory_limit() -> int:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") + MEMORY_HEADROOM


@dataclass
class Outcome:
    code: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float


def poll(run: Running, block: bool = False) -> Outcome | None:
    """The outcome when the child has ended (or was killed at its deadline), else None."""
    while True:
        pid, status = os.waitpid(run.pid, os.WNOHANG)
        if pid:
            code: int | None = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() >= run.deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.pid, signal.SIGKILL)
            os.waitpid(run.pid, 0)
            code = None
            break
        if not block:
            return None
        time.sleep(0.005)
    stop_leftovers(run.where)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(run.pid, signal.SIGKILL)  # anything the child started in its group
    return Outcome(
        code, _read(run.where / "stdout"), _read(run.where / "stderr"), time.monotonic() - run.started
    )


def run_case(case: Case, where: Path, places: Places | None, timeout: float) -> Outcome:
    outcome = poll(start(case, where, places, timeout), block=True)
    assert outcome is not None
    return outcome


def _read(path: Path) -> str:
    try:
        return path.read_bytes()[:200_000].decode("utf-8", "replace")
    except OSError:
        return ""


def stop_leftovers(where: Path) -> None:
    """Stop a twin the case deployed (`suite deploy` starts it in a session of its own)."""
    from suite.twin.service import STATE_FILE

    state = where / "state" / STATE_FILE
    try:
        pid = int(json.loads(state.read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
        time.sleep(0.2)


def make_base_run(where: Path, timeout: float = 600.0) -> Places:
    """A real run directory, made once: the smoke profile on an in-process twin (stepped clock), in a
    forked child so the parent starts no threads. `where`/reports holds it."""
    reports = where / "reports"
    where.mkdir(parents=True, exist_ok=True)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setpgid(0, 0)
            log = os.open(where / "base-run.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(log, 1)
            os.dup2(log, 2)
            sys.stdout = sys.stderr = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
            os.environ["SUITE_STATE_DIR"] = str(where / "state")
            from suite.fleet.environments import local_target
            from suite.pipeline.run import run_profile
            from tests.helpers.twin import start_twin

            twin = start_twin()
            try:
                run_profile(
                    REPO / "profiles" / "smoke.yaml", "local", reports, target=local_target(twin.state())
                )
            finally:
                twin.stop()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    outcome = poll(Running(pid, where, time.monotonic() + timeout, time.monotonic()), block=True)
    runs = [p for p in reports.iterdir() if p.is_dir()] if reports.is_dir() else []
    if outcome is None or outcome.code != 0 or len(runs) != 1:
        tail = _read(where / "base-run.log")[-2000:]
        raise RuntimeError(f"the base twin run failed (exit {outcome and outcome.code}): {tail}")
    return Places(reports, runs[0].name)


def error_lines(stderr: str) -> list[str]:
    """The error's lines: stderr without argparse's usage block (it precedes argparse's one error line)."""
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    if lines and lines[0].startswith("usage:"):
        for i, line in enumerate(lines):
            if ": error: " in line:
                return lines[i:]
    return lines


def classify(case: Case, outcome: Outcome) -> tuple[str, str]:
    """(one of OUTCOMES, a short detail)."""
    if outcome.code is None:
        return "hang", f"killed after {outcome.seconds:.0f} s"
    if "Traceback (most recent call last)" in outcome.stderr:
        last = [ln for ln in outcome.stderr.splitlines() if ln.strip()]
        return "traceback", (last[-1] if last else "")[:160]
    code, lines = outcome.code, error_lines(outcome.stderr)
    if code in (2, 3):
        if len(lines) != 1:
            return "multi-line", f"exit {code}, {len(lines)} lines: {' | '.join(ln[:60] for ln in lines[:3])}"
        if CANARY in lines[0]:
            return "unbounded", "the error echoes the input's contents"
        if len(lines[0]) > MAX_LINE:
            return "unbounded", f"a {len(lines[0])}-character error line"
        if code == 3 and (case.must_fail or not case.network):
            return "wrong-exit", f"exit 3 for an input problem: {lines[0][:120]}"
        return "pass", lines[0][:160]
    if code in (0, 1, 4) and not case.must_fail:
        return "pass", f"exit {code}"
    return "wrong-exit", f"exit {code} for an invalid input" if code in (0, 1, 4) else f"exit {code}"

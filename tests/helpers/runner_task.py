"""One runner task, offline: the REAL terraform/templates/jit_init.sh and bootstrap.sh under bash, against
a twin on loopback, a stand-in task metadata endpoint (a loopback HTTP server answering `/task` with
tests/fixtures/task_metadata/task.json) and the stand-in runner (tests/fixtures/runner_standin/: run.sh,
run-helper.sh and bin/Runner.Listener, copied into the runner's home).

Each container gets only the environment its task definition gives it (terraform/ecs.tf), plus PATH.
Nothing here sleeps on the wall clock to race a process: waits are on the twin's registry (a condition)
or on a file the stand-in writes, each with a bound.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from suite.twin.service import Twin

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "terraform" / "templates"
STANDIN = ROOT / "tests" / "fixtures" / "runner_standin"
TASK_JSON = ROOT / "tests" / "fixtures" / "task_metadata" / "task.json"
TASK_ID = json.loads(TASK_JSON.read_text())["TaskARN"].rsplit("/", 1)[-1]
LABELS = ("self-hosted", "linux", "x64", "ecs-fargate")
BOUND_S = 10.0  # the bound of every wait: "within seconds"


class MetadataEndpoint:
    """`${ECS_CONTAINER_METADATA_URI_V4}/task` on loopback."""

    def __init__(self) -> None:
        body = TASK_JSON.read_bytes()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                ok = self.path == "/v4/task"
                payload = body if ok else b"{}"
                self.send_response(200 if ok else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v4"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RunnerTask:
    """The task's two containers, run in turn as the task definition orders them."""

    def __init__(self, twin: Twin, tmp: Path, metadata: MetadataEndpoint) -> None:
        self.twin = twin
        self.volume = tmp / "jit"
        self.volume.mkdir()
        self.home = tmp / "home"
        shutil.copytree(STANDIN, self.home)
        self.config_file = self.volume / "config"
        owner, repo = twin.config.repo.split("/")
        self.init_env = {
            "PATH": os.environ["PATH"],
            "GITHUB_API_URL": twin.github_url,
            "RUNNER_SCOPE": "repo",
            "GITHUB_OWNER": owner,
            "GITHUB_REPO": repo,
            "RUNNER_LABELS": ",".join(LABELS),
            "RUNNER_GROUP": "",
            "RUNNER_WORK_FOLDER": "_work",
            "JIT_CONFIG_FILE": str(self.config_file),
            "ECS_CONTAINER_METADATA_URI_V4": metadata.uri,
        }
        self.runner_env = {"PATH": os.environ["PATH"], "JIT_CONFIG_FILE": str(self.config_file)}
        self.runner: subprocess.Popen[str] | None = None

    @property
    def registry(self) -> Any:
        return self.twin.github.runner_registry

    def init(self, credential: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        env = {**self.init_env, "GITHUB_CREDENTIAL": json.dumps(credential)}
        return subprocess.run(
            ["bash", "-c", (TEMPLATES / "jit_init.sh").read_text()],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def start_runner(self, script: str | None = None, extra_env: dict[str, str] | None = None) -> None:
        """The runner container: `bash -c <bootstrap.sh>` in the runner's home, its own process group."""
        self.runner = subprocess.Popen(
            ["bash", "-c", script if script is not None else (TEMPLATES / "bootstrap.sh").read_text()],
            cwd=self.home,
            env={**self.runner_env, **(extra_env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def wait_file(self, name: str, timeout_s: float = BOUND_S) -> bool:
        """Wait for a file the stand-in writes (a bounded poll: the process is outside the test)."""
        path = self.home / name
        deadline = time.monotonic() + timeout_s
        while not path.exists():
            if time.monotonic() > deadline or (self.runner is not None and self.runner.poll() is not None):
                return path.exists()
            time.sleep(0.01)
        return True

    def online(self, timeout_s: float = BOUND_S) -> bool:
        return bool(self.registry.wait_until(lambda r: any(x.session for x in r.runners.values()), timeout_s))

    def removed(self, timeout_s: float = BOUND_S) -> bool:
        return bool(self.registry.wait_until(lambda r: TASK_ID in r.removed, timeout_s))

    def stop(self, sig: int = signal.SIGTERM) -> None:
        assert self.runner is not None
        self.runner.send_signal(sig)

    def kill(self) -> None:
        """End whatever the runner container started: every process of its session (run.sh's `set -m`
        gives the listener a process group of its own, and the container's first process may be gone
        while a listener it left behind polls on), whether or not the first process still runs."""
        if self.runner is None:
            return
        for pid in session_members(self.runner.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.runner.poll() is None:
            self.runner.wait(BOUND_S)


def session_members(sid: int) -> list[int]:
    """Every process whose session id is `sid` (/proc/PID/stat field 6)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state ppid pgrp session ...
        if int(fields[3]) == sid:
            out.append(int(entry.name))
    return out


def descendants(pid: int) -> list[int]:
    """`pid` and every process started under it (from /proc's parent links)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def credential_leaks(pids: list[int], secret: str) -> list[str]:
    """Where the long-lived credential shows in these processes: their environment (any variable named
    GITHUB_CREDENTIAL, or the secret's value anywhere) or their command line."""
    leaks = []
    for pid in pids:
        for part in ("environ", "cmdline"):
            try:
                data = (Path("/proc") / str(pid) / part).read_bytes()
            except OSError:
                continue  # exited meanwhile
            if secret.encode() in data or (part == "environ" and b"GITHUB_CREDENTIAL=" in data):
                leaks.append(f"/proc/{pid}/{part}")
    return leaks

"""`suite deploy|destroy|status --env local`: the twin as a fleet that outlives the command.

The twin runs as a background process (python -m suite.twin.serve) with its state in .suite/twin.json,
so `make deploy && make test-capacity && make destroy` works locally as it will against AWS.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from suite.errors import EnvironmentFailure
from suite.fleet.environments import local_target, state_dir
from suite.fleet.readiness import wait_target_online
from suite.github.client import GitHubClient
from suite.twin.faults import FaultsConfig
from suite.twin.fleet import FleetConfig
from suite.twin.limits import LimitsConfig
from suite.twin.service import STATE_FILE, pid_alive, read_state

START_TIMEOUT_S = 60.0  # real seconds for the process to write its state (its clock starts there)
READY_TIMEOUT_S = 900.0  # virtual seconds for every runner to come online


def deploy(
    fleet: FleetConfig,
    speed: float,
    idle_timeout_s: float,
    limits: LimitsConfig | None = None,
    faults: FaultsConfig | None = None,
) -> dict[str, Any]:
    """Start the twin as a background process and wait until every runner is online. `limits` and
    `faults` default to the twin's own defaults (GitHub's limits on, no faults)."""
    sdir = state_dir()
    state = read_state(sdir)
    if state and pid_alive(int(state["pid"])):
        print(
            f"A local twin is already running (pid {state['pid']}, {state['github_url']}); "
            "`suite destroy` first to change its sizing."
        )
        return state
    (sdir / STATE_FILE).unlink(missing_ok=True)
    sdir.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {"speed": speed, "fleet": fleet.to_dict(), "idle_timeout_s": idle_timeout_s}
    if limits is not None:
        config["limits"] = limits.to_dict()
    if faults is not None:
        config["faults"] = faults.to_dict()
    log = (sdir / "twin.log").open("a")
    proc = subprocess.Popen(
        [sys.executable, "-m", "suite.twin.serve", "--state-dir", str(sdir), "--config", json.dumps(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # outlives this command and its terminal
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while (state := read_state(sdir)) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise EnvironmentFailure(f"the local twin did not start; see {sdir / 'twin.log'}")
        time.sleep(0.1)
    wait_target_online(local_target(state), READY_TIMEOUT_S)
    return state


def destroy() -> bool:
    """Stop the twin and prove it is gone (process ended, port closed). False if none was running."""
    sdir = state_dir()
    state = read_state(sdir)
    if state is None:
        return False
    pid = int(state["pid"])
    if pid_alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
    (sdir / STATE_FILE).unlink(missing_ok=True)
    for url in (state["github_url"], state["aws_endpoint"]):
        if _port_open(url):
            raise EnvironmentFailure(f"the twin's process {pid} stopped but {url} still answers")
    return True


def _port_open(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) == 0


def status() -> dict[str, Any] | None:
    state = read_state(state_dir())
    if state is None or not pid_alive(int(state["pid"])):
        return None
    target = local_target(state)
    with GitHubClient(target.github_url, target.repo, target.token, clock=target.clock) as gh:
        runners = gh.list_runners()
    return {"state": state, "runners": runners}


def state_path() -> Path:
    return state_dir() / STATE_FILE

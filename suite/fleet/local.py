"""`suite deploy|destroy|status --env local`: the twin as a fleet that outlives the command.

The twin runs as a background process (python -m suite.twin.serve) with its state in .suite/twin.json,
so `make deploy && make test-capacity && make destroy` works locally as it will against AWS.

Deploying onto a running twin is idempotent at the same sizing (runner count, ephemeral or persistent,
task CPU and memory, Container Insights mode, cold start, seed, clock speed, the folder of the user's
workflows its repository holds: `--workflows DIR`) and a usage error at another,
with the flags that match the running twin: `deploy && run` never measures a fleet other than the one asked.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from suite.errors import EnvironmentFailure, UsageError
from suite.fleet.environments import local_target, state_dir
from suite.fleet.readiness import wait_target_online
from suite.github.client import GitHubClient
from suite.profiles.userfile import display_path
from suite.twin.faults import FaultsConfig
from suite.twin.fleet import FleetConfig
from suite.twin.limits import LimitsConfig
from suite.twin.service import STATE_FILE, pid_alive, read_state
from suite.twin.workflows import repo_workflows

START_TIMEOUT_S = 60.0  # real seconds for the process to write its state (its clock starts there)
READY_TIMEOUT_S = 900.0  # virtual seconds for every runner to come online


def deploy(
    fleet: FleetConfig,
    speed: float,
    idle_timeout_s: float,
    limits: LimitsConfig | None = None,
    faults: FaultsConfig | None = None,
    workflows_dir: Path | None = None,
) -> dict[str, Any]:
    """Start the twin as a background process and wait until every runner is online. `limits` and
    `faults` default to the twin's own defaults (GitHub's limits on, no faults); `workflows_dir`: a
    folder of the user's workflow files its repository holds too (read here first: a file that does
    not parse is exit 2 before anything starts)."""
    sdir = state_dir()
    folder = workflows_folder(workflows_dir)
    state = running_at(fleet, speed, folder)
    if state is not None:
        return state
    (sdir / STATE_FILE).unlink(missing_ok=True)
    sdir.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {"speed": speed, "fleet": fleet.to_dict(), "idle_timeout_s": idle_timeout_s}
    if folder is not None:
        config["workflows_dir"] = folder
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


# what `suite deploy --env local` sets, as (state["fleet"] key, the deploy flag that sets it)
SIZING_FLAGS = (
    ("runner_count", "--runners"),
    ("ephemeral", "--persistent"),
    ("task_cpu", "--task-cpu"),
    ("task_memory", "--task-memory"),
    ("container_insights", "--container-insights"),
    ("cold_start_s", "--cold-start"),
    ("seed", "--seed"),
    ("completion_jitter_s", "--completion-jitter"),
    ("cpu_bound_share", "--cpu-bound-share"),
    ("job_threads", "--job-threads"),
)


def workflows_folder(folder: Path | None) -> str | None:
    """The workflow folder as the twin's state names it (absolute), its files checked; None: none."""
    if folder is None:
        return None
    repo_workflows(folder)  # every file parses and every called file is there: else exit 2 now
    return str(folder.resolve())


def deployed_workflows_dir() -> Path | None:
    """The workflow folder the deployed twin's repository holds (None: none, or no twin deployed): what
    a redeploy at another sizing (validate-sizing) keeps."""
    state = read_state(state_dir())
    folder = state.get("workflows_dir") if state is not None else None
    return Path(folder) if isinstance(folder, str) else None


def running_at(fleet: FleetConfig, speed: float, workflows_dir: str | None = None) -> dict[str, Any] | None:
    """The state of a twin already running at this sizing and speed (and workflow folder); None when
    none runs. A twin of another sizing is a UsageError naming the difference and the two ways out."""
    state = read_state(state_dir())
    if state is None or not pid_alive(int(state["pid"])):
        return None
    diff = sizing_differences(state, fleet, speed, workflows_dir)
    if diff:
        running = describe(state["fleet"], float(state["clock"]["speed"]))
        raise UsageError(
            f"a {running} twin is running (pid {state['pid']}), not the {describe(fleet.to_dict(), speed)} "
            f"one asked for ({'; '.join(what for what, _ in diff)}): `suite destroy --env local` first, "
            f"or deploy {_fix(flag for _, flag in diff)}"
        )
    return state


def sizing_differences(
    state: dict[str, Any], fleet: FleetConfig, speed: float, workflows_dir: str | None = None
) -> list[tuple[str, str]]:
    """(what differs, the deploy flag that asks for the running twin's value) for each field in which
    the running twin (its state) differs from `fleet` at `speed` with `workflows_dir`."""
    # through FleetConfig: a state written before a field existed reads as the field's default
    running, asked = FleetConfig.from_dict(state["fleet"]).to_dict(), fleet.to_dict()
    out: list[tuple[str, str]] = []
    for key, flag in SIZING_FLAGS:
        have, want = running[key], asked[key]
        if have == want:
            continue
        if key == "ephemeral":
            out.append(
                ("running ephemeral, asked persistent", "without --persistent")
                if have
                else ("running persistent, asked ephemeral", flag)
            )
        elif key == "cold_start_s":
            out.append(
                (
                    f"cold start {have[0]}-{have[1]} s, asked {want[0]}-{want[1]}",
                    f"{flag} {have[0]}-{have[1]}",
                )
            )
        elif key == "job_threads" and have is None:
            out.append((f"job threads unlimited, asked {want}", f"without {flag}"))
        else:
            out.append((f"{key} {have}, asked {want}", f"{flag} {have}"))
    have_speed = float(state["clock"]["speed"])
    if have_speed != speed:
        out.append((f"clock {have_speed:g}x, asked {speed:g}x", f"--speed {have_speed:g}"))
    have_dir = state.get("workflows_dir")
    if have_dir != workflows_dir:
        shown = display_path(have_dir) if have_dir else "none"
        asked_dir = display_path(workflows_dir) if workflows_dir else "none"
        flag = f"--workflows {display_path(have_dir)}" if have_dir else "without --workflows"
        out.append((f"workflows folder {shown}, asked {asked_dir}", flag))
    return out


def _fix(flags: Iterable[str]) -> str:
    """'with --runners 4 --speed 60 without --persistent'"""
    given = list(flags)
    withs = [f for f in given if not f.startswith("without ")]
    return " ".join([*(["with " + " ".join(withs)] if withs else []), *(f for f in given if f not in withs)])


def describe(fleet: dict[str, Any], speed: float) -> str:
    """'4-runner ephemeral (1024 CPU / 2048 MiB, 60x)'"""
    kind = "ephemeral" if fleet["ephemeral"] else "persistent"
    return (
        f"{fleet['runner_count']}-runner {kind} ({fleet['task_cpu']} CPU / {fleet['task_memory']} MiB, "
        f"{speed:g}x)"
    )


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

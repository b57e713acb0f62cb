"""The twin as one service: virtual clock + fleet simulator + fake GitHub API + moto server.

`Twin.start()` runs it in this process (tests, `suite run` without a deployed twin);
`python -m suite.twin.serve` runs it as a background process that outlives the CLI (`suite deploy`),
publishing its addresses, token and clock in a state file.

Its clock is either virtual (wall time x speed; a thread steps the simulator every `tick_s` real
seconds) or stepped (`clock="stepped"`, in-process only: the simulator steps with the clock, which
moves only when the suite's threads all sleep or a test advances it; `state()` hands that clock object
itself to the suite, so both read one time).
"""

from __future__ import annotations

import os
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from suite.clock import SteppedClock, VirtualClock
from suite.rundir.jsonio import read_json, write_json
from suite.twin.app_auth import AppConfig
from suite.twin.aws import AwsTwin, task_events_log_group
from suite.twin.faults import FaultsConfig
from suite.twin.fleet import Fleet, FleetConfig
from suite.twin.github_api import GitHubState, make_server
from suite.twin.limits import LimitsConfig
from suite.twin.sampler import TaskSampler
from suite.twin.workflows import repo_workflows

# CloudWatch (and moto) take datapoints and log events from at most 14 days ago to 2 hours ahead.
# Virtual time starts 7 days in the past so a 60x twin stays inside that range for ~2.8 hours. At speed 1
# it starts now (`virtual_origin`): the twin's clock is the wall clock, so its `Date`, `x-ratelimit-reset`
# and `retry-after` mean to any client what they mean on GitHub.
VIRTUAL_ORIGIN_AGE_S = 7 * 86400
STATE_FILE = "twin.json"
CLOCKS = ("virtual", "stepped")
CLOCK_ENV = "SUITE_TWIN_CLOCK"


@dataclass(frozen=True)
class TwinConfig:
    speed: float = 60.0
    fleet: FleetConfig = field(default_factory=FleetConfig)
    repo: str = "runner-suite/twin-target"
    idle_timeout_s: float = 1800.0  # real seconds without an API request before the twin stops itself
    tick_s: float = 0.05  # real seconds between simulator steps / AWS flushes
    limits: LimitsConfig = field(default_factory=LimitsConfig)  # GitHub's limits, on by default
    faults: FaultsConfig = field(default_factory=FaultsConfig)  # injected faults, none by default
    app: AppConfig | None = None  # a GitHub App whose installation tokens the twin accepts
    # the world's clock − the twin's (the suite's, in process: the suite's clock is the one that is off):
    # GitHub's timestamps, its `Date` header and rate-limit resets, and AWS's metric and task-event stamps,
    # are on twin clock + skew; the fleet's own clock and truth.json's durations are not moved
    github_skew_s: float = 0.0
    tls: tuple[str, str] | None = None  # (certificate chain file, key file): serve the API over HTTPS
    # "virtual": wall time x speed; "stepped": a SteppedClock (in-process only). Default: $SUITE_TWIN_CLOCK
    # or "virtual" (tests set it so that a command's embedded twin is stepped too)
    clock: str = field(default_factory=lambda: os.environ.get(CLOCK_ENV, "virtual"))
    # a folder of the user's workflow files the twin's repository holds beside the catalogue's
    # (suite.twin.workflows.repo_workflows; `suite deploy --workflows DIR`)
    workflows_dir: str | None = None


class Twin:
    def __init__(self, config: TwinConfig) -> None:
        self.config = config
        wall = time.time()
        origin = virtual_origin(wall, config.speed, config.clock)
        if config.clock not in CLOCKS:
            raise ValueError(f"unknown twin clock {config.clock!r}: choose one of {', '.join(CLOCKS)}")
        self.clock: SteppedClock | VirtualClock
        if config.clock == "stepped":
            self.clock = SteppedClock(origin, config.speed)
            self.clock.add_listener(lambda t: self.step())
        else:
            self.clock = VirtualClock(origin, wall, config.speed)
        self.fleet = Fleet(config.fleet, start=int(origin))
        self.sampler = TaskSampler()  # the in-task sampler's readings, from self.fleet.usage
        self.token = "twin_" + secrets.token_hex(16)
        self.github = GitHubState(
            self.fleet,
            self.clock,
            config.repo,
            self.token,
            limits=config.limits,
            faults=config.faults,
            app=config.app,
            skew_s=config.github_skew_s,
            workflows=repo_workflows(Path(config.workflows_dir) if config.workflows_dir else None),
        )
        self.github.extra_info = lambda: {"aws_flushed_until": self.aws.flushed_until}
        f = config.fleet
        self.aws = AwsTwin(
            f.cluster,
            f.service,
            f.region,
            container_insights=f.container_insights,
            skew_s=config.github_skew_s,  # the suite's clock is the one that is off: AWS agrees with GitHub
        )
        tls = None
        if config.tls is not None:
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(*config.tls)
        self._server = make_server(self.github, tls=tls)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.stopped_reason: str | None = None

    @property
    def github_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.github.scheme}://{host!s}:{port}"

    def start(self) -> Twin:
        self.aws.start()
        self.github.last_request_wall = time.time()
        serve = threading.Thread(target=self._server.serve_forever, name="twin-github", daemon=True)
        self._threads = [serve]
        if isinstance(self.clock, VirtualClock):  # a stepped clock steps the simulator itself
            self._threads.append(threading.Thread(target=self._tick_loop, name="twin-fleet", daemon=True))
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        if self._stop.is_set() and not self._threads:
            return
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        for t in self._threads:
            t.join(timeout=10)
        self._threads = []
        self.aws.stop()

    def wait(self) -> None:
        """Block until the twin stops (signal, idle timeout or the end of its virtual time range)."""
        while not self._stop.wait(0.5):
            pass

    def stopped(self, timeout_s: float) -> bool:
        """Whether the twin stops within `timeout_s` real seconds (returns as soon as it does)."""
        return self._stop.wait(timeout_s)

    def __enter__(self) -> Twin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _tick_loop(self) -> None:
        while not self._stop.wait(self.config.tick_s):
            self.step()
            if time.time() - self.github.last_request_wall > self.config.idle_timeout_s:
                self.stopped_reason = f"idle for {self.config.idle_timeout_s:.0f} s"
                self._stop.set()
            elif self.clock.now() > time.time() + 3600:
                self.stopped_reason = "virtual time left the range CloudWatch accepts"
                self._stop.set()

    def step(self) -> None:
        with self.github.lock:
            now = self.clock.now()
            self.fleet.advance(now)
            samples, self.fleet.metric_samples = self.fleet.metric_samples, []
            events, self.fleet.task_events = self.fleet.task_events, []
            f = self.fleet
            readings = self.sampler.readings(f.tasks, f.usage, f.config, upto=now) if f.config.sampler else []
        self.aws.publish(samples, events, upto=now, readings=readings)

    def state(self) -> dict[str, Any]:
        c = self.config.fleet
        return {
            "pid": os.getpid(),
            "github_url": self.github_url,
            "repo": self.config.repo,
            "token": self.token,
            "aws_endpoint": self.aws.endpoint,
            "region": c.region,
            "cluster": c.cluster,
            "service": c.service,
            "task_events_log_group": task_events_log_group(c.cluster),
            # a stepped clock is shared as the object itself (it lives in this process only)
            "clock": self.clock if isinstance(self.clock, SteppedClock) else self.clock.to_state(),
            "fleet": c.to_dict(),
            "workflows_dir": self.config.workflows_dir,
        }


def virtual_origin(wall: float, speed: float, clock: str) -> float:
    """Where the twin's clock starts, at wall time `wall`. At speed 1 a virtual clock starts at `wall`
    itself (it then reads the wall clock) and a stepped one at `wall`'s whole second (it moves only when
    stepped, from now on); at any other speed, 7 days ago on a whole minute (tests compare stamps with it)."""
    if speed == 1.0:
        return wall if clock == "virtual" else float(int(wall))
    return float(int(wall - VIRTUAL_ORIGIN_AGE_S) // 60 * 60)


def write_state(state_dir: Path, state: dict[str, Any]) -> Path:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / STATE_FILE
    write_json(path, state)
    path.chmod(0o600)  # holds the twin's (loopback-only) token
    return path


def read_state(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / STATE_FILE
    if not path.exists():
        return None
    state: dict[str, Any] = read_json(path)
    return state


def pid_alive(pid: int) -> bool:
    try:  # a twin this process started (fleet_local.deploy called in-process) is a zombie until reaped
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

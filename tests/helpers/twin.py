"""Twins for tests: started on 127.0.0.1 on a stepped clock, a client on the twin's clock, the catalogue.

A test twin's clock moves only when every thread waiting on it sleeps (or the test advances it), so a
test waits for the twin by sleeping on `twin.clock`, never on the wall clock.
"""

from __future__ import annotations

from suite.fleet.environments import local_target
from suite.github.client import GitHubClient
from suite.github.governor import GovernorConfig
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin, TwinConfig


def client_for(twin: Twin, **governor: object) -> GitHubClient:
    """A GitHub client for a running twin, on its clock (governor settings by keyword)."""
    target = local_target(twin.state())
    return GitHubClient(
        target.github_url,
        target.repo,
        target.token,
        clock=target.clock,
        governor=GovernorConfig(**governor),  # type: ignore[arg-type]
    )


def twin_config(speed: float = 300.0, clock: str = "stepped", **config: object) -> TwinConfig:
    """A test twin's configuration: stepped clock, idle timeout 300 s; `speed` is nominal when stepped
    (what "real" seconds in result.json are computed with)."""
    return TwinConfig(speed=speed, clock=clock, **{"idle_timeout_s": 300, **config})  # type: ignore[arg-type]


def start_twin(speed: float = 300.0, clock: str = "stepped", **fleet: object) -> Twin:
    return Twin(twin_config(speed, clock, fleet=FleetConfig(**fleet))).start()  # type: ignore[arg-type]


# the catalogue in profiles/, as issue 5 lists it
CATALOGUE = (
    "smoke",
    "validation",
    "performance",
    "load",
    "spike",
    "stress",
    "capacity",
    "soak",
    "concurrency_burst",
    "multi_job",
    "workload",
    "memory_heavy",
)


def actions_path(twin: Twin) -> str:
    """The Actions API path of the twin's repository: /repos/<owner>/<repo>/actions."""
    return f"/repos/{twin.config.repo}/actions"

"""Twins for tests: started on 127.0.0.1, a client on the twin's clock, the profile catalogue."""

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


def start_twin(speed: float = 300.0, **fleet: object) -> Twin:
    return Twin(TwinConfig(speed=speed, fleet=FleetConfig(**fleet), idle_timeout_s=300)).start()  # type: ignore[arg-type]


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
)

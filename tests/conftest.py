"""Shared fixtures. Every server a test starts listens on 127.0.0.1 and is stopped by the fixture."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from hypothesis import settings

from suite.environments import local_target
from suite.github.client import GitHubClient
from suite.github.governor import GovernorConfig
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin, TwinConfig

# CI (.ci/run sets CI=true) draws the same hypothesis examples every run, so a submission's CI never
# fails on an edge case found by chance; a developer's `make test` keeps exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees a twin a developer deployed by hand, or GITHUB_STEP_SUMMARY of a CI job."""
    monkeypatch.setenv("SUITE_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


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


@pytest.fixture
def twin() -> Iterator[Twin]:
    tw = start_twin()
    try:
        yield tw
    finally:
        tw.stop()


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


@dataclass
class FakeClock:
    """A clock whose sleep only moves its own time (and records the sleeps): for code that waits,
    tested without waiting."""

    t: float = 0.0
    speed: float = 1.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(seconds, 0.0)

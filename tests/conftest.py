"""Shared fixtures. Every server a test starts listens on 127.0.0.1 and is stopped by the fixture.

Helpers (twins, clocks, synthetic run directories, GitHub examples, the OpenAPI fixture) live in
tests/helpers/; this file holds only fixtures and the hypothesis profile.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from suite.twin.service import Twin
from tests.helpers.twin import start_twin

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


@pytest.fixture
def twin() -> Iterator[Twin]:
    tw = start_twin()
    try:
        yield tw
    finally:
        tw.stop()

"""A suite.yaml whose `existing:` section points at an in-process twin (its GitHub API over loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from suite.twin.service import Twin


def suite_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, twin: Twin, extra: str = "") -> Path:
    """Write it (the fleet's labels, then `extra` lines of the section) and point SUITE_CONFIG at it."""
    path = tmp_path / "suite.yaml"
    path.write_text(
        "existing:\n"
        f"  repo: {twin.config.repo}\n"
        f"  github_api_url: {twin.github_url}\n"
        "  runner_labels: [self-hosted, ecs-fargate]\n" + extra
    )
    monkeypatch.setenv("SUITE_CONFIG", str(path))
    return path

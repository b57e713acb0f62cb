"""manifest.json: what a run was (profile, environment, fleet, GitHub, clock) and when it started and ended.

Written when the run starts (ended_at and clock_offset_s null), again on an abort (`aborted`), and at
the end; `suite collect` after an interruption fills in ended_at with `ended_by`. `not_collected`
(set by the pipeline, again by `suite collect`) names what the fleet could not give and why:
{"metrics": reason, "tasks": reason} (e.g. an `existing` fleet without an ECS cluster).
"""

from __future__ import annotations

from typing import Any

from suite import __version__
from suite.clock import iso_ms


def new_manifest(
    test_run_id: str,
    profile: dict[str, Any],
    environment: str,
    fleet: dict[str, Any],
    github: dict[str, Any],
    speed: float,
    started: float,
    *,
    ended_by: str | None = None,
    clock_offset_s: float | None = None,
) -> dict[str, Any]:
    """The manifest of a run that starts at `started` (epoch seconds on the run's clock)."""
    manifest: dict[str, Any] = {
        "test_run_id": test_run_id,
        "profile": profile,
        "environment": environment,
        "fleet": fleet,
        "github": github,
        "suite_version": __version__,
        "clock": {"speed": speed},
        "started_at": iso_ms(started),
        "ended_at": None,
    }
    if ended_by is not None:
        manifest["ended_by"] = ended_by
    manifest["clock_offset_s"] = clock_offset_s
    return manifest

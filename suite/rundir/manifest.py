"""manifest.json: what a run was (profile, environment, fleet, GitHub, clock) and when it started and ended.

Written when the run starts (ended_at and clock_offset_s null), again on an abort (`aborted`), and at
the end; `suite collect` after an interruption fills in ended_at with `ended_by`. `not_collected`
(set by the pipeline, again by `suite collect`) names what the fleet could not give and why:
{"metrics": reason, "tasks": reason} (e.g. an `existing` fleet without an ECS cluster).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from suite import __version__
from suite.clock import iso_ms
from suite.rundir.jsonio import read_json
from suite.rundir.readback import (
    EXPECTED,
    IsoStamps,
    Rule,
    check_fields,
    damaged,
    opt_dict,
    opt_int,
    opt_list,
    opt_number,
    opt_str,
)


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


MANIFEST_FIX = (
    "a run directory cannot be reported without it: restore it from a copy, or run the profile again"
)


def _rules() -> Rule:
    stamps = IsoStamps()
    return (
        ("profile", _profile),
        ("environment", opt_str),
        ("test_run_id", opt_str),
        ("fleet", _fleet),
        ("github", opt_dict),
        ("clock", _clock),
        ("started_at", stamps.opt_iso),
        ("ended_at", stamps.opt_iso),
        ("ended_by", opt_str),
        ("clock_offset_s", opt_number),
        ("not_collected", _not_collected),
        ("aborted", opt_dict),
        ("suite_version", opt_str),
    )


def _profile(v: Any) -> bool:
    """An object as the pipeline and the report read it: name, pattern, drain_timeout_s, thresholds."""
    if v is None:
        return True
    if type(v) is not dict or not opt_str(v.get("name")) or not opt_dict(v.get("pattern")):
        return False
    if not opt_number(v.get("drain_timeout_s")):
        return False
    thresholds = v.get("thresholds")
    return thresholds is None or (
        type(thresholds) is list and all(type(t) in (str, dict) for t in thresholds)
    )


def _fleet(v: Any) -> bool:
    if v is None:
        return True
    if type(v) is not dict or not opt_int(v.get("runner_count")) or not opt_list(v.get("labels")):
        return False
    return all(opt_number(v.get(k)) for k in ("task_cpu", "task_memory"))


def _clock(v: Any) -> bool:
    return v is None or (type(v) is dict and opt_number(v.get("speed")) and (v.get("speed") or 1) > 0)


def _not_collected(v: Any) -> bool:
    return v is None or (type(v) is dict and all(type(x) is str for x in v.values()))


EXPECTED[_profile] = (
    "an object or null (name a string, pattern an object, drain_timeout_s a number, thresholds a list)"
)
EXPECTED[_fleet] = (
    "an object or null (runner_count an integer, task_cpu and task_memory numbers, labels a list)"
)
EXPECTED[_clock] = "an object or null (speed a positive number)"
EXPECTED[_not_collected] = "an object of reasons (strings) or null"


def read_manifest(path: Path, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """manifest.json, checked field by field (suite.rundir.readback): a damaged one is a UsageError
    naming the file and the field. `required`: fields the caller cannot do without (`suite report`:
    profile; `suite collect`: profile and environment); the others may be absent (null)."""
    manifest = check_fields(path, read_json(path, MANIFEST_FIX), _rules(), MANIFEST_FIX)
    for key in required:
        if manifest.get(key) is None:
            raise damaged(path, "", f"`{key}` is missing", MANIFEST_FIX)
    return manifest

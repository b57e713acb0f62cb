"""`suite deploy --env local` onto a running twin: the same sizing is idempotent, another is exit 2 with
the flags that match the running twin (docs/architecture.md: the run directory's manifest holds the
fleet the run measured, so `deploy && run` must never measure another)."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.cli.fleet import twin_fleet
from suite.cli.main import build_parser
from suite.errors import UsageError
from suite.fleet import local as fleet_local
from suite.twin.fleet import FleetConfig

SIZINGS = st.fixed_dictionaries(
    {
        "--runners": st.sampled_from(["1", "4", "6"]),
        "--task-cpu": st.sampled_from(["512", "1024", "2048"]),
        "--task-memory": st.sampled_from(["1024", "2048", "4096"]),
        "--container-insights": st.sampled_from(["enhanced", "standard"]),
        "--cold-start": st.sampled_from(["45-90", "10-20"]),
        "--seed": st.sampled_from(["0", "3"]),
        "--speed": st.sampled_from(["60", "120"]),
        "--persistent": st.booleans(),
    }
)


def argv(sizing: dict[str, Any]) -> list[str]:
    out = ["deploy", "--env", "local"]
    for flag, value in sizing.items():
        if flag == "--persistent":
            out += [flag] if value else []
        else:
            out += [flag, value]
    return out


def fleet_of(args: list[str]) -> tuple[FleetConfig, float]:
    ns = build_parser().parse_args(args)
    return twin_fleet(ns), ns.speed


def state_of(fleet: FleetConfig, speed: float, pid: int = 1) -> dict[str, Any]:
    """A twin's state file as the twin writes it (JSON: tuples become lists)."""
    return json.loads(json.dumps({"pid": pid, "fleet": fleet.to_dict(), "clock": {"speed": speed}}))


@settings(max_examples=150, deadline=None)
@given(running=SIZINGS, asked=SIZINGS)
def test_the_suggested_flags_ask_for_the_running_twin(running: dict[str, Any], asked: dict[str, Any]) -> None:
    state = state_of(*fleet_of(argv(running)))
    diff = fleet_local.sizing_differences(state, *fleet_of(argv(asked)))
    assert (diff == []) == (running == asked)
    # the fix the error gives, applied to the command as typed, deploys exactly the running twin
    fixed = argv(asked)
    for _, flag in diff:
        if flag == "without --persistent":
            fixed.remove("--persistent")
        else:
            fixed += shlex.split(flag)
    assert fleet_local.sizing_differences(state, *fleet_of(fixed)) == []


def test_another_sizing_is_a_usage_error_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUITE_STATE_DIR", str(tmp_path))
    running, speed = fleet_of(["deploy", "--speed", "60"])
    (tmp_path / "twin.json").write_text(json.dumps(state_of(running, speed, pid=os.getpid())))
    with pytest.raises(UsageError) as err:
        fleet_local.running_at(*fleet_of(["deploy", "--runners", "6", "--persistent"]))
    assert str(err.value) == (
        f"a 4-runner ephemeral (1024 CPU / 2048 MiB, 60x) twin is running (pid {os.getpid()}), not the "
        "6-runner persistent (1024 CPU / 2048 MiB, 60x) one asked for (runner_count 4, asked 6; running "
        "ephemeral, asked persistent): `suite destroy --env local` first, or deploy with --runners 4 "
        "without --persistent"
    )
    assert fleet_local.running_at(running, speed) is not None  # the same sizing: reused
    (tmp_path / "twin.json").unlink()
    assert fleet_local.running_at(running, speed) is None  # nothing running

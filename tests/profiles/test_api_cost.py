"""One API-cost model: `suite profiles` lists the figure `suite run`'s budget preflight prints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from suite.cli.profiles import describe, profiles_command
from suite.pipeline import run
from suite.profiles.profile import list_profiles

PROFILES = Path(__file__).resolve().parents[2] / "profiles"


class NoLimit:
    """A GitHub client whose GET /rate_limit reports no limit: the preflight prints its plan only."""

    def rate_limit(self) -> dict[str, Any]:
        return {}


def preflight_figure(profile: Any, capsys: pytest.CaptureFixture[str]) -> int:
    """The counted requests `suite run` prints before it dispatches (its own schedule, as _run passes it)."""
    offsets = profile.schedule()
    run._preflight(profile, NoLimit(), 0.0, len(offsets), offsets[-1] if offsets else 0.0, False)  # type: ignore[arg-type]
    m = re.search(r"= (\d+) counted requests", capsys.readouterr().out)
    assert m
    return int(m[1])


def test_profiles_and_the_preflight_print_the_same_figure(capsys: pytest.CaptureFixture[str]) -> None:
    profiles_command("list", None, PROFILES)
    listed = {
        line.split()[0]: int(m[1])
        for line in capsys.readouterr().out.splitlines()
        if (m := re.search(r"~(\d+)\s*$", line))
    }
    profiles = list_profiles(PROFILES)
    assert set(listed) == {p.name for p in profiles}
    for profile in profiles:
        figure = preflight_figure(profile, capsys)
        assert listed[profile.name] == figure, profile.name
        assert f"about {figure} counted GitHub requests" in describe(profile)
    # 45 dispatches + 45 job reads + 10 progress (8 polls, 220 s apart, the runners at 2 of them) + 38
    assert listed["capacity"] == 138

"""RunTracker's `created` bound is on GitHub's clock: a run not yet seen is looked for from its scheduled
time moved by the measured offset; a run seen but not completed from its own created_at."""

from __future__ import annotations

from typing import Any

import pytest

from suite.clock import iso, iso_ms
from suite.collect.runs import RunTracker
from suite.github.clock_offset import CLOCK_MARGIN_S, DATE_ERROR_S

T0 = 1_800_000_000.0


class Listing:
    """A RunsReader whose GitHub clock is `offset` from ours, filtering on `created` as GitHub does."""

    def __init__(self, offset: float, runs: list[dict[str, Any]]) -> None:
        self.offset, self.runs = offset, runs

    def clock_offset_s(self) -> float | None:
        return self.offset

    def clock_offset_low_s(self) -> float | None:
        return self.offset

    def rate_limit(self) -> dict[str, Any]:
        return {}

    def list_runs(
        self, created_since_iso: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        return [r for r in self.runs if created_since_iso is None or r["created_at"] >= created_since_iso]

    def list_jobs(self, run_id: int, filter: str = "all") -> list[dict[str, Any]]:
        return []


def ledger(n: int) -> list[dict[str, Any]]:
    return [
        {
            "seq": i,
            "suite_id": f"s-{i}",
            "scheduled_at": iso_ms(T0 + 60 * i),
            "status": 204,
            "workflow_run_id": None,
        }
        for i in range(1, n + 1)
    ]


def run(i: int, created: float, status: str) -> dict[str, Any]:
    return {"id": 100 + i, "display_title": f"s-{i}", "created_at": iso(created), "status": status}


@pytest.mark.parametrize("offset", [-900.0, -400.0, 0.0, 900.0])
def test_runs_not_yet_seen_are_looked_for_on_github_s_clock(offset: float) -> None:
    # GitHub created each run 2 s after it was scheduled, on its own clock
    runs = [run(i, T0 + 60 * i + offset + 2, "queued") for i in (1, 2, 3)]
    listing = Listing(offset, runs)
    tracker = RunTracker(listing, ledger(3))
    assert tracker.since() == iso(T0 + 60 + offset - DATE_ERROR_S - CLOCK_MARGIN_S)
    assert tracker.poll()["missing"] == 0  # every run found, whatever the offset
    # seen and not completed: from the oldest one's created_at, no margin needed (GitHub's own stamp)
    assert tracker.since() == runs[0]["created_at"]
    runs[0]["status"] = "completed"
    tracker.poll()
    assert tracker.since() == runs[1]["created_at"]

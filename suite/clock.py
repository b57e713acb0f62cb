"""Clocks. All time in the suite is read and waited through a Clock.

Against real GitHub/AWS the clock is the wall clock. Against the local twin it is the twin's
virtual clock: virtual = virtual_origin + (wall - wall_origin) * speed. The parameters live in the
twin's state file, so every process that reads them agrees on virtual time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    speed: float

    def now(self) -> float:
        """Seconds since the Unix epoch, in this clock's time."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait this many seconds of this clock's time."""
        ...


@dataclass
class WallClock:
    speed: float = 1.0

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass
class VirtualClock:
    """Virtual time running `speed` times faster than the wall clock from a fixed origin."""

    virtual_origin: float
    wall_origin: float
    speed: float

    def now(self) -> float:
        return self.virtual_origin + (time.time() - self.wall_origin) * self.speed

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.speed)

    def to_state(self) -> dict[str, float]:
        return {"virtual_origin": self.virtual_origin, "wall_origin": self.wall_origin, "speed": self.speed}

    @classmethod
    def from_state(cls, state: dict[str, float]) -> VirtualClock:
        return cls(float(state["virtual_origin"]), float(state["wall_origin"]), float(state["speed"]))

    @classmethod
    def starting_at(cls, virtual_origin: float, speed: float) -> VirtualClock:
        return cls(virtual_origin, time.time(), speed)


def sleep_until(clock: Clock, t: float) -> None:
    clock.sleep(t - clock.now())


def iso(t: float) -> str:
    """GitHub-style timestamp (UTC, 1 s resolution): 2026-11-22T10:00:00Z."""
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: float) -> str:
    """Timestamp with milliseconds, for the suite's own records (ledger)."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

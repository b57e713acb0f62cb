"""Clocks for tests of code that waits."""

from __future__ import annotations

from dataclasses import dataclass, field


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

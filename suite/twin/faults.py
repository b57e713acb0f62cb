"""Faults the twin injects, from its config, drawn from seeded random streams.

Dispatches draw from their own stream, other requests from another and latency from a third: which
dispatches fail depends only on the seed and the order of the dispatches, not on how many reads
(progress polls, whose number follows real time) happened in between, so a run's dispatch faults are
the same on every run with the same seed.

error_rate: share of requests answered 502 without being acted on (a dispatch creates nothing).
reset_rate: share of requests whose connection is closed before they are acted on (no answer).
lost_dispatch_rate: share of dispatches that create their run but whose answer never arrives.
latency_s: (min, max) seconds of the twin's clock each answer is delayed by (drawn uniformly; half
before the request is acted on, half after): on the stepped clock of tests, virtual time moves while
the client waits (suite.clock.SteppedClock.delay), so a delay costs the client time, not the test.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

NONE = "none"
ERROR = "error"
RESET = "reset"
LOST = "lost"


@dataclass(frozen=True)
class FaultsConfig:
    error_rate: float = 0.0
    reset_rate: float = 0.0
    lost_dispatch_rate: float = 0.0
    latency_s: tuple[float, float] = (0.0, 0.0)
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("error_rate", "reset_rate", "lost_dispatch_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"faults.{name} must be within 0..1")
        lo, hi = self.latency_s
        if lo < 0 or hi < lo:
            raise ValueError("faults.latency_s must be (min, max) with 0 <= min <= max")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["latency_s"] = list(self.latency_s)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FaultsConfig:
        kw = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if "latency_s" in kw:
            kw["latency_s"] = tuple(kw["latency_s"])
        return cls(**kw)


class Faults:
    """Draws one fault per request (callers hold the twin's lock, so each stream is deterministic
    for a given request order)."""

    def __init__(self, config: FaultsConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._rng_dispatch = random.Random(f"{config.seed}/dispatch")
        self._rng_latency = random.Random(f"{config.seed}/latency")
        self.injected: dict[str, int] = {ERROR: 0, RESET: 0, LOST: 0}
        self.injected_dispatch: dict[str, int] = {ERROR: 0, RESET: 0, LOST: 0}  # the part hitting dispatches

    def draw(self, is_dispatch: bool) -> str:
        c = self.config
        if c.error_rate == c.reset_rate == c.lost_dispatch_rate == 0.0:
            return NONE
        x = (self._rng_dispatch if is_dispatch else self._rng).random()
        fault = NONE
        if x < c.error_rate:
            fault = ERROR
        elif x < c.error_rate + c.reset_rate:
            fault = RESET
        elif is_dispatch and x < c.error_rate + c.reset_rate + c.lost_dispatch_rate:
            fault = LOST
        if fault != NONE:
            self.injected[fault] += 1
            if is_dispatch:
                self.injected_dispatch[fault] += 1
        return fault

    def latency(self) -> float:
        lo, hi = self.config.latency_s
        return 0.0 if hi <= 0 else self._rng_latency.uniform(lo, hi)

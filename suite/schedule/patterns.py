"""Arrival patterns: one class per ``pattern.type``, each owning its fields, their validation, its
(de)serialisation and the arrival times it makes (the rules are in suite.schedule.arrivals).

A pattern reads its fields through :class:`Fields`: suite.profiles reads them from a profile's YAML
(every problem is an error naming file:line), suite.schedule.stored's ``pattern_from_dict`` from a
plain mapping such as manifest.json's ``profile.pattern``. ``to_dict`` writes the mapping both read back.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal, NoReturn, Protocol, Self

from suite.schedule.rates import EPS, Segment, floor_count, segment_arrivals, segment_count

MAX_RAMP_STAGES = 100
# The smallest rate and duration above 0 a pattern takes: below them a schedule's arithmetic leaves the
# floats (a step increment of 5e-324 makes infinitely many steps; a poisson rate of 5e-324 divides by 0).
MIN_RATE_PER_MIN = 1e-6  # one workflow in about two years (tools/bench.py steps by 0.0001/min)
MIN_SECONDS = 0.001
MAX_STEPS = 1000
MAX_BURST_COUNT = 10_000
RAMP_STAGE_KEYS: tuple[str, ...] = ("duration_s", "target_rate_per_min")


class Fields(Protocol):
    """A pattern's fields as its reader sees them; every method validates what it returns."""

    def has(self, key: str) -> bool:
        """The key is present (its value may be null)."""

    def given(self, key: str) -> bool:
        """The key is present and not null."""

    def rate(self, key: str, *, allow_zero: bool = False) -> float:
        """A rate per minute, >= MIN_RATE_PER_MIN (or 0 with allow_zero)."""

    def seconds(self, key: str, *, allow_zero: bool = False) -> float:
        """A duration in seconds, >= MIN_SECONDS (or 0 with allow_zero)."""

    def integer(self, key: str, lo: int, hi: int) -> int:
        """An integer lo..hi."""

    def items(self, key: str, keys: tuple[str, ...], hi: int, what: str) -> Iterator[Fields]:
        """A list of 1..hi mappings, each with exactly ``keys``; ``what`` names one (" in a ramp stage")."""

    def fail(self, key: str, message: str) -> NoReturn:
        """Reject the pattern, naming ``key`` (its line, or the pattern's when the key is absent)."""


def fmt(x: float) -> str:
    """A figure as an error message shows it (4.0 -> 4)."""
    return f"{x:g}" if isinstance(x, float) else str(x)


class _Pattern:
    """What every pattern type provides; the dataclasses below fill it in."""

    REQUIRED: ClassVar[tuple[str, ...]]
    OPTIONAL: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, ``type`` last (the key order manifest.json has always had)."""
        data: dict[str, Any] = asdict(self)  # type: ignore[call-overload]  # every subclass is a dataclass
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    def arrivals(self, seed: int = 0) -> list[float]:
        raise NotImplementedError

    def expected_count(self) -> int:
        raise NotImplementedError

    def window_s(self) -> float:
        raise NotImplementedError

    def peak_rate_per_min(self) -> float:
        raise NotImplementedError


class _RateCurve(_Pattern):
    """A time-varying rate (ramp, spike, step): its arrivals are where the rate's integral reaches k."""

    def segments(self) -> list[Segment]:
        raise NotImplementedError

    def arrivals(self, seed: int = 0) -> list[float]:
        return list(segment_arrivals(self.segments()))

    def expected_count(self) -> int:
        return segment_count(self.segments())

    def window_s(self) -> float:
        return float(sum(seg.duration_s for seg in self.segments()))

    def peak_rate_per_min(self) -> float:
        return max(max(s.start_rate_per_min, s.end_rate_per_min) for s in self.segments())


@dataclass(frozen=True)
class SteadyPattern(_Pattern):
    rate_per_min: float
    duration_s: float
    type: Literal["steady"] = field(default="steady", init=False)

    REQUIRED: ClassVar[tuple[str, ...]] = ("rate_per_min", "duration_s")

    @classmethod
    def read(cls, f: Fields) -> Self:
        return cls(rate_per_min=f.rate("rate_per_min"), duration_s=f.seconds("duration_s"))

    def arrivals(self, seed: int = 0) -> list[float]:
        interval = 60.0 / self.rate_per_min
        return [i * interval for i in range(self.expected_count())]

    def expected_count(self) -> int:
        return floor_count(self.duration_s * self.rate_per_min / 60.0)

    def window_s(self) -> float:
        return float(self.duration_s)

    def peak_rate_per_min(self) -> float:
        return float(self.rate_per_min)


@dataclass(frozen=True)
class PoissonPattern(_Pattern):
    rate_per_min: float
    duration_s: float
    type: Literal["poisson"] = field(default="poisson", init=False)

    REQUIRED: ClassVar[tuple[str, ...]] = ("rate_per_min", "duration_s")

    @classmethod
    def read(cls, f: Fields) -> Self:
        return cls(rate_per_min=f.rate("rate_per_min"), duration_s=f.seconds("duration_s"))

    def arrivals(self, seed: int = 0) -> list[float]:
        rng = random.Random(seed)
        lambd = self.rate_per_min / 60.0
        out: list[float] = []
        t = rng.expovariate(lambd)
        while t < self.duration_s:
            out.append(t)
            t += rng.expovariate(lambd)
        return out

    def expected_count(self) -> int:
        """The mean count, rounded (the actual count depends on the seed)."""
        return round(self.duration_s * self.rate_per_min / 60.0)

    def window_s(self) -> float:
        return float(self.duration_s)

    def peak_rate_per_min(self) -> float:
        return float(self.rate_per_min)


@dataclass(frozen=True)
class BurstPattern(_Pattern):
    count: int
    repeat: int = 1
    every_s: float | None = None
    type: Literal["burst"] = field(default="burst", init=False)

    REQUIRED: ClassVar[tuple[str, ...]] = ("count",)
    OPTIONAL: ClassVar[tuple[str, ...]] = ("repeat", "every_s")

    @classmethod
    def read(cls, f: Fields) -> Self:
        count = f.integer("count", 1, MAX_BURST_COUNT)
        repeat = f.integer("repeat", 1, MAX_BURST_COUNT) if f.has("repeat") else 1
        # every_s: null is "not given" (to_dict writes it so for a single burst)
        every = f.seconds("every_s") if f.given("every_s") else None
        if repeat > 1 and every is None:
            f.fail(
                "every_s",
                f"missing; required when repeat > 1 (got repeat {repeat}): seconds between bursts, > 0",
            )
        return cls(count=count, repeat=repeat, every_s=every)

    def arrivals(self, seed: int = 0) -> list[float]:
        every = self.every_s or 0.0
        return [r * every for r in range(self.repeat) for _ in range(self.count)]

    def expected_count(self) -> int:
        return self.count * self.repeat

    def window_s(self) -> float:
        return float((self.repeat - 1) * (self.every_s or 0.0))

    def peak_rate_per_min(self) -> float:
        return math.inf


@dataclass(frozen=True)
class RampStage:
    duration_s: float
    target_rate_per_min: float


@dataclass(frozen=True)
class RampPattern(_RateCurve):
    stages: tuple[RampStage, ...]
    start_rate_per_min: float = 0.0
    type: Literal["ramp"] = field(default="ramp", init=False)

    REQUIRED: ClassVar[tuple[str, ...]] = ("stages",)
    OPTIONAL: ClassVar[tuple[str, ...]] = ("start_rate_per_min",)

    @classmethod
    def read(cls, f: Fields) -> Self:
        start = f.rate("start_rate_per_min", allow_zero=True) if f.has("start_rate_per_min") else 0.0
        stages = tuple(
            RampStage(
                duration_s=s.seconds("duration_s"),
                target_rate_per_min=s.rate("target_rate_per_min", allow_zero=True),
            )
            for s in f.items("stages", RAMP_STAGE_KEYS, MAX_RAMP_STAGES, " in a ramp stage")
        )
        return cls(stages=stages, start_rate_per_min=start)

    def segments(self) -> list[Segment]:
        out: list[Segment] = []
        rate = self.start_rate_per_min
        for stage in self.stages:
            out.append(Segment(stage.duration_s, rate, stage.target_rate_per_min))
            rate = stage.target_rate_per_min
        return out


@dataclass(frozen=True)
class SpikePattern(_RateCurve):
    baseline_rate_per_min: float
    spike_rate_per_min: float
    baseline_s: float
    spike_s: float
    recovery_s: float
    type: Literal["spike"] = field(default="spike", init=False)

    REQUIRED: ClassVar[tuple[str, ...]] = (
        "baseline_rate_per_min",
        "spike_rate_per_min",
        "baseline_s",
        "spike_s",
        "recovery_s",
    )

    @classmethod
    def read(cls, f: Fields) -> Self:
        baseline = f.rate("baseline_rate_per_min", allow_zero=True)
        spike = f.rate("spike_rate_per_min")
        if spike <= baseline:
            f.fail(
                "spike_rate_per_min", f"must be > baseline_rate_per_min ({fmt(baseline)}), got {fmt(spike)}"
            )
        return cls(
            baseline_rate_per_min=baseline,
            spike_rate_per_min=spike,
            baseline_s=f.seconds("baseline_s", allow_zero=True),
            spike_s=f.seconds("spike_s"),
            recovery_s=f.seconds("recovery_s", allow_zero=True),
        )

    def segments(self) -> list[Segment]:
        b, s = self.baseline_rate_per_min, self.spike_rate_per_min
        return [Segment(self.baseline_s, b, b), Segment(self.spike_s, s, s), Segment(self.recovery_s, b, b)]


@dataclass(frozen=True)
class StepPattern(_RateCurve):
    start_rate_per_min: float
    increment_per_min: float
    step_duration_s: float
    max_rate_per_min: float
    type: Literal["step"] = field(default="step", init=False)

    REQUIRED: ClassVar[tuple[str, ...]] = (
        "start_rate_per_min",
        "increment_per_min",
        "step_duration_s",
        "max_rate_per_min",
    )

    @classmethod
    def read(cls, f: Fields) -> Self:
        start = f.rate("start_rate_per_min", allow_zero=True)
        increment = f.rate("increment_per_min")
        step_s = f.seconds("step_duration_s")
        top = f.rate("max_rate_per_min")
        if top < start:
            f.fail("max_rate_per_min", f"must be >= start_rate_per_min ({fmt(start)}), got {fmt(top)}")
        step = cls(start, increment, step_s, top)
        steps = step.step_count()
        if steps > MAX_STEPS:
            f.fail(
                "increment_per_min",
                f"makes {steps} steps from {fmt(start)} to {fmt(top)} per minute; at most {MAX_STEPS} "
                "steps are allowed, use a larger increment",
            )
        return step

    def step_count(self) -> int:
        """How many steps (without building the list)."""
        span = self.max_rate_per_min - self.start_rate_per_min
        ratio = span / self.increment_per_min if self.increment_per_min > 0 else math.inf
        if not ratio < 1e15:  # counted, never built: MAX_STEPS refuses it (ceil(inf) would raise)
            return 10**15
        return 1 + max(0, math.ceil(ratio - EPS))

    def step_rates(self) -> list[float]:
        """The rate of each step: start, start + increment, ..., the last one max_rate_per_min (a max
        within 1e-9 increments above a step is that step: float noise, as in 0.1 + 2 * 0.1)."""
        return [
            min(self.start_rate_per_min + i * self.increment_per_min, self.max_rate_per_min)
            for i in range(self.step_count())
        ]

    def segments(self) -> list[Segment]:
        return [Segment(self.step_duration_s, r, r) for r in self.step_rates()]

    def window_s(self) -> float:
        return float(self.step_count() * self.step_duration_s)


Pattern = SteadyPattern | PoissonPattern | BurstPattern | RampPattern | SpikePattern | StepPattern
PatternClass = (
    type[SteadyPattern]
    | type[PoissonPattern]
    | type[BurstPattern]
    | type[RampPattern]
    | type[SpikePattern]
    | type[StepPattern]
)
PATTERNS: dict[str, PatternClass] = {
    "steady": SteadyPattern,
    "poisson": PoissonPattern,
    "ramp": RampPattern,
    "spike": SpikePattern,
    "step": StepPattern,
    "burst": BurstPattern,
}
PATTERN_TYPES: tuple[str, ...] = tuple(PATTERNS)

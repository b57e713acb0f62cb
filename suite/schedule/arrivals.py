"""Arrival schedules: when each workflow is dispatched, as offsets in seconds from the start.

Open model (DESIGN.md): the whole schedule is fixed before the run starts, so a slow dispatch is
*late* (dispatch lag), never silently shifted. Everything here is pure and seedable: the same pattern
and seed always give the same list.

Rules, per pattern type (rates are per minute, times in seconds):

- ``steady``: evenly spaced, ``60 / rate_per_min`` apart, the first at offset 0.
  count = ``floor(duration_s * rate_per_min / 60)``, so every arrival is at an offset < duration_s
  (1.5/min for 1800 s gives 45 workflows at 0, 40, 80, ... 1760).
- ``poisson``: exponential inter-arrival times with mean ``60 / rate_per_min`` drawn from
  ``random.Random(seed)``; the first arrival is one inter-arrival time after 0; arrivals at
  offsets >= duration_s are dropped. The count is random (mean ``rate * duration / 60``).
- ``burst``: ``count`` workflows at offset 0; with ``repeat`` > 1 the same burst again every
  ``every_s`` seconds (offsets 0, every_s, 2*every_s, ...).
- ``ramp``, ``spike``, ``step``: a time-varying rate r(t) (piecewise linear for ramp, piecewise
  constant for spike and step). With N(t) = integral of r from 0 to t (the expected number of
  arrivals by t), the k-th arrival (k = 1, 2, ...) is at the time N(t) reaches k, and the count is
  ``floor(N(end))``. A constant segment at rate r therefore places arrivals 60/r apart, the first
  one 60/r after the segment's start (not at 0, unlike ``steady``).

  * ramp: starts at ``start_rate_per_min`` (default 0); each stage moves the rate linearly to its
    ``target_rate_per_min`` over its ``duration_s``.
  * spike: ``baseline_rate_per_min`` for ``baseline_s``, ``spike_rate_per_min`` for ``spike_s``,
    then ``baseline_rate_per_min`` again for ``recovery_s``.
  * step: ``start_rate_per_min`` for ``step_duration_s``, then ``increment_per_min`` more per step,
    each ``step_duration_s`` long; the last step runs at exactly ``max_rate_per_min`` (a step that
    would overshoot it is capped), so the maximum rate is always exercised.

``schedule_duration_s(pattern)`` is the length of the dispatch window: every arrival is at an offset
in [0, duration] (strictly below it for ``steady`` and ``poisson``; ramp/spike/step can place their
last arrival exactly at the end). A ``burst`` is instantaneous: its duration is the offset of the
last burst, ``(repeat - 1) * every_s`` (0 for a single burst).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

# Relative tolerance when a float count lands a hair below an integer (1.5 * 1800 / 60 = 44.999...).
_EPS = 1e-9


@dataclass(frozen=True)
class SteadyPattern:
    rate_per_min: float
    duration_s: float
    type: Literal["steady"] = field(default="steady", init=False)


@dataclass(frozen=True)
class PoissonPattern:
    rate_per_min: float
    duration_s: float
    type: Literal["poisson"] = field(default="poisson", init=False)


@dataclass(frozen=True)
class BurstPattern:
    count: int
    repeat: int = 1
    every_s: float | None = None
    type: Literal["burst"] = field(default="burst", init=False)


@dataclass(frozen=True)
class RampStage:
    duration_s: float
    target_rate_per_min: float


@dataclass(frozen=True)
class RampPattern:
    stages: tuple[RampStage, ...]
    start_rate_per_min: float = 0.0
    type: Literal["ramp"] = field(default="ramp", init=False)


@dataclass(frozen=True)
class SpikePattern:
    baseline_rate_per_min: float
    spike_rate_per_min: float
    baseline_s: float
    spike_s: float
    recovery_s: float
    type: Literal["spike"] = field(default="spike", init=False)


@dataclass(frozen=True)
class StepPattern:
    start_rate_per_min: float
    increment_per_min: float
    step_duration_s: float
    max_rate_per_min: float
    type: Literal["step"] = field(default="step", init=False)


Pattern = SteadyPattern | PoissonPattern | BurstPattern | RampPattern | SpikePattern | StepPattern

PATTERN_TYPES: tuple[str, ...] = ("steady", "poisson", "ramp", "spike", "step", "burst")


@dataclass(frozen=True)
class Segment:
    """A stretch of the rate curve: the rate moves linearly from start to end over duration_s."""

    duration_s: float
    start_rate_per_min: float
    end_rate_per_min: float

    @property
    def expected(self) -> float:
        """Expected arrivals in this segment (the integral of the rate)."""
        return (self.start_rate_per_min + self.end_rate_per_min) / 2.0 * self.duration_s / 60.0


def _floor_count(x: float) -> int:
    return math.floor(x + _EPS * max(1.0, abs(x)))


def step_rates(pattern: StepPattern) -> list[float]:
    """The rate of each step: start, start + increment, ..., the last one max_rate_per_min (a max within
    1e-9 increments above a step is that step: float noise, as in 0.1 + 2 * 0.1)."""
    return [
        min(pattern.start_rate_per_min + i * pattern.increment_per_min, pattern.max_rate_per_min)
        for i in range(step_count(pattern))
    ]


def step_count(pattern: StepPattern) -> int:
    """How many steps a step pattern has (without building the list)."""
    span = pattern.max_rate_per_min - pattern.start_rate_per_min
    return 1 + max(0, math.ceil(span / pattern.increment_per_min - _EPS))


def rate_segments(pattern: RampPattern | SpikePattern | StepPattern) -> list[Segment]:
    """The rate curve of a time-varying pattern as consecutive segments."""
    if isinstance(pattern, RampPattern):
        out: list[Segment] = []
        rate = pattern.start_rate_per_min
        for stage in pattern.stages:
            out.append(Segment(stage.duration_s, rate, stage.target_rate_per_min))
            rate = stage.target_rate_per_min
        return out
    if isinstance(pattern, SpikePattern):
        b, s = pattern.baseline_rate_per_min, pattern.spike_rate_per_min
        return [
            Segment(pattern.baseline_s, b, b),
            Segment(pattern.spike_s, s, s),
            Segment(pattern.recovery_s, b, b),
        ]
    return [Segment(pattern.step_duration_s, r, r) for r in step_rates(pattern)]


def _time_to_reach(seg: Segment, c: float) -> float:
    """Time into the segment at which `c` expected arrivals (0 <= c <= seg.expected) have accrued.

    Solves (r0 t + (r1 - r0) t^2 / (2 d)) / 60 = c for t in [0, d], in the cancellation-free form
    t = 2C / (r0 + sqrt(r0^2 + 4 a C)) with a = (r1 - r0) / (2 d) and C = 60 c.
    """
    d = seg.duration_s
    if c <= 0 or d <= 0:
        return 0.0
    r0 = seg.start_rate_per_min
    a = (seg.end_rate_per_min - r0) / (2.0 * d)
    big_c = 60.0 * c
    disc = max(0.0, r0 * r0 + 4.0 * a * big_c)
    denom = r0 + math.sqrt(disc)
    if denom <= 0:
        return d
    return min(d, max(0.0, 2.0 * big_c / denom))


def _integrate(segments: Sequence[Segment]) -> list[float]:
    return list(_arrivals(segments))


def _arrivals(segments: Sequence[Segment]) -> Iterator[float]:
    cumulative: list[float] = []
    total = 0.0
    for seg in segments:
        total += seg.expected
        cumulative.append(total)
    count = _floor_count(total)
    seg_index = 0
    seg_start_time = 0.0
    seg_start_count = 0.0
    last = 0.0
    for k in range(1, count + 1):
        # First segment whose cumulative count reaches k (within float tolerance).
        while seg_index < len(segments) - 1 and cumulative[seg_index] < k - _EPS * k:
            seg_start_time += segments[seg_index].duration_s
            seg_start_count = cumulative[seg_index]
            seg_index += 1
        seg = segments[seg_index]
        t = seg_start_time + _time_to_reach(seg, min(k - seg_start_count, seg.expected))
        last = max(last, t)  # guard against float noise: the schedule never goes backwards
        yield last


def first_offset(pattern: Pattern, seed: int = 0) -> float | None:
    """build_schedule(pattern, seed)[0], None for an empty schedule; for ramp, spike and step patterns
    without building the rest of the schedule."""
    if isinstance(pattern, RampPattern | SpikePattern | StepPattern):
        return next(_arrivals(rate_segments(pattern)), None)
    offsets = build_schedule(pattern, seed)
    return offsets[0] if offsets else None


def build_schedule(pattern: Pattern, seed: int = 0) -> list[float]:
    """Arrival offsets in seconds from the start of the run: sorted, the first >= 0.

    The seed only matters for ``poisson``; every other pattern is deterministic.
    """
    if isinstance(pattern, SteadyPattern):
        interval = 60.0 / pattern.rate_per_min
        n = _floor_count(pattern.duration_s * pattern.rate_per_min / 60.0)
        return [i * interval for i in range(n)]
    if isinstance(pattern, PoissonPattern):
        rng = random.Random(seed)
        lambd = pattern.rate_per_min / 60.0
        arrivals: list[float] = []
        t = rng.expovariate(lambd)
        while t < pattern.duration_s:
            arrivals.append(t)
            t += rng.expovariate(lambd)
        return arrivals
    if isinstance(pattern, BurstPattern):
        every = pattern.every_s or 0.0
        return [r * every for r in range(pattern.repeat) for _ in range(pattern.count)]
    return _integrate(rate_segments(pattern))


def expected_workflows(pattern: Pattern) -> int:
    """How many workflows the pattern dispatches.

    Exact (equal to ``len(build_schedule(pattern, seed))`` for any seed) for every pattern but
    ``poisson``, where it is the mean ``rate_per_min * duration_s / 60`` rounded to the nearest integer.
    """
    if isinstance(pattern, SteadyPattern):
        return _floor_count(pattern.duration_s * pattern.rate_per_min / 60.0)
    if isinstance(pattern, PoissonPattern):
        return round(pattern.duration_s * pattern.rate_per_min / 60.0)
    if isinstance(pattern, BurstPattern):
        return pattern.count * pattern.repeat
    return _floor_count(sum(seg.expected for seg in rate_segments(pattern)))


def schedule_duration_s(pattern: Pattern) -> float:
    """Length of the dispatch window in seconds (see the module docstring for ``burst``)."""
    if isinstance(pattern, SteadyPattern | PoissonPattern):
        return float(pattern.duration_s)
    if isinstance(pattern, BurstPattern):
        return float((pattern.repeat - 1) * (pattern.every_s or 0.0))
    if isinstance(pattern, StepPattern):
        return float(step_count(pattern) * pattern.step_duration_s)
    return float(sum(seg.duration_s for seg in rate_segments(pattern)))


def peak_rate_per_min(pattern: Pattern) -> float:
    """The highest arrival rate the pattern asks for (a burst counts as infinite)."""
    if isinstance(pattern, SteadyPattern | PoissonPattern):
        return float(pattern.rate_per_min)
    if isinstance(pattern, BurstPattern):
        return math.inf
    return max(max(s.start_rate_per_min, s.end_rate_per_min) for s in rate_segments(pattern))

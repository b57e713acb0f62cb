"""Arrival schedules: when each workflow is dispatched, as offsets in seconds from the start.

Open model: the whole schedule is fixed before the run starts, so a slow dispatch is
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

Each pattern type lives in suite.schedule.patterns (its fields, validation, (de)serialisation and
arrivals); the rate-curve arithmetic in suite.schedule.rates. The functions here are the schedule's
entry points.

``schedule_duration_s(pattern)`` is the length of the dispatch window: every arrival is at an offset
in [0, duration] (strictly below it for ``steady`` and ``poisson``; ramp/spike/step can place their
last arrival exactly at the end). A ``burst`` is instantaneous: its duration is the offset of the
last burst, ``(repeat - 1) * every_s`` (0 for a single burst).
"""

from __future__ import annotations

from suite.schedule.patterns import (
    PATTERN_TYPES,
    PATTERNS,
    BurstPattern,
    Pattern,
    PoissonPattern,
    RampPattern,
    RampStage,
    SpikePattern,
    SteadyPattern,
    StepPattern,
)
from suite.schedule.rates import Segment, segment_arrivals
from suite.schedule.stored import pattern_from_dict


def step_rates(pattern: StepPattern) -> list[float]:
    """The rate of each step (StepPattern.step_rates)."""
    return pattern.step_rates()


def step_count(pattern: StepPattern) -> int:
    """How many steps a step pattern has (without building the list)."""
    return pattern.step_count()


def rate_segments(pattern: RampPattern | SpikePattern | StepPattern) -> list[Segment]:
    """The rate curve of a time-varying pattern as consecutive segments."""
    return pattern.segments()


def first_offset(pattern: Pattern, seed: int = 0) -> float | None:
    """build_schedule(pattern, seed)[0], None for an empty schedule; for ramp, spike and step patterns
    without building the rest of the schedule."""
    if isinstance(pattern, RampPattern | SpikePattern | StepPattern):
        return next(segment_arrivals(pattern.segments()), None)
    offsets = build_schedule(pattern, seed)
    return offsets[0] if offsets else None


def build_schedule(pattern: Pattern, seed: int = 0) -> list[float]:
    """Arrival offsets in seconds from the start of the run: sorted, the first >= 0.

    The seed only matters for ``poisson``; every other pattern is deterministic.
    """
    return pattern.arrivals(seed)


def expected_workflows(pattern: Pattern) -> int:
    """How many workflows the pattern dispatches.

    Exact (equal to ``len(build_schedule(pattern, seed))`` for any seed) for every pattern but
    ``poisson``, where it is the mean ``rate_per_min * duration_s / 60`` rounded to the nearest integer.
    """
    return pattern.expected_count()


def schedule_duration_s(pattern: Pattern) -> float:
    """Length of the dispatch window in seconds (see the module docstring for ``burst``)."""
    return pattern.window_s()


def peak_rate_per_min(pattern: Pattern) -> float:
    """The highest arrival rate the pattern asks for (a burst counts as infinite)."""
    return pattern.peak_rate_per_min()


__all__ = [
    "PATTERNS",
    "PATTERN_TYPES",
    "BurstPattern",
    "Pattern",
    "PoissonPattern",
    "RampPattern",
    "RampStage",
    "Segment",
    "SpikePattern",
    "SteadyPattern",
    "StepPattern",
    "build_schedule",
    "expected_workflows",
    "first_offset",
    "pattern_from_dict",
    "peak_rate_per_min",
    "rate_segments",
    "schedule_duration_s",
    "step_count",
    "step_rates",
]

"""Concurrency by an exact sweep line over half-open intervals [start, end).

concurrency(t) = number of intervals with start <= t < end. It is a right-continuous step function
that can only change at an interval's start or end. All events at the same instant are applied
together (ends before starts), so an interval ending at t and one starting at t never overlap and a
zero-length interval [t, t) contributes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Step = tuple[float, int]  # (t, level): the level holds from t until the next step


def sweep(intervals: Iterable[tuple[float, float]]) -> list[Step]:
    """The step timeline: one (t, level) point at every instant where the level changes."""
    delta: dict[float, int] = {}
    for start, end in intervals:
        if end < start:
            raise ValueError(f"interval ends before it starts: [{start}, {end})")
        if end == start:
            continue
        delta[start] = delta.get(start, 0) + 1
        delta[end] = delta.get(end, 0) - 1
    steps: list[Step] = []
    level = 0
    for t in sorted(delta):
        if delta[t] == 0:
            continue
        level += delta[t]
        steps.append((t, level))
    return steps


def max_level(steps: list[Step]) -> int:
    return max((level for _, level in steps), default=0)


def level_at(steps: list[Step], t: float) -> int:
    level = 0
    for when, value in steps:
        if when > t:
            break
        level = value
    return level


def time_weighted_mean(steps: list[Step], window_start: float, window_end: float) -> float | None:
    """Mean level over [window_start, window_end), weighted by time; None for an empty window."""
    if window_end <= window_start:
        return None
    area = 0.0
    level = level_at(steps, window_start)
    cursor = window_start
    for t, value in steps:
        if t <= window_start:
            continue
        if t >= window_end:
            break
        area += level * (t - cursor)
        cursor, level = t, value
    area += level * (window_end - cursor)
    return area / (window_end - window_start)


@dataclass(frozen=True)
class Concurrency:
    timeline: list[Step]
    max: int
    mean: float | None


def concurrency(
    intervals: Iterable[tuple[float, float]], window_start: float | None, window_end: float | None
) -> Concurrency:
    steps = sweep(intervals)
    mean = None
    if window_start is not None and window_end is not None:
        mean = time_weighted_mean(steps, window_start, window_end)
    return Concurrency(timeline=steps, max=max_level(steps), mean=mean)

"""Concurrency by an exact sweep line over half-open intervals [start, end).

concurrency(t) = number of intervals with start <= t < end. It is a right-continuous step function
that can only change at an interval's start or end. All events at the same instant are applied
together (ends before starts), so an interval ending at t and one starting at t never overlap and a
zero-length interval [t, t) contributes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.isotime import stamp_column

Step = tuple[float, int]  # (t, level): the level holds from t until the next step


def sweep_arrays(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The step timeline as arrays (times, levels): a point at every instant where the level changes.

    All events at one instant are netted together (so ends and starts at t cancel exactly), and a
    zero-length interval [t, t) adds +1 and -1 at t: nothing.
    """
    starts = np.asarray(starts, dtype=float)
    ends = np.asarray(ends, dtype=float)
    if np.any(ends < starts):
        i = int(np.flatnonzero(ends < starts)[0])
        raise ValueError(f"interval ends before it starts: [{starts[i]}, {ends[i]})")
    if starts.size == 0:
        return np.empty(0), np.empty(0, dtype=np.int64)
    times, inverse = np.unique(np.concatenate([starts, ends]), return_inverse=True)
    signs = np.concatenate([np.ones(starts.size, np.int64), -np.ones(ends.size, np.int64)])
    delta = np.bincount(inverse.ravel(), weights=signs, minlength=times.size).astype(np.int64)
    changed = delta != 0
    return times[changed], np.cumsum(delta[changed])


def _num(t: float) -> float:
    return int(t) if t == int(t) else t


def weighted_mean_arrays(
    times: np.ndarray, levels: np.ndarray, window_start: float, window_end: float
) -> float | None:
    """time_weighted_mean over the step arrays (the same definition, vectorised)."""
    if window_end <= window_start:
        return None
    if times.size == 0:
        return 0.0
    # the level in force at window_start, then every change strictly inside the window
    first = int(np.searchsorted(times, window_start, side="right"))
    last = int(np.searchsorted(times, window_end, side="left"))
    cuts = np.concatenate([[window_start], times[first:last], [window_end]])
    held = np.concatenate([[levels[first - 1] if first > 0 else 0], levels[first:last]])
    return float(np.dot(held.astype(float), np.diff(cuts))) / (window_end - window_start)


@dataclass(frozen=True)
class Concurrency:
    """The step function as arrays (times, levels: sweep_arrays), its max and its time-weighted mean."""

    times: np.ndarray
    levels: np.ndarray
    max: int
    mean: float | None

    @property
    def timeline(self) -> list[Step]:
        """The steps as (t, level) pairs, t an int when whole."""
        return [(_num(t), int(v)) for t, v in zip(self.times.tolist(), self.levels.tolist(), strict=True)]

    def stamped(self) -> list[list[Any]]:
        """The steps as result.json holds them: [ISO time, level], made from the arrays at once."""
        return [[t, v] for t, v in zip(stamp_column(self.times), self.levels.tolist(), strict=True)]


def concurrency_arrays(
    starts: np.ndarray, ends: np.ndarray, window_start: float | None, window_end: float | None
) -> Concurrency:
    times, levels = sweep_arrays(starts, ends)
    mean = None
    if window_start is not None and window_end is not None:
        mean = weighted_mean_arrays(times, levels, window_start, window_end)
    return Concurrency(times, levels, int(levels.max()) if levels.size else 0, mean)

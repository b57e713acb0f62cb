"""The arithmetic of a time-varying arrival rate: segments of a rate curve and where its arrivals fall.

With N(t) = integral of the rate r from 0 to t (the expected number of arrivals by t), the k-th arrival
(k = 1, 2, ...) is at the time N(t) reaches k, and the count is ``floor(N(end))``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# Relative tolerance when a float count lands a hair below an integer (1.5 * 1800 / 60 = 44.999...).
EPS = 1e-9


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


def floor_count(x: float) -> int:
    """floor(x), counting a float a hair below an integer as that integer."""
    return math.floor(x + EPS * max(1.0, abs(x)))


def time_to_reach(seg: Segment, c: float) -> float:
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


def segment_arrivals(segments: Sequence[Segment]) -> Iterator[float]:
    """The arrival offsets of a rate curve, in order."""
    cumulative: list[float] = []
    total = 0.0
    for seg in segments:
        total += seg.expected
        cumulative.append(total)
    count = floor_count(total)
    seg_index = 0
    seg_start_time = 0.0
    seg_start_count = 0.0
    last = 0.0
    for k in range(1, count + 1):
        # First segment whose cumulative count reaches k (within float tolerance).
        while seg_index < len(segments) - 1 and cumulative[seg_index] < k - EPS * k:
            seg_start_time += segments[seg_index].duration_s
            seg_start_count = cumulative[seg_index]
            seg_index += 1
        seg = segments[seg_index]
        t = seg_start_time + time_to_reach(seg, min(k - seg_start_count, seg.expected))
        last = max(last, t)  # guard against float noise: the schedule never goes backwards
        yield last


def segment_count(segments: Sequence[Segment]) -> int:
    """How many arrivals a rate curve places (without placing them)."""
    return floor_count(sum(seg.expected for seg in segments))

"""Per-segment reductions over a flat column cut into consecutive segments, exact: each equals the loop
over one segment at a time (tests/analyze/test_loops_vectorised.py holds them to it).

A column of n values is cut into segments by `starts` (each segment's first index, non-decreasing,
the first 0; a segment runs to the next one's start, so an empty segment repeats the next start).
Pure numpy: no Python step per value.
"""

from __future__ import annotations

import numpy as np

LONG = 32  # a segment this long is summed by its own cumulative sum; shorter ones side by side


def segment_of(starts: np.ndarray, n: int) -> np.ndarray:
    """The segment of each of the n values."""
    seg = np.zeros(n, np.int64)
    later = starts[1:]
    np.add.at(seg, later[later < n], 1)  # starts may repeat (an empty segment): each adds one
    return np.cumsum(seg) if n else seg


def running_max_before(values: np.ndarray, starts: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Per value: the max of its segment's floor and every earlier value of its segment (the running
    max, exclusive). Exact: the values are ranked and the ranks offset per segment, so one running max
    over the whole column never reaches across a segment's start."""
    n = values.size
    if n == 0:
        return np.empty(0)
    seg = segment_of(starts, n)
    distinct, rank = np.unique(values, return_inverse=True)
    key = seg * np.int64(distinct.size) + rank.reshape(-1)
    inclusive = distinct[np.maximum.accumulate(key) - seg * np.int64(distinct.size)]
    before = np.empty(n)
    before[1:] = inclusive[:-1]
    first = starts[(starts < n) & np.append(starts[1:] > starts[:-1], True)]  # non-empty segments
    before[first] = -np.inf
    return np.maximum(before, floor[seg])


def sequential_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per segment: 0.0 + v0 + v1 + ... in order, each addition rounded as a Python loop's `total +=`
    would (numpy's sum is pairwise: a different rounding). Long segments by np.cumsum (sequential);
    the short ones side by side, one position at a time."""
    n = values.size
    ends = np.append(starts[1:], n)
    lengths = ends - starts
    out = np.zeros(starts.size)
    long_ = np.flatnonzero(lengths >= LONG)
    for k in long_.tolist():
        out[k] = 0.0 + float(np.cumsum(values[starts[k] : ends[k]])[-1])
    short = np.flatnonzero((lengths < LONG) & (lengths > 0))
    if short.size:
        by_length = short[np.argsort(-lengths[short], kind="stable")]
        first, size = starts[by_length], lengths[by_length]
        totals = np.zeros(by_length.size)
        for k in range(int(size[0])):
            live = int(np.count_nonzero(size > k))  # the segments still this long: a prefix
            totals[:live] += values[first[:live] + k]
        out[by_length] = totals
    return out

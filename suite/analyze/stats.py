"""Distributions. Percentiles use linear interpolation between closest ranks (numpy's default)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from suite.rundir.result_schema import Distribution

PERCENTILE_METHOD = "linear interpolation between closest ranks (numpy.percentile default, method='linear')"


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0..100) by numpy.percentile (method='linear'); None for no values."""
    xs = np.fromiter(values, dtype=float)
    if not xs.size:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be within [0, 100], got {q}")
    return float(np.percentile(xs, q))


def distribution(values: Iterable[float] | np.ndarray) -> Distribution:
    """count, min, mean, p50, p90, p95, p99, max; an empty input gives count 0 and None elsewhere.

    The percentiles are numpy's (method='linear', as `percentile`); the mean is exactly rounded
    (math.fsum: numpy's pairwise sum is not).
    """
    xs = np.asarray(
        values if isinstance(values, np.ndarray) else np.fromiter(values, dtype=float), dtype=float
    )
    if xs.size == 0:
        return Distribution(count=0, min=None, mean=None, p50=None, p90=None, p95=None, p99=None, max=None)
    # numpy finds the order statistics by partitioning: no full sort needed, and none is done here
    p50, p90, p95, p99 = (float(p) for p in np.percentile(xs, [50, 90, 95, 99]))
    return {
        "count": int(xs.size),
        "min": float(xs.min()),
        "mean": exact_sum(xs) / xs.size,
        "p50": p50,
        "p90": p90,
        "p95": p95,
        "p99": p99,
        "max": float(xs.max()),
    }


_EXACT = 2.0**53  # below it every integer is a float: a sum of whole numbers staying below is exact


def exact_sum(a: np.ndarray) -> float:
    """math.fsum of a float column (exactly rounded), read through a memoryview: no list of floats.

    A column of whole numbers whose magnitudes add up to less than 2**53 (GitHub's whole-second queue
    and execution times) is summed by numpy instead, as exactly: each partial sum, in any order, is a
    whole number below 2**53, so no addition rounds, and the sum is the one fsum rounds to (itself)."""
    xs = np.ascontiguousarray(a, dtype=float)
    if xs.size and _whole(xs[:64]) and _whole(xs):
        top = float(np.max(np.abs(xs)))
        if top * xs.size < _EXACT:
            return float(np.sum(xs))
    return math.fsum(xs.data)


def _whole(xs: np.ndarray) -> bool:
    """Whether every value is a whole number (no NaN, no infinity: their floor is not below _EXACT)."""
    return bool(np.all(np.floor(xs) == xs))

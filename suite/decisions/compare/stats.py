"""Exact, deterministic two-sample statistics for `suite compare`.

- median: linear interpolation between closest ranks (numpy's default; the same as result.json).
- 95% confidence interval of a median: the distribution-free order-statistic interval
  [x_(k), x_(n-k+1)], with k the largest rank such that 2 * P(Binomial(n, 1/2) <= k-1) <= 0.05.
  Its exact coverage (>= 95%) is reported. It needs n >= 6 (smaller samples have no such interval).
- Mann-Whitney U, two-sided (scipy.stats.mannwhitneyu, method "auto": exact without ties for small
  samples, else the normal approximation with tie and continuity correction).
- a rate (the failure rate: samples 0 or 1): the proportion, its exact Clopper-Pearson 95% interval
  (scipy.stats.binomtest), and the two-sided Fisher exact test of the two runs' 2x2 table
  (scipy.stats.fisher_exact); the same minimum of MIN_SAMPLES per run applies.
- Holm-Bonferroni adjustment of the p-values of one comparison (a family of metrics), so that
  looking at many metrics at once does not manufacture a significant one by chance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from suite.analyze.stats import percentile

CONFIDENCE = 0.95
MIN_SAMPLES = 6  # smallest n with a 95% order-statistic interval for the median (coverage 96.9%)


@dataclass(frozen=True)
class MedianCI:
    median: float
    low: float | None  # None: too few samples for a 95% interval
    high: float | None
    coverage: float | None  # exact coverage of [low, high]


def _binom_cdf_half(n: int, k: int) -> float:
    """P(Binomial(n, 1/2) <= k), exactly (integer arithmetic, one division)."""
    if k < 0:
        return 0.0
    return sum(math.comb(n, i) for i in range(min(k, n) + 1)) / 2**n


def median_ci(values: Sequence[float], confidence: float = CONFIDENCE) -> MedianCI:
    xs = sorted(float(v) for v in values)
    if not xs:
        raise ValueError("median of an empty sample")
    med = percentile(xs, 50)
    assert med is not None
    n = len(xs)
    best: int | None = None
    for k in range(1, n // 2 + 1):
        if 2 * _binom_cdf_half(n, k - 1) <= 1 - confidence:
            best = k
        else:
            break
    if best is None:
        return MedianCI(med, None, None, None)
    return MedianCI(med, xs[best - 1], xs[n - best], 1 - 2 * _binom_cdf_half(n, best - 1))


def mann_whitney_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided Mann-Whitney U p-value; 1.0 when every value of both samples is the same."""
    if not a or not b:
        raise ValueError("Mann-Whitney U needs two non-empty samples")
    if len(set(a) | set(b)) == 1:
        return 1.0
    from scipy.stats import mannwhitneyu

    p = float(mannwhitneyu(list(a), list(b), alternative="two-sided", method="auto").pvalue)
    return 1.0 if math.isnan(p) else min(1.0, p)


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1); None stays None."""
    indexed = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    m = len(indexed)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(indexed):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out


def rate_ci(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(proportion of 1s, Clopper-Pearson low, high) of a sample of 0s and 1s."""
    if not values:
        raise ValueError("rate of an empty sample")
    from scipy.stats import binomtest

    k, n = round(math.fsum(values)), len(values)
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="exact")
    return k / n, float(ci.low), float(ci.high)


def fisher_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided Fisher exact p of two samples of 0s and 1s (1.0 when both have the same single value)."""
    if not a or not b:
        raise ValueError("Fisher's exact test needs two non-empty samples")
    from scipy.stats import fisher_exact

    ka, kb = round(math.fsum(a)), round(math.fsum(b))
    p = float(fisher_exact([[ka, len(a) - ka], [kb, len(b) - kb]], alternative="two-sided").pvalue)
    return 1.0 if math.isnan(p) else min(1.0, p)

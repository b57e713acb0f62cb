"""ClickHouse SQL that computes the suite's figures exactly as result.json does (docs/architecture.md,
Definitions), for the exported tables (suite/export/clickhouse.sql).

Percentiles interpolate linearly between closest ranks, numpy's default: for n sorted values x[0..n-1],
v = (n − 1) × q, lo = ⌊v⌋, t = v − lo, a = x[lo], b = x[lo + 1]; the percentile is x[n − 1] when
v ≥ n − 1, else b − (b − a)(1 − t) when t ≥ 0.5, else a + (b − a)t (numpy's two-sided form, which is exact
at both ends). ClickHouse's quantileExactInclusive is the same rule (Hyndman and Fan's 7th) computed as
x[lo] + (h − n)(b − a) from h = q(n − 1) + 1, which can differ from numpy in the last bits: the query
below spells numpy's arithmetic out so the figures are equal, not close.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _name(text: str) -> str:
    if not _NAME.fullmatch(text):
        raise ValueError(f"not a plain ClickHouse name: {text[:64]!r}")
    return text


def percentile_query(source: str, column: str, percent: float, by: list[str]) -> str:
    """SELECT <by...>, n, p FROM `source` grouped by `by`: p is the `percent` percentile of `column`'s
    non-null values in each group (null when there are none), n their count. `source` is a table
    (e.g. `runner_suite.jobs FINAL`) or a parenthesised subquery, and is trusted SQL."""
    keys = ", ".join(_name(k) for k in by)
    col = _name(column)
    q = repr(float(percent) / 100)  # numpy divides the percent by 100 the same way
    return f"""
SELECT {keys}, n,
    if(n = 0, NULL,
       if(v >= n - 1, xs[n],
          if(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t))) AS p
FROM
(
    SELECT {keys},
        arraySort(groupArray({col})) AS xs,
        toInt64(length(xs)) AS n,
        (n - 1) * {q} AS v,
        floor(v) AS lo,
        v - lo AS t,
        xs[toInt64(lo) + 1] AS a,
        xs[least(toInt64(lo) + 2, n)] AS b
    FROM {source}
    GROUP BY {keys}
)
ORDER BY {keys}
""".strip()

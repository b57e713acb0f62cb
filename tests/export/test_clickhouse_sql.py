"""The ClickHouse percentile query (suite/export/clickhouse_sql.py) equals numpy's percentile, the
suite's definition (docs/architecture.md, Definitions), bit for bit, on ClickHouse's engine (chdb)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.export.clickhouse_sql import percentile_query
from suite.export.clickhouse_transport import Transport, open_transport, parse_url


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Transport]:
    transport = open_transport(parse_url(f"chdb://{tmp_path_factory.mktemp('chdb')}"))
    yield transport
    transport.close()


def values_source(groups: list[list[float | None]]) -> str:
    """A subquery of (g, x) rows: group i holds groups[i]'s values (None: a null x)."""
    rows = [f"({i}, {'NULL' if x is None else repr(x)})" for i, xs in enumerate(groups) for x in xs]
    return f"(SELECT g, x FROM values('g UInt32, x Nullable(Float64)', {', '.join(rows)}))"


FINITE = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    groups=st.lists(st.lists(st.one_of(FINITE, st.none()), min_size=1, max_size=40), min_size=1, max_size=4),
    percent=st.sampled_from([50, 90, 95, 99]),
)
def test_percentile_query_equals_numpy(engine, groups, percent):
    rows = engine.rows(percentile_query(values_source(groups), "x", percent, ["g"]))
    got = {int(r["g"]): (int(r["n"]), r["p"]) for r in rows}
    want = {}
    for i, xs in enumerate(groups):
        present = np.asarray([x for x in xs if x is not None], float)
        # a group of nulls only: no value, the percentile null (never 0)
        want[i] = (present.size, float(np.percentile(present, percent)) if present.size else None)
    assert got == want


def test_quantile_exact_inclusive_is_the_same_rule_but_not_the_same_bits(engine):
    """Why the query spells numpy's arithmetic out: ClickHouse's own quantileExactInclusive (Hyndman and
    Fan's 7th, numpy's rule) rounds differently in the last bits on this sample."""
    source = values_source([[15.2, 17.3, 55.4]])
    own = engine.rows(f"SELECT quantileExactInclusive(0.95)(x) AS q FROM {source}")[0]["q"]
    ours = engine.rows(percentile_query(source, "x", 95, ["g"]))[0]["p"]
    want = float(np.percentile([15.2, 17.3, 55.4], 95))
    assert ours == want == 51.589999999999996
    assert own == pytest.approx(want, rel=1e-15) and own != want


def test_names_are_checked():
    with pytest.raises(ValueError):
        percentile_query("t", "x; DROP TABLE t", 95, ["g"])

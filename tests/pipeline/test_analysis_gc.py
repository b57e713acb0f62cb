"""The analysis runs with Python's cyclic garbage collector paused (suite.pipeline.analysis.no_cyclic_gc):
paused while the rows are read, in the forked worker too, and as it was afterwards, whether the analysis
ends or raises."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from suite.pipeline.analysis import analyze
from suite.pipeline.background import can_fork


def _watched(seen: list[bool]) -> Iterator[dict[str, Any]]:
    seen.append(gc.isenabled())  # read by the analysis: the collector's state then
    yield from ()


def _rows(seen: list[bool]) -> dict[str, Any]:
    return {
        "manifest": {},
        "ledger": _watched(seen),
        "runs": [],
        "jobs": _watched(seen),
        "metrics": [],
        "tasks": [],
        "runners_snapshots": [],
    }


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_while_rows_are_read_and_restored_after(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        seen: list[bool] = []
        result = analyze(**_rows(seen), parallel=False)
        assert result["jobs"]["count"] == 0
        assert seen == [False, False]
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_collector_is_restored_when_the_analysis_raises() -> None:
    assert gc.isenabled()

    def damaged() -> Iterator[dict[str, Any]]:
        raise ValueError("a damaged row")
        yield {}

    with pytest.raises(ValueError, match="a damaged row"):
        analyze(**(_rows([]) | {"ledger": damaged()}), parallel=False)
    assert gc.isenabled()


@pytest.mark.skipif(not can_fork(), reason="no fork here: the metric rows are read in this process")
def test_the_collector_is_paused_in_the_forked_worker() -> None:
    def metrics() -> Iterator[dict[str, Any]]:  # read in the child: its answer is this error
        raise ValueError(f"collector enabled: {gc.isenabled()}")
        yield {}

    with pytest.raises(ValueError, match="collector enabled: False"):
        analyze(**(_rows([]) | {"metrics": metrics()}), parallel=True)
    assert gc.isenabled()

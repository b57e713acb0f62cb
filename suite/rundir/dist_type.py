"""result.json's Distribution (schema suite.result/v2), one module of its own so that the section
modules (suite.rundir.result_types, suite.rundir.step_types) share it. Imports nothing from the suite."""

from __future__ import annotations

from typing import TypedDict


class Distribution(TypedDict):
    """count 0: every other figure null. Percentiles: numpy's linear interpolation."""

    count: int
    min: float | None
    mean: float | None
    p50: float | None
    p90: float | None
    p95: float | None
    p99: float | None
    max: float | None

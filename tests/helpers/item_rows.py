"""The in-memory result's per-item columns (timeline, per_task, per_runner) as rows, for assertions."""

from __future__ import annotations

import math
from typing import Any

from suite.isotime import stamp


def item_rows(cols: dict[str, Any], times: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """One dict per row: numpy values as Python values, NaN as None, the `times` columns as ISO stamps."""
    keys = list(cols)
    out = []
    for values in zip(*(list(cols[k]) for k in keys), strict=True):
        row = {}
        for k, v in zip(keys, values, strict=True):
            v = v.item() if hasattr(v, "item") else v
            v = None if isinstance(v, float) and math.isnan(v) else v
            row[k] = stamp(v) if k in times and v is not None else v
        out.append(row)
    return out


TASK_TIMES = ("created_at", "started_at", "first_job_at", "stopped_at")

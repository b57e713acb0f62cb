"""result.json read back (`suite compare`, `validate-sizing`, `suite history`): the fields they read,
checked where the file enters (suite.rundir.readback's rules), so a damaged file is one error line.

The catalogue (result_schema.py) names the fields; the checks here are the types those readers need.
Both schemas are read: suite.result/v2, and v1 (the same figures with the per-item lists inline: per_job,
the timelines, per_task, per_runner and failed_at, which are dropped on read: per-item data is the
tables', suite.rundir.job_rows, and a run without them is told to run `suite report DIR`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from suite.errors import UsageError
from suite.rundir.jsonio import read_json
from suite.rundir.readback import (
    Check,
    IsoStamps,
    check_fields,
    damaged,
    opt_dict,
    opt_int,
    opt_number,
    opt_str,
)
from suite.rundir.result_schema import field, value_at

RESULT_FIX = "recompute it with `suite report` on the run directory, then run the command again"
# what compare shows of cost and right-size beside the sizing (suite.decisions.compare.sizing.money_of)
_MONEY: tuple[tuple[str, Check], ...] = (
    *((k, opt_dict) for k in ("cost", "cost.prices", "cost.execution_usd", "rightsize")),
    *((k, opt_dict) for k in ("rightsize.all_jobs", "rightsize.all_jobs.recommended")),
    (field("cost.prices.currency"), opt_str),
    (field("cost.per_job_usd"), opt_number),
    (field("cost.execution_usd.p50"), opt_number),
    (field("rightsize.all_jobs.verdict"), opt_str),
    (field("rightsize.all_jobs.recommended.task_cpu"), opt_int),
    (field("rightsize.all_jobs.recommended.task_memory"), opt_int),
)


def check_result(path: Path, result: Any) -> dict[str, Any]:
    """result.json's content when the fields compare and history read hold their types."""
    stamps = IsoStamps()
    top: tuple[tuple[str, Check], ...] = (
        ("test_run_id", opt_str),
        ("profile", opt_str),
        ("environment", opt_str),
        ("verdict", opt_str),
        ("fleet", opt_dict),
        ("window", opt_dict),
        ("runners", opt_dict),
    )
    checked = check_fields(path, result, top, RESULT_FIX)
    name: str
    ok: Check
    for name, ok in (
        ("window.start", stamps.opt_iso),
        ("window.end", stamps.opt_iso),
        ("runners.configured", opt_int),
        *_MONEY,
    ):
        if not ok(value_at(checked, name)):
            raise damaged(path, "", f"`{name}` is not of the type result.json holds", RESULT_FIX)
    # a v1 result.json's inline lists are never read: per-item data is the tables' (suite.rundir.job_rows)
    checked.pop("per_job", None)
    for section, key in V1_LISTS:
        if isinstance(checked.get(section), dict):
            checked[section].pop(key, None)
    return checked


# the per-item lists a v1 result.json held inline (v2: tables/timeline, tasks, runners and jobs.parquet)
V1_LISTS = (
    ("concurrency", "timeline"),
    ("jobs_waiting", "timeline"),
    ("tasks", "per_task"),
    ("runners", "per_runner"),
    ("steps", "failed_at"),
)


def read_result(path: Path) -> dict[str, Any]:
    """result.json, checked (a UsageError naming it when damaged)."""
    return check_result(path, read_json(path, RESULT_FIX))


def readable_result(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(result.json, None), or (None, why it cannot be used) for a damaged one (history skips it)."""
    try:
        return read_result(path), None
    except UsageError as exc:
        return None, str(exc)

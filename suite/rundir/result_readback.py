"""result.json read back (`suite compare`, `validate-sizing`, `suite history`): the fields they read,
checked where the file enters (suite.rundir.readback's rules), so a damaged file is one error line.

The catalogue (result_schema.py) names the fields; the checks here are the types those readers need.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from suite.errors import UsageError
from suite.rundir.jsonio import read_json
from suite.rundir.readback import (
    Check,
    IsoStamps,
    Rule,
    check_fields,
    damaged,
    is_int,
    opt_dict,
    opt_int,
    opt_number,
    opt_str,
)
from suite.rundir.result_schema import field, job_field, value_at

RESULT_FIX = "recompute it with `suite report` on the run directory, then run the command again"
_NUMBERS = ("queue_s", "execution_s", "cpu_mean", "cpu_mean_pct", "memory_max", "memory_max_pct")
_STAMPS = ("created", "started", "completed")
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


def _job_rules(stamps: IsoStamps) -> Rule:
    return (
        (job_field("id"), opt_int),
        (job_field("run_id"), is_int),
        (job_field("conclusion"), opt_str),
        *((job_field(k), opt_number) for k in _NUMBERS),
        *((job_field(k), stamps.opt_iso) for k in _STAMPS),
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
    jobs = checked.get("per_job")
    if jobs is None:
        return checked
    if type(jobs) is not list:
        raise damaged(path, "", "`per_job` is not a list", RESULT_FIX)
    rules = _job_rules(stamps)
    for i, job in enumerate(jobs):
        if type(job) is not dict:
            raise damaged(path, "", f"`per_job[{i}]` is not an object", RESULT_FIX)
        for key, ok in rules:
            if not ok(job.get(key)):
                raise damaged(
                    path, "", f"`per_job[{i}].{key}` is not of the type result.json holds", RESULT_FIX
                )
    return checked


def read_result(path: Path) -> dict[str, Any]:
    """result.json, checked (a UsageError naming it when damaged)."""
    return check_result(path, read_json(path, RESULT_FIX))


def readable_result(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(result.json, None), or (None, why it cannot be used) for a damaged one (history skips it)."""
    try:
        return read_result(path), None
    except UsageError as exc:
        return None, str(exc)

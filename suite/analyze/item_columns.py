"""The in-memory result's per-item columns beside per_job (result_schema.IN_MEMORY_KEYS): what result.json
(suite.result/v2) leaves to the run directory's tables so its size does not grow with the jobs. Pure.

- `timeline`: the concurrency and jobs-waiting step functions on one time axis (tables/timeline.parquet):
  every instant where either level changes, each level as it holds from there;
- per_job's `failed_step` and the bounded `steps.failed_by_step`, from step_figures' one entry per
  failed job (`failed_at`, which result.json no longer holds);
- `per_task` and `per_runner` (suite.analyze.tasks, suite.analyze.fleet) are made as columns there;
- `dispatches`: per suite_id its first scheduled_at and first and last sent_at (the ledger's clock), what
  the page's dispatch and queue charts draw, so the report never reads ledger.jsonl a second time (in
  memory only: no table; the ledger is the record).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from suite.analyze.columns import first_sight_codes
from suite.rundir.result_schema import FailedStepCount, Steps, StepsSection


def timeline_columns(
    running: tuple[np.ndarray, np.ndarray], waiting: tuple[np.ndarray, np.ndarray]
) -> dict[str, np.ndarray]:
    """time (epoch seconds), running and waiting: the union of both step functions' change instants,
    each level the one in force at that instant (0 before its first step)."""
    times = np.union1d(running[0], waiting[0]).astype(np.float64)

    def level(at: np.ndarray, levels: np.ndarray) -> np.ndarray:
        if not at.size:
            return np.zeros(times.size, dtype=np.int64)
        i = np.searchsorted(at, times, side="right") - 1
        return np.where(i >= 0, np.asarray(levels, dtype=np.int64)[np.maximum(i, 0)], 0)

    return {"time": times, "running": level(*running), "waiting": level(*waiting)}


def dispatch_columns(
    suite_ids: np.ndarray, scheduled: np.ndarray, sent: np.ndarray, code: np.ndarray | None = None
) -> dict[str, Any]:
    """Per suite_id (in order of its first ledger row): `scheduled`, its first row's scheduled_at (when
    that is missing and the first row was not sent, the scheduled_at of its first sent row), `sent`, its
    first send (NaN: never sent), and `last_sent`, its last send; epoch seconds on the ledger's clock.
    code: each row's suite_id as a small integer (suite.analyze.scope's), made here when not given."""
    if code is None:
        code = first_sight_codes(suite_ids.tolist())[0]
    rows = np.arange(code.size)
    n = int(code.max()) + 1 if code.size else 0
    first = np.full(n, code.size, np.int64)
    np.minimum.at(first, code, rows)
    was_sent = ~np.isnan(sent)
    first_sent = np.full(n, code.size, np.int64)
    np.minimum.at(first_sent, code[was_sent], rows[was_sent])
    last_sent = np.full(n, -1, np.int64)
    np.maximum.at(last_sent, code[was_sent], rows[was_sent])
    if not bool(np.all(first[1:] > first[:-1])):  # codes not in order of first sight: put them in it
        order = np.argsort(first, kind="stable")
        first, first_sent, last_sent = first[order], first_sent[order], last_sent[order]
    keep = np.not_equal(suite_ids[first], np.array(None, dtype=object))  # no suite_id: belongs to none
    first, first_sent, last_sent = first[keep], first_sent[keep], last_sent[keep]
    at, out = np.append(scheduled, np.nan), np.append(sent, np.nan)
    fill = np.isnan(at[first]) & (first_sent < code.size)  # a retry that was sent fills one missing
    return {
        "suite_id": list(map(str, suite_ids[first].tolist())),
        "scheduled": np.where(fill, at[first_sent], at[first]),
        "sent": out[first_sent],
        "last_sent": out[np.where(last_sent >= 0, last_sent, code.size)],
    }


def failed_steps(steps: Steps, job_ids: np.ndarray) -> tuple[StepsSection, np.ndarray]:
    """result.json's `steps` (failed_at counted per job name and step: failed_by_step, in order of each
    group's first job) and per job (job_ids' order) the step name it failed at, None for the others."""
    groups: dict[tuple[Any, ...], FailedStepCount] = {}
    at: dict[int, str] = {}
    for f in steps["failed_at"]:
        key = (f["job_name"], f["step_number"], f["step_name"], f["step_conclusion"], f["reason"])
        if key not in groups:
            groups[key] = FailedStepCount(
                job_name=f["job_name"],
                step_number=f["step_number"],
                step_name=f["step_name"],
                step_conclusion=f["step_conclusion"],
                reason=f["reason"],
                jobs=0,
            )
        groups[key]["jobs"] += 1
        if f["step_name"] is not None:
            at[f["job_id"]] = f["step_name"]
    column = np.full(job_ids.size, None, dtype=object)
    if at:
        hit = np.isin(job_ids, np.fromiter(at, np.int64, len(at)))
        column[hit] = [at[i] for i in job_ids[hit].tolist()]
    section = StepsSection(
        definition=steps["definition"],
        by_step=steps["by_step"],
        slowest=steps["slowest"],
        failed_by_step=list(groups.values()),
    )
    return section, column

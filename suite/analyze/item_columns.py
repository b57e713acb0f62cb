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


def dispatch_columns(suite_ids: np.ndarray, scheduled: np.ndarray, sent: np.ndarray) -> dict[str, Any]:
    """Per suite_id (in order of its first ledger row): `scheduled`, its first row's scheduled_at (a row
    sent later fills one missing), `sent`, its first send (NaN: never sent), and `last_sent`, its last
    send; epoch seconds on the ledger's clock."""
    first: dict[str, list[float]] = {}
    for sid, at, out in zip(suite_ids.tolist(), scheduled.tolist(), sent.tolist(), strict=True):
        if sid is None:
            continue
        old = first.get(str(sid))
        if old is None:
            first[str(sid)] = [at, out, out]
            continue
        if old[1] != old[1] and out == out:  # a retry that was sent: the first send counts
            old[0] = old[0] if old[0] == old[0] else at
            old[1] = out
        if out == out:
            old[2] = out
    values = np.array(list(first.values()), dtype=np.float64).reshape(-1, 3)
    return {
        "suite_id": list(first),
        "scheduled": values[:, 0],
        "sent": values[:, 1],
        "last_sent": values[:, 2],
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

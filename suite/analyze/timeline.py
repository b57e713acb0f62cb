"""GitHub's jobs as columns (JobArrays), epoch-second timestamps, NaN where a time is unknown.

The record-by-record definitions they are held equal to live in tests/helpers/analyze_records.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.analyze.columns import Cat


@dataclass(frozen=True)
class JobArrays:
    """Jobs as columns, one row per job in the jobs' order (NaN where a time is unknown).

    ran: the job occupied a runner (it has a start and was not skipped); busy: it ran to an end;
    start/end: the half-open interval [started, max(started, completed)) where busy; queue: started −
    created where it ran and both are known. The text fields are categorical; runner's value is None
    where the job has no runner_name.
    """

    id: np.ndarray
    run_id: np.ndarray
    run_attempt: np.ndarray
    name: Cat
    runner: Cat
    status: Cat
    conclusion: Cat
    created: np.ndarray
    started: np.ndarray
    completed: np.ndarray
    ran: np.ndarray
    busy: np.ndarray
    start: np.ndarray
    end: np.ndarray
    queue: np.ndarray

    @staticmethod
    def of(
        id: np.ndarray,
        run_id: np.ndarray,
        run_attempt: np.ndarray,
        name: Cat,
        runner: Cat,
        status: Cat,
        conclusion: Cat,
        created: np.ndarray,
        started: np.ndarray,
        completed: np.ndarray,
    ) -> JobArrays:
        nan = float("nan")
        ran = ~conclusion.isin("skipped") & ~np.isnan(started)
        busy = ran & ~np.isnan(completed)
        start = np.where(busy, started, nan)
        end = np.where(busy, np.fmax(started, completed), nan)
        queue = np.where(ran & ~np.isnan(created), started - created, nan)
        return JobArrays(
            id, run_id, run_attempt, name, runner, status, conclusion, created, started, completed,
            ran, busy, start, end, queue,
        )  # fmt: skip

    def __len__(self) -> int:
        return int(self.id.size)

    def take(self, index: np.ndarray) -> JobArrays:
        """The rows at `index` (indices or a mask), in that order."""
        cols: dict[str, Any] = {
            k: v.take(index) if isinstance(v, Cat) else v[index] for k, v in vars(self).items()
        }
        return JobArrays(**cols)

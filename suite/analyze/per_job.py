"""result.json's `per_job`: one row per job, kept as numpy columns until it is written (pure)."""

from __future__ import annotations

from typing import Any

import numpy as np

from suite.analyze.columns import Cat, nullable
from suite.analyze.resources import FIGURES, ResourceColumns
from suite.analyze.rows import Coded, ColumnRows, Lazy
from suite.analyze.timeline import JobArrays
from suite.isotime import stamp_column
from suite.rundir.result_schema import PER_JOB_KEYS


def per_job_rows(
    jobs: JobArrays,
    suite_ids: np.ndarray,
    from_schedule: np.ndarray,
    res: ResourceColumns,
    causes: np.ndarray,
    cost: np.ndarray,
    failed_step: np.ndarray,
) -> ColumnRows:
    """One row per job (PER_JOB_KEYS): numpy columns, read as rows (a row's Python values and its
    dict are made when it is read, a slice of the columns at a time). causes: per job its failure
    cause or None (suite.analyze.failures); cost: per job its execution cost, NaN when unknown
    (suite.analyze.cost); failed_step: per job the step it failed at or None (suite.analyze.item_columns)."""

    def values(a: np.ndarray) -> Lazy:
        return Lazy(a, np.ndarray.tolist)

    def category(c: Cat) -> Lazy:
        words = c.objects_table()  # each row's value (an object array of shared values), and coded
        return Coded(words[c.codes], np.ndarray.tolist, c.codes, words)

    def optional(a: np.ndarray) -> Lazy:
        return Lazy(a, nullable)

    def when(a: np.ndarray) -> Lazy:
        return Lazy(a, stamp_column)

    columns = (
        values(jobs.id),
        values(jobs.run_id),
        values(jobs.run_attempt),
        values(suite_ids),
        category(jobs.name),
        category(jobs.runner),
        category(jobs.status),
        category(jobs.conclusion),
        Lazy(causes, np.ndarray.tolist),
        when(jobs.created),
        when(jobs.started),
        when(jobs.completed),
        optional(jobs.queue),
        optional(jobs.end - jobs.start),
        optional(from_schedule),
        optional(cost),
        values(res.samples),
        *(optional(res.values[k]) for k in FIGURES),
        values(res.sources),
        values(res.reasons),
        Lazy(failed_step, np.ndarray.tolist),
    )
    return ColumnRows(PER_JOB_KEYS, columns)


def dispatch_times(scheduled: np.ndarray, sent: np.ndarray, rows: np.ndarray, shift: float) -> dict[str, Any]:
    """The job table's dispatch columns, per job (its accepted dispatch's ledger row in `rows`):
    scheduled_at and sent_at (epoch seconds on GitHub's clock: + shift; NaN when unknown) and
    dispatch_lag_s = sent − scheduled from the ledger's whole milliseconds (the ledger writes its stamps
    to the millisecond), so the lag is exact and not a difference of two shifted floats."""
    scheduled_ms, sent_ms = (np.round(column[rows] * 1000) for column in (scheduled, sent))
    return {
        "scheduled_at": scheduled_ms / 1000 + shift,
        "sent_at": sent_ms / 1000 + shift,
        "dispatch_lag_s": (sent_ms - scheduled_ms) / 1000,
    }


class JobRows(ColumnRows):
    """per_job with columns beyond PER_JOB_KEYS (the job table's: GitHub's fields, the dispatch's times),
    in memory only: its rows and column() hold PER_JOB_KEYS as before; `extra` holds the others, one
    value per job, as given (lists or numpy arrays)."""

    __slots__ = ("extra",)

    def __init__(self, rows: ColumnRows, extra: dict[str, Any]) -> None:
        super().__init__(rows._keys, rows._columns)
        lengths = {len(c) for c in extra.values()}
        if lengths - {len(rows)}:
            raise ValueError(f"extra columns of {sorted(lengths)} rows for {len(rows)} jobs")
        self.extra = extra

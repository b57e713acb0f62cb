"""report.html's queue chart: each plotted job's queue time at its workflow's dispatch (its suite_id's
last send, clock-offset corrected), and every suite_id's sends, from the result's in-memory `dispatches`
(suite.analyze.item_columns) or, on the live page, the ledger's rows. Pure; per_job read as columns."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from suite.isotime import ts
from suite.report.task_series import MAX_POINTS
from suite.rundir.column_rows import rows_of
from suite.rundir.result_schema import PER_JOB_KEYS

Rows = Iterable[dict[str, Any]]  # read once, in order (rows streamed from a JSONL file)


# --- queue time by dispatch time -----------------------------------------------------------------


@dataclass(frozen=True)
class QueuePoints:
    dispatched: list[float]  # x: the workflow's dispatch (sent_at, clock-offset corrected) or job created
    github: list[float | None]  # started − created
    from_schedule: list[float | None]  # started − scheduled
    x_is_dispatch: bool
    stride: int = 1  # every stride-th job is plotted (1 = all)


Send = tuple[float | None, float | None, float | None]  # scheduled, first sent, last sent (ledger clock)


def sends(result: dict[str, Any], ledger: Rows | None = None) -> dict[str, Send]:
    """Per suite_id: its first scheduled_at (a later sent row fills a missing one), first and last
    sent_at, from the ledger's rows when given (the live page), else from the result's in-memory
    `dispatches` (suite.analyze.item_columns: the analysis read the ledger once)."""
    if ledger is None:
        cols = result.get("dispatches") or {}
        values = [
            np.asarray(cols.get(k, ()), dtype=np.float64).tolist() for k in ("scheduled", "sent", "last_sent")
        ]
        return {
            str(sid): (a if a == a else None, b if b == b else None, c if c == c else None)
            for sid, a, b, c in zip(cols.get("suite_id") or (), *values, strict=True)
        }
    first: dict[str, Send] = {}
    for row in ledger:
        sid = row.get("suite_id")
        if sid is None:
            continue
        sched, sent = ts(row.get("scheduled_at")), ts(row.get("sent_at"))
        old = first.get(str(sid))
        if old is None:
            first[str(sid)] = (sched, sent, sent)
            continue
        a, b, c = old
        if b is None and sent is not None:  # a retry that was sent: the first send counts
            a, b = (a if a is not None else sched), sent
        first[str(sid)] = (a, b, sent if sent is not None else c)
    return first


def queue_points(
    result: dict[str, Any], ledger: Rows | None = None, max_points: int = MAX_POINTS
) -> QueuePoints:
    """Every stride-th job that has a queue time (in the result's order), at its workflow's dispatch
    (its suite_id's last send)."""
    jobs = rows_of(result.get("per_job"), PER_JOB_KEYS)
    queued = np.flatnonzero(~np.isnan(jobs.floats("queue_s")))
    stride = max(1, math.ceil(queued.size / max_points))
    pick = queued[::stride]  # only these rows' values are made: the columns are never walked as rows
    suite_ids = jobs.values_at("suite_id", pick)
    created = jobs.floats("created")[pick].tolist()
    queue_s = jobs.values_at("queue_s", pick)
    from_schedule = jobs.values_at("queue_from_schedule_s", pick)
    shift = float(result.get("clock_offset_s") or 0.0)
    sent = _last_sent(result, ledger, shift)([str(suite_id) for suite_id in suite_ids])
    xs, gh, sched = [], [], []
    from_ledger = 0
    for x, made, q, fs in zip(sent, created, queue_s, from_schedule, strict=True):
        if x is not None:
            from_ledger += 1
        elif math.isnan(made):
            continue
        else:
            x = made
        xs.append(x)
        gh.append(q)
        sched.append(fs)
    return QueuePoints(xs, gh, sched, x_is_dispatch=bool(xs) and from_ledger == len(xs), stride=stride)


def _last_sent(
    result: dict[str, Any], ledger: Rows | None, shift: float
) -> Callable[[list[str]], list[float | None]]:
    """Each given suite_id's last send + shift (None: never sent), as sends() gives it; from the in-memory
    `dispatches`, only the given suite_ids' rows are found (Arrow's index_in over its suite_id column, no
    Python object per dispatch), and a repeat counts as its last."""
    if ledger is not None:
        sent = {sid: c + shift for sid, (_, _, c) in sends(result, ledger).items() if c is not None}
        return lambda wanted: [sent.get(sid) for sid in wanted]
    cols = result.get("dispatches") or {}
    last = np.asarray(cols.get("last_sent", ()), dtype=np.float64)
    ids = cols.get("suite_id")
    ids = [] if ids is None else ids

    def found(wanted: list[str]) -> list[float | None]:
        try:
            at = pc.index_in(pa.array(wanted, pa.string()), value_set=pa.array(ids, pa.string())[::-1])
        except (pa.ArrowException, UnicodeError):  # a suite_id that is not text, or no UTF-8 holds
            return by_text(wanted)
        back = at.to_numpy(zero_copy_only=False)  # positions from the end (a repeat: its last); NaN: none
        rows = (last.size - 1 - np.nan_to_num(back, nan=last.size - 1)).astype(np.int64)
        values = np.where(np.isnan(back), np.nan, last[rows] + shift)
        return [None if v != v else v for v in values.tolist()]

    def by_text(wanted: list[str]) -> list[float | None]:
        at = dict(zip(map(str, ids), range(last.size), strict=True))  # a repeat: its last
        values = [float(last[at[sid]]) if sid in at else math.nan for sid in wanted]
        return [None if v != v else v + shift for v in values]

    return lambda wanted: found(wanted) if wanted and last.size else [None] * len(wanted)

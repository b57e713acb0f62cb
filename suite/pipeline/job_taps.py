"""What the job table (suite/rundir/tables.py) needs per job beyond the analysis's figures, taken from the
raw rows as they pass once to the analysis (suite.pipeline.analysis), never read again:

- from raw/jobs.jsonl: GitHub's workflow_name, head_branch, head_sha, labels, runner_id and
  runner_group_name (the last copy of a job id wins, as in the analysis);
- from raw/runs.jsonl: the run's workflow file (the file name of its `path`, before any `@ref`);
- from ledger.jsonl: each suite_id's accepted dispatch (its last 2xx row): scheduled_at and sent_at,
  kept as integer epoch milliseconds so dispatch_lag_s = (sent − scheduled) / 1000 is exact.

Each tap yields the rows it is given, unchanged, a batch at a time (or column chunks as they
are: suite.rundir.fast_jsonl); `extras` joins what they took onto
the per-job columns (job id, run id, suite_id) as in-memory columns of `per_job`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from suite.isotime import parse_iso
from suite.rundir.column_chunks import ColumnChunks

GITHUB_FIELDS = ("workflow_name", "head_branch", "head_sha", "labels", "runner_id", "runner_group_name")
BATCH = 256
Row = dict[str, Any]


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, BATCH)):
        yield batch


class JobTap:
    """Per job row read: its id and GitHub's fields (GITHUB_FIELDS)."""

    def __init__(self) -> None:
        self.ids: list[Any] = []
        self.fields: dict[str, list[Any]] = {f: [] for f in GITHUB_FIELDS}

    def rows(self, jobs: Iterable[Row]) -> Iterator[Row]:
        for batch in _batches(jobs):
            self.ids.extend([r.get("id") for r in batch])
            for f, col in self.fields.items():
                col.extend([r.get(f) for r in batch])
            yield from batch


class RunTap:
    """Per run id: its workflow file (the last copy read)."""

    def __init__(self) -> None:
        self.workflow: dict[Any, str | None] = {}

    def rows(self, runs: Iterable[Row]) -> Iterable[Row]:
        if isinstance(runs, ColumnChunks):
            return runs.tapped(lambda c: self._take(c["id"], c["path"]))
        return self._rows(runs)

    def _rows(self, runs: Iterable[Row]) -> Iterator[Row]:
        for batch in _batches(runs):
            self._take([r.get("id") for r in batch], [r.get("path") for r in batch])
            yield from batch

    def _take(self, ids: list[Any], paths: list[Any]) -> None:
        for run_id, path in zip(ids, paths, strict=True):
            self.workflow[run_id] = workflow_file(path) if isinstance(path, str) else None


def workflow_file(path: str) -> str:
    """.github/workflows/runner_test.yml@refs/heads/main -> runner_test.yml"""
    return PurePosixPath(path.split("@")[0]).name


class LedgerTap:
    """Per suite_id: its accepted dispatch's scheduled_at and sent_at as read (the last 2xx row)."""

    def __init__(self) -> None:
        self.accepted: dict[Any, tuple[Any, Any]] = {}

    def rows(self, ledger: Iterable[Row]) -> Iterable[Row]:
        if isinstance(ledger, ColumnChunks):
            return ledger.tapped(
                lambda c: self._take(c["status"], c["suite_id"], c["scheduled_at"], c["sent_at"])
            )
        return self._rows(ledger)

    def _rows(self, ledger: Iterable[Row]) -> Iterator[Row]:
        for batch in _batches(ledger):
            self._take(
                *([r.get(k) for r in batch] for k in ("status", "suite_id", "scheduled_at", "sent_at"))
            )
            yield from batch

    def _take(self, status: list[Any], suite_id: list[Any], scheduled: list[Any], sent: list[Any]) -> None:
        for i, code in enumerate(status):
            if type(code) is int and 200 <= code < 300:
                self.accepted[suite_id[i]] = (scheduled[i], sent[i])


def _millis(value: Any) -> float:
    """An ISO-8601 stamp as epoch milliseconds (whole, as the ledger writes them), NaN when absent."""
    if not isinstance(value, str):
        return np.nan
    try:
        return float(round(parse_iso(value) * 1000))
    except ValueError:
        return np.nan


def extras(
    job_ids: Sequence[Any],
    run_ids: Sequence[Any],
    suite_ids: Sequence[Any],
    shift: float,
    jobs: JobTap,
    runs: RunTap,
    ledger: LedgerTap,
) -> dict[str, Any]:
    """The job table's columns the taps give, one value per job (per_job's order): GITHUB_FIELDS,
    workflow, scheduled_at and sent_at (epoch seconds on GitHub's clock: + shift, NaN when unknown)
    and dispatch_lag_s (sent − scheduled, from the ledger's milliseconds)."""
    at = dict(zip(jobs.ids, range(len(jobs.ids)), strict=True))  # the last copy of an id wins
    rows = [at.get(i) for i in job_ids]
    out: dict[str, Any] = {}
    for f, col in jobs.fields.items():
        out[f] = [None if k is None else col[k] for k in rows]
    out["labels"] = [[str(x) for x in v] if isinstance(v, list) else None for v in out["labels"]]
    out["workflow"] = [runs.workflow.get(r) for r in run_ids]
    millis: dict[Any, tuple[float, float]] = {}
    nan = (np.nan, np.nan)
    for s in set(suite_ids):
        times = ledger.accepted.get(s)
        millis[s] = nan if times is None else (_millis(times[0]), _millis(times[1]))
    ms = np.array([millis[s] for s in suite_ids], dtype=float).reshape(-1, 2)
    out["scheduled_at"] = ms[:, 0] / 1000 + shift
    out["sent_at"] = ms[:, 1] / 1000 + shift
    out["dispatch_lag_s"] = (ms[:, 1] - ms[:, 0]) / 1000
    return out

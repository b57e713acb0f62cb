"""What the job table (suite/rundir/tables.py) needs per job beyond the analysis's figures, taken from the
raw rows as they pass once to the analysis (suite.pipeline.analysis), never read again:

- from raw/jobs.jsonl: GitHub's workflow_name, head_branch, head_sha, labels, runner_id and
  runner_group_name (the last copy of a job id wins, as in the analysis);
- from raw/runs.jsonl: the run's workflow file (the file name of its `path`, before any `@ref`);

Each tap yields the rows it is given, unchanged, a batch at a time (or column chunks as they
are: suite.rundir.fast_jsonl); `extras` joins what they took onto
the per-job columns (job id, run id) as in-memory columns of `per_job`. (The accepted dispatch's
scheduled_at, sent_at and dispatch_lag_s are the analysis's own: suite.analyze.per_job.dispatch_times.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from suite.analyze.columns import column_objects, objects
from suite.rundir.column_chunks import ColumnChunks, Encoded, as_list
from suite.rundir.column_rows import Coded

GITHUB_FIELDS = ("workflow_name", "head_branch", "head_sha", "labels", "runner_id", "runner_group_name")
BATCH = 256
Row = dict[str, Any]


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, BATCH)):
        yield batch


class JobTap:
    """Per job row read: its id and GitHub's fields (GITHUB_FIELDS), a chunk at a time as read (a
    numpy array, an Encoded column or a list; None: the field absent from the chunk)."""

    def __init__(self) -> None:
        self.ids: list[Any] = []
        self.fields: dict[str, list[Any]] = {f: [] for f in GITHUB_FIELDS}

    def rows(self, jobs: Iterable[Row]) -> Iterable[Row]:
        if isinstance(jobs, ColumnChunks):
            return jobs.tapped(self._take)
        return self._rows(jobs)

    def _take(self, chunk: dict[str, Any]) -> None:
        self.ids.append(chunk["id"])
        for f, parts in self.fields.items():
            parts.append(chunk.get(f))

    def _rows(self, jobs: Iterable[Row]) -> Iterator[Row]:
        for batch in _batches(jobs):
            self.ids.append([r.get("id") for r in batch])
            for f, parts in self.fields.items():
                parts.append([r.get(f) for r in batch])
            yield from batch

    def read_ids(self) -> np.ndarray:
        parts = [np.asarray(p, dtype=np.int64) for p in self.ids]
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    def coded(self, field: str, rows: np.ndarray) -> Coded:
        """One field's values at `rows` (indices of the rows read; len(rows read): a job not read, None)
        as a Coded column: each chunk's distinct values made (labels converted) once, a chunk's values
        one by one when it came as a list or an array; only the values `rows` hold are kept."""
        convert = _labels if field == "labels" else None
        words: list[Any] = [None]  # code 0: a field absent from a chunk, a job not read
        codes: list[np.ndarray] = []
        for part, ids in zip(self.fields[field], self.ids, strict=True):
            n = len(ids)
            if part is None:
                codes.append(np.zeros(n, np.int64))
                continue
            if isinstance(part, Encoded):
                values, at = part.distinct, part.codes
            else:
                values, at = as_list(part), np.arange(n)
            codes.append(at + len(words))
            words.extend(values if convert is None else convert(values))
        every = np.concatenate([*codes, np.zeros(1, np.int64)])[rows]
        used = np.bincount(every, minlength=len(words)) > 0  # words no row kept holds are left out
        kept = objects((w for w, u in zip(words, used.tolist(), strict=True) if u), int(used.sum()))
        renumbered = np.cumsum(used) - 1
        codes_kept = renumbered[every]
        return Coded(kept[codes_kept], np.ndarray.tolist, codes_kept, kept)


class RunTap:
    """Per run read: its id and its workflow file, a chunk at a time as read (each distinct path's file
    name made once); `workflows` gives each wanted run id's last copy's."""

    def __init__(self) -> None:
        self.ids: list[Any] = []  # per chunk: an int64 array (a column read without null) or a list
        self.files: list[np.ndarray] = []  # per chunk: the workflow file per run (object)

    def rows(self, runs: Iterable[Row]) -> Iterable[Row]:
        if isinstance(runs, ColumnChunks):
            return runs.tapped(lambda c: self._take(c["id"], c["path"]))
        return self._rows(runs)

    def _rows(self, runs: Iterable[Row]) -> Iterator[Row]:
        for batch in _batches(runs):
            self._take([r.get("id") for r in batch], [r.get("path") for r in batch])
            yield from batch

    def _take(self, ids: Any, paths: Any) -> None:
        self.ids.append(ids)
        self.files.append(column_objects(paths, _workflow_files))

    def workflows(self, run_ids: Sequence[Any]) -> np.ndarray:
        """Per wanted run id, the workflow file of its last copy read (None: not read, or no path): by
        sorted ids when every run id was read as an integer column, else by a dict of the ids read."""
        files = np.concatenate([*self.files, np.array([None], dtype=object)])
        if all(isinstance(p, np.ndarray) and p.dtype == np.int64 for p in self.ids):
            read = np.concatenate(self.ids) if self.ids else np.empty(0, np.int64)
            return files[_last_copy(read, np.asarray(run_ids, dtype=np.int64))]
        last = {run_id: i for i, run_id in enumerate(v for p in self.ids for v in as_list(p))}
        return files[np.fromiter((last.get(r, files.size - 1) for r in run_ids), np.int64, len(run_ids))]


def _workflow_files(paths: list[Any]) -> list[str | None]:
    return [workflow_file(p) if isinstance(p, str) else None for p in paths]


def workflow_file(path: str) -> str:
    """.github/workflows/runner_test.yml@refs/heads/main -> runner_test.yml"""
    return PurePosixPath(path.split("@")[0]).name


def _labels(values: list[Any]) -> list[list[str] | None]:
    """Each job's labels as strings (null unless a list); one list per distinct set of labels."""
    made: dict[tuple[Any, ...], list[str]] = {}
    out: list[list[str] | None] = []
    for v in values:
        if not isinstance(v, list):
            out.append(None)
            continue
        try:
            key = tuple(v)
            out.append(made[key] if key in made else made.setdefault(key, [str(x) for x in v]))
        except TypeError:  # a label that is a list or an object: not hashable
            out.append([str(x) for x in v])
    return out


def _last_copy(read: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Per wanted id, the index of its last copy among the ids read (len(read) when it is not there)."""
    reverse_first = np.unique(read[::-1], return_index=True)
    ids, last = reverse_first[0], read.size - 1 - reverse_first[1]
    at = np.searchsorted(ids, wanted)
    found = at < ids.size
    found[found] = ids[at[found]] == wanted[found]
    return np.where(found, last[np.minimum(at, max(ids.size - 1, 0))] if ids.size else read.size, read.size)


def extras(job_ids: Sequence[Any], run_ids: Sequence[Any], jobs: JobTap, runs: RunTap) -> dict[str, Any]:
    """The job table's columns the taps give, one value per job (per_job's order): GITHUB_FIELDS (Coded
    columns) and workflow (an object array)."""
    rows = _last_copy(jobs.read_ids(), np.asarray(job_ids, dtype=np.int64))
    # coded (the texts and labels have few distinct values: made Arrow once each, suite.rundir.table_io)
    out: dict[str, Any] = {f: jobs.coded(f, rows) for f in GITHUB_FIELDS}
    out["workflow"] = runs.workflows(run_ids)
    return out

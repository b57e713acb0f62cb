"""raw/jobs.jsonl, raw/runs.jsonl and ledger.jsonl rows as columns, with timeline.py's and
workflows.py's rules (the Job/Run/Dispatch parsers are the definitions; tests hold these equal).

- jobs: the last copy of a job id wins; only the highest run_attempt of each run is kept; ordered by
  (started_at, id), never-started jobs last.
- runs: per run id the highest run_attempt (the last copy read on a tie); ordered by (created_at, id).
- ledger: one row per dispatch, in ledger order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from suite.analyze.columns import Cat, Codes, chunks, column_objects, ints, objects, sorted_by
from suite.analyze.timeline import JobArrays
from suite.isotime import Stamps, parse_column
from suite.rundir.column_chunks import Encoded

Rows = Iterable[dict[str, Any]]

JOB_KEYS = (
    "id",
    "run_id",
    "run_attempt",
    "name",
    "runner_name",
    "status",
    "conclusion",
    "created_at",
    "started_at",
    "completed_at",
)


def _text(v: Any) -> str:
    return str(v or "")


def _or_none(v: Any) -> Any:
    return v or None


def _last_of_each(keys: np.ndarray) -> np.ndarray:
    """Indices of the last occurrence of each distinct key (in order of the keys' values)."""
    if keys.size < 2 or bool(np.all(keys[1:] > keys[:-1])):
        return np.arange(keys.size)
    _, first_from_end = np.unique(keys[::-1], return_index=True)
    return np.asarray(keys.size - 1 - first_from_end, dtype=np.int64)


def jobs_table(rows: Rows) -> JobArrays:
    stamps = Stamps()
    codes = [Codes() for _ in range(4)]  # name, runner_name, status, conclusion
    cols: list[list[np.ndarray]] = [[] for _ in JOB_KEYS]
    for chunk in chunks(rows, JOB_KEYS, required=("id", "run_id")):
        ids, run_ids, attempts, *texts, created, started, completed = chunk
        cols[0].append(ints(ids))
        cols[1].append(ints(run_ids))
        cols[2].append(ints(attempts, default=1))
        for k, values in enumerate(texts):
            cols[3 + k].append(codes[k].column(values))
        for k, values in enumerate((created, started, completed)):
            cols[7 + k].append(stamps.column(values))
    num = [np.concatenate(c) if c else np.empty(0) for c in cols]
    job_id, run_id, attempt = (num[k].astype(np.int64) for k in range(3))
    name, runner, status, conclusion = (
        Cat.build(codes[k], cols[3 + k], canon)
        for k, canon in enumerate((_text, _or_none, _text, lambda v: v))
    )
    table = JobArrays.of(job_id, run_id, attempt, name, runner, status, conclusion, *num[7:])
    last = _last_of_each(job_id)  # the last copy of a job id wins
    run_id, attempt = run_id[last], attempt[last]
    by_run = np.arange(run_id.size) if sorted_by(run_id, attempt) else np.lexsort((attempt, run_id))
    r, a = run_id[by_run], attempt[by_run]
    group_end = np.flatnonzero(np.append(r[1:] != r[:-1], True)) if r.size else np.empty(0, np.int64)
    sizes = np.diff(np.append(-1, group_end))
    latest = np.empty_like(a)
    latest[by_run] = np.repeat(a[group_end], sizes)
    kept = last[attempt == latest]
    started = table.started[kept]
    order = kept[np.lexsort((table.id[kept], np.where(np.isnan(started), np.inf, started)))]
    return table.take(order)


@dataclass(frozen=True)
class RunTable:
    """The runs (the fields the analysis reads): id, suite_id (display_title), status, conclusion, created,
    workflow (the file name of the run's `path`, e.g. runner_test.yml; the run's `name` without a path)."""

    id: np.ndarray
    suite_id: np.ndarray  # object: str
    status: Cat
    conclusion: Cat
    created: np.ndarray
    workflow: Cat

    def __len__(self) -> int:
        return int(self.id.size)


def runs_table(rows: Rows) -> RunTable:
    stamps = Stamps()
    status_codes, conclusion_codes, path_codes, name_codes = Codes(), Codes(), Codes(), Codes()
    ids: list[np.ndarray] = []
    attempts: list[np.ndarray] = []
    titles: list[str] = []
    status: list[np.ndarray] = []
    conclusion: list[np.ndarray] = []
    created: list[np.ndarray] = []
    paths: list[np.ndarray] = []
    names: list[np.ndarray] = []
    keys = ("id", "run_attempt", "display_title", "status", "conclusion", "created_at", "path", "name")
    for c_id, c_attempt, c_title, c_status, c_conclusion, c_created, c_path, c_name in chunks(
        rows, keys, required=("id",)
    ):
        ids.append(ints(c_id))
        attempts.append(ints(c_attempt, default=1))
        titles.extend(v if type(v) is str else _text(v) for v in c_title)
        status.append(status_codes.column(c_status))
        conclusion.append(conclusion_codes.column(c_conclusion))
        created.append(stamps.column(c_created))
        paths.append(path_codes.column(c_path))
        names.append(name_codes.column(c_name))
    run_id = np.concatenate(ids) if ids else np.empty(0, np.int64)
    attempt = np.concatenate(attempts) if attempts else np.empty(0, np.int64)
    when = np.concatenate(created) if created else np.empty(0)
    suite_id = objects(titles, len(titles))
    st, co = Cat.build(status_codes, status, _text), Cat.build(conclusion_codes, conclusion)
    wf = _workflows(path_codes, paths, name_codes, names)
    # per run id the highest attempt, the last copy read on a tie
    by_key = np.lexsort((np.arange(run_id.size), attempt, run_id))
    sorted_ids = run_id[by_key]
    kept = (
        by_key[np.flatnonzero(np.append(sorted_ids[1:] != sorted_ids[:-1], True))] if run_id.size else by_key
    )
    order = kept[np.lexsort((run_id[kept], np.where(np.isnan(when[kept]), np.inf, when[kept])))]
    return RunTable(
        run_id[order], suite_id[order], st.take(order), co.take(order), when[order], wf.take(order)
    )


def _workflows(path_codes: Codes, paths: list[np.ndarray], name_codes: Codes, names: list[np.ndarray]) -> Cat:
    """Each run's workflow: the file name of its `path` (.github/workflows/runner_test.yml ->
    runner_test.yml), else its `name`, else "". Keyed once per distinct (path, name) pair."""
    path_of, name_of = list(path_codes), list(name_codes)
    width = max(len(name_of), 1)
    p = np.concatenate(paths) if paths else np.empty(0, np.int64)
    pair = p * width + (np.concatenate(names) if names else np.empty(0, np.int64))
    size = len(path_of) * width
    if size <= 1 << 16:  # few pairs: a table over every pair, no sort
        distinct = np.flatnonzero(np.bincount(pair, minlength=size))
        slot, at = pair, distinct
    else:
        distinct, inverse = np.unique(pair, return_inverse=True)
        slot, at, size = inverse.reshape(-1), np.arange(distinct.size), distinct.size
    values: dict[str, int] = {}

    def key(k: int) -> str:
        path = path_of[k // width]
        return str(path).rsplit("/", 1)[-1] if path else _text(name_of[k % width])

    lut = np.zeros(size, np.int64)
    lut[at] = [values.setdefault(key(k), len(values)) for k in distinct.tolist()]
    return Cat(lut[slot], tuple(values))


@dataclass(frozen=True)
class DispatchTable:
    """The ledger, one row per dispatch: status NaN and run_id -1 where the ledger has null."""

    suite_id: np.ndarray  # object: str
    scheduled: np.ndarray
    sent: np.ndarray
    status: np.ndarray  # int(status) as float
    run_id: np.ndarray
    has_run_id: np.ndarray
    error: np.ndarray  # object

    def __len__(self) -> int:
        return int(self.scheduled.size)


def _optional_ints(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """(int(v) or -1, v is not None) per value."""
    if isinstance(values, np.ndarray):  # a column read without null (suite.rundir.duck_jsonl)
        return values.astype(np.int64), np.ones(values.size, bool)
    if None not in values:
        return ints(values), np.ones(len(values), bool)
    whole = _whole_floats(values)
    if whole is not None:  # integers and None: converted at once (None: NaN), exactly
        has = ~np.isnan(whole)
        return np.where(has, whole, -1).astype(np.int64), has
    has = np.fromiter((v is not None for v in values), bool, len(values))
    return np.fromiter((-1 if v is None else int(v) for v in values), np.int64, len(values)), has


def _whole_floats(values: list[Any]) -> np.ndarray | None:
    """Integers and None (a column read with null) as floats, None as NaN, when that is exact: every
    integer below 2**53 in magnitude; else None (the values are taken one by one, as int(v))."""
    if not set(map(type, values)) <= _INT_OR_NONE:
        return None
    floats = np.array(values, dtype=np.float64)
    if not bool(np.all(np.abs(floats[~np.isnan(floats)]) < 2.0**53)):
        return None
    return floats


_INT_OR_NONE = frozenset((int, type(None)))


def _suite_ids(values: list[Any]) -> list[str]:
    return [v if type(v) is str else str(v) for v in values]


def _stamps(values: Any) -> np.ndarray:
    """parse_column of a chunk's column; an Encoded column's distinct values parsed once."""
    if isinstance(values, Encoded):
        return parse_column(values.distinct)[values.codes]
    return parse_column(values)


def dispatch_table(rows: Rows) -> DispatchTable:
    keys = ("suite_id", "scheduled_at", "sent_at", "status", "workflow_run_id", "error")
    parts: list[list[np.ndarray]] = [[], [], [], [], [], [], []]
    for c_suite, c_scheduled, c_sent, c_status, c_run, c_error in chunks(rows, keys, required=("suite_id",)):
        parts[0].append(column_objects(c_suite, _suite_ids))
        parts[1].append(_stamps(c_scheduled))
        parts[2].append(_stamps(c_sent))
        status, has_status = _optional_ints(c_status)
        parts[3].append(np.where(has_status, status, np.nan))
        run_id, has_run = _optional_ints(c_run)
        parts[4].append(run_id)
        parts[5].append(has_run)
        parts[6].append(column_objects(c_error))
    kinds = (object, float, float, float, np.int64, bool, object)
    cols = [np.concatenate(p) if p else np.empty(0, k) for p, k in zip(parts, kinds, strict=True)]
    return DispatchTable(*cols)

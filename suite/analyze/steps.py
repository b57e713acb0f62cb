"""result.json's `steps`: per step of each job name, its duration distribution; the slowest steps; for
each failed job the step where it failed. Pure: the jobs' rows in, figures out.

Definitions (docs/architecture.md, Definitions): a step's duration = its completed_at − started_at,
over the steps with both stamps (a skipped step has none); steps are grouped by (job name, step
number, step name): what a user reads as `build / npm` step 3 `Run tests`; the number tells apart
two steps of one name in one job. Only the jobs the headline counts (this test's runs, a job id's
last copy, the run's latest attempt) are read: StepTap records the steps of every row carrying any
as the rows pass once through suite.analyze.tables.jobs_table, and step_figures keeps those of the
kept job ids.
A failed job (conclusion failure or timed_out) failed at its first step, by number, whose
conclusion is failure, timed_out or cancelled; none such: null, with the reason.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, pairwise
from operator import methodcaller
from typing import Any, NamedTuple

import numpy as np

from suite.analyze.stats import distribution
from suite.isotime import observed_ts
from suite.rundir.column_chunks import ColumnChunks, StepColumns
from suite.rundir.result_schema import FailedStep, StepFigures, Steps

DEFINITION = (
    "per (job name, step number, step name): duration = completed_at − started_at of the steps with "
    "both stamps; a failed job's step = its first step by number concluding failure, timed_out or "
    "cancelled"
)
FAILING = frozenset({"failure", "timed_out", "cancelled"})
FAILED_JOB = frozenset({"failure", "timed_out"})
SLOWEST = 10  # entries in `slowest`


class Step(NamedTuple):
    """A step as the figures read it (a tuple: made a million times at 100k jobs, a frozen dataclass's
    __init__ costs several times a tuple's)."""

    number: int | None
    name: str
    conclusion: str | None
    duration: float | None  # completed − started, None without both stamps (or completed first)


def parse_steps(raw: Any) -> list[Step]:
    """A job row's `steps` (GitHub's objects) as Steps, in order of number (rows' order for ties)."""
    if not isinstance(raw, list):
        return []
    out = []
    for s in raw:
        if not isinstance(s, dict):
            continue
        get = s.get
        number, name, conclusion = get("number"), get("name"), get("conclusion")
        started, completed = observed_ts(get("started_at")), observed_ts(get("completed_at"))
        out.append(
            Step(
                number if type(number) is int else None,
                str(name or ""),
                conclusion if isinstance(conclusion, str) else None,
                completed - started
                if started is not None and completed is not None and completed >= started
                else None,
            )
        )
    numbers = [st[0] for st in out]
    if None not in numbers and all(a <= b for a, b in pairwise(numbers)):  # type: ignore[operator]
        return out  # already in order (GitHub's): the stable sort would keep it as it is
    return sorted(out, key=_by_number)


def _by_number(st: Step) -> tuple[bool, int]:
    return st.number is None, st.number or 0


BATCH = 128  # rows looked at together: most batches have steps in every row, or in none
_STEPS = methodcaller("get", "steps")


@dataclass
class StepTap:
    """Records each job row's steps by job id (the last copy of an id wins, as in jobs_table) while the
    rows pass through `rows` once. A row without steps records nothing (an id absent from by_job has
    no steps), so rows without steps cost one look each. Rows given as columns whose reader took the
    steps apart (ColumnChunks.steps) are passed on as they are, their steps taken over as given (the
    chunks no longer hold them, so they are freed with the tap)."""

    by_job: dict[int, list[Step]] = field(default_factory=dict)
    flat: StepColumns | None = None

    def rows(self, jobs: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        """The rows, unchanged and in order (chained a batch at a time: no Python step per row)."""
        if isinstance(jobs, ColumnChunks) and jobs.steps is not None:
            self.flat, jobs.steps = jobs.steps, None  # held here only: freed with the tap
            return jobs
        return chain.from_iterable(self._batches(jobs))

    def columns(self) -> StepColumns:
        """The recorded steps as flat columns."""
        return self.flat if self.flat is not None else step_columns(self.by_job)

    def _batches(self, jobs: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
        by_job = self.by_job
        it = iter(jobs)
        while batch := list(islice(it, BATCH)):
            try:
                flags = list(map(_STEPS, batch))  # each row's steps, read at C speed
            except (AttributeError, TypeError):  # a row that is not a dict among them
                flags = [r.get("steps") if isinstance(r, dict) else None for r in batch]
            if not any(flags) and not by_job:  # no steps here, and none recorded to clear
                yield batch
                continue
            stepped = [r for r, f in zip(batch, flags, strict=True) if f and isinstance(r, dict)]
            if len(stepped) == len(batch):
                for row in stepped:  # every row has steps
                    if type(job_id := row.get("id")) is int:
                        by_job[job_id] = parse_steps(row["steps"])
            else:  # a mix: row by row, in order (a later copy without steps clears an earlier one)
                for row in batch:
                    job_id = row.get("id") if isinstance(row, dict) else None
                    if type(job_id) is not int:
                        continue
                    if row.get("steps"):
                        by_job[job_id] = parse_steps(row["steps"])
                    else:
                        by_job.pop(job_id, None)
            yield batch


def step_figures(
    job_ids: Sequence[int] | np.ndarray,
    job_names: Sequence[str] | np.ndarray,
    conclusions: Sequence[str | None] | np.ndarray,
    steps: StepColumns,
    reasons: dict[str, str],
) -> Steps:
    """The `steps` section over these jobs (in their order; each id once) from their steps as flat
    columns (StepTap.columns()); reasons gets why a figure is null. Computed over the columns: no
    Python object per step."""
    ids = np.asarray(job_ids, dtype=np.int64).reshape(-1)
    names = np.asarray(job_names, dtype=object).reshape(-1)
    concluded = np.asarray(conclusions, dtype=object).reshape(-1)
    failed = np.zeros(ids.size, bool)
    for c in FAILED_JOB:
        failed |= concluded == c
    pos = _positions(ids, steps.job_id)  # each step's job, as its index in ids (-1: not one of them)
    # the steps are never put in jobs' order nor copied (every column is 5M long at a million jobs):
    # each figure reads them where they are, the steps of other jobs (pos -1) left out, ordered by
    # (job position, place in the file) where order matters, which within a job is its steps' order
    # (StepColumns keeps each job's steps together and in order)
    failing_codes = [i for i, c in enumerate(steps.conclusion_values) if c in FAILING]
    failing = np.isin(steps.conclusion, failing_codes)
    by_step = _groups(
        names,
        pos,
        steps.number,
        steps.has_number,
        steps.name,
        steps.name_values,
        steps.duration,
        failing,
        reasons,
    )
    failed_at = _failed_steps(ids, names, failed, pos, failing, steps)
    timed = [f for f in by_step if f["timed"]]
    slowest = sorted(timed, key=lambda f: -(f["duration_s"]["p95"] or 0.0))[:SLOWEST]
    if not timed:
        reasons.setdefault("steps", "no job of this test carried a step with started_at and completed_at")
    return Steps(definition=DEFINITION, by_step=by_step, slowest=slowest, failed_at=failed_at)


def _positions(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Per wanted id, its index in ids (-1 when it is not there); int32 while ids fit (half the memory
    of a position per step)."""
    kind = np.int32 if ids.size < 2**31 else np.int64
    if not ids.size or not wanted.size:
        return np.full(wanted.size, -1, kind)
    by_id = np.argsort(ids, kind="stable").astype(kind)
    sorted_ids = ids[by_id]
    at = np.searchsorted(sorted_ids, wanted)
    np.minimum(at, ids.size - 1, out=at)
    missing = sorted_ids[at] != wanted
    pos = by_id[at]
    del at
    pos[missing] = -1
    return pos


def _groups(
    names: np.ndarray,
    pos: np.ndarray,
    number: np.ndarray,
    has_number: np.ndarray,
    step_name: np.ndarray,
    name_values: tuple[str, ...],
    duration: np.ndarray,
    failing: np.ndarray,
    reasons: dict[str, str],
) -> list[StepFigures]:
    """One entry per (job name, step number, step name): by job name (in order of its first job with
    steps), then step number (unnumbered last), then step name."""
    inside = int(np.count_nonzero(pos >= 0))
    if not inside:
        return []
    codes: dict[str, int] = {}
    per_job = np.fromiter(
        (codes.setdefault(str(n), len(codes)) for n in names.tolist()), np.int64, names.size
    )
    job_codes = list(codes)
    # a step of another job (pos -1) gets the job name code past every real one: sorted last, left out
    job_of = np.append(per_job, len(job_codes))[pos]
    first_seen = np.full(len(job_codes) + 1, names.size, np.int64)  # each job name's first job with steps
    np.minimum.at(first_seen, job_of, pos)
    # stable, with the step's job last: within a key, the steps in jobs' order, each job's in order
    by_key, new_key = _sorted_keys(job_of, ~has_number, np.where(has_number, number, 0), step_name, pos)
    by_key = by_key[:inside]
    cuts = np.flatnonzero(new_key[: inside - 1]) + 1
    del new_key
    out: list[tuple[tuple[int, bool, int, str], StepFigures]] = []
    for part in np.split(by_key, cuts):
        i = int(part[0])
        job = job_codes[int(job_of[i])]
        num = int(number[i]) if has_number[i] else None
        name = name_values[int(step_name[i])]
        timed = duration[part]
        timed = timed[~np.isnan(timed)]
        figures = StepFigures(
            job_name=job,
            number=num,
            name=name,
            steps=int(part.size),
            timed=int(timed.size),
            failed=int(np.count_nonzero(failing[part])),
            duration_s=distribution(timed),
        )
        out.append(((int(first_seen[job_of[i]]), num is None, num or 0, name), figures))
    out.sort(key=lambda kv: kv[0])
    for _, f in out:  # in the entries' order
        if not f["timed"]:
            address = f"steps[{json.dumps(f['job_name'])}][{json.dumps(f['number'])}].duration_s"
            reasons.setdefault(address, "no step of this key had both started_at and completed_at (skipped)")
    return [f for _, f in out]


def _sorted_keys(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stable order of the steps by `keys` (the first the most significant, as np.lexsort of them
    reversed) and, between neighbours in that order, whether any key but the last changes (the last
    only orders the steps within a group). The keys (integers, or booleans) are packed into one int64
    per step when their ranges' product fits: one argsort of one key, a fraction of lexsort's memory at
    five million steps; else lexsort, one key at a time."""
    if not keys[0].size:
        return np.empty(0, np.int64), np.empty(0, bool)
    lows = [int(k.min()) for k in keys]
    spans = [int(k.max()) - lo + 1 for k, lo in zip(keys, lows, strict=True)]
    if math.prod(spans) < 2**63:
        packed = np.zeros(keys[0].size, np.int64)
        for k, lo, span in zip(keys, lows, spans, strict=True):
            packed *= span
            packed += k.astype(np.int64) - lo
        by_key = np.argsort(packed, kind="stable")
        ordered = packed[by_key]
        del packed
        ordered //= spans[-1]  # the group's part: every key but the last
        return by_key, ordered[1:] != ordered[:-1]
    by_key = np.lexsort(keys[::-1])
    new_key = np.zeros(max(by_key.size - 1, 0), bool)
    for k in keys[:-1]:  # one key at a time: a single 5M-long temporary, not four
        ordered = k[by_key]
        new_key |= ordered[1:] != ordered[:-1]
        del ordered
    return by_key, new_key


def _failed_steps(
    ids: np.ndarray,
    names: np.ndarray,
    failed: np.ndarray,
    pos: np.ndarray,
    failing: np.ndarray,
    steps: StepColumns,
) -> list[FailedStep]:
    """Per failed job (in ids' order), the first of its steps (in order) that concluded failure,
    timed_out or cancelled, else null step fields with the reason. pos: each step's job (its index in
    ids, -1 for another job's step)."""
    inside = pos >= 0
    count = np.bincount(pos[inside], minlength=ids.size) if pos.size else np.zeros(ids.size, np.int64)
    first = np.full(ids.size, -1, np.int64)
    at = np.flatnonzero(failing & inside)
    del inside
    hit, index = np.unique(pos[at], return_index=True)  # each job's first failing step in the file
    first[hit] = at[index]
    number, has_number, step_name, conclusion = steps.number, steps.has_number, steps.name, steps.conclusion
    out: list[FailedStep] = []
    for i in np.flatnonzero(failed).tolist():
        job_id, job, k = int(ids[i]), str(names[i]), int(first[i])
        if k >= 0:
            out.append(
                FailedStep(
                    job_id=job_id,
                    job_name=job,
                    step_number=int(number[k]) if has_number[k] else None,
                    step_name=steps.name_values[int(step_name[k])],
                    step_conclusion=steps.conclusion_values[int(conclusion[k])],
                    reason=None,
                )
            )
            continue
        why = (
            "the job carried no steps"
            if not count[i]
            else "no step concluded failure, timed_out or cancelled"
        )
        out.append(
            FailedStep(
                job_id=job_id,
                job_name=job,
                step_number=None,
                step_name=None,
                step_conclusion=None,
                reason=why,
            )
        )
    return out


def step_columns(by_job: dict[int, list[Step]]) -> StepColumns:
    """Parsed steps by job id (StepTap's rows) as flat columns, each job's steps in order."""
    flat = [(job_id, st) for job_id, steps in by_job.items() for st in steps]
    if not flat:
        return StepColumns.empty()
    names: dict[str, int] = {}
    verdicts: dict[str | None, int] = {}
    return StepColumns(
        job_id=np.fromiter((j for j, _ in flat), np.int64, len(flat)),
        number=np.fromiter(
            (st.number if st.number is not None else -1 for _, st in flat), np.int64, len(flat)
        ),
        has_number=np.fromiter((st.number is not None for _, st in flat), bool, len(flat)),
        name=np.fromiter((names.setdefault(st.name, len(names)) for _, st in flat), np.int64, len(flat)),
        name_values=tuple(names),
        conclusion=np.fromiter(
            (verdicts.setdefault(st.conclusion, len(verdicts)) for _, st in flat), np.int64, len(flat)
        ),
        conclusion_values=tuple(verdicts),
        duration=np.fromiter(
            (np.nan if st.duration is None else st.duration for _, st in flat), float, len(flat)
        ),
    )

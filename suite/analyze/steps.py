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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, pairwise
from operator import methodcaller
from typing import Any, NamedTuple

import numpy as np

from suite.analyze.stats import distribution
from suite.isotime import _parse, ts
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
        started, completed = _stamp(get("started_at")), _stamp(get("completed_at"))
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


def _stamp(value: Any) -> float | None:
    if type(value) is str and value:
        try:
            return _parse(value)  # ts() of a non-empty string, without its two calls
        except (TypeError, ValueError):
            return None
    try:
        return ts(value)
    except (TypeError, ValueError):  # a damaged stamp is one not observed
        return None


BATCH = 128  # rows looked at together: most batches have steps in every row, or in none
_STEPS = methodcaller("get", "steps")


@dataclass
class StepTap:
    """Records each job row's steps by job id (the last copy of an id wins, as in jobs_table) while the
    rows pass through `rows` once. A row without steps records nothing (an id absent from by_job has
    no steps), so rows without steps cost one look each."""

    by_job: dict[int, list[Step]] = field(default_factory=dict)

    def rows(self, jobs: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The rows, unchanged and in order (chained a batch at a time: no Python step per row)."""
        return chain.from_iterable(self._batches(jobs))

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
    by_job: dict[int, list[Step]],
    reasons: dict[str, str],
) -> Steps:
    """The `steps` section over these jobs (in their order); reasons gets why a figure is null. Only
    the jobs with steps or a failed conclusion are visited (a job with neither adds nothing)."""
    groups: dict[tuple[str, int | None, str], list[Step]] = {}
    failed_at: list[FailedStep] = []
    ids = np.asarray(job_ids, dtype=np.int64).reshape(-1)
    concluded = np.asarray(conclusions, dtype=object).reshape(-1)
    failed = np.zeros(ids.size, bool)
    for c in FAILED_JOB:
        failed |= concluded == c
    with_steps = np.fromiter((k for k, v in by_job.items() if v), np.int64)
    visit = np.flatnonzero(np.isin(ids, with_steps) | failed) if ids.size else ids
    for i in visit.tolist():
        job_id, job = int(ids[i]), job_names[i]
        steps = by_job.get(job_id, [])
        for st in steps:
            groups.setdefault((str(job), st.number, st.name), []).append(st)
        if failed[i]:
            failed_at.append(_failed_at(job_id, str(job), steps))
    by_step = [_figures(key, steps, reasons) for key, steps in _ordered(groups)]
    timed = [f for f in by_step if f["timed"]]
    slowest = sorted(timed, key=lambda f: -(f["duration_s"]["p95"] or 0.0))[:SLOWEST]
    if not timed:
        reasons.setdefault("steps", "no job of this test carried a step with started_at and completed_at")
    return Steps(definition=DEFINITION, by_step=by_step, slowest=slowest, failed_at=failed_at)


def _ordered(
    groups: dict[tuple[str, int | None, str], list[Step]],
) -> list[tuple[tuple[str, int | None, str], list[Step]]]:
    """By job name (in order of its first job), then step number (unnumbered last), then name."""
    first = {job: i for i, (job, _, _) in reversed(list(enumerate(groups)))}
    return sorted(groups.items(), key=lambda kv: (first[kv[0][0]], kv[0][1] is None, kv[0][1] or 0, kv[0][2]))


def _figures(key: tuple[str, int | None, str], steps: list[Step], reasons: dict[str, str]) -> StepFigures:
    job, number, name = key
    durations = [st.duration for st in steps if st.duration is not None]
    if not durations:
        address = f"steps[{json.dumps(job)}][{json.dumps(number)}].duration_s"
        reasons.setdefault(address, "no step of this key had both started_at and completed_at (skipped)")
    return StepFigures(
        job_name=job,
        number=number,
        name=name,
        steps=len(steps),
        timed=len(durations),
        failed=sum(st.conclusion in FAILING for st in steps),
        duration_s=distribution(durations),
    )


def _failed_at(job_id: int, job: str, steps: list[Step]) -> FailedStep:
    for st in steps:
        if st.conclusion in FAILING:
            return FailedStep(
                job_id=job_id,
                job_name=job,
                step_number=st.number,
                step_name=st.name,
                step_conclusion=st.conclusion,
                reason=None,
            )
    why = "the job carried no steps" if not steps else "no step concluded failure, timed_out or cancelled"
    return FailedStep(
        job_id=job_id, job_name=job, step_number=None, step_name=None, step_conclusion=None, reason=why
    )

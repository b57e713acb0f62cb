"""result.json's `by_job_name` and `by_workflow`: the headline figures over each job name's and each
workflow's jobs. Pure: numpy columns in, figures out.

Every figure has the headline definition over its subset (docs/architecture.md): queue = started −
created, execution = completed − started (the same jobs the headline distributions count), the job
counts as `jobs`. The totals:

- per job name, per job that ran to completion: its completed_at − its run's created_at (how long into
  its workflow the job was done, its predecessors' time included);
- per workflow, per completed run: the workflow total (last job completed − run created).

The jobs are grouped once (a stable sort of their name codes) and each group's distribution is
suite.analyze.stats.distribution over its slice, so the figures equal numpy over the same subsets.
"""

from __future__ import annotations

import json
from typing import cast

import numpy as np

from suite.analyze.columns import Cat
from suite.analyze.stats import distribution
from suite.analyze.tables import RunTable
from suite.analyze.timeline import JobArrays
from suite.rundir.result_schema import JobCounts, JobNameFigures, WorkflowFigures


def count_masks(jobs: JobArrays) -> dict[str, np.ndarray]:
    """The job counts (JobCounts) as one mask per count: the headline `jobs` section's rules."""
    c = jobs.conclusion
    return {
        "count": np.ones(len(jobs), bool),
        "succeeded": c.isin("success"),
        "failed": c.isin("failure", "timed_out"),
        "cancelled": c.isin("cancelled"),
        "skipped": c.isin("skipped"),
        "incomplete": ~jobs.status.isin("completed"),
        "ran": jobs.busy,
    }


def job_counts(jobs: JobArrays) -> JobCounts:
    """The headline `jobs` counts over every job of the test (count_masks' rules)."""
    return _counts(count_masks(jobs), np.arange(len(jobs)))


def by_job_name(
    jobs: JobArrays, run_created: np.ndarray, reasons: dict[str, str]
) -> dict[str, JobNameFigures]:
    """Per job name (in order of each name's first job, the jobs' order). run_created: per job, its
    run's created_at (NaN when unknown)."""
    masks = count_masks(jobs)
    execution = jobs.end - jobs.start
    total = np.where(jobs.busy, jobs.completed - run_created, np.nan)
    out: dict[str, JobNameFigures] = {}
    for _, name, idx in _groups(jobs.name):
        figures: JobNameFigures = {
            "jobs": _counts(masks, idx),
            "queue_time_s": distribution(_present(jobs.queue[idx])),
            "execution_time_s": distribution(_present(execution[idx])),
            "total_time_s": distribution(_present(total[idx])),
        }
        key = str(name)
        address, of = f"jobs[{json.dumps(key)}]", f"named {json.dumps(key)}"
        _why_empty(figures, address, of, reasons)
        if figures["total_time_s"]["count"] == 0:
            reasons.setdefault(f"{address}.total_time_s", f"no job {of} ran to completion")
        out[key] = figures
    return out


def by_workflow(
    jobs: JobArrays,
    job_run: np.ndarray,
    runs: RunTable,
    found: np.ndarray,
    last_done: np.ndarray,
    reasons: dict[str, str],
) -> dict[str, WorkflowFigures]:
    """Per workflow (in order of each workflow's first job; workflows of runs without jobs after them,
    by name).
    job_run: each job's run (RunTable row); found: this test's collected runs (RunTable rows);
    last_done: per run (RunTable row), its last job's completed_at (NaN when none)."""
    masks = count_masks(jobs)
    execution = jobs.end - jobs.start
    run_wf = runs.workflow.codes[found]
    totals = last_done[found] - runs.created[found]
    completed = runs.status.isin("completed")[found] & ~np.isnan(totals)
    out: dict[str, WorkflowFigures] = {}
    for code, name, idx in _groups(runs.workflow.take(job_run), extra=run_wf):
        mine = run_wf == code
        figures: WorkflowFigures = {
            "runs": int(np.count_nonzero(mine)),
            "jobs": _counts(masks, idx),
            "queue_time_s": distribution(_present(jobs.queue[idx])),
            "execution_time_s": distribution(_present(execution[idx])),
            "total_time_s": distribution(totals[mine & completed]),
        }
        key = str(name)
        address = f"workflows[{json.dumps(key)}]"
        _why_empty(figures, address, f"of workflow {json.dumps(key)}", reasons)
        if figures["total_time_s"]["count"] == 0:
            reasons.setdefault(f"{address}.total_time_s", "no completed run with a completed job")
        out[key] = figures
    return out


def _groups(cat: Cat, extra: np.ndarray | None = None) -> list[tuple[int, object, np.ndarray]]:
    """(code, value, row indices) per value present, in order of its first row; then the codes in
    `extra` that no row has (runs without jobs, say), by value, with no rows."""
    codes = cat.codes
    n = len(cat.values)
    small = codes.astype(np.uint16) if n <= np.iinfo(np.uint16).max else codes
    order = np.argsort(small, kind="stable")  # 16-bit codes: numpy sorts them by radix
    bounds = np.searchsorted(codes[order], np.arange(n + 1))
    present, first = np.unique(codes, return_index=True)
    seen: list[int] = present[np.argsort(first, kind="stable")].tolist()
    if extra is not None:
        seen += sorted(set(np.unique(extra).tolist()) - set(seen), key=lambda c: str(cat.values[c]))
    return [(c, cat.values[c], order[bounds[c] : bounds[c + 1]]) for c in seen]


def _present(a: np.ndarray) -> np.ndarray:
    return a[~np.isnan(a)]


def _counts(masks: dict[str, np.ndarray], idx: np.ndarray) -> JobCounts:
    counts = {k: int(np.count_nonzero(m[idx])) for k, m in masks.items()}
    return cast(JobCounts, counts)


def _why_empty(
    figures: JobNameFigures | WorkflowFigures, address: str, of: str, reasons: dict[str, str]
) -> None:
    if figures["queue_time_s"]["count"] == 0:
        reasons.setdefault(f"{address}.queue_time_s", f"no job {of} started")
    if figures["execution_time_s"]["count"] == 0:
        reasons.setdefault(f"{address}.execution_time_s", f"no job {of} ran to completion")

"""result_of's helpers over the analysis's arrays (suite.analyze.result): the window, each run's last
completed job, the workflows' total times and the resources section. Pure."""

from __future__ import annotations

import numpy as np

from suite.analyze.resources import ResourceColumns, SampleArrays, join_resources
from suite.analyze.scope import Scope
from suite.analyze.stats import distribution
from suite.analyze.tables import DispatchTable, RunTable
from suite.analyze.timeline import JobArrays
from suite.rundir.result_schema import Distribution, ResourceFigures, Resources


def window_of(
    dispatches: DispatchTable, jobs: JobArrays, shift: float, reasons: dict[str, str]
) -> tuple[float, float] | None:
    starts = dispatches.scheduled[~np.isnan(dispatches.scheduled)]
    ends = jobs.end[jobs.busy]
    if not starts.size:
        reasons["window"] = "the ledger has no scheduled dispatch"
    elif not ends.size:
        reasons["window"] = "no job of this test completed"
    elif float(ends.max()) <= float(starts.min()) + shift:
        reasons["window"] = "the last job completed before the first scheduled dispatch"
    else:
        return (float(starts.min()) + shift, float(ends.max()))
    return None


def last_completed(jobs: JobArrays, job_run: np.ndarray, n_runs: int) -> np.ndarray:
    """Per run (RunTable row): its last job's completed_at among this test's jobs (NaN when none)."""
    last = np.full(n_runs, -np.inf)
    done = ~np.isnan(jobs.completed)
    np.maximum.at(last, job_run[done], jobs.completed[done])
    return np.where(last == -np.inf, np.nan, last)


def totals(sc: Scope, runs: RunTable, last_done: np.ndarray) -> np.ndarray:
    """Per collected workflow whose run completed: its last job's completed_at − the run's created_at."""
    run = sc.run[sc.found]
    total = last_done[run] - runs.created[run]
    return total[runs.status.isin("completed")[run] & ~np.isnan(total)]


def resources_of(
    jobs: JobArrays, index: SampleArrays, not_collected: str | None
) -> tuple[Resources, ResourceColumns]:
    cols = join_resources(jobs, index, not_collected)
    ran = jobs.busy
    samples = cols.samples

    def dist(name: str) -> Distribution:
        values = cols.values[name][ran]
        return distribution(values[~np.isnan(values)])

    def figures(kind: str, unit: str) -> ResourceFigures:
        return ResourceFigures(
            unit=unit,
            max=dist(f"{kind}_max"),
            mean=dist(f"{kind}_mean"),
            max_pct=dist(f"{kind}_max_pct"),
            mean_pct=dist(f"{kind}_mean_pct"),
        )

    return Resources(
        cpu=figures("cpu", "CPU units (1024 = 1 vCPU)"),
        memory=figures("memory", "MiB"),
        jobs_with_samples=int(np.count_nonzero(ran & (samples > 0))),
        jobs_without_samples=int(np.count_nonzero(ran & (samples == 0))),
    ), cols

"""result.json's `rightsize`: per job name, its CPU and memory against the task's reservation, a verdict,
and the smallest Fargate size that keeps a stated headroom. Pure: per-job figures in, the section out.

The rules (docs/architecture.md, Definitions; tests/analyze/test_rightsize.py holds the code to them),
over a name's jobs that ran to completion, "measured" those with cpu_max, cpu_max_pct, cpu_mean_pct,
memory_max and memory_max_pct all known (suite.analyze.resources):

- peaks: cpu_peak = max cpu_max (CPU units), cpu_peak_pct = max cpu_max_pct, memory_peak = max
  memory_max (MiB), memory_peak_pct = max memory_max_pct; cpu_mean_pct = the measured jobs'
  cpu_mean_pct weighted by their execution time (a time-weighted mean over the name's job-time).
- verdict, the first that holds: (1) memory pressure: a job of the name was killed for memory (failure
  cause out_of_memory), or it is measured and memory_peak_pct >= MEMORY_PRESSURE_PCT; (2) inconclusive:
  fewer than MIN_JOBS measured jobs; (3) CPU-bound: cpu_peak_pct >= CPU_BOUND_PEAK_PCT and
  cpu_mean_pct >= CPU_BOUND_MEAN_PCT; (4) over-provisioned CPU: cpu_peak_pct < OVER_PROVISIONED_PEAK_PCT;
  (5) fits.
- recommended_note: why recommended is null, else what it is against the fleet's size (the same, smaller,
  or the fleet's size lacks the headroom), after an out-of-memory kill that the peak is a floor.
- recommended: with at least MIN_JOBS measured jobs, the first Fargate size (by CPU, then memory:
  suite.rundir.fargate_sizes.all_sizes, the cheapest at any positive prices) whose CPU >= cpu_peak ×
  (1 + headroom) and memory >= memory_peak × (1 + headroom); null with the note otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from suite.analyze.columns import Cat
from suite.rundir.cost_types import JobNameRightsize, Rightsize, RightsizeRules, TaskSize
from suite.rundir.fargate_sizes import all_sizes

DEFAULT_HEADROOM_PCT = 25.0
MIN_JOBS = 3
MEMORY_PRESSURE_PCT = 90.0
CPU_BOUND_PEAK_PCT = 90.0
CPU_BOUND_MEAN_PCT = 70.0
OVER_PROVISIONED_PEAK_PCT = 50.0
MEMORY_PRESSURE, INCONCLUSIVE, CPU_BOUND, OVER_CPU, FITS = (
    "memory pressure",
    "inconclusive",
    "CPU-bound",
    "over-provisioned CPU",
    "fits",
)
VERDICTS = (MEMORY_PRESSURE, INCONCLUSIVE, CPU_BOUND, OVER_CPU, FITS)
DEFINITION = (
    "per job name, over its jobs with CPU and memory figures: peak CPU and memory (the highest job "
    "max) and the execution-time-weighted mean CPU, as % of the task's reservation; verdict: memory "
    "pressure (a job killed for memory, or peak memory >= 90%), else inconclusive (< 3 measured jobs), "
    "else CPU-bound (peak CPU >= 90% and mean >= 70%), else over-provisioned CPU (peak CPU < 50%), else "
    "fits; recommended: the smallest Fargate size with CPU and memory >= peak × (1 + headroom)"
)
OOM_NOTE = "jobs were killed for memory: the observed memory peak is a floor, the need is higher"


def rules() -> RightsizeRules:
    return RightsizeRules(
        min_jobs=MIN_JOBS,
        memory_pressure_pct=MEMORY_PRESSURE_PCT,
        cpu_bound_peak_pct=CPU_BOUND_PEAK_PCT,
        cpu_bound_mean_pct=CPU_BOUND_MEAN_PCT,
        over_provisioned_peak_pct=OVER_PROVISIONED_PEAK_PCT,
    )


def fleet_size(fleet: Mapping[str, Any]) -> TaskSize | None:
    """The fleet's task size from the manifest (configuration), None when it does not say."""
    cpu, mem = fleet.get("task_cpu"), fleet.get("task_memory")
    if type(cpu) is int and type(mem) is int:
        return TaskSize(task_cpu=cpu, task_memory=mem)
    return None


def smallest_size(cpu_units: float, memory_mib: float, headroom_pct: float) -> TaskSize | None:
    """The first Fargate size (by CPU, then memory) with CPU >= cpu_units × (1 + h) and memory >=
    memory_mib × (1 + h), h = headroom_pct / 100; None when even the largest is too small."""
    factor = 1.0 + headroom_pct / 100.0
    need_cpu, need_mem = cpu_units * factor, memory_mib * factor
    for cpu, mem in all_sizes():
        if cpu >= need_cpu and mem >= need_mem:
            return TaskSize(task_cpu=cpu, task_memory=mem)
    return None


def _peak(x: np.ndarray) -> float | None:
    return float(x.max()) if x.size else None


def judge(
    execution_s: np.ndarray,
    cpu_max: np.ndarray,
    cpu_max_pct: np.ndarray,
    cpu_mean_pct: np.ndarray,
    memory_max: np.ndarray,
    memory_max_pct: np.ndarray,
    out_of_memory: int,
    headroom_pct: float,
) -> JobNameRightsize:
    """One group of jobs (each array: its jobs that ran to completion, NaN where a figure is unknown)."""
    figures = (cpu_max, cpu_max_pct, cpu_mean_pct, memory_max, memory_max_pct)
    measured = ~np.isnan(np.vstack(figures)).any(axis=0) if execution_s.size else np.zeros(0, bool)
    n = int(np.count_nonzero(measured))
    ex = execution_s[measured]
    weight = float(ex.sum())
    mean_pct = float((cpu_mean_pct[measured] * ex).sum() / weight) if n and weight > 0 else None
    if n and weight <= 0:  # every measured job took 0 s: no time to weight by, the plain mean
        mean_pct = float(cpu_mean_pct[measured].mean())
    cpu_peak, cpu_pct = _peak(cpu_max[measured]), _peak(cpu_max_pct[measured])
    mem_peak, mem_pct = _peak(memory_max[measured]), _peak(memory_max_pct[measured])
    if out_of_memory:
        verdict, why = MEMORY_PRESSURE, f"{out_of_memory} job(s) killed for memory (exit 137 / OutOfMemory)"
    elif mem_pct is not None and mem_pct >= MEMORY_PRESSURE_PCT:
        verdict, why = (
            MEMORY_PRESSURE,
            f"peak memory {mem_pct:.0f}% of the limit (>= {MEMORY_PRESSURE_PCT:g}%)",
        )
    elif n < MIN_JOBS:
        verdict = INCONCLUSIVE
        why = f"{n} job(s) with CPU and memory figures; a verdict needs at least {MIN_JOBS}"
    elif (
        cpu_pct is not None
        and mean_pct is not None
        and cpu_pct >= CPU_BOUND_PEAK_PCT
        and mean_pct >= CPU_BOUND_MEAN_PCT
    ):
        verdict = CPU_BOUND
        why = f"peak CPU {cpu_pct:.0f}% and mean {mean_pct:.0f}% of the reservation"
    elif cpu_pct is not None and cpu_pct < OVER_PROVISIONED_PEAK_PCT:
        verdict, why = (
            OVER_CPU,
            f"peak CPU {cpu_pct:.0f}% of the reservation (< {OVER_PROVISIONED_PEAK_PCT:g}%)",
        )
    else:
        verdict, why = FITS, f"peak CPU {cpu_pct:.0f}%, peak memory {mem_pct:.0f}% of the reservation"
    recommended: TaskSize | None = None
    if n < MIN_JOBS or cpu_peak is None or mem_peak is None:
        note: str | None = f"{n} job(s) with CPU and memory figures; a size needs at least {MIN_JOBS}"
    else:
        recommended = smallest_size(cpu_peak, mem_peak, headroom_pct)
        note = None if recommended else "no Fargate size holds the peaks with this headroom"
        if recommended and out_of_memory:
            note = OOM_NOTE
    return JobNameRightsize(
        verdict=verdict,
        reason=why,
        jobs=int(execution_s.size),
        measured=n,
        out_of_memory=out_of_memory,
        cpu_peak=cpu_peak,
        cpu_peak_pct=cpu_pct,
        cpu_mean_pct=mean_pct,
        memory_peak=mem_peak,
        memory_peak_pct=mem_pct,
        recommended=recommended,
        recommended_note=note,
    )


def rightsize_section(
    names: Sequence[str] | Cat,
    busy: np.ndarray,
    execution_s: np.ndarray,
    figures: dict[str, np.ndarray],
    causes: Sequence[str | None] | np.ndarray,
    current: TaskSize | None,
    headroom_pct: float = DEFAULT_HEADROOM_PCT,
) -> Rightsize:
    """The section over every job (in the jobs' order): names, busy (ran to completion), execution_s,
    figures (suite.analyze.resources' per-job columns: cpu_max, cpu_max_pct, cpu_mean_pct, memory_max,
    memory_max_pct; NaN when unknown) and each job's failure cause (suite.analyze.failures)."""
    oom = np.asarray(causes, dtype=object).reshape(-1) == "out_of_memory"
    keys = ("cpu_max", "cpu_max_pct", "cpu_mean_pct", "memory_max", "memory_max_pct")

    def against_current(g: JobNameRightsize) -> JobNameRightsize:
        rec = g["recommended"]
        if rec is None or current is None or g["recommended_note"] is not None:
            return g
        if rec == current:
            g["recommended_note"] = "the fleet's size is the smallest with this headroom"
        elif rec["task_cpu"] <= current["task_cpu"] and rec["task_memory"] <= current["task_memory"]:
            g["recommended_note"] = "smaller than the fleet's size"
        else:
            g["recommended_note"] = "the fleet's size lacks this headroom"
        return g

    def group(idx: np.ndarray) -> JobNameRightsize:  # idx: the group's jobs, ascending
        done = idx[busy[idx]]
        oom_jobs = int(np.count_nonzero(oom[idx]))
        cpu_max, cpu_max_pct, cpu_mean_pct, memory_max, memory_max_pct = (figures[k][done] for k in keys)
        figures_done = (cpu_max, cpu_max_pct, cpu_mean_pct, memory_max, memory_max_pct)
        return against_current(judge(execution_s[done], *figures_done, oom_jobs, headroom_pct))

    cat = names if isinstance(names, Cat) else Cat.of(list(names))
    present, first_row = np.unique(cat.codes, return_index=True)
    order = present[np.argsort(first_row)].tolist()  # in order of each name's first job
    small = cat.codes.astype(np.uint16) if len(cat.values) <= np.iinfo(np.uint16).max else cat.codes
    by_name = np.argsort(small, kind="stable")  # each name's jobs together, ascending within
    bounds = np.searchsorted(cat.codes[by_name], np.arange(len(cat.values) + 1))
    return Rightsize(
        definition=DEFINITION,
        headroom_pct=float(headroom_pct),
        rules=rules(),
        current=current,
        all_jobs=group(np.arange(len(cat))),
        by_job_name={str(cat.values[c]): group(by_name[bounds[c] : bounds[c + 1]]) for c in order},
    )

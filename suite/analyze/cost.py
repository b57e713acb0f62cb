"""result.json's `cost`: what the run's jobs and its fleet cost at Fargate's prices. Pure: the price
table, the fleet's size, the jobs and the tasks' lifetimes in; the section out.

The rules (docs/architecture.md, Definitions; tests/analyze/test_cost.py holds the code to them):

- task price per second = (task_cpu / 1024 × vcpu_hour + task_memory / 1024 × gb_hour) / 3600, at the
  price table's entry for the fleet's region and CPU architecture (the manifest's fleet.cpu_architecture,
  else X86_64: Fargate's default when a task definition names no runtime platform, said so in
  `prices.architecture_from`); a region or architecture not in the table, or a task size unknown:
  every cost figure is null with the reason.
- a job's cost = its execution time (completed − started) × the task price per second.
- the run: each ECS task of raw/tasks.jsonl with a createdAt, its lifetime [createdAt, stoppedAt, or
  the window's end) clipped to the test window, split into cold start [createdAt, startedAt) (a task
  never started: all of it), busy (the union of its jobs' [started, completed), runner name == task id)
  and idle (the rest); run cost = the sum of every task's seconds × the task price per second (no
  one-minute minimum: the window clips the tasks); per_job_usd = run cost / the jobs that ran to
  completion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np

from suite.analyze.columns import Cat
from suite.analyze.segmented import running_max_before, sequential_sums
from suite.analyze.stats import distribution, exact_sum
from suite.analyze.tasks import Task
from suite.rundir.cost_types import Cost, FleetCost, JobNameCost, PricesUsed, PriceTable

DEFAULT_ARCHITECTURE = "X86_64"
ARCHITECTURES = ("X86_64", "ARM64")
ASSUMED_ARCHITECTURE = (
    "not recorded in the manifest: X86_64, Fargate's default when a task definition names no runtime platform"
)
DEFINITION = (
    "task price/s = (task_cpu/1024 × vCPU-hour + task_memory/1024 × GB-hour) / 3600; a job = its execution "
    "× that; the run = every ECS task's seconds inside the window (cold start: created → started; busy: "
    "running a job of this test; idle: the rest) × that; per job = run / jobs that ran to completion"
)


@dataclass(frozen=True)
class Jobs:
    """Per job, in the jobs' order: name, runner name (None: none), busy (ran to completion), start and
    end of its interval (NaN unless busy). Names and runners as lists, or as categorical columns."""

    names: Sequence[str] | Cat
    runners: Sequence[str | None] | Cat
    busy: np.ndarray
    start: np.ndarray
    end: np.ndarray


def price_of(
    fleet: dict[str, Any], prices: PriceTable | None
) -> tuple[PricesUsed | None, float | None, str | None]:
    """(the entry used, the task price per second, why it is null)."""
    if prices is None:
        return None, None, "no price table was given to the analysis"
    region = fleet.get("region")
    arch = fleet.get("cpu_architecture")
    arch_from = "the manifest's fleet.cpu_architecture"
    if arch not in ARCHITECTURES:
        arch, arch_from = DEFAULT_ARCHITECTURE, ASSUMED_ARCHITECTURE
    entry = (prices["regions"].get(region) or {}).get(arch) if isinstance(region, str) else None
    cpu, mem = fleet.get("task_cpu"), fleet.get("task_memory")
    used = PricesUsed(
        table=prices["table"],
        checked=prices["checked"],
        source=prices["source"],
        currency=prices["currency"],
        region=region if isinstance(region, str) else None,
        architecture=arch,
        architecture_from=arch_from,
        vcpu_hour=entry["vcpu_hour"] if entry else None,
        gb_hour=entry["gb_hour"] if entry else None,
        task_hour=None,
    )
    if not isinstance(region, str):
        return used, None, "the fleet's region is unknown (the manifest's fleet.region)"
    if entry is None:
        return (
            used,
            None,
            (
                f"no price for region {region} ({arch}) in the price table {prices['table']} (checked "
                f"{prices['checked']}): add it there, or name a table with it (suite.yaml cost.prices)"
            ),
        )
    if not (_positive(cpu) and _positive(mem)):
        return used, None, "the fleet's task size is unknown (the manifest's fleet.task_cpu / task_memory)"
    hour = float(cpu) / 1024 * entry["vcpu_hour"] + float(mem) / 1024 * entry["gb_hour"]
    used["task_hour"] = hour
    return used, hour / 3600.0, None


def _positive(x: object) -> TypeGuard[float]:
    return isinstance(x, int | float) and not isinstance(x, bool) and x > 0


def _union_within(intervals: list[tuple[float, float]], lo: float, hi: float) -> float:
    """Seconds of [lo, hi) covered by the union of the half-open intervals (one task's, the loop that
    task_seconds computes for every task at once)."""
    total, reach = 0.0, lo
    for a, b in sorted(intervals):
        a, b = max(a, reach), min(b, hi)
        if b > a:
            total += b - a
            reach = b
    return total


def _runner_cat(runners: Sequence[str | None] | Cat) -> Cat:
    return runners if isinstance(runners, Cat) else Cat.of(list(runners))


def _by_runner_then_interval(code: np.ndarray, a: np.ndarray, b: np.ndarray, codes: int) -> np.ndarray:
    """The order of np.lexsort((b, a, code)) (per runner, its intervals as sorted() orders the tuples):
    a stable sort of the runner codes alone when that already leaves each runner's (a, b) in order
    (jobs come ordered by their start), else the lexsort."""
    small = code.astype(np.uint16) if codes <= np.iinfo(np.uint16).max else code
    order = np.argsort(small, kind="stable")  # 16-bit codes: numpy sorts them by radix
    c, x, y = code[order], a[order], b[order]
    step = (c[1:] != c[:-1]) | (x[1:] > x[:-1]) | ((x[1:] == x[:-1]) & (y[1:] >= y[:-1]))
    return order if bool(step.all()) else np.lexsort((b, a, code))


def task_seconds(
    tasks: Sequence[Task], jobs: Jobs, window: tuple[float, float]
) -> list[tuple[str, float, float, float]]:
    """Per task with a createdAt overlapping the window: (task id, cold start s, busy s, idle s).

    busy = _union_within(the task's jobs' intervals, end of its cold start, its end) for every task at
    once: its jobs sorted by (start, end), each clipped to [the reach so far, the task's end), the
    reach being the running max of the clipped ends before it (a running max that also counts the
    intervals adding nothing is the same: theirs are at or before their own start), the pieces summed
    in order as the loop adds them."""
    w0, w1 = window
    kept: list[tuple[str, float, float, float]] = []  # (task id, lo, up, hi)
    for t in tasks:
        if t.created is None:
            continue
        lo = max(t.created, w0)
        hi = min(t.stopped if t.stopped is not None else w1, w1)
        if hi <= lo:
            continue
        up = hi if t.started is None else min(max(t.started, lo), hi)  # cold start ends here
        kept.append((t.task_id, lo, up, hi))
    if not kept:
        return []
    runners = _runner_cat(jobs.runners)
    code_of = {v: c for c, v in enumerate(runners.values) if v}
    use = np.flatnonzero(jobs.busy & (np.isin(runners.codes, list(code_of.values()))))
    code, a, b = runners.codes[use], jobs.start[use], jobs.end[use]
    order = _by_runner_then_interval(code, a, b, len(runners.values))
    code, a, b = code[order], a[order], b[order]
    bounds = np.searchsorted(code, np.arange(len(runners.values) + 2))  # one spare: no runner at all
    task_code = np.fromiter((code_of.get(k[0], -1) for k in kept), np.int64, len(kept))
    first = np.where(task_code >= 0, bounds[np.maximum(task_code, 0)], 0)
    size = np.where(task_code >= 0, bounds[np.maximum(task_code, 0) + 1] - first, 0)
    starts = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    # every task's intervals side by side (a task id twice: its runner's intervals twice)
    at = np.repeat(first - starts, size) + np.arange(int(size.sum()))
    seg = np.repeat(np.arange(len(kept)), size)
    task_up = np.asarray([k[2] for k in kept], float)
    task_hi = np.asarray([k[3] for k in kept], float)
    end = np.minimum(b[at], task_hi[seg])
    begin = np.maximum(a[at], running_max_before(end, starts, task_up))
    busy = sequential_sums(np.where(end > begin, end - begin, 0.0), starts)
    out = []
    for (task_id, lo, up_, hi_), busy_s in zip(kept, busy.tolist(), strict=True):
        cold = up_ - lo
        out.append((task_id, cold, busy_s, (hi_ - lo) - cold - busy_s))
    return out


def _fleet_cost(rows: list[tuple[str, float, float, float]], per_s: float | None) -> FleetCost:
    cold = exact_sum(np.asarray([r[1] for r in rows], float))
    busy = exact_sum(np.asarray([r[2] for r in rows], float))
    idle = exact_sum(np.asarray([r[3] for r in rows], float))
    total = cold + busy + idle

    def usd(seconds: float) -> float | None:
        return None if per_s is None else seconds * per_s

    return FleetCost(
        tasks=len(rows),
        task_s=total,
        busy_s=busy,
        idle_s=idle,
        cold_start_s=cold,
        idle_share=idle / total if total > 0 else None,
        cold_start_share=cold / total if total > 0 else None,
        usd=usd(total),
        busy_usd=usd(busy),
        idle_usd=usd(idle),
        cold_start_usd=usd(cold),
    )


NO_RUN = FleetCost(
    tasks=0, task_s=None, busy_s=None, idle_s=None, cold_start_s=None, idle_share=None,
    cold_start_share=None, usd=None, busy_usd=None, idle_usd=None, cold_start_usd=None,
)  # fmt: skip


def cost_section(
    jobs: Jobs,
    tasks: Sequence[Task] | None,
    window: tuple[float, float] | None,
    fleet: dict[str, Any],
    prices: PriceTable | None,
    reasons: dict[str, str],
    tasks_not_collected: str | None = None,
) -> tuple[Cost, np.ndarray]:
    """The section and each job's cost (NaN where unknown). tasks: the tasks' lifecycles (None or
    tasks_not_collected: not collected); reasons: dotted path of a null figure -> why (added to)."""
    used, per_s, why = price_of(fleet, prices)
    execution = np.where(jobs.busy, jobs.end - jobs.start, np.nan)
    per_job = execution * per_s if per_s is not None else np.full(execution.size, np.nan)
    if why:
        reasons["cost"] = why
    n_jobs = int(np.count_nonzero(jobs.busy))
    run = NO_RUN
    if tasks_not_collected or tasks is None:
        reasons.setdefault("cost.run", tasks_not_collected or "raw/tasks.jsonl was not collected")
    elif window is None:
        reasons.setdefault("cost.run", reasons.get("window", "the test window is unknown"))
    else:
        rows = task_seconds(tasks, jobs, window)
        if rows:
            run = _fleet_cost(rows, per_s)
        else:
            reasons.setdefault(
                "cost.run", "no ECS task with a createdAt in raw/tasks.jsonl overlaps the window"
            )
    per_job_usd = run["usd"] / n_jobs if run["usd"] is not None and n_jobs else None
    if per_job_usd is None and run["usd"] is not None:
        reasons.setdefault("cost.per_job_usd", "no job of this test ran to completion")
    by_name: dict[str, JobNameCost] = {}
    names = jobs.names if isinstance(jobs.names, Cat) else Cat.of(list(jobs.names))
    present, first_row = np.unique(names.codes, return_index=True)
    known_cost = ~np.isnan(per_job)
    for code in present[np.argsort(first_row)].tolist():  # in order of each name's first job
        mine = per_job[(names.codes == code) & known_cost]
        total = exact_sum(mine) if mine.size else None
        name = names.values[code]
        by_name[str(name)] = JobNameCost(
            jobs=int(mine.size),
            execution_usd=total,
            mean_execution_usd=total / mine.size if total is not None else None,
        )
    known = per_job[~np.isnan(per_job)]
    section = Cost(
        definition=DEFINITION,
        prices=used,
        execution_usd=distribution(known),
        run=run,
        jobs=n_jobs,
        per_job_usd=per_job_usd,
        by_job_name=by_name,
    )
    return section, per_job

"""`suite plan`: how many runners for this load? Measured service times -> the twin's fleet model.

Inputs, all from one run directory: the measured job execution times (the job table's execution_s,
tables/jobs.parquet, read by suite.rundir.job_rows), the measured cold starts of ECS tasks
(raw/tasks.jsonl: createdAt -> startedAt) and the pickup latency (the smallest measured queue time: a
job that found an idle runner). The simulation is the twin's discrete-event Fleet (suite.twin.fleet, no
HTTP), with every job's execution time and every task's cold start drawn (with replacement) from those
measurements.

For each fleet size 1..N, persistent and ephemeral, it runs `seeds` simulations of the arrival
process (steady or poisson at `rate` jobs per minute, one job per workflow, for `duration_s`) on a
fleet whose runners are all online at the start, like a test run on a deployed fleet. Each
simulation gives one run's queue-time percentiles and utilization (the same definitions as
result.json); the prediction is their mean over seeds, with the spread of p95 across seeds as the
range a single run is likely to land in. Deterministic: seed s of every size uses random.Random(s).

Cost: the fleet holds its runner count of tasks the whole time (a persistent runner's task runs on; an
ephemeral one's is replaced as it stops), so a fleet of n runners costs n × the task price per hour, and
per job that / the arrival rate per hour. The task price is the one the source run was priced with
(result.json `cost.prices.task_hour`: its fleet's size, region and price table); null with the reason
when that run has none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from suite.analyze.stats import percentile
from suite.analyze.tasks import tasks_from_events
from suite.errors import UsageError
from suite.gates.thresholds import evaluate, parse
from suite.rundir.job_rows import job_rows
from suite.rundir.jsonio import read_json, read_jsonl
from suite.schedule.arrivals import PoissonPattern, SteadyPattern, build_schedule
from suite.twin.fleet import Fleet, FleetConfig
from suite.twin.workflows import WORKFLOWS

SCHEMA = "suite.plan/v1"
ARRIVALS = ("steady", "poisson")
TARGET_FIELDS = (
    "queue_time_s.p50",
    "queue_time_s.p95",
    "queue_time_s.p99",
    "queue_time_s.mean",
    "queue_time_s.max",
    "runners.utilization",
)
STOP_DELAY_S = 2  # job completed -> ephemeral task stopped (the twin's model; not in a run's records)
_START = 1_000_000_000 // 60 * 60  # simulation epoch (any minute boundary)


@dataclass(frozen=True)
class Measured:
    source: str
    durations_s: tuple[int, ...]
    cold_starts_s: tuple[int, ...]
    pickup_latency_s: int
    runners: int | None
    ephemeral: bool | None
    task_hour: float | None = None  # the source run's task price per hour (result.json cost.prices)
    currency: str | None = None
    price_note: str | None = None  # where the price comes from, or why there is none


def measured_from_run(run_dir: Path, cold_start_s: tuple[int, int] | None = None) -> Measured:
    """The service-time samples of one run directory (cold_start_s: a MIN-MAX fallback)."""
    result_path = run_dir / "result.json"
    if not result_path.exists():
        raise UsageError(f"{run_dir}: no result.json (not a run directory, or run `suite report {run_dir}`)")
    result = read_json(result_path)
    jobs = job_rows(run_dir)
    execution, queue = jobs.floats("execution_s"), jobs.floats("queue_s")
    durations = tuple(sorted(round(x) for x in execution[~np.isnan(execution)].tolist()))
    if not durations:
        raise UsageError(f"{run_dir}: no job ran to completion: there is no duration to plan with")
    queues = queue[~np.isnan(queue)].tolist()
    tasks = tasks_from_events(read_jsonl(run_dir / "raw" / "tasks.jsonl"))
    colds = tuple(sorted(round(x) for t in tasks if (x := t.cold_start_s) is not None and x >= 0))
    if not colds and cold_start_s is not None:
        colds = tuple(range(cold_start_s[0], cold_start_s[1] + 1))
    fleet = result.get("fleet") or {}
    prices = (result.get("cost") or {}).get("prices") or {}
    hour = prices.get("task_hour")
    ok = isinstance(hour, int | float) and not isinstance(hour, bool) and math.isfinite(hour) and hour > 0
    note = (
        f"{prices.get('region')} {prices.get('architecture')}, price table {prices.get('table')} checked "
        f"{prices.get('checked')}"
        if ok
        else f"{run_dir.name}'s result.json has no task price (cost.prices.task_hour): "
        + str(((result.get("reasons") or {}).get("cost")) or "recompute it with `suite report`")
    )
    return Measured(
        source=str(result.get("test_run_id") or run_dir.name),
        durations_s=durations,
        cold_starts_s=colds,
        pickup_latency_s=max(0, math.floor(min(queues))) if queues else 1,
        runners=fleet.get("runner_count"),
        ephemeral=fleet.get("ephemeral"),
        task_hour=float(hour) if ok and hour is not None else None,
        currency=str(prices.get("currency") or "") or None,
        price_note=note,
    )


def arrival_offsets(arrival: str, rate_per_min: float, duration_s: float, seed: int) -> list[float]:
    if arrival not in ARRIVALS:
        raise UsageError(f"--arrival-pattern must be one of {', '.join(ARRIVALS)}, got {arrival!r}")
    if rate_per_min <= 0 or duration_s <= 0:
        raise UsageError("--arrival and --duration must be > 0")
    if arrival == "steady":
        return build_schedule(SteadyPattern(rate_per_min, duration_s))
    return build_schedule(PoissonPattern(rate_per_min, duration_s), seed)


@dataclass(frozen=True)
class SimOutcome:
    queue_s: list[float]
    utilization: float | None


def simulate(m: Measured, runners: int, ephemeral: bool, offsets: Sequence[float], seed: int) -> SimOutcome:
    """One simulated run: jobs arrive at `offsets` on a fleet that is all online at offset 0."""
    durations, colds = m.durations_s, m.cold_starts_s or (0,)
    config = FleetConfig(
        runners=runners,
        ephemeral=ephemeral,
        pickup_latency_s=m.pickup_latency_s,
        stop_delay_s=STOP_DELAY_S,
        seed=seed,
        duration_sampler=lambda rng: rng.choice(durations),
        cold_start_sampler=lambda rng: rng.choice(colds),
    )
    fleet = Fleet(config, start=_START)
    t0 = _START + max(colds) + 1  # every runner online
    fleet.advance(t0)
    workflow = WORKFLOWS["runner_test.yml"]
    inputs = {"sleep_duration": "0", "job_count": "1", "job_type": "parallel"}
    for i, offset in enumerate(offsets):
        fleet.dispatch(workflow, {**inputs, "suite_id": f"plan-{i}"}, f"plan-{i}", t0 + offset)
        _drop_records(fleet)
    while any(j.completed is None for j in fleet.jobs.values()):
        fleet.advance(fleet.now + 3600)
        _drop_records(fleet)
    jobs = list(fleet.jobs.values())
    queue = [float(j.started - j.created) for j in jobs if j.started is not None]
    if not jobs or not offsets:
        return SimOutcome(queue, None)
    start = t0 + int(offsets[0])  # the window, as result.json defines it: first arrival .. last completion
    end = max(j.completed for j in jobs if j.completed is not None)
    busy = math.fsum(
        max(0, min(j.completed, end) - max(j.started, start))
        for j in jobs
        if j.started is not None and j.completed is not None
    )
    return SimOutcome(queue, busy / (runners * (end - start)) if end > start else None)


def _drop_records(fleet: Fleet) -> None:
    fleet.metric_samples.clear()  # the simulator's CloudWatch side is not needed here
    fleet.task_events.clear()


@dataclass
class Prediction:
    runners: int
    ephemeral: bool
    offered_load: float  # jobs per second x mean runner time per job / runners (>= 1: unstable)
    queue_time_s: dict[str, float | None]
    p95_range: list[float | None]  # min .. max of one run's p95 over the seeds
    utilization: float | None
    meets_target: bool | None = None
    target_reason: str | None = None
    cost_per_hour: float | None = None  # runners × the task price per hour (module docstring)
    cost_per_job: float | None = None  # cost_per_hour / jobs arriving per hour


def predict(
    m: Measured, runners: int, ephemeral: bool, arrival: str, rate: float, duration_s: float, seeds: int
) -> Prediction:
    per_seed: dict[str, list[float]] = {"p50": [], "p95": [], "p99": [], "mean": [], "max": []}
    utils: list[float] = []
    for seed in range(seeds):
        out = simulate(m, runners, ephemeral, arrival_offsets(arrival, rate, duration_s, seed), seed)
        if out.queue_s:
            for k in ("p50", "p95", "p99"):
                per_seed[k].append(float(percentile(out.queue_s, float(k[1:])) or 0.0))
            per_seed["mean"].append(math.fsum(out.queue_s) / len(out.queue_s))
            per_seed["max"].append(max(out.queue_s))
        if out.utilization is not None:
            utils.append(out.utilization)

    def avg(xs: list[float]) -> float | None:
        return math.fsum(xs) / len(xs) if xs else None

    cycle = m.pickup_latency_s + _mean(m.durations_s)
    if ephemeral:
        cycle += STOP_DELAY_S + _mean(m.cold_starts_s or (0,))
    return Prediction(
        runners=runners,
        ephemeral=ephemeral,
        offered_load=rate / 60.0 * cycle / runners,
        queue_time_s={k: avg(v) for k, v in per_seed.items()},
        p95_range=[min(per_seed["p95"], default=None), max(per_seed["p95"], default=None)],
        utilization=avg(utils),
        cost_per_hour=None if m.task_hour is None else runners * m.task_hour,
        cost_per_job=None if m.task_hour is None else runners * m.task_hour / (rate * 60.0),
    )


def _mean(xs: Sequence[int]) -> float:
    return math.fsum(xs) / len(xs)


@dataclass
class Plan:
    source: str
    arrival: str
    rate_per_min: float
    duration_s: float
    seeds: int
    target: str
    measured: dict[str, Any]
    predictions: list[Prediction]
    recommended: dict[str, int | None]  # "ephemeral" / "persistent" -> smallest fleet meeting the target
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, **asdict(self)}


def check_target(target: str) -> None:
    left, _, _ = parse(target)
    if left not in TARGET_FIELDS:
        raise UsageError(f"--target {target!r}: plan predicts {', '.join(TARGET_FIELDS)}")


def make_plan(
    m: Measured,
    rate: float,
    target: str = "queue_time_s.p95 < 60",
    max_runners: int = 10,
    arrival: str = "poisson",
    duration_s: float = 3600.0,
    seeds: int = 20,
    modes: Sequence[bool] = (False, True),
) -> Plan:
    check_target(target)
    if max_runners < 1 or seeds < 1:
        raise UsageError("--max-runners and --seeds must be >= 1")
    notes = [
        "queue percentiles: mean over seeds of one simulated run's percentile (linear interpolation)",
        f"pickup latency {m.pickup_latency_s} s (smallest measured queue time); "
        f"ephemeral stop delay {STOP_DELAY_S} s",
    ]
    if True in modes and not m.cold_starts_s:
        notes.append("no cold start in the run's task events (pass --cold-start MIN-MAX): ephemeral skipped")
        modes = [e for e in modes if not e]
    predictions = []
    recommended: dict[str, int | None] = {}
    for ephemeral in modes:
        kind = "ephemeral" if ephemeral else "persistent"
        recommended[kind] = None
        for n in range(1, max_runners + 1):
            p = predict(m, n, ephemeral, arrival, rate, duration_s, seeds)
            figures = {"queue_time_s": p.queue_time_s, "runners": {"utilization": p.utilization}}
            verdict = evaluate(target, figures)
            p.meets_target, p.target_reason = bool(verdict["ok"]), verdict["reason"]
            predictions.append(p)
            if p.meets_target and recommended[kind] is None:
                recommended[kind] = n
    return Plan(
        source=m.source,
        arrival=arrival,
        rate_per_min=rate,
        duration_s=duration_s,
        seeds=seeds,
        target=target,
        measured={
            "jobs": len(m.durations_s),
            "execution_s": _summary(m.durations_s),
            "cold_starts": len(m.cold_starts_s),
            "cold_start_s": _summary(m.cold_starts_s),
            "pickup_latency_s": m.pickup_latency_s,
            "runners": m.runners,
            "ephemeral": m.ephemeral,
            "task_hour": m.task_hour,
            "currency": m.currency,
            "price": m.price_note,
        },
        predictions=predictions,
        recommended=recommended,
        notes=notes,
    )


def _summary(xs: Sequence[int]) -> dict[str, float | None]:
    return {
        "p50": percentile(xs, 50),
        "p95": percentile(xs, 95),
        "mean": _mean(xs) if xs else None,
    }


def render(plan: Plan, current_ephemeral: bool | None) -> str:
    from tabulate import tabulate

    def f(x: float | None, digits: int = 1) -> str:
        return "null" if x is None else f"{x:.{digits}f}"

    ex, cs = plan.measured["execution_s"], plan.measured["cold_start_s"]
    lines = [
        f"plan from {plan.source}: {plan.measured['jobs']} jobs (execution p50 {f(ex['p50'])} s, "
        f"p95 {f(ex['p95'])} s), {plan.measured['cold_starts']} cold starts (p50 {f(cs['p50'])} s)",
        f"load: {plan.arrival} {plan.rate_per_min:g} jobs/min for {plan.duration_s:g} s, "
        f"{plan.seeds} seeds; target {plan.target}",
    ]
    rows = [
        [
            p.runners,
            "ephemeral" if p.ephemeral else "persistent",
            f(p.offered_load, 2),
            f(p.queue_time_s["p50"]),
            f(p.queue_time_s["p95"]),
            f"{f(p.p95_range[0])}..{f(p.p95_range[1])}",
            f(p.queue_time_s["p99"]),
            "null" if p.utilization is None else f"{100 * p.utilization:.1f}%",
            f(p.cost_per_hour, 4),
            "yes" if p.meets_target else "no",
        ]
        for p in plan.predictions
    ]
    headers = [
        "runners",
        "mode",
        "load ρ",
        "queue p50",
        "queue p95",
        "p95 range",
        "queue p99",
        "util",
        f"{plan.measured.get('currency') or 'cost'}/hour",
        "meets",
    ]
    lines.append(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True))
    lines.extend(f"  note: {n}" for n in plan.notes)
    lines.append(f"  cost: the task price of the source run: {plan.measured.get('price')}")
    cur = plan.measured.get("currency") or ""
    for kind, n in plan.recommended.items():
        here = " (the measured fleet's mode)" if current_ephemeral == (kind == "ephemeral") else ""
        mode = [p for p in plan.predictions if p.ephemeral == (kind == "ephemeral")]
        chosen = next((p for p in mode if p.runners == n), None)
        cost = (
            f" ({f(chosen.cost_per_hour, 4)} {cur}/hour, {f(chosen.cost_per_job, 6)} {cur} per job)"
            if chosen is not None and chosen.cost_per_hour is not None
            else ""
        )
        largest = max(p.runners for p in plan.predictions)
        chose = f"{n} runners{cost}" if n is not None else f"none of 1..{largest}"
        lines.append(f"recommended {kind}{here}: {chose}")
    return "\n".join(lines)

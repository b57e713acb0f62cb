"""The twin's job model: how long each step of a job takes on a task of a given size, what it uses
meanwhile, and whether the task's memory limit kills it (docs/architecture.md, "The twin's job model").

A job is "Set up job", its steps in order, "Complete job". A step's time and levels follow from its work
(suite.workload.Work), on a task of `vcpus` = task_cpu / 1024 and `memory_mib`:

- CPU work: units x threads / min(threads, vcpus) seconds at min(threads, vcpus) x 1024 CPU units;
- memory: filling MiB at MEMORY_FILL_MIB_PER_S (one vCPU busy), then held hold_s (idle CPU), at the job's
  baseline + MiB; above the task's limit the job is killed when the fill reaches the limit;
- disk: MiB written at DISK_WRITE_MIB_PER_S, read back at DISK_READ_MIB_PER_S; network: MiB at
  NETWORK_MIB_PER_S; sleep: its seconds at about 1% of a vCPU;
- the job's overhead (FleetConfig.overhead_s, drawn per job) is spread: up to 1 s for "Set up job", up
  to UNRECOGNISED_STEP_S for each step the model does not recognise, the rest for "Complete job".

Times are then laid on the simulator's whole seconds: the plan's total (times the what-if scale,
plus jitter, or a sampled duration) is rounded once and each boundary placed by cumulative rounding, so
the job's time is exactly that total and a sleep job's time does not depend on the task's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from suite.twin.workflows import StepSpec
from suite.workload import Work

CPU_UNITS_PER_VCPU = 1024
JOB_BASE_CPU_UNITS = 10.0  # a job's runner worker doing nothing (a sleep): about 1% of a vCPU
JOB_BASE_MEMORY_MIB = 300.0  # the runner and its worker while a job runs
SETUP_CPU_UNITS = 300.0  # "Set up job": the worker downloading actions, preparing the workspace
UNRECOGNISED_CPU_UNITS = 100.0
UNRECOGNISED_STEP_S = 1.0  # at most, taken from the job's overhead
MEMORY_FILL_MIB_PER_S = 1024.0
DISK_WRITE_MIB_PER_S, DISK_READ_MIB_PER_S, DISK_CPU_UNITS = 100.0, 200.0, 256.0
NETWORK_MIB_PER_S, NETWORK_CPU_UNITS = 25.0, 100.0
SETUP_STEP, COMPLETE_STEP = "Set up job", "Complete job"


@dataclass(frozen=True)
class Segment:
    seconds: float
    cpu_units: float
    memory_mib: float


@dataclass(frozen=True)
class StepPlan:
    name: str
    segments: tuple[Segment, ...]
    killed: bool = False  # memory above the task's limit: the job dies at this step's end


def _cpu(work: Work, vcpus: float, cap: float) -> list[Segment]:
    if work.cpu_units <= 0:
        return []
    usable = min(float(work.threads), vcpus)
    seconds = work.cpu_units * work.threads / usable
    return [Segment(seconds, min(usable * CPU_UNITS_PER_VCPU, cap), JOB_BASE_MEMORY_MIB)]


def _memory(work: Work, vcpus: float, cap: float, limit: float) -> tuple[list[Segment], bool]:
    if work.memory_mib <= 0 and work.hold_s <= 0:
        return [], False
    busy = min(vcpus, 1.0) * CPU_UNITS_PER_VCPU
    peak = JOB_BASE_MEMORY_MIB + work.memory_mib
    if peak > limit:  # filled up to the limit, then killed
        seconds = max(0.0, limit - JOB_BASE_MEMORY_MIB) / MEMORY_FILL_MIB_PER_S
        return [Segment(seconds, min(busy, cap), limit)], True
    fill = Segment(work.memory_mib / MEMORY_FILL_MIB_PER_S, min(busy, cap), peak)
    return [fill, Segment(work.hold_s, JOB_BASE_CPU_UNITS, peak)], False


def _io(work: Work, cap: float) -> list[Segment]:
    out = []
    if work.disk_mib > 0:
        cpu = min(DISK_CPU_UNITS, cap)
        out.append(Segment(work.disk_mib / DISK_WRITE_MIB_PER_S, cpu, JOB_BASE_MEMORY_MIB))
        out.append(Segment(work.disk_mib / DISK_READ_MIB_PER_S, cpu, JOB_BASE_MEMORY_MIB))
    if work.network_mib > 0:
        cpu = min(NETWORK_CPU_UNITS, cap)
        out.append(Segment(work.network_mib / NETWORK_MIB_PER_S, cpu, JOB_BASE_MEMORY_MIB))
    if work.sleep_s > 0:
        out.append(Segment(work.sleep_s, JOB_BASE_CPU_UNITS, JOB_BASE_MEMORY_MIB))
    return out


def plan_job(steps: tuple[StepSpec, ...], task_cpu: int, task_memory: int, overhead_s: int) -> list[StepPlan]:
    """Set up job, the steps (up to the one the memory limit kills), Complete job (not after a kill)."""
    vcpus, cap, limit = task_cpu / CPU_UNITS_PER_VCPU, float(task_cpu), float(task_memory)
    left = float(max(0, overhead_s))
    setup = min(1.0, left)
    left -= setup
    plans = [StepPlan(SETUP_STEP, (Segment(setup, min(SETUP_CPU_UNITS, cap), JOB_BASE_MEMORY_MIB),))]
    for step in steps:
        work = step.work
        if not work.recognised:
            seconds = min(UNRECOGNISED_STEP_S, left)
            left -= seconds
            idle = Segment(seconds, min(UNRECOGNISED_CPU_UNITS, cap), JOB_BASE_MEMORY_MIB)
            plans.append(StepPlan(step.name, (idle,)))
            continue
        memory, killed = _memory(work, vcpus, cap, limit)
        if killed:
            plans.append(StepPlan(step.name, (*_cpu(work, vcpus, cap), *memory), killed=True))
            return plans
        plans.append(StepPlan(step.name, (*_cpu(work, vcpus, cap), *memory, *_io(work, cap))))
    plans.append(
        StepPlan(COMPLETE_STEP, (Segment(left, min(UNRECOGNISED_CPU_UNITS, cap), JOB_BASE_MEMORY_MIB),))
    )
    return plans


def planned_seconds(plans: list[StepPlan]) -> float:
    return sum(seg.seconds for plan in plans for seg in plan.segments)


def lay_out(
    plans: list[StepPlan], start: int, total_s: int
) -> tuple[list[tuple[int, float, float]], list[tuple[str, int, int, bool]]]:
    """The plans on whole seconds from `start`, `total_s` long in all: the levels (from, cpu, memory) in
    time order and each planned step's (name, start, end, killed). Each boundary is its cumulative
    planned time scaled to `total_s` and rounded; with no planned time the last segment takes it all."""
    planned = planned_seconds(plans)
    factor = total_s / planned if planned > 0 else 0.0
    levels: list[tuple[int, float, float]] = []
    steps: list[tuple[str, int, int, bool]] = []
    elapsed = 0.0
    for plan in plans:
        step_start = start + round(elapsed * factor)
        for seg in plan.segments:
            levels.append((start + round(elapsed * factor), seg.cpu_units, seg.memory_mib))
            elapsed += seg.seconds
        steps.append((plan.name, step_start, start + round(elapsed * factor), plan.killed))
    if planned <= 0 and steps:
        name, first, _, killed = steps[-1]
        steps[-1] = (name, first, start + total_s, killed)
    return levels, steps

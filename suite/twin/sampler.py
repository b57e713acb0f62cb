"""The twin's in-task sampler: the lines terraform/templates/sampler.sh prints, derived from Fleet.usage.

Every running task is read every SAMPLE_PERIOD_S virtual seconds from the second it started (its
sampler container starts with it) until it stops, as the real sampler reads the task metadata
endpoint's stats. One reading, the shape the script prints:

- `cpu_ns`: the CPU time the task has used since it started, in ns: the integral of its usage
  timeline's CPU level (suite.twin.usage: vCPU-seconds) from its start to the reading x 1e9;
- `memory_bytes`: the memory level holding at the reading's instant, MiB x 2^20;
- `cpu_limit_vcpu`, `memory_limit_mib`: the task's size (FleetConfig.task_cpu / 1024, task_memory);
- `timestamp_ms`: the reading's instant (the world's clock is the AWS side's to apply: suite.twin.aws).

Only instants before `upto` are read: what the fleet records at `upto` itself may still change (a job
dispatched at that second), so a reading is made once its levels are final. Not thread-safe: the twin
calls it under its lock.
"""

from __future__ import annotations

from typing import Any

from suite.twin.fleet_model import FleetConfig, Task
from suite.twin.usage import UsageTimeline

SAMPLE_PERIOD_S = 5  # terraform/variables.tf sample_period_s's default
MIB = 1 << 20


class TaskSampler:
    def __init__(self, period_s: int = SAMPLE_PERIOD_S) -> None:
        self.period_s = period_s
        self._next: dict[str, int] = {}  # task id -> the instant of its next reading
        self._cpu: dict[str, tuple[int, float]] = {}  # task id -> (last reading, vCPU-seconds until then)
        self._done: set[str] = set()  # stopped tasks read to their end

    def readings(
        self, tasks: dict[str, Task], usage: UsageTimeline, config: FleetConfig, upto: float
    ) -> list[dict[str, Any]]:
        """The readings of every task made since the last call, at instants < upto, in time order."""
        out: list[dict[str, Any]] = []
        for task in tasks.values():
            if task.started is None or task.task_id in self._done:
                continue
            end = upto if task.stopped is None else min(upto, task.stopped)
            out.extend(self._task_readings(task, usage, config, end))
            if task.stopped is not None and task.stopped <= upto:
                self._done.add(task.task_id)
                self._next.pop(task.task_id, None)
                self._cpu.pop(task.task_id, None)
        out.sort(key=lambda r: (r["timestamp_ms"], r["task_id"]))
        return out

    def _task_readings(
        self, task: Task, usage: UsageTimeline, config: FleetConfig, end: float
    ) -> list[dict[str, Any]]:
        """Readings at the task's next instants before `end` (its stop or upto)."""
        assert task.started is not None
        tid = task.task_id
        at = self._next.get(tid, task.started)
        last, cpu_s = self._cpu.get(tid, (task.started, 0.0))
        out = []
        while at < end:
            cpu_s += usage.cpu_seconds(tid, last, at)
            last = at
            level = usage.at(tid, at)
            out.append(
                {
                    "task_id": tid,
                    "timestamp_ms": at * 1000,
                    "cpu_ns": round(cpu_s * 1e9),
                    "memory_bytes": round((level.memory_mib if level else 0.0) * MIB),
                    "cpu_limit_vcpu": config.task_cpu / 1024,
                    "memory_limit_mib": config.task_memory,
                }
            )
            at += self.period_s
        self._next[tid], self._cpu[tid] = at, (last, cpu_s)
        return out

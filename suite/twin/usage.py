"""What each simulated task uses, over time: piecewise-constant CPU and memory levels per task.

The fleet simulator sets a task's level whenever what runs on it changes (the runner idles, a job's step
starts, the task stops); everything the twin reports about a task's resources is derived from these
levels and nothing else: Container Insights' one-minute figures, the in-task sampler's readings every few
seconds. So the figures the suite collects can be checked against one record.

CPU is in ECS units (1024 per vCPU, as Container Insights' CpuUtilized); memory in MiB.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    start: int  # virtual epoch second from which it holds (until the next level of the task)
    cpu_units: float
    memory_mib: float


class UsageTimeline:
    """Per task id, its levels in time order. Not thread-safe (the twin serialises access)."""

    def __init__(self) -> None:
        self._levels: dict[str, list[Level]] = {}

    def set(self, task_id: str, t: int, cpu_units: float, memory_mib: float) -> None:
        """From `t` on the task uses this much (a level set again at the same second replaces it).
        Levels are set in time order: one before the task's last level is a ValueError."""
        if cpu_units < 0 or memory_mib < 0:
            raise ValueError(f"usage must be >= 0, not cpu {cpu_units!r}, memory {memory_mib!r}")
        levels = self._levels.setdefault(task_id, [])
        if levels and t < levels[-1].start:
            raise ValueError(f"task {task_id}: level at {t} before its last one at {levels[-1].start}")
        if levels and levels[-1].start == t:
            levels.pop()
        levels.append(Level(t, float(cpu_units), float(memory_mib)))

    def tasks(self) -> list[str]:
        return list(self._levels)

    def levels(self, task_id: str) -> list[Level]:
        return list(self._levels.get(task_id, ()))

    def at(self, task_id: str, t: float) -> Level | None:
        """The level holding at `t` (None before the task's first level)."""
        levels = self._levels.get(task_id, [])
        i = bisect.bisect_right([lv.start for lv in levels], t) - 1
        return levels[i] if i >= 0 else None

    def cpu_seconds(self, task_id: str, t0: float, t1: float) -> float:
        """CPU time used over [t0, t1), in vCPU-seconds (the integral of cpu_units / 1024)."""
        return self._integral(task_id, t0, t1, cpu=True) / 1024.0

    def mean_cpu_units(self, task_id: str, t0: float, t1: float) -> float | None:
        """Time-weighted mean CPU units over [t0, t1) (None for an empty interval or before the task)."""
        covered = self._covered(task_id, t0, t1)
        return None if covered <= 0 else self._integral(task_id, t0, t1, cpu=True) / covered

    def mean_memory_mib(self, task_id: str, t0: float, t1: float) -> float | None:
        covered = self._covered(task_id, t0, t1)
        return None if covered <= 0 else self._integral(task_id, t0, t1, cpu=False) / covered

    def peak_memory_mib(self, task_id: str, t0: float, t1: float) -> float | None:
        """The highest memory level holding at any instant of [t0, t1)."""
        values = [lv.memory_mib for lv, lo, hi in self._pieces(task_id, t0, t1) if hi > lo]
        return max(values) if values else None

    def _pieces(self, task_id: str, t0: float, t1: float) -> list[tuple[Level, float, float]]:
        levels = self._levels.get(task_id, [])
        out = []
        for i, lv in enumerate(levels):
            end = levels[i + 1].start if i + 1 < len(levels) else float("inf")
            lo, hi = max(t0, lv.start), min(t1, end)
            if hi > lo:
                out.append((lv, lo, hi))
        return out

    def _covered(self, task_id: str, t0: float, t1: float) -> float:
        return sum(hi - lo for _, lo, hi in self._pieces(task_id, t0, t1))

    def _integral(self, task_id: str, t0: float, t1: float, *, cpu: bool) -> float:
        pieces = self._pieces(task_id, t0, t1)
        return sum((lv.cpu_units if cpu else lv.memory_mib) * (hi - lo) for lv, lo, hi in pieces)

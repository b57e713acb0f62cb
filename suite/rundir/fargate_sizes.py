"""Fargate task sizes: the one table of cpu:memory pairs Fargate accepts (cpu units, MiB).

Pure data, importable by every room: the fleet checks a configured size against it (suite.fleet.sizing
re-exports it with its error sentences), the analysis picks the smallest size that keeps a headroom
(suite.analyze.rightsize). terraform/variables.tf validates the same pairs (tests/fleet/test_sizing.py
checks both agree).
"""

from __future__ import annotations

# cpu units -> (min MiB, max MiB, step MiB); 256 is a list of its own.
_RANGES: dict[int, tuple[int, int, int]] = {
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
    8192: (16384, 61440, 4096),
    16384: (32768, 122880, 8192),
}
CPU_SIZES = (256, *_RANGES)


def allowed_memory(cpu: int) -> list[int]:
    """Memory sizes (MiB) Fargate accepts with `cpu` units; [] for a cpu value Fargate does not offer."""
    if cpu == 256:
        return [512, 1024, 2048]
    if cpu not in _RANGES:
        return []
    lo, hi, step = _RANGES[cpu]
    return list(range(lo, hi + 1, step))


def is_valid(cpu: int, memory: int) -> bool:
    return memory in allowed_memory(cpu)


def all_sizes() -> list[tuple[int, int]]:
    """Every (cpu units, memory MiB) pair Fargate accepts, smallest first: by cpu, then by memory."""
    return [(cpu, mem) for cpu in CPU_SIZES for mem in allowed_memory(cpu)]

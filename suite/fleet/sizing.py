"""Fargate task sizes: the one table of cpu:memory pairs Fargate accepts (cpu units, MiB).

terraform/variables.tf validates the same pairs (tests/fleet/test_sizing.py checks both agree).
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


def summary() -> str:
    """Every cpu size with its memory range: "256: 512-2048, 512: 1024-4096, ..."."""
    return ", ".join(f"{c}: {allowed_memory(c)[0]}-{allowed_memory(c)[-1]}" for c in CPU_SIZES)


def describe_invalid(cpu: int, memory: int) -> str | None:
    """None when the pair is valid; else a sentence that says what would be."""
    if cpu not in CPU_SIZES:
        return f"task_cpu {cpu} is not a Fargate size (choose one of {', '.join(map(str, CPU_SIZES))})"
    if not is_valid(cpu, memory):
        mem = allowed_memory(cpu)
        options = (
            ", ".join(map(str, mem)) if cpu == 256 else f"{mem[0]}-{mem[-1]} in steps of {mem[1] - mem[0]}"
        )
        return f"task_memory {memory} MiB does not fit task_cpu {cpu} on Fargate (allowed: {options})"
    return None

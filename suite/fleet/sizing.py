"""Fargate task sizes for the fleet: the one table (suite.rundir.fargate_sizes, where the analysis
reads it too) and the sentences that say what a wrong pair should be.

terraform/variables.tf validates the same pairs (tests/fleet/test_sizing.py checks both agree).
"""

from __future__ import annotations

from suite.rundir.fargate_sizes import CPU_SIZES, all_sizes, allowed_memory, is_valid

__all__ = ["CPU_SIZES", "all_sizes", "allowed_memory", "describe_invalid", "is_valid", "summary"]


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

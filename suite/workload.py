"""What a workflow step's work is, read from the workflow file: the convention the twin's job model follows.

A step says what it does through its `env` (docs/architecture.md, "The twin's job model"):

    WORK_CPU_UNITS, WORK_THREADS   CPU work: WORK_THREADS threads (default 1), each WORK_CPU_UNITS units
                                   of about one vCPU-second
    WORK_MEMORY_MIB, WORK_HOLD_S   memory: MiB allocated and touched, held WORK_HOLD_S seconds
    WORK_DISK_MIB                  disk: MiB written with fsync and read back
    WORK_NETWORK_MIB               network: MiB read
    SLEEP_S                        seconds slept (also a literal `sleep N` or `sleep "${VAR}"` in `run`)
    WORK_PRESET                    a row of the workflow-level `env.PRESETS` table: each variable above
                                   that the step names takes that row's value (`custom`: its own value)

Values are `${{ inputs.X }}` / `${{ matrix.X }}` expressions or literals; any other expression, or a
value that is not a number, counts as 0. A step that names none of these is "unrecognised" (the twin
gives it a small fixed time); one that names them with 0 does nothing.
workflows/runner_workload.yml's PRESETS table is the one place its presets are defined: the
workflow's script reads it, and so does the suite (`presets`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from suite.workflows import Step

WORK_VARIABLES = (
    "WORK_THREADS",
    "WORK_CPU_UNITS",
    "WORK_MEMORY_MIB",
    "WORK_HOLD_S",
    "WORK_DISK_MIB",
    "WORK_NETWORK_MIB",
    "SLEEP_S",
)
PRESET_VARIABLE = "WORK_PRESET"
PRESETS_ENV = "PRESETS"
CUSTOM = "custom"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_REFERENCE = re.compile(r"(inputs|matrix)\.([A-Za-z_][A-Za-z0-9_-]*)")
# `sleep 30`, `sleep "${SLEEP_S}"`, `sleep $SECONDS` at the start of a line of the script
_SLEEP = re.compile(r"^\s*sleep\s+\"?(?:(\d+(?:\.\d+)?)|\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?)\"?\s*$", re.M)


@dataclass(frozen=True)
class Work:
    """One step's work. All zero: the step does nothing the model recognises."""

    cpu_units: float = 0.0  # per thread, about one vCPU-second each
    threads: int = 1
    memory_mib: float = 0.0
    hold_s: float = 0.0
    disk_mib: float = 0.0
    network_mib: float = 0.0
    sleep_s: float = 0.0
    declared: bool = False  # the step names its work (a variable above, or a sleep), zero or not

    @property
    def recognised(self) -> bool:
        """The step says what it does (a declared zero is no work, not an unknown step)."""
        return self.declared or any(
            (self.cpu_units, self.memory_mib, self.hold_s, self.disk_mib, self.network_mib, self.sleep_s)
        )


def evaluate(text: str, context: Mapping[str, Mapping[str, str]]) -> str:
    """`text` with each `${{ inputs.X }}` / `${{ matrix.X }}` replaced by its value (an unknown name,
    or any other expression, becomes empty, as GitHub makes a missing value)."""

    def one(match: re.Match[str]) -> str:
        ref = _REFERENCE.fullmatch(match[1])
        return context.get(ref[1], {}).get(ref[2], "") if ref else ""

    return _EXPRESSION.sub(one, text)


def parse_presets(table: str) -> dict[str, dict[str, str]]:
    """The PRESETS table: a header line (`preset` then variable names), then one row per preset.
    Blank lines are skipped; a row shorter than the header leaves its last variables out."""
    lines = [line.split() for line in table.splitlines() if line.strip()]
    if not lines:
        return {}
    header = lines[0][1:]
    return {row[0]: dict(zip(header, row[1:], strict=False)) for row in lines[1:]}


def presets(workflow_env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """A workflow's presets, from its workflow-level `env.PRESETS` (none: an empty mapping)."""
    return parse_presets(workflow_env.get(PRESETS_ENV, ""))


def _number(text: str | None) -> float:
    try:
        value = float(text) if text is not None else 0.0
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and value > 0 else 0.0


def step_work(
    step: Step,
    context: Mapping[str, Mapping[str, str]],
    workflow_env: Mapping[str, str],
) -> Work:
    """What `step` does, its env evaluated in `context` (`inputs`, `matrix`)."""
    env = {k: evaluate(v, context) for k, v in step.env}
    preset = env.get(PRESET_VARIABLE)
    if preset is not None and preset != CUSTOM:
        row = presets(workflow_env).get(preset, {})
        env = {k: (row.get(k, "0") if k in WORK_VARIABLES else v) for k, v in env.items()}
    sleep = _number(env.get("SLEEP_S"))
    sleeps = _SLEEP.findall(step.run) if "SLEEP_S" not in env else []
    for literal, variable in sleeps:
        sleep += _number(literal) if literal else _number(env.get(variable))
    threads = int(_number(env.get("WORK_THREADS"))) or 1
    return Work(
        cpu_units=_number(env.get("WORK_CPU_UNITS")),
        threads=threads,
        memory_mib=_number(env.get("WORK_MEMORY_MIB")),
        hold_s=_number(env.get("WORK_HOLD_S")),
        disk_mib=_number(env.get("WORK_DISK_MIB")),
        network_mib=_number(env.get("WORK_NETWORK_MIB")),
        sleep_s=sleep,
        declared=bool(sleeps) or any(k in env for k in WORK_VARIABLES),
    )

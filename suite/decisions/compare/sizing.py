"""The two fleets' sizing, side by side: what `suite compare` and `validate-sizing` print first.

Read from each run's manifest.json `fleet` (configuration as the run recorded it, not an observation):
task CPU and memory, runner count, ephemeral or persistent, and the runner image when the manifest
holds one (`runner_image` or `image`). A value the manifest lacks is shown as unknown, never assumed;
two unknowns are not a difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from suite.report.fmt import NULL

# (key in the sizing, label, the manifest fleet's keys it may be under)
FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("task_cpu", "task CPU", ("task_cpu",)),
    ("task_memory", "task memory", ("task_memory",)),
    ("runner_count", "runners", ("runner_count",)),
    ("ephemeral", "ephemeral", ("ephemeral",)),
    ("image", "image", ("runner_image", "image")),
)


@dataclass(frozen=True)
class SizingRow:
    key: str
    label: str
    base: Any
    candidate: Any

    @property
    def differs(self) -> bool:
        return self.base != self.candidate


def sizing_of(fleet: dict[str, Any]) -> dict[str, Any]:
    """The sizing fields of a manifest's fleet (None: the manifest does not say)."""
    return {key: next((fleet[k] for k in keys if fleet.get(k) is not None), None) for key, _, keys in FIELDS}


def sizing_rows(base_fleet: dict[str, Any], cand_fleet: dict[str, Any]) -> list[SizingRow]:
    b, c = sizing_of(base_fleet), sizing_of(cand_fleet)
    return [SizingRow(key, label, b[key], c[key]) for key, label, _ in FIELDS]


def show(key: str, value: Any) -> str:
    if value is None:
        return f"{NULL} (not in the manifest)"
    if key == "task_cpu" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g} CPU units ({value / 1024:g} vCPU)"
    if key == "task_memory" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g} MiB"
    if key == "ephemeral" and isinstance(value, bool):
        return "ephemeral" if value else "persistent"
    return str(value)


def summary(rows: list[SizingRow]) -> str:
    """One line: which fields differ, or that the fleets are sized alike."""
    diffs = [f"{r.label} {show(r.key, r.base)} -> {show(r.key, r.candidate)}" for r in rows if r.differs]
    if not diffs:
        return "the two fleets have the same sizing"
    return "the two fleets DIFFER: " + "; ".join(diffs)


def as_dict(rows: list[SizingRow]) -> dict[str, Any]:
    return {
        "base": {r.key: r.base for r in rows},
        "candidate": {r.key: r.candidate for r in rows},
        "differences": [r.key for r in rows if r.differs],
    }

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


# ---- what each sizing cost and what the right-size verdict said (result.json, observed) --------------
# (key, label): shown under the sizing, base and candidate side by side with the change
COST_FIELDS: tuple[tuple[str, str], ...] = (
    ("per_job_usd", "cost per job (fleet in the window / jobs)"),
    ("execution_p50_usd", "job execution cost, median"),
    ("verdict", "right-size verdict (all jobs)"),
    ("recommended", "smallest size with the headroom"),
)


def money_of(result: dict[str, Any]) -> dict[str, Any]:
    """The cost and right-size figures compare shows, from one run's result.json (None: not in it)."""
    cost = result.get("cost") or {}
    right = (result.get("rightsize") or {}).get("all_jobs") or {}
    rec = right.get("recommended")
    return {
        "currency": (cost.get("prices") or {}).get("currency"),
        "per_job_usd": cost.get("per_job_usd"),
        "execution_p50_usd": (cost.get("execution_usd") or {}).get("p50"),
        "verdict": right.get("verdict"),
        "recommended": f"{rec['task_cpu']} CPU / {rec['task_memory']} MiB" if rec else None,
    }


def _money(value: Any, currency: Any) -> str:
    if value is None:
        return f"{NULL} (not in result.json)"
    if isinstance(value, float):
        return f"{value:.6f} {currency or ''}".rstrip()
    return str(value)


def _change(base: Any, cand: Any) -> str:
    numbers = all(isinstance(x, float) for x in (base, cand))
    if numbers and base > 0:
        return f"{(cand - base) / base * 100:+.0f}%"
    return "" if base == cand else "differs"


def cost_rows(base: dict[str, Any], cand: dict[str, Any]) -> list[list[str]]:
    """[label, base, candidate, change] per COST_FIELDS row (money_of's figures)."""
    return [
        [
            label,
            _money(base.get(k), base.get("currency")),
            _money(cand.get(k), cand.get("currency")),
            _change(base.get(k), cand.get(k)),
        ]
        for k, label in COST_FIELDS
    ]

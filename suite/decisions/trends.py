"""Trends across runs: per profile, the runs in time order with their figures, sizing changes, baselines
and regressions, ready for the trends page (suite.report.trends_page). Pure: a function of history rows
(dicts with suite.decisions.history's column names), so the store behind them can change.

The rules (docs/architecture.md, "Trends across runs"):

- **Order.** A profile's runs by start time (the run id's UTC stamp), then run id: the order
  `suite history` lists them in, oldest first. A run with no start time cannot be placed on the time
  axis: it is listed under `unplaced`, never drawn.
- **Sizing change.** A run whose `runners`, `task_cpu`, `task_memory`, `ephemeral` or
  `cpu_architecture` differs from the previous run of the same profile; a value either run does not
  know is not a change (it cannot be told).
- **Baselines.** Every PASS run is a baseline for the runs after it, until the next PASS run; the
  newest PASS run is the profile's baseline (what `suite history --baseline` prints). A run whose
  verdict is fail, inconclusive, incomplete or unknown is never one.
- **Regression.** A run is flagged when its verdict is fail, or (its verdict pass, fail or inconclusive:
  an incomplete run's figures cover part of the load and are not judged) a figure is worse than the
  baseline in force before it by at least 5% of the baseline's value and at least the figure's
  resolution (1 s for times, 0.01 for the failure rate): `suite compare`'s practical-significance
  rule, on the headline figures (the test on samples is `suite compare BASELINE RUN`). Every figure is
  lower-is-better. A null on either side is not judged.
- **Nulls.** A figure a run does not have stays null: a gap on the chart, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from suite.decisions.compare.core import MIN_RELATIVE_CHANGE


@dataclass(frozen=True)
class Figure:
    key: str  # the history column
    label: str
    unit: str
    resolution: float  # the smallest worsening that counts (with MIN_RELATIVE_CHANGE of the baseline)


FIGURES: tuple[Figure, ...] = (
    Figure("queue_p95", "queue time p95", "s", 1.0),
    Figure("exec_p50", "execution time p50", "s", 1.0),
    Figure("exec_p95", "execution time p95", "s", 1.0),
    Figure("failure_rate", "job failure rate", "", 0.01),
    Figure("cost_per_job", "cost per job", "USD", 0.0),
)
SIZING: tuple[tuple[str, str], ...] = (  # (history column, label)
    ("runners", "runners"),
    ("task_cpu", "task CPU"),
    ("task_memory", "task memory"),
    ("ephemeral", "ephemeral"),
    ("cpu_architecture", "CPU architecture"),
)
JUDGED = frozenset({"pass", "fail", "inconclusive"})  # verdicts whose figures are judged against a baseline
KINDS = ("pass", "fail", "inconclusive", "incomplete")  # any other verdict (or none) is "unknown"


def started_epoch(started: Any) -> float | None:
    """A history row's `started` (ISO, UTC) as epoch seconds; None when absent or not a time."""
    if not isinstance(started, str) or not started:
        return None
    try:
        stamp = datetime.fromisoformat(started.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()


def sizing_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The sizing fields two runs both know and that differ, in SIZING's order."""
    return [
        {"field": key, "label": label, "before": before.get(key), "after": after.get(key)}
        for key, label in SIZING
        if before.get(key) is not None and after.get(key) is not None and before.get(key) != after.get(key)
    ]


def worse(value: Any, base: Any, figure: Figure) -> bool:
    """`value` is worse than `base` by the regression rule (both known; lower is better)."""
    if value is None or base is None:
        return False
    change = float(value) - float(base)
    return change > 0 and change >= max(MIN_RELATIVE_CHANGE * abs(float(base)), figure.resolution)


def kind_of(verdict: Any) -> str:
    return verdict if verdict in KINDS else "unknown"


def profile_trend(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One profile's runs (history rows, any order) with their marks."""
    placed = sorted(
        (r for r in rows if started_epoch(r.get("started")) is not None),
        key=lambda r: (started_epoch(r.get("started")), str(r.get("test_run_id"))),
    )
    runs: list[dict[str, Any]] = []
    baseline: dict[str, Any] | None = None  # the newest PASS run so far
    previous: dict[str, Any] | None = None
    for row in placed:
        kind = kind_of(row.get("verdict"))
        regressions: list[dict[str, Any]] = []
        if kind == "fail":
            regressions.append({"figure": "verdict", "label": "verdict FAIL", "value": "fail", "base": None})
        if baseline is not None and kind in JUDGED:
            regressions += [
                {"figure": f.key, "label": f.label, "value": row.get(f.key), "base": baseline.get(f.key)}
                for f in FIGURES
                if worse(row.get(f.key), baseline.get(f.key), f)
            ]
        runs.append(
            {
                "test_run_id": row.get("test_run_id"),
                "path": row.get("path"),
                "started": row.get("started"),
                "t": started_epoch(row.get("started")),
                "verdict": row.get("verdict"),
                "kind": kind,
                "sizing": {key: row.get(key) for key, _ in SIZING},
                "values": {f.key: row.get(f.key) for f in FIGURES},
                "currency": row.get("currency"),
                "changes": [] if previous is None else sizing_changes(previous, row),
                "baseline_before": None if baseline is None else baseline.get("test_run_id"),
                "is_baseline": kind == "pass",
                "regressions": regressions,
            }
        )
        previous = row
        if kind == "pass":
            baseline = row
    return {
        "runs": runs,
        "baseline": None if baseline is None else baseline.get("test_run_id"),
        "unplaced": [str(r.get("test_run_id")) for r in rows if started_epoch(r.get("started")) is None],
    }


def trends(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Every profile's trend (profiles by name; a run without a profile is under null), and what the
    page needs to label them."""
    by_profile: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        by_profile.setdefault(row.get("profile"), []).append(row)
    names = sorted(by_profile, key=lambda p: (p is None, p or ""))
    return {
        "schema": 1,
        "figures": [{"key": f.key, "label": f.label, "unit": f.unit} for f in FIGURES],
        "sizing": [{"key": key, "label": label} for key, label in SIZING],
        "profiles": [{"profile": name} | profile_trend(by_profile[name]) for name in names],
    }

"""The report's sections as data, built once from a result; summary.md and report.html render them.

A section is a title and tables; a table is headers and rows; a row is a key and cells. A cell holds
the figure itself (never pre-formatted text), how it reads (a number, a fraction shown as a
percentage, text, code, a reason, a pass/fail) and, for a null figure, the reason recorded for it.
Each view chooses which tables and rows it shows and formats the cells its own way (suite.report.
markdown: `null`; suite.report.html: an em dash with its reason).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from suite.report.verdict_view import threshold_mark
from suite.rundir.result_schema import DIST_STATS, value_at

Kind = Literal["num", "pct", "text", "code", "why", "ok"]


@dataclass(frozen=True)
class Cell:
    """value: the figure (None: not observed, with `reason`); kind: num (digits after the point),
    pct (a fraction shown as a percentage), text, code, why (a reason), ok (a threshold's result)."""

    value: Any
    kind: Kind = "num"
    reason: str | None = None
    digits: int = 2


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[Cell, ...]
    reason: str | None = None  # why the row's figures are null (a distribution of no values)
    bad: bool = False  # a failed threshold


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[Row, ...]

    def pick(self, keys: Sequence[str]) -> list[Row]:
        """The rows with these keys, in this order (a key without a row is skipped)."""
        by_key = {r.key: r for r in self.rows}
        return [by_key[k] for k in keys if k in by_key]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tables: dict[str, Table] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)  # figures a view states in its prose


def reason_for(result: Mapping[str, Any], path: str) -> str | None:
    """The reason recorded for a null figure: its own path, else the nearest enclosing one."""
    reasons = result.get("reasons") or {}
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        why = reasons.get(".".join(parts[:n]))
        if why:
            return str(why)
    return None


def _table(headers: Sequence[str], rows: Sequence[Row]) -> Table:
    return Table(tuple(headers), tuple(rows))


def _row(key: str, *cells: Cell, reason: str | None = None, bad: bool = False) -> Row:
    return Row(key, tuple(cells), reason, bad)


# --- the eight sections ------------------------------------------------------------------------------

WORKFLOW_COUNTS = ("dispatched", "collected", "succeeded", "failed", "incomplete")


def workflows(r: Mapping[str, Any]) -> Section:
    wf = r["workflows"]
    missing = wf.get("missing") or []
    failed = wf.get("not_dispatched") or []
    counts = [
        Cell((r.get("completeness") or {}).get("scheduled"), reason="unknown"),
        *(Cell(wf.get(k), reason=reason_for(r, f"workflows.{k}")) for k in WORKFLOW_COUNTS),
        Cell(wf.get("success_rate"), "pct", reason_for(r, "workflows.success_rate")),
        Cell(len(missing)),
        Cell(len(failed)),
    ]
    missing_rows = [
        _row(str(m.get("suite_id")), Cell(m.get("suite_id"), "text"), Cell(m.get("reason"), "why"))
        for m in missing
    ]
    failed_rows = [
        _row(
            str(m.get("suite_id")),
            Cell(m.get("suite_id"), "text"),
            Cell(m.get("status")),
            Cell(m.get("error"), "text"),
        )
        for m in failed
    ]
    headers = ["scheduled", *WORKFLOW_COUNTS, "success rate", "missing", "not dispatched"]
    return Section(
        "workflows",
        "Workflows",
        {
            "counts": _table(headers, [_row("", *counts)]),
            "missing": _table(["suite_id", "reason"], missing_rows),
            "not_dispatched": _table(["suite_id", "status", "error"], failed_rows),
        },
    )


JOB_COUNTS = ("count", "succeeded", "failed", "cancelled", "skipped", "incomplete")


def jobs(r: Mapping[str, Any]) -> Section:
    counts = r["jobs"]
    keys = [k for k in JOB_COUNTS if k in counts]
    return Section("jobs", "Jobs", {"counts": _table(keys, [_row("", *(Cell(counts[k]) for k in keys))])})


TIMINGS = {  # path -> label
    "queue_time_s": "queue (started − created)",
    "queue_from_schedule_s": "queue from schedule (started − scheduled)",
    "execution_time_s": "execution (completed − started)",
    "total_time_s": "workflow total (last job completed − run created)",
    "dispatch_lag_s": "dispatch lag (sent − scheduled)",
    "dispatch_lag_real_s": "dispatch lag, real seconds (twin clock {speed:g}x)",
    "tasks.cold_start_s": "task cold start (createdAt → startedAt)",
}


def _distribution(r: Mapping[str, Any], path: str, label: str, reason_path: str | None = None) -> Row:
    d = value_at(r, path) or {}
    why = reason_for(r, reason_path or path) if not d.get("count") else None
    return _row(path, Cell(label, "text"), *(Cell(d.get(k), reason=why) for k in DIST_STATS), reason=why)


def timings(r: Mapping[str, Any]) -> Section:
    speed = (r.get("dispatch") or {}).get("clock_speed", 1)
    shown = speed if isinstance(speed, int | float) else float("nan")
    rows = [_distribution(r, path, label.format(speed=shown)) for path, label in TIMINGS.items()]
    return Section(
        "timings",
        "Timings (seconds)",
        {"distributions": _table(["figure", *DIST_STATS], rows)},
        {"clock_speed": speed, "present": [p for p in TIMINGS if value_at(r, p) is not None]},
    )


def load(r: Mapping[str, Any]) -> Section:
    figures: list[tuple[str, str, str, Kind]] = [  # label, path, reason path, kind
        ("max concurrency (exact)", "concurrency.max", "concurrency.max", "num"),
        ("mean concurrency (time-weighted over the window)", "concurrency.mean", "concurrency.mean", "num"),
        ("throughput (completed jobs / window minutes)", "throughput.jobs_per_min", "", "num"),
        (
            "Little's law: throughput × mean execution",
            "little_law.throughput_x_execution",
            "little_law",
            "num",
        ),
        ("Little's law: relative error vs mean concurrency", "little_law.relative_error", "", "pct"),
    ]
    rows = [
        _row(path, Cell(label, "text"), Cell(value_at(r, path), kind, reason_for(r, why or path)))
        for label, path, why, kind in figures
    ]
    return Section("load", "Concurrency and throughput", {"figures": _table(["figure", "value"], rows)})


def runners(r: Mapping[str, Any]) -> Section:
    run = r["runners"]
    counts = [
        Cell(run.get("configured"), reason=reason_for(r, "runners.configured")),
        Cell(run.get("observed"), reason=reason_for(r, "runners.observed")),
        Cell(run.get("utilization"), "pct", reason_for(r, "runners.utilization")),
    ]
    cols = r.get("per_runner") or {}
    total = len(cols.get("runner_name") or ())
    shown = [[_python(v) for v in cols[k][:MAX_RUNNERS]] for k in RUNNER_KEYS] if total else [[]] * 4
    per = [
        _row(
            str(name),
            Cell(name, "code"),
            Cell(jobs),
            Cell(busy, digits=1),
            Cell(use, "pct"),
        )
        for name, jobs, busy, use in zip(*shown, strict=True)
    ]
    return Section(
        "runners",
        "Runners",
        {
            "counts": _table(["configured", "observed", "utilization"], [_row("", *counts)]),
            "per_runner": _table(["runner", "jobs", "busy s", "utilization"], per),
        },
        {"runners_listed": total, "where": RUNNERS_TABLE},
    )


MAX_RUNNERS = 100  # runner rows a section holds (the views show at most this many): the rest are counted
RUNNER_KEYS = ("runner_name", "jobs", "busy_s", "utilization")
RUNNERS_TABLE = "tables/runners.parquet"


def _python(value: Any) -> Any:
    """A column value as a plain Python value (a NaN figure: None)."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value


RESOURCES = {  # path -> label
    "resources.cpu.max": "CPU max per job (units)",
    "resources.cpu.mean": "CPU mean per job (units)",
    "resources.cpu.max_pct": "CPU max per job (% of reserved)",
    "resources.memory.max": "memory max per job (MiB)",
    "resources.memory.mean": "memory mean per job (MiB)",
    "resources.memory.max_pct": "memory max per job (% of reserved)",
}


def resources(r: Mapping[str, Any]) -> Section:
    res = r["resources"]
    rows = [_distribution(r, path, label, "resources") for path, label in RESOURCES.items()]
    return Section(
        "resources",
        "Resources",
        {"distributions": _table(["figure", *DIST_STATS], rows)},
        {"with_samples": res["jobs_with_samples"], "without_samples": res["jobs_without_samples"]},
    )


def thresholds(r: Mapping[str, Any]) -> Section:
    rows = [
        _row(
            str(t.get("expr")),
            Cell(t.get("expr"), "code"),
            Cell(t.get("value"), reason=t.get("reason")),
            Cell(threshold_mark(t), "ok"),
            Cell(t.get("reason"), "why"),
            bad=t.get("ok") is not True,
        )
        for t in r.get("thresholds") or []
    ]
    return Section(
        "thresholds", "Thresholds", {"results": _table(["threshold", "value", "result", "reason"], rows)}
    )


def reasons(r: Mapping[str, Any]) -> Section:
    rows = [_row(k, Cell(k, "code"), Cell(str(v), "why")) for k, v in (r.get("reasons") or {}).items()]
    return Section(
        "reasons", "Figures that could not be observed", {"reasons": _table(["figure", "reason"], rows)}
    )


def sections(result: Mapping[str, Any]) -> dict[str, Section]:
    """The eight sections of a result, by key, in summary.md's order."""
    built = (workflows, jobs, timings, load, runners, resources, thresholds, reasons)
    return {s.key: s for s in (build(result) for build in built)}

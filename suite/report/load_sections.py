"""The report's sections on where the fleet breaks and how much room it has: the breaking point
(saturation's stages), spike recovery and headroom (slot occupancy beside utilization, jobs waiting).

Built from result.json like suite.report.sections' (the same Cell/Row/Table/Section model), rendered by
summary.md, report.html and the terminal summary. A section whose figures do not apply to the profile
(saturation: step and ramp; recovery: spike) is None.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from suite.report.fmt import num, pct
from suite.report.sections import Cell, Row, Section, Table, reason_for

STAGE_HEADERS = (
    "stage",
    "target /min",
    "offered",
    "not offered",
    "completed",
    "completed / offered",
    "queue p50 s",
    "queue p95 s",
    "utilization",
    "evidence",
)


def stage_state(stage: Mapping[str, Any]) -> str:
    """A stage in words: its evidence, or that it kept up, or that no load was offered in it."""
    if stage.get("evidence"):
        return "; ".join(stage["evidence"])
    if not stage.get("dispatched"):
        return f"no load offered ({stage.get('not_offered', 0)} scheduled, never accepted)"
    return "kept up"


def _row(key: str, *cells: Cell, bad: bool = False) -> Row:
    return Row(key, tuple(cells), None, bad)


def breaking_point_text(r: Mapping[str, Any]) -> str | None:
    """One sentence: the breaking point and why, or why there is none (None: not a step/ramp profile)."""
    sat = r.get("saturation")
    if not sat:
        return None
    point = sat.get("point")
    if point is None:
        return f"No breaking point: {reason_for(r, 'saturation.point') or 'no stage saturated'}."
    rate = num(point.get("target_rate_per_min"))
    return (
        f"Breaking point: stage {point['stage']} ({rate}/min target): " + "; ".join(point["evidence"]) + "."
    )


def saturation(r: Mapping[str, Any]) -> Section | None:
    sat = r.get("saturation")
    if not sat:
        return None
    point = (sat.get("point") or {}).get("stage")
    rows = []
    for st in sat.get("stages") or []:
        q = st.get("queue_time_s") or {}
        why = "no job of the stage started" if not q.get("count") else None
        rows.append(
            _row(
                str(st["stage"]),
                Cell(st["stage"], "text"),
                Cell(st.get("target_rate_per_min")),
                Cell(st.get("dispatched")),
                Cell(st.get("not_offered")),
                Cell(st.get("completed")),
                Cell(st.get("completed_ratio"), "pct", "no workflow offered in the stage"),
                Cell(q.get("p50"), reason=why, digits=1),
                Cell(q.get("p95"), reason=why, digits=1),
                Cell(st.get("utilization"), "pct", reason_for(r, "runners.configured")),
                Cell(stage_state(st), "text"),
                bad=st["stage"] == point,
            )
        )
    return Section(
        "saturation",
        "Breaking point",
        {"stages": Table(STAGE_HEADERS, tuple(rows))},
        {
            "sentence": breaking_point_text(r),
            "definition": sat.get("definition"),
            "lag_s": sat.get("lag_s"),
            "jitter_s": sat.get("jitter_s"),
        },
    )


def recovery_text(r: Mapping[str, Any]) -> str | None:
    rec = r.get("recovery")
    if not rec:
        return None
    if rec.get("recovery_s") is not None:
        head = f"Recovered {num(rec['recovery_s'], 0)} s after the surge (at {rec['recovered_at']})"
    else:
        head = f"Recovery: not measured ({reason_for(r, 'recovery.recovery_s')})"
    if rec.get("backlog_drained_s") is not None:
        tail = f"the backlog of waiting jobs drained {num(rec['backlog_drained_s'], 0)} s after the surge"
    else:
        tail = f"backlog: {reason_for(r, 'recovery.backlog_drained_s')}"
    return f"{head}; {tail}."


def recovery(r: Mapping[str, Any]) -> Section | None:
    rec = r.get("recovery")
    if not rec:
        return None
    base = rec.get("baseline_queue_s") or {}
    rec_why, drain_why = "recovery.recovery_s", "recovery.backlog_drained_s"
    figures: list[tuple[str, Any, str, str]] = [  # label, value, kind, reason path
        ("surge", f"{rec.get('surge_start')} .. {rec.get('surge_end')}", "text", ""),
        ("baseline queue p95 s", base.get("p95"), "num", rec_why),
        ("near: queue time at most (s)", rec.get("near_s"), "num", rec_why),
        ("jobs scheduled after the surge", rec.get("jobs_after_surge"), "num", ""),
        ("recovered at (scheduled)", rec.get("recovered_at"), "text", rec_why),
        ("recovery s (surge end → queue time near the baseline)", rec.get("recovery_s"), "num", rec_why),
        ("baseline max jobs waiting", rec.get("baseline_max_waiting"), "num", drain_why),
        (
            "backlog drained s (surge end → jobs waiting back to it)",
            rec.get("backlog_drained_s"),
            "num",
            drain_why,
        ),
    ]
    rows = [
        _row(label, Cell(label, "text"), _value(r, value, kind, path)) for label, value, kind, path in figures
    ]
    return Section(
        "recovery",
        "Recovery",
        {"figures": Table(("figure", "value"), tuple(rows))},
        {"sentence": recovery_text(r), "definition": rec.get("definition")},
    )


def _value(r: Mapping[str, Any], value: Any, kind: str, path: str) -> Cell:
    why = reason_for(r, path) if value is None and path else None
    if value is None:
        return Cell(None, reason=why)
    return Cell(value, "text") if kind == "text" else Cell(value, reason=why)


def headroom(r: Mapping[str, Any]) -> Section:
    occ = r.get("occupancy") or {}
    waiting = r.get("jobs_waiting") or {}
    run = r.get("runners") or {}
    figures: list[tuple[str, Any, str, str]] = [
        ("slot occupancy (busy or booting)", occ.get("slot_occupancy"), "pct", "occupancy.slot_occupancy"),
        ("utilization (busy)", run.get("utilization"), "pct", "runners.utilization"),
        ("busy runner-seconds", occ.get("busy_runner_s", run.get("busy_runner_s")), "num", "runners"),
        ("booting runner-seconds", occ.get("booting_runner_s"), "num", "occupancy.booting_runner_s"),
        ("ECS tasks observed", occ.get("tasks_observed"), "num", "occupancy"),
        ("max jobs waiting (exact)", waiting.get("max"), "num", "jobs_waiting.max"),
        ("mean jobs waiting (time-weighted)", waiting.get("mean"), "num", "jobs_waiting.mean"),
    ]
    rows = [
        _row(label, Cell(label, "text"), Cell(value, kind, reason_for(r, path) if value is None else None))  # type: ignore[arg-type]
        for label, value, kind, path in figures
    ]
    return Section(
        "headroom",
        "Headroom",
        {"figures": Table(("figure", "value"), tuple(rows))},
        {"occupancy": occ.get("definition"), "waiting": waiting.get("definition")},
    )


def terminal_lines(r: Mapping[str, Any]) -> list[str]:
    """The terminal summary's lines for these sections (aligned with its other lines)."""
    occ, waiting = r.get("occupancy") or {}, r.get("jobs_waiting") or {}
    lines = [
        f"  headroom    occupancy {pct(occ.get('slot_occupancy'))} (busy or booting; utilization "
        f"{pct((r.get('runners') or {}).get('utilization'))}), jobs waiting max {num(waiting.get('max'))}"
    ]
    sat = r.get("saturation")
    if sat:
        lines.append("  stages      stage  target/min  offered  not sent  completed  queue p50/p95 s")
        for st in sat.get("stages") or []:
            q = st.get("queue_time_s") or {}
            state = "saturated" if st.get("evidence") else stage_state(st).split(" (")[0]
            lines.append(
                f"              {st['stage']:>5}  {num(st.get('target_rate_per_min')):>10}  "
                f"{st.get('dispatched'):>7}  {st.get('not_offered'):>8}  {st.get('completed'):>9}  "
                f"{num(q.get('p50'), 0):>6} / {num(q.get('p95'), 0):<6}  {state}"
            )
        lines.append(f"  breaking    {breaking_point_text(r)}")
    rec = recovery_text(r)
    if rec:
        lines.append(f"  recovery    {rec}")
    return lines

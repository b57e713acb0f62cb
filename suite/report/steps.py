"""The Steps section (result.json `steps`) as data, and its HTML and terminal forms; summary.md renders
the Section like the others. Job and step names are user text: the views escape them (Markdown and HTML
cells, suite.report.escape.terminal_text for the terminal lines).

A null duration carries the reason recorded under `steps["<job>"][<number>].duration_s`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

from suite.report.fmt import num
from suite.report.html_page import html_cell, table
from suite.report.sections import Cell, Row, Section, Table, reason_for

TITLE = "Steps (seconds)"
NOTE = (
    "Grouped by job name and step (number, name): duration = completed_at − started_at of the steps "
    "with both stamps (a skipped step has none). Slowest: the highest duration p95."
)
MAX_ROWS = 50  # per table, in summary.md and report.html
TERMINAL_STEPS = 5  # slowest steps listed in the terminal summary
STEP_WIDTH = 44


def _step_rows(r: Mapping[str, Any], entries: list[dict[str, Any]]) -> tuple[Row, ...]:
    out = []
    for f in entries:
        d = f.get("duration_s") or {}
        why = reason_for(
            r, f"steps[{json.dumps(f.get('job_name'))}][{json.dumps(f.get('number'))}].duration_s"
        )
        cells = (
            Cell(f.get("job_name"), "code"),
            Cell(f.get("number"), digits=0),
            Cell(f.get("name"), "code"),
            Cell(f.get("steps")),
            Cell(f.get("timed")),
            Cell(f.get("failed")),
            *(Cell(d.get(k), reason=why, digits=1) for k in ("p50", "p95", "max")),
        )
        out.append(Row(f"{f.get('job_name')}#{f.get('number')}", cells, why, bool(f.get("failed"))))
    return tuple(out)


def steps_section(r: Mapping[str, Any]) -> Section:
    """Tables `slowest`, `steps` (every entry) and `failed` (the failed jobs per job name and the step
    they failed at: result.json `steps.failed_by_step`; per job, the job table's failed_step)."""
    s = r.get("steps") or {}
    headers = ("job name", "#", "step", "steps", "timed", "failed", "p50", "p95", "max")
    failed = tuple(
        Row(
            f"{f.get('job_name')}#{f.get('step_number')}#{f.get('step_name')}#{f.get('reason')}",
            (
                Cell(f.get("job_name"), "code"),
                Cell(f.get("step_number"), digits=0, reason=f.get("reason")),
                Cell(f.get("step_name") or "", "code"),
                Cell(f.get("step_conclusion") or "", "text"),
                Cell(f.get("jobs"), digits=0),
                Cell(f.get("reason") or "", "why"),
            ),
        )
        for f in s.get("failed_by_step") or []
    )
    return Section(
        "steps",
        TITLE,
        {
            "slowest": Table(headers, _step_rows(r, list(s.get("slowest") or []))),
            "steps": Table(headers, _step_rows(r, list(s.get("by_step") or []))),
            "failed": Table(("job name", "#", "failed at step", "conclusion", "jobs", "why null"), failed),
        },
        {"note": NOTE, "why": reason_for(r, "steps")},
    )


def steps_html(s: Section) -> str:
    """report.html's Steps section ("" when no job carried a step)."""
    parts = []
    for key, what in (
        ("slowest", "Slowest steps"),
        ("failed", "Where failed jobs failed"),
        ("steps", "Every step"),
    ):
        t = s.tables[key]
        if t.rows:
            rows = [[html_cell(c) for c in row.cells] for row in t.rows[:MAX_ROWS]]
            more = (
                f'<p class="note">… and {len(t.rows) - MAX_ROWS} more (result.json).</p>'
                if len(t.rows) > MAX_ROWS
                else ""
            )
            parts.append(f"<h3>{what}</h3>" + table(t.headers, rows, left=1 if key == "failed" else 3) + more)
    if not parts:
        return ""
    return f'<h2>{TITLE}</h2><p class="note">{escape(NOTE)}</p>' + "".join(parts)


def terminal_lines(r: Mapping[str, Any]) -> list[str]:
    """The slowest steps (p95 seconds) and the failed jobs' steps, within 80 columns."""
    s = r.get("steps") or {}
    slowest = list(s.get("slowest") or [])[:TERMINAL_STEPS]
    lines = []
    if slowest:
        lines.append(
            f"  {'slowest steps (job / #step name)':<{STEP_WIDTH}} {'timed':>6} {'p50 s':>9} {'p95 s':>9}"
        )
    for f in slowest:
        label = f"{f.get('job_name')} / #{f.get('number')} {f.get('name')}"
        shown = label if len(label) <= STEP_WIDTH else label[: STEP_WIDTH - 1] + "…"
        d = f.get("duration_s") or {}
        lines.append(
            f"  {shown:<{STEP_WIDTH}} {f.get('timed'):>6} {num(d.get('p50'), 1):>9} {num(d.get('p95'), 1):>9}"
        )
    at: dict[str, int] = {}
    for f in s.get("failed_by_step") or []:
        name = f.get("step_name")
        key = f"#{f.get('step_number')} {name}" if name is not None else "(no failing step)"
        at[key] = at.get(key, 0) + int(f.get("jobs") or 0)
    if at:
        top = sorted(at.items(), key=lambda kv: -kv[1])[:3]
        text = ", ".join(f"{k} ×{n}" for k, n in top)
        lines.append(f"  failed at   {text[:64]}{'…' if len(text) > 64 else ''}")
    return lines

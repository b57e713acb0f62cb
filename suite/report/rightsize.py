"""The right-size section (result.json `rightsize`: per job name, CPU and memory against the task's
reservation, the verdict and the smallest Fargate size with the headroom) as data, and its HTML and
terminal forms; summary.md renders the Section with suite.report.markdown's tables. Job names are user
text: every view escapes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from suite.report.escape import terminal_text
from suite.report.fmt import num
from suite.report.html_page import html_cell, table
from suite.report.sections import Cell, Row, Section, Table, reason_for

TITLE = "Right-size"
HEADERS = (
    "job name",
    "verdict",
    "jobs",
    "measured",
    "CPU peak %",
    "CPU mean %",
    "mem. peak %",
    "CPU peak",
    "mem. peak MiB",
    "recommended",
    "why",
)
ALL_JOBS = "(all jobs)"
TERMINAL_NAMES = 8
WIDTH = 80
NAME_WIDTH = 24
ATTENTION = ("memory pressure", "CPU-bound")


def size_text(size: Mapping[str, Any] | None) -> str | None:
    return None if not size else f"{size['task_cpu']} / {size['task_memory']}"


def _row(key: str, name: Cell, g: Mapping[str, Any]) -> Row:
    note = g.get("recommended_note")
    cells = (
        name,
        Cell(g.get("verdict"), "text"),
        Cell(g.get("jobs"), digits=0),
        Cell(g.get("measured"), digits=0),
        Cell(g.get("cpu_peak_pct"), digits=0, reason=g.get("reason")),
        Cell(g.get("cpu_mean_pct"), digits=0, reason=g.get("reason")),
        Cell(g.get("memory_peak_pct"), digits=0, reason=g.get("reason")),
        Cell(g.get("cpu_peak"), digits=0, reason=g.get("reason")),
        Cell(g.get("memory_peak"), digits=0, reason=g.get("reason")),
        Cell(size_text(g.get("recommended")) or "—", "text"),
        Cell(
            "; ".join(
                x for x in (g.get("reason"), note if g.get("verdict") != "inconclusive" else None) if x
            ),
            "why",
        ),
    )
    return Row(key, cells, None, g.get("verdict") in ATTENTION)


def rightsize_section(r: Mapping[str, Any]) -> Section:
    """Table `names`: all jobs first, then each job name; facts: the note, the current size, why null."""
    s = r.get("rightsize")
    if not s:
        why = reason_for(r, "rightsize") or "not in this result.json"
        return Section("rightsize", TITLE, {}, {"null": why, "note": "", "current": None})
    rows = [_row("", Cell(ALL_JOBS, "text"), s["all_jobs"])]
    rows += [_row(str(n), Cell(n, "code"), g) for n, g in (s.get("by_job_name") or {}).items()]
    note = (
        f"Headroom {num(s.get('headroom_pct'), 0)}% over the peaks. {s.get('definition', '')}. "
        "Percentages are of the task's CPU reservation and memory limit (each job's figures: the in-task "
        "sampler's, else Container Insights')."
    )
    facts = {"null": None, "note": note, "current": size_text(s.get("current"))}
    return Section("rightsize", TITLE, {"names": Table(HEADERS, tuple(rows))}, facts)


def rightsize_html(s: Section, max_rows: int) -> str:
    title = f"<h2>{escape(s.title)}</h2>"
    if s.facts["null"]:
        return title + f'<p class="note">null: {escape(s.facts["null"])}</p>'
    current = s.facts["current"]
    out = title + f'<p class="note">{escape(s.facts["note"])}'
    out += f" The fleet runs {escape(current)} (CPU units / MiB)." if current else ""
    out += " CPU peak in CPU units (1024 = 1 vCPU); recommended: CPU units / MiB.</p>"
    rows = s.tables["names"].rows
    out += table(  # the last column ("why") is long prose: listed under the table, not squeezed into it
        HEADERS[:-1],
        [[html_cell(c) for c in row.cells[:-1]] for row in rows[:max_rows]],
        left=2,
        classes=["bad" if row.bad else "" for row in rows[:max_rows]],
    )
    whys = [(row.cells[0].value, row.cells[-1].value) for row in rows[:max_rows] if row.cells[-1].value]
    if whys:
        items = "".join(f"<li><code>{escape(str(n))}</code>: {escape(str(w))}</li>" for n, w in whys)
        out += f'<ul class="note">{items}</ul>'
    if len(rows) > max_rows:
        out += f'<p class="note">Showing {max_rows:,} of {len(rows):,} rows; all are in result.json.</p>'
    return out


def _line(label: str, g: Mapping[str, Any]) -> str:
    shown = label if len(label) <= NAME_WIDTH else label[: NAME_WIDTH - 1] + "…"
    size = size_text(g.get("recommended"))
    tail = f" → {size}" if size else ""
    return f"    {shown:<{NAME_WIDTH}} {g.get('verdict')}{tail}"


def terminal_lines(r: Mapping[str, Any]) -> list[str]:
    """Within 80 columns: the verdict over all jobs, then per job name (2+ names)."""
    s = r.get("rightsize")
    if not s:
        return []
    a = s["all_jobs"]
    rec = a.get("recommended")
    head = f"  right-size  {a.get('verdict')}"
    if rec:
        plus = num(s.get("headroom_pct"), 0)
        head += f"; smallest size +{plus}%: {rec['task_cpu']} CPU / {rec['task_memory']} MiB"
    lines = [terminal_text(head)[:WIDTH]]
    names = list((s.get("by_job_name") or {}).items())
    if len(names) >= 2:
        lines += [terminal_text(_line(str(n), g))[:WIDTH] for n, g in names[:TERMINAL_NAMES]]
        if len(names) > TERMINAL_NAMES:
            lines.append(f"    … and {len(names) - TERMINAL_NAMES} more job names (summary.md, result.json)")
    return lines

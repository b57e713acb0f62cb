"""The cost section (result.json `cost`: per job and for the fleet in the window, at Fargate's prices)
as data, and its HTML and terminal forms; summary.md renders the Section with suite.report.markdown's
tables. Job names are user text: every view escapes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from suite.report.escape import terminal_text
from suite.report.fmt import num, pct
from suite.report.html_page import html_cell, table
from suite.report.sections import Cell, Row, Section, Table, reason_for

TITLE = "Cost"
USD_DIGITS = 6
RUN_PARTS = (("busy", "busy"), ("idle", "idle"), ("cold_start", "cold start"))


def _usd(value: Any, reason: str | None) -> Cell:
    return Cell(value, reason=reason, digits=USD_DIGITS)


def prices_text(p: Mapping[str, Any] | None) -> str:
    """The prices used and where they come from, in one sentence."""
    if not p:
        return "no price table"
    cur = p.get("currency")
    rates = (
        f"{num(p.get('vcpu_hour'), 6)} {cur} per vCPU-hour, {num(p.get('gb_hour'), 6)} {cur} per GB-hour, "
        f"{num(p.get('task_hour'), 6)} {cur} per task-hour"
    )
    return (
        f"{p.get('region')} {p.get('architecture')}: {rates} (price table {p.get('table')}, checked "
        f"{p.get('checked')}, {p.get('source')}; architecture: {p.get('architecture_from')})"
    )


def cost_section(r: Mapping[str, Any]) -> Section:
    """Tables `run` (busy, idle, cold start, total), `jobs` (per job) and `names` (per job name)."""
    c = r.get("cost")
    if not c:
        why = reason_for(r, "cost") or "not in this result.json"
        return Section("cost", TITLE, {}, {"null": why, "prices": "", "definition": ""})
    run = c["run"]
    why_run = reason_for(r, "cost.run")
    total_s = run.get("task_s")
    rows = [
        Row(
            key,
            (
                Cell(label, "text"),
                Cell(run.get(f"{key}_s"), reason=why_run, digits=0),
                Cell(run.get(f"{key}_s") / total_s if total_s else None, "pct", why_run),
                _usd(run.get(f"{key}_usd"), reason_for(r, f"cost.run.{key}_usd")),
            ),
        )
        for key, label in RUN_PARTS
    ]
    rows.append(
        Row(
            "total",
            (
                Cell(f"total ({run.get('tasks')} tasks)", "text"),
                Cell(total_s, reason=why_run, digits=0),
                Cell(1.0 if total_s else None, "pct", why_run),
                _usd(run.get("usd"), reason_for(r, "cost.run.usd")),
            ),
        )
    )
    d = c.get("execution_usd") or {}
    why_exec = reason_for(r, "cost.execution_usd")
    jobs = Row(
        "",
        (
            _usd(c.get("per_job_usd"), reason_for(r, "cost.per_job_usd")),
            Cell(c.get("jobs"), digits=0),
            *(_usd(d.get(k), why_exec) for k in ("p50", "p95", "max")),
        ),
    )
    names = tuple(
        Row(
            str(n),
            (
                Cell(n, "code"),
                Cell(g.get("jobs"), digits=0),
                _usd(g.get("execution_usd"), why_exec),
                _usd(g.get("mean_execution_usd"), why_exec),
            ),
        )
        for n, g in (c.get("by_job_name") or {}).items()
    )
    tables = {
        "run": Table(("fleet in the window", "seconds", "share", "USD"), tuple(rows)),
        "jobs": Table(
            ("per job (run / jobs)", "jobs", "execution p50", "execution p95", "execution max"), (jobs,)
        ),
        "names": Table(("job name", "jobs", "execution USD", "mean per job"), names),
    }
    facts = {"null": None, "prices": prices_text(c.get("prices")), "definition": c.get("definition", "")}
    return Section("cost", TITLE, tables, facts)


def cost_html(s: Section, max_rows: int) -> str:
    title = f"<h2>{escape(s.title)}</h2>"
    if s.facts["null"]:
        return title + f'<p class="note">null: {escape(s.facts["null"])}</p>'
    out = title + f'<p class="note">{escape(s.facts["prices"])}. {escape(s.facts["definition"])}.</p>'
    for key, left in (("run", 1), ("jobs", 0), ("names", 1)):
        t = s.tables[key]
        if t.rows:
            out += table(
                t.headers, [[html_cell(c) for c in row.cells] for row in t.rows[:max_rows]], left=left
            )
    if len(s.tables["names"].rows) > max_rows:
        out += f'<p class="note">Showing {max_rows:,} job names; all are in result.json.</p>'
    return out


def terminal_lines(r: Mapping[str, Any]) -> list[str]:
    """Within 80 columns: the cost per job and of the run, then the idle and cold-start shares."""
    c = r.get("cost")
    if not c:
        return []
    run = c["run"]
    cur = (c.get("prices") or {}).get("currency") or ""
    if c.get("per_job_usd") is None and run.get("usd") is None:
        why = reason_for(r, "cost.run") or reason_for(r, "cost") or "unknown"
        return [terminal_text(f"  cost        null: {why}")[:200]]
    head = (
        f"  cost        {num(c.get('per_job_usd'), USD_DIGITS)} {cur} per job; "
        f"run {num(run.get('usd'), 4)} {cur} over {c.get('jobs')} jobs"
    )
    shares = (
        f"              task-seconds: idle {pct(run.get('idle_share'))}, "
        f"cold start {pct(run.get('cold_start_share'))}"
    )
    return [terminal_text(head), terminal_text(shares)]

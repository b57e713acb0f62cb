"""The failures section (result.json `failures`: one cause per job that did not succeed) as data, and
its terminal form. summary.md and report.html render the Section like the others (suite.report.sections).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from html import escape
from typing import Any

from suite.report.html_page import html_cell, table
from suite.report.sections import Cell, Row, Section, Table, reason_for

TITLE = "Failures attributed"
CAUSES = {  # result.json key -> header
    "timed_out": "timed out",
    "cancelled": "cancelled",
    "out_of_memory": "out of memory",
    "runner_lost": "runner lost",
    "failed": "failed",
    "unknown": "unknown",
}
HEADERS = ("did not succeed", *CAUSES.values())
NOTE = (
    "One cause per job that did not succeed (conclusion failure, timed_out, cancelled or "
    "startup_failure: the jobs suite compare's failure rate counts). out of memory: the job's ECS task "
    "stopped during the job with exit code 137 or an OutOfMemory reason; runner lost: its task stopped "
    "during the job before GitHub ended it; failed: the job's own failure; unknown: the data to tell "
    "was not collected."
)
TERMINAL_NAMES = 8
WIDTH = 80  # the terminal summary's columns
NAME_WIDTH = 26


def _cells(counts: Mapping[str, Any]) -> list[Cell]:
    return [Cell(counts.get("did_not_succeed")), *(Cell(counts.get(k)) for k in CAUSES)]


def failures_section(r: Mapping[str, Any]) -> Section:
    """Tables `total` (one row) and `names` (the job names with a job that did not succeed); facts: the
    note, the unknown causes' reasons with their job counts, and why the section is null if it is."""
    f = r.get("failures")
    if not f:
        why = reason_for(r, "failures") or "not in this result.json"
        return Section("failures", TITLE, {}, {"note": NOTE, "null": why, "unknown_reasons": {}})
    total = Table(HEADERS, (Row("", tuple(_cells(f["total"]))),))
    names = Table(
        ("job name", *HEADERS),
        tuple(
            Row(str(name), (Cell(name, "code"), *_cells(g)))
            for name, g in (f.get("by_job_name") or {}).items()
            if g.get("did_not_succeed")
        ),
    )
    facts = {"note": NOTE, "null": None, "unknown_reasons": dict(f.get("unknown_reasons") or {})}
    return Section("failures", TITLE, {"total": total, "names": names}, facts)


def terminal_lines(r: Mapping[str, Any]) -> list[str]:
    """Within 80 columns: the jobs that did not succeed by cause, then per job name (2+ names)."""
    f = r.get("failures")
    if not f or not f["total"].get("did_not_succeed"):
        return []
    total = f["total"]
    causes = [f"{total[k]} {label}" for k, label in CAUSES.items() if total.get(k)]
    head = f"  failures    {total['did_not_succeed']} did not succeed: " + ", ".join(causes)
    lines = textwrap.wrap(head, WIDTH, subsequent_indent=" " * 14)
    for why, n in (f.get("unknown_reasons") or {}).items():
        text = f"    unknown for {n} job(s): {why}"
        lines += textwrap.wrap(text, WIDTH, subsequent_indent=" " * 6, max_lines=2, placeholder=" …")
    failing = [(n, g) for n, g in (f.get("by_job_name") or {}).items() if g.get("did_not_succeed")]
    if len(failing) < 2:
        return lines
    w = NAME_WIDTH
    heads = ("jobs", "t/o", "canc", "oom", "lost", "fail", "unkn")
    lines.append(f"  {'failures by job name':<{w}}" + "".join(f"{h:>7}" for h in heads))
    for name, g in failing[:TERMINAL_NAMES]:
        shown = name if len(name) <= w else name[: w - 1] + "…"
        figures = [g.get("did_not_succeed"), *(g.get(k) for k in CAUSES)]
        lines.append(f"  {shown:<{w}}" + "".join(f"{x:>7}" for x in figures))
    if len(failing) > TERMINAL_NAMES:
        lines.append(f"  … and {len(failing) - TERMINAL_NAMES} more job names (summary.md, result.json)")
    return lines


def failures_html(s: Section, max_rows: int) -> str:
    """report.html's form of the section: the note, the totals, up to max_rows job names, the reasons
    of the unknown causes (kept here so that report.html's module stays small)."""
    title = f"<h2>{escape(s.title)}</h2>"
    if s.facts["null"]:
        return title + f'<p class="note">null: {escape(s.facts["null"])}</p>'
    total, names = s.tables["total"], s.tables["names"]
    out = title + f'<p class="note">{escape(s.facts["note"])}</p>'
    out += table(total.headers, [[html_cell(c) for c in r.cells] for r in total.rows], left=0)
    if names.rows:
        out += table(names.headers, [[html_cell(c) for c in r.cells] for r in names.rows[:max_rows]])
    if len(names.rows) > max_rows:
        shown = f"Showing the first {max_rows:,} of {len(names.rows):,} job names"
        out += f'<p class="note">{shown}; all of them are in result.json.</p>'
    unknown = s.facts["unknown_reasons"].items()
    items = "".join(f"<li>unknown for {n} job(s): {escape(why)}</li>" for why, n in unknown)
    return out + (f"<ul>{items}</ul>" if items else "")

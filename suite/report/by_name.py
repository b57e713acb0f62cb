"""The per-job-name and per-workflow section (result.json `by_job_name`, `by_workflow`) as data, and its
terminal form. summary.md and report.html render the Section like the others (suite.report.sections).

A null figure carries the reason recorded under its threshold address (`jobs["<name>"].queue_time_s`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from suite.report.fmt import num
from suite.report.sections import Cell, Row, Section, Table

TITLE = "Per job name and workflow (seconds)"
NOTE = (
    "Each job name's (and workflow's) jobs with the headline definitions. total: per job name, "
    "its completed_at − its run's created_at; per workflow, the workflow total "
    "(last job completed − run created)."
)
FIGURES = (  # (distribution, statistic, header)
    ("queue_time_s", "p50", "queue p50"),
    ("queue_time_s", "p95", "queue p95"),
    ("execution_time_s", "p50", "exec. p50"),
    ("execution_time_s", "p95", "exec. p95"),
    ("total_time_s", "p50", "total p50"),
    ("total_time_s", "p95", "total p95"),
)
TERMINAL_NAMES = 8  # job names listed in the terminal summary
NAME_WIDTH = 26


def _rows(r: Mapping[str, Any], section: str, selector: str, runs: bool) -> list[Row]:
    reasons = r.get("reasons") or {}
    out = []
    for name, g in (r.get(section) or {}).items():
        address = f"{selector}[{json.dumps(name)}]"
        counts = g.get("jobs") or {}
        cells = [Cell(name, "code"), *([Cell(g.get("runs"))] if runs else [])]
        cells += [Cell(counts.get("count")), Cell(counts.get("succeeded")), Cell(counts.get("failed"))]
        for dist, stat, _ in FIGURES:
            cells.append(
                Cell((g.get(dist) or {}).get(stat), reason=reasons.get(f"{address}.{dist}"), digits=1)
            )
        out.append(Row(str(name), tuple(cells)))
    return out


def by_name_section(r: Mapping[str, Any]) -> Section:
    """Two tables: `names` (one row per job name) and `workflows` (one per workflow file)."""
    figures = [h for _, _, h in FIGURES]
    names = Table(
        ("job name", "jobs", "ok", "failed", *figures), tuple(_rows(r, "by_job_name", "jobs", False))
    )
    workflows = Table(
        ("workflow", "runs", "jobs", "ok", "failed", *figures),
        tuple(_rows(r, "by_workflow", "workflows", True)),
    )
    return Section("by_name", TITLE, {"names": names, "workflows": workflows}, {"note": NOTE})


def terminal_lines(r: Mapping[str, Any]) -> list[str]:
    """Per job name, within 80 columns: jobs and queue/execution/total p95 (only with 2+ job names)."""
    names = r.get("by_job_name") or {}
    if len(names) < 2:
        return []
    w = NAME_WIDTH
    lines = [f"  {'per job name':<{w}} {'jobs':>6} {'queue p95':>10} {'exec p95':>10} {'total p95':>10}"]
    for name, g in list(names.items())[:TERMINAL_NAMES]:
        shown = name if len(name) <= w else name[: w - 1] + "…"
        p95 = [
            num((g.get(k) or {}).get("p95"), 1) for k in ("queue_time_s", "execution_time_s", "total_time_s")
        ]
        lines.append(f"  {shown:<{w}} {g['jobs']['count']:>6} {p95[0]:>10} {p95[1]:>10} {p95[2]:>10}")
    if len(names) > TERMINAL_NAMES:
        lines.append(f"  … and {len(names) - TERMINAL_NAMES} more job names (summary.md, result.json)")
    return lines

"""summary.md: the report's sections (suite.report.sections) as Markdown tables (tabulate, GitHub flavour).

Every cell and every piece of text that can carry a name passes through suite.report.escape (md_text,
md_code): a job named `a | b`, `[x](http://…)` or `<img src=…>` reads as that text and cannot break a
table or add a link, an image or HTML."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from typing import Any

from tabulate import tabulate

from suite.analyze.stats import PERCENTILE_METHOD
from suite.report import load_sections
from suite.report.by_name import by_name_section
from suite.report.cost import cost_section
from suite.report.escape import md_code, md_prose, md_text
from suite.report.failures import failures_section
from suite.report.fmt import num, pct
from suite.report.rightsize import rightsize_section
from suite.report.sections import Cell, Row, Section, Table, sections
from suite.report.steps import steps_section
from suite.report.verdict_view import banner, other_reasons, verdict_name
from suite.rundir.column_rows import rows_of
from suite.rundir.result_schema import PER_JOB_KEYS, job_field

MAX_LISTED = 50  # rows listed per detail table (missing workflows, jobs without samples)
TIMINGS = ("queue_time_s", "execution_time_s", "total_time_s", "dispatch_lag_s")


def text(c: Cell) -> str:
    """A cell as summary.md writes it: a null figure is `null`, never 0."""
    if c.kind == "num":
        return num(c.value, c.digits)
    if c.kind == "pct":
        return pct(c.value)
    if c.kind == "ok":
        return "ok" if c.value is True else "INCONCLUSIVE" if c.value == "inconclusive" else "FAIL"
    if c.kind == "why":
        return c.value or ""
    return str(c.value)


def _table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    cells = [[md_text(c) for c in r] for r in rows]
    return tabulate(cells, headers=[md_text(h) for h in headers], tablefmt="github", disable_numparse=True)


def _cells(rows: Sequence[Row]) -> list[list[str]]:
    return [[text(c) for c in r.cells] for r in rows]


def _render(t: Table) -> str:
    return _table(_cells(t.rows), t.headers)


def _listed(
    rows: list[list[str]], headers: Sequence[str], what: str, unlisted: int = 0, where: str = "result.json"
) -> list[str]:
    """The first MAX_LISTED rows; the rest (and `unlisted` rows not passed) counted, and where they are."""
    out = [_table(rows[:MAX_LISTED], headers)]
    more = max(0, len(rows) - MAX_LISTED) + unlisted
    if more:
        out.append(f"\n… and {more} more {what} (see {where}).")
    return out


def _workflows(s: Section, r: dict[str, Any]) -> list[str]:
    out = [f"## {s.title}", "", _render(s.tables["counts"])]
    d = r.get("dispatch") or {}
    if d.get("aborted"):
        a = d["aborted"]
        out += [
            "",
            f"**Run aborted at {md_text(a['at'])}**: {md_prose(a['reason'])}; "
            f"{d['not_dispatched']} scheduled "
            "workflow(s) were not dispatched (listed in result.json `workflows.not_dispatched`).",
        ]
    if d.get("late"):
        out += ["", f"{d['late']} dispatch(es) went out more than {d['late_after_real_s']:g} s (real) late."]
    missing = s.tables["missing"]
    if missing.rows:
        out += [
            "",
            "### Missing workflows",
            "",
            *_listed(_cells(missing.rows), missing.headers, "missing workflows"),
        ]
    return out


def _timings(s: Section) -> list[str]:
    keys = list(TIMINGS)
    if s.facts["clock_speed"] != 1 and "dispatch_lag_real_s" in s.facts["present"]:
        keys.append("dispatch_lag_real_s")
    if "queue_from_schedule_s" in s.facts["present"]:
        keys.append("queue_from_schedule_s")
    t = s.tables["distributions"]
    rows = _cells(t.pick([*keys, "tasks.cold_start_s"]))
    return [f"## {s.title}", "", _table(rows, t.headers), "", f"Percentiles: {PERCENTILE_METHOD}."]


def _unlisted(s: Section, per: Any) -> int:
    """Rows of a capped table the section counted but did not hold."""
    return int(s.facts.get("runners_listed", 0)) - len(per.rows)


def _runners(s: Section) -> list[str]:
    per = s.tables["per_runner"]
    return [
        f"## {s.title}",
        "",
        "Utilization = busy runner-seconds / (configured runners × window seconds).",
        "",
        _render(s.tables["counts"]),
        "",
        *_listed(_cells(per.rows), per.headers, "runners", _unlisted(s, per), s.facts["where"]),
    ]


def _resources(s: Section, r: dict[str, Any]) -> list[str]:
    out = [
        f"## {s.title}",
        "",
        f"Jobs with Container Insights samples inside their interval: {num(s.facts['with_samples'])}; "
        f"without: {num(s.facts['without_samples'])} (their figures are null, not 0).",
        "",
        _render(s.tables["distributions"]),
    ]
    # the first MAX_LISTED such jobs are listed, the others counted (a big run has hundreds of thousands)
    jobs = rows_of(r.get("per_job"), PER_JOB_KEYS)
    hits = list(compress(range(len(jobs)), jobs.column(job_field("resource_reason"))))
    lacking = [jobs[i] for i in hits[: MAX_LISTED + 1]]
    more = len(hits) - len(lacking)
    if lacking:
        rows = [
            [
                str(j["id"]),
                j["name"],
                num(j["runner_name"]),
                num(j["cpu_max"]),
                num(j["memory_max"]),
                j["resource_reason"],
            ]
            for j in lacking
        ]
        headers = ["job", "name", "runner", "cpu max", "mem max MiB", "reason"]
        out += ["", "### Jobs without (complete) resource figures", "", *_listed(rows, headers, "jobs", more)]
    return out


def _thresholds(s: Section) -> list[str]:
    t = s.tables["results"]
    if not t.rows:
        return [f"## {s.title}", "", "No thresholds."]
    return [f"## {s.title}", "", _render(t)]


def _reasons(s: Section) -> list[str]:
    rows = s.tables["reasons"].rows
    if not rows:
        return []
    return [f"## {s.title}", "", *(f"- {md_code(r.key)}: {md_prose(text(r.cells[1]))}" for r in rows)]


def _by_name(s: Section) -> list[str]:
    names, workflows = s.tables["names"], s.tables["workflows"]
    if not names.rows and not workflows.rows:
        return []
    out = [f"## {s.title}", "", s.facts["note"], ""]
    out += _listed(_cells(names.rows), names.headers, "job names")
    return [*out, "", *_listed(_cells(workflows.rows), workflows.headers, "workflows")]


def _steps(s: Section) -> list[str]:
    """Slowest steps, where failed jobs failed, every step ([] when no job carried a step)."""
    tables = [("slowest", "slowest steps"), ("failed", "failed jobs"), ("steps", "steps")]
    if not any(s.tables[k].rows for k, _ in tables):
        return []
    out = [f"## {s.title}", "", s.facts["note"]]
    for key, what in tables:
        t = s.tables[key]
        if t.rows:
            out += ["", f"### {what.capitalize()}", "", *_listed(_cells(t.rows), t.headers, what)]
    return out


def _failures(s: Section) -> list[str]:
    """The jobs that did not succeed by cause (suite.report.failures), in total and per job name."""
    if s.facts["null"]:
        return [f"## {s.title}", "", f"null: {md_prose(s.facts['null'])}"]
    out = [f"## {s.title}", "", md_prose(s.facts["note"]), "", _render(s.tables["total"])]
    names = s.tables["names"]
    if names.rows:
        out += ["", *_listed(_cells(names.rows), names.headers, "job names")]
    unknown = s.facts["unknown_reasons"]
    return [*out, "", *(f"- unknown for {n} job(s): {md_prose(why)}" for why, n in unknown.items())]


def _rightsize(s: Section) -> list[str]:
    """The right-size verdict and the smallest size per job name (suite.report.rightsize)."""
    if s.facts["null"]:
        return [f"## {s.title}", "", f"null: {md_prose(s.facts['null'])}"]
    current = s.facts["current"]
    now = f" The fleet runs {md_text(current)} (CPU units / MiB)." if current else ""
    names = s.tables["names"]
    return [
        f"## {s.title}",
        "",
        md_prose(s.facts["note"]) + now,
        "",
        *_listed(_cells(names.rows), names.headers, "job names"),
    ]


def _cost(s: Section) -> list[str]:
    """The fleet's cost in the window (busy, idle, cold start), per job, per job name."""
    if s.facts["null"]:
        return [f"## {s.title}", "", f"null: {md_prose(s.facts['null'])}"]
    out = [f"## {s.title}", "", md_prose(f"{s.facts['prices']}. {s.facts['definition']}.")]
    out += ["", _render(s.tables["run"]), "", _render(s.tables["jobs"])]
    names = s.tables["names"]
    return [*out, "", *_listed(_cells(names.rows), names.headers, "job names")] if names.rows else out


def _load_sections(r: dict[str, Any]) -> list[str]:
    """Headroom, the breaking point (step and ramp profiles) and recovery (spike profiles)."""
    h = load_sections.headroom(r)
    out = [
        f"## {h.title}",
        "",
        _render(h.tables["figures"]),
        "",
        f"Occupancy: {md_text(h.facts['occupancy'])}.",
    ]
    sat = load_sections.saturation(r)
    if sat is not None:
        out += [
            "",
            f"## {sat.title}",
            "",
            f"**{md_text(sat.facts['sentence'])}**",
            "",
            _render(sat.tables["stages"]),
        ]
        out += ["", f"Definition: {sat.facts['definition']}."]
    rec = load_sections.recovery(r)
    if rec is not None:
        out += [
            "",
            f"## {rec.title}",
            "",
            f"**{md_text(rec.facts['sentence'])}**",
            "",
            _render(rec.tables["figures"]),
        ]
        out += ["", f"Definition: {rec.facts['definition']}."]
    return out


def _verdict(result: dict[str, Any]) -> list[str]:
    """The incomplete banner (a quote) and the verdict's reasons, under the title."""
    out = [f"> **{md_prose(text)}**" for text in [banner(result)] if text]
    reasons = [f"- {md_prose(why, block_start=True)}" for why in other_reasons(result)]
    out += [*([""] if out and reasons else []), *reasons]
    return [*out, ""] if out else []


def summary_markdown(result: dict[str, Any]) -> str:
    w = result["window"]
    head = [
        f"# {md_text(result.get('test_run_id'))}: {md_text(verdict_name(result))}",
        "",
        *_verdict(result),
        f"Profile {md_code(result.get('profile'))} · environment {md_code(result.get('environment'))} · "
        f"window {md_text(num(w.get('start')))} .. {md_text(num(w.get('end')))} "
        f"({num(w.get('duration_s'), 0)} s)",
    ]
    s = sections(result)
    parts = [
        head,
        _workflows(s["workflows"], result),
        [f"## {s['jobs'].title}", "", _render(s["jobs"].tables["counts"])],
        _timings(s["timings"]),
        _by_name(by_name_section(result)),
        _steps(steps_section(result)),
        _failures(failures_section(result)),
        _rightsize(rightsize_section(result)),
        _cost(cost_section(result)),
        [f"## {s['load'].title}", "", _render(s["load"].tables["figures"])],
        _load_sections(result),
        _runners(s["runners"]),
        _resources(s["resources"], result),
        _thresholds(s["thresholds"]),
        _reasons(s["reasons"]),
    ]
    return "\n\n".join("\n".join(p) for p in parts if p) + "\n"

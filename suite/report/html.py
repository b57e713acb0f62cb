"""report.html: the one page of a run (suite.report.page) with the final data, plus the report's tables.

The page's script draws the header, figures, thresholds and the interactive charts from page_data (the
same as the live dashboard); this module renders the sections only a final result has, server-side, into
the same document: the verdict's banner and the run's facts just under the header (`lead`), then headline
cards, timings, per job name, steps, failures, right-size, cost, load, workflows, runners, resources,
the per-job table and the figures that could not be observed (`details`). The sections shared with
summary.md come from suite.report.sections. A figure that could not be observed shows as "—" with its
reason, never as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from suite.analyze.stats import PERCENTILE_METHOD
from suite.gates.verdict import VERDICTS
from suite.report import load_sections
from suite.report.by_name import by_name_section
from suite.report.cost import cost_html, cost_section
from suite.report.failures import failures_html, failures_section
from suite.report.html_page import DASH, card, cell, fnum, html_cell, pct, table, why
from suite.report.page import page_data, page_html
from suite.report.rightsize import rightsize_html, rightsize_section
from suite.report.sections import Row, Section, Table, reason_for, sections
from suite.report.steps import steps_html, steps_section
from suite.report.verdict_view import banner, other_reasons
from suite.rundir.column_rows import rows_of
from suite.rundir.result_schema import PER_JOB_KEYS

__all__ = ["DASH", "MAX_JOB_ROWS", "MAX_ROWS", "report_details", "report_html"]

MAX_JOB_ROWS = 500
MAX_ROWS = 100  # other detail tables (runners, missing workflows)
EXTRA_SECTIONS: tuple[str, ...] = ()  # result.json keys shown as they are (saturation has its own section)
TIMINGS = (
    "queue_time_s",
    "queue_from_schedule_s",
    "execution_time_s",
    "total_time_s",
    "dispatch_lag_s",
    "tasks.cold_start_s",
)


def _cells(rows: Sequence[Row], why_column: bool = False) -> list[list[str]]:
    return [[html_cell(c) for c in r.cells] + ([why(r.reason)] if why_column else []) for r in rows]


def _table(
    t: Table, rows: Sequence[Row] | None = None, headers: Sequence[str] | None = None, **kw: Any
) -> str:
    picked = t.rows if rows is None else rows
    return table(headers or t.headers, _cells(picked), classes=["bad" if r.bad else "" for r in picked], **kw)


def _verdict(r: dict[str, Any]) -> str:
    """The incomplete banner, or the verdict's reasons as a list, under the title."""
    text = banner(r)
    out = f'<div class="banner" role="alert">{escape(text)}</div>' if text else ""
    items = "".join(f"<li>{escape(why)}</li>" for why in other_reasons(r))
    return out + (f'<ul class="verdict">{items}</ul>' if items else "")


def _lead(r: dict[str, Any]) -> str:
    """The page's title with the verdict, the incomplete banner or the verdict's reasons, and the run's
    facts: static HTML, so report.html says its verdict without its script too."""
    w, fleet = r.get("window") or {}, r.get("fleet") or {}
    config = ", ".join(
        f"{k} {escape(str(fleet[k]))}"
        for k in ("runner_count", "ephemeral", "task_cpu", "task_memory", "cluster")
        if fleet.get(k) is not None
    )
    wr = reason_for(r, "window")
    verdict = str(r.get("verdict") or "unknown")
    badge = verdict if verdict in VERDICTS else "fail"
    return (
        f'<h1 class="title">{escape(str(r.get("test_run_id")))}<span class="badge {badge}">'
        f"{escape(verdict.upper())}</span></h1>"
        + f'<p class="meta">profile {escape(str(r.get("profile")))} · environment '
        f"{escape(str(r.get('environment')))}</p>"
        + _verdict(r)
        + f'<p class="meta">suite {escape(str(r.get("suite_version")))} · '
        f"window {cell(w.get('start'), wr)} .. "
        f"{cell(w.get('end'), wr)} ({cell(w.get('duration_s'), wr, 0)} s)"
        f" · clock offset to GitHub {cell(r.get('clock_offset_s'), 'unknown', 3)} s</p>"
        + (
            f'<p class="meta">fleet configuration (a target, not an observation): {config}</p>'
            if config
            else ""
        )
    )


def _headline(r: dict[str, Any]) -> str:
    q, ex, conc = r["queue_time_s"], r["execution_time_s"], r["concurrency"]
    run, wf, jobs, thru = r["runners"], r["workflows"], r["jobs"], r["throughput"]
    cold = (r.get("tasks") or {}).get("cold_start_s") or {}
    cpu = ((r.get("resources") or {}).get("cpu") or {}).get("max_pct") or {}
    mem = ((r.get("resources") or {}).get("memory") or {}).get("max_pct") or {}
    thresholds = r.get("thresholds") or []
    ok = sum(t.get("ok") is True for t in thresholds)
    qr, er = reason_for(r, "queue_time_s"), reason_for(r, "execution_time_s")
    cr, rr = reason_for(r, "tasks.cold_start_s"), reason_for(r, "resources")
    cards = [
        card("thresholds", f"{ok} / {len(thresholds)} ok" if thresholds else "none"),
        card(
            "workflows",
            f"{cell(wf['collected'], reason_for(r, 'workflows.collected'))} / {wf['dispatched']} / "
            f"{cell((r.get('completeness') or {}).get('scheduled'), 'unknown')}",
            f"collected / dispatched / scheduled · {len(wf.get('missing') or [])} missing",
        ),
        card(
            "jobs",
            cell(jobs["count"], reason_for(r, "jobs.count")),
            f"{cell(jobs['succeeded'])} ok · {cell(jobs['failed'])} failed · "
            f"{cell(jobs['cancelled'])} cancelled",
        ),
        card(
            "queue p50 / p95",
            f"{cell(q['p50'], qr, 1)} / {cell(q['p95'], qr, 1)} s",
            f"max {cell(q['max'], qr, 1)} s",
            qr if q["p50"] is None else None,
        ),
        card(
            "execution p50 / p95",
            f"{cell(ex['p50'], er, 1)} / {cell(ex['p95'], er, 1)} s",
            f"max {cell(ex['max'], er, 1)} s",
            er if ex["p50"] is None else None,
        ),
        card(
            "concurrency max",
            f"{cell(conc['max'], reason_for(r, 'concurrency.max'))} / "
            f"{cell(run.get('configured'), reason_for(r, 'runners.configured'))}",
            f"observed / configured runners · mean {cell(conc['mean'], reason_for(r, 'concurrency.mean'))}",
        ),
        card(
            "throughput",
            f"{cell(thru.get('jobs_per_min'), reason_for(r, 'throughput.jobs_per_min'))} /min",
            "completed jobs per window minute",
            reason_for(r, "throughput.jobs_per_min") if thru.get("jobs_per_min") is None else None,
        ),
        card(
            "utilization",
            pct(run.get("utilization"), reason_for(r, "runners.utilization")),
            f"of configured runners · {cell(run.get('observed'), reason_for(r, 'runners.observed'))} "
            "runners observed",
            reason_for(r, "runners.utilization") if run.get("utilization") is None else None,
        ),
        *_headroom_cards(r),
        card(
            "task cold start p50 / p95",
            f"{cell(cold.get('p50'), cr, 0)} / {cell(cold.get('p95'), cr, 0)} s",
            f"{fnum((r.get('tasks') or {}).get('count'))} tasks · createdAt → startedAt",
            reason_for(r, "tasks.cold_start_s") if cold.get("p50") is None else None,
        ),
        card(
            "CPU / memory max p95",
            f"{cell(cpu.get('p95'), rr, 0, '%')} / {cell(mem.get('p95'), rr, 0, '%')}",
            f"of reserved · {cell(r['resources']['jobs_without_samples'], rr)} job(s) without samples",
            reason_for(r, "resources") if cpu.get("p95") is None else None,
        ),
    ]
    return '<h2>Headline figures</h2><div class="cards">' + "".join(cards) + "</div>"


def _headroom_cards(r: dict[str, Any]) -> list[str]:
    occ, waiting = r.get("occupancy") or {}, r.get("jobs_waiting") or {}
    ow, ww = reason_for(r, "occupancy.slot_occupancy"), reason_for(r, "jobs_waiting.max")
    mw = reason_for(r, "jobs_waiting.mean")
    return [
        card(
            "slot occupancy",
            pct(occ.get("slot_occupancy"), ow),
            "busy or booting, of configured runners (utilization counts busy only)",
            ow if occ.get("slot_occupancy") is None else None,
        ),
        card(
            "max jobs waiting",
            cell(waiting.get("max"), ww, 0),
            f"created, not yet started · mean {cell(waiting.get('mean'), mw)}",
            ww if waiting.get("max") is None else None,
        ),
    ]


def _load_sections(r: dict[str, Any]) -> str:
    """Headroom, the breaking point (step and ramp) and recovery (spike), readable."""
    h = load_sections.headroom(r)
    out = (
        f"<h2>{h.title}</h2>"
        + _table(h.tables["figures"])
        + f'<p class="note">{escape(str(h.facts["occupancy"]))}. Jobs waiting: '
        f"{escape(str(h.facts['waiting']))}.</p>"
    )
    for sec in (load_sections.saturation(r), load_sections.recovery(r)):
        if sec is None:
            continue
        body = sec.tables.get("stages") or sec.tables["figures"]
        out += (
            f"<h2>{sec.title}</h2><p><b>{escape(str(sec.facts['sentence']))}</b></p>"
            + _table(body)
            + f'<p class="note">Definition: {escape(str(sec.facts["definition"]))}.</p>'
        )
    return out


def _timings(s: Section) -> str:
    t = s.tables["distributions"]
    return (
        f"<h2>{s.title}</h2>"
        + table([*t.headers, "why null"], _cells(t.pick(TIMINGS), why_column=True))
        + f'<p class="note">Percentiles: {escape(PERCENTILE_METHOD)}.</p>'
    )


def _by_name(s: Section) -> str:
    out = ""
    for key, what in (("names", "job names"), ("workflows", "workflows")):
        t = s.tables[key]
        if t.rows:
            out += _table(t, t.rows[:MAX_ROWS], left=1) + _capped(len(t.rows), MAX_ROWS, what, "result.json")
    return f'<h2>{s.title}</h2><p class="note">{escape(s.facts["note"])}</p>' + out if out else ""


def _load(s: Section) -> str:
    return f"<h2>{s.title}</h2>" + _table(s.tables["figures"])


def _capped(total: int, shown: int, what: str, where: str) -> str:
    if total <= shown:
        return ""
    return f'<p class="note">Showing the first {shown:,} of {total:,} {what}; all of them are in {where}.</p>'


def _workflows(s: Section) -> str:
    out = f"<h2>{s.title}</h2>" + _table(s.tables["counts"], left=0)
    missing = s.tables["missing"].rows
    if missing:
        out += "<h3>Missing workflows</h3>" + _table(s.tables["missing"], missing[:MAX_ROWS], left=2)
        out += _capped(len(missing), MAX_ROWS, "missing workflows", "result.json")
    failed = s.tables["not_dispatched"].rows
    if failed:
        out += "<h3>Dispatches that failed</h3>" + _table(s.tables["not_dispatched"], failed[:MAX_ROWS])
        out += _capped(len(failed), MAX_ROWS, "failed dispatches", "result.json")
    return out


def _runners(s: Section) -> str:
    per = s.tables["per_runner"]
    return (
        f"<h2>{s.title}</h2>"
        '<p class="note">Utilization = busy runner-seconds / (configured runners × window seconds). '
        "Observed runners are distinct runner names that ran a job (an ephemeral runner is one task).</p>"
        + _table(s.tables["counts"], left=0)
        + _table(per, per.rows[:MAX_ROWS], ["runner", "jobs", "busy s", "utilization of the window"])
        + _capped(s.facts["runners_listed"], min(MAX_ROWS, len(per.rows)), "runners", s.facts["where"])
    )


def _resources(s: Section) -> str:
    return (
        "<h2>Resources per job</h2>"
        f'<p class="note">From each job\'s task samples inside its interval. Jobs with samples: '
        f"{cell(s.facts['with_samples'])}; without: {cell(s.facts['without_samples'])} (their figures are "
        f"{DASH}, with the reason in the jobs table, never 0).</p>" + _table(s.tables["distributions"])
    )


def _clock(stamp: Any) -> str:
    """An ISO timestamp as its time of day (the date is in the header), the full stamp as a tooltip."""
    if not stamp:
        return cell(None, "never started")
    text = str(stamp)
    return f'<span title="{escape(text)}">{escape(text[11:] if "T" in text else text)}</span>'


def _jobs(r: dict[str, Any]) -> str:
    per_job = rows_of(r.get("per_job"), PER_JOB_KEYS)
    rows, classes = [], []
    for j in per_job[:MAX_JOB_ROWS]:  # the first rows only are made (the columns sliced first)
        lacking = j.get("resource_reason")
        runner = j.get("runner_name")
        rows.append(
            [
                escape(str(j.get("id"))),
                escape(str(j.get("name"))),
                f'<code title="{escape(str(runner))}">{escape(str(runner)[:12])}</code>'
                if runner
                else cell(None, "no runner"),
                escape(str(j.get("conclusion") or j.get("status"))),
                _clock(j.get("started")),
                cell(j.get("queue_s"), "job never started", 1),
                cell(j.get("queue_from_schedule_s"), "no scheduled dispatch joined", 1),
                cell(j.get("execution_s"), "job did not run to completion", 1),
                cell(j.get("cpu_max"), lacking, 0),
                cell(j.get("cpu_max_pct"), lacking, 0, "%"),
                cell(j.get("memory_max"), lacking, 0),
                cell(j.get("memory_max_pct"), lacking, 0, "%"),
                why(lacking),
            ]
        )
        classes.append("bad" if j.get("conclusion") in ("failure", "timed_out", "cancelled") else "")
    headers = ["id", "name", "runner", "result", "started (UTC)", "queue s", "from sched. s", "exec. s"]
    headers += ["CPU max", "CPU %", "mem MiB", "mem %", "why no resource figures"]
    return (
        "<h2>Jobs</h2>"
        + _capped(len(per_job), MAX_JOB_ROWS, "jobs", "jobs.csv")
        + table(headers, rows, left=4, classes=classes, cls="jobs")
    )


def _generic(value: Any) -> str:
    if isinstance(value, dict):
        rows = [[escape(str(k)), _generic(v)] for k, v in value.items()]
        return table(["field", "value"], rows)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for v in value for k in v))
        rows = [[_scalar(v.get(k)) for k in keys] for v in value[:MAX_ROWS]]
        return table(keys, rows) + _capped(len(value), MAX_ROWS, "rows", "result.json")
    return _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):
        return f"<code>{escape(str(value))[:300]}</code>"
    return cell(value)


def _extra(r: dict[str, Any]) -> str:
    """Sections for figures added to result.json later, shown as they are."""
    out = ""
    for key in EXTRA_SECTIONS:
        if r.get(key) is not None:
            out += f"<h2>{escape(key.capitalize())}</h2>" + _generic(r[key])
    return out


def _reasons_notes(s: Section, r: dict[str, Any]) -> str:
    out = ""
    reasons = s.tables["reasons"]
    if reasons.rows:
        out += f"<h2>{s.title}</h2>" + _table(reasons, left=2)
    notes = r.get("notes") or []
    if notes:
        out += "<h2>Notes</h2><ul>" + "".join(f"<li>{escape(str(n))}</li>" for n in notes) + "</ul>"
    return out


def report_details(result: dict[str, Any]) -> str:
    """The report's server-side sections, in order (the thresholds are the page's own table)."""
    s = sections(result)
    return "".join(
        [
            _headline(result),
            _timings(s["timings"]),
            _by_name(by_name_section(result)),
            steps_html(steps_section(result)),
            failures_html(failures_section(result), MAX_ROWS),
            rightsize_html(rightsize_section(result), MAX_ROWS),
            cost_html(cost_section(result), MAX_ROWS),
            _load(s["load"]),
            _load_sections(result),
            _workflows(s["workflows"]),
            _runners(s["runners"]),
            _resources(s["resources"]),
            _extra(result),
            _jobs(result),
            _reasons_notes(s["reasons"], result),
        ]
    )


def report_html(result: dict[str, Any], data: dict[str, Any] | None = None) -> str:
    """report.html: the page frozen with `data` (page_data of the final result and the run directory's
    rows; without it, of the result alone) and the report's sections."""
    if data is None:
        data = page_data(result)
    title = f"{result.get('test_run_id')}: {str(result.get('verdict')).upper()}"
    return page_html(data, title=title, lead_html=_lead(result), details_html=report_details(result))

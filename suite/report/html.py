"""report.html: one self-contained page (inline CSS, charts as data: URIs; no script, no external asset).

A figure that could not be observed shows as "—" with its reason, never as 0.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from suite.analyze.stats import PERCENTILE_METHOD
from suite.report.charts import Chart
from suite.report.fmt import DIST_KEYS

MAX_JOB_ROWS = 500
MAX_ROWS = 100  # other detail tables (runners, missing workflows)
DASH = "—"

CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2329;
background:#f6f7f9;margin:0}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:22px;margin:0 0 4px;word-break:break-all}
h2{font-size:17px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid #dde1e6}
.meta{color:#56606b;margin:2px 0}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;font-size:13px;
vertical-align:middle;margin-left:8px;letter-spacing:.04em}
.pass{background:#dcf3e3;color:#146c2e}.fail{background:#fbe0de;color:#a4221a}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:10px 12px}
.card .k{color:#56606b;font-size:12px}.card .v{font-size:18px;font-weight:650;margin-top:2px}
.card .s{color:#56606b;font-size:12px}
table{border-collapse:collapse;background:#fff;border:1px solid #e1e4e8;font-size:13px;margin:6px 0}
th,td{padding:4px 9px;border-bottom:1px solid #eceef1;text-align:right;white-space:nowrap}
th{background:#f0f2f5;font-weight:600}
td.l,th.l{text-align:left}td.wrap{white-space:normal;min-width:220px}
tr.bad td{background:#fff4f3}
.ok{color:#146c2e;font-weight:700}.ko{color:#a4221a;font-weight:700}
.null{color:#8a6d00}.why{color:#8a6d00;font-size:12px;white-space:normal}
table.jobs{font-size:12px}table.jobs td,table.jobs th{padding:3px 6px}
figure{background:#fff;border:1px solid #e1e4e8;border-radius:8px;margin:14px 0;padding:10px 12px}
figure img{display:block;width:100%;height:auto}
figcaption{color:#56606b;font-size:13px;margin-top:4px}
figcaption b{color:#1d2329}
.note{color:#56606b;font-size:13px}
.scroll{overflow-x:auto}
code{background:#eef0f3;padding:0 4px;border-radius:3px}
"""


# --- formatting ------------------------------------------------------------------------------------


def reason_for(result: dict[str, Any], path: str) -> str | None:
    """The reason recorded for a null figure: its own path, else the nearest enclosing one."""
    reasons = result.get("reasons") or {}
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        why = reasons.get(".".join(parts[:n]))
        if why:
            return str(why)
    return None


def fnum(value: Any, digits: int = 2) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return escape(str(value))


def cell(value: Any, reason: str | None = None, digits: int = 2, suffix: str = "") -> str:
    """A figure's text; null is an em dash with its reason (as a tooltip; shown in full elsewhere)."""
    if value is None:
        title = f' title="{escape(reason)}"' if reason else ""
        return f'<span class="null"{title}>{DASH}</span>'
    return fnum(value, digits) + suffix


def pct(value: Any, reason: str | None = None) -> str:
    return cell(None if value is None else 100.0 * float(value), reason, 1, "%")


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    left: int = 1,
    classes: Sequence[str] = (),
    cls: str = "",
) -> str:
    """Cells are HTML already. The first `left` columns are left-aligned; `classes` are per row."""
    head = "".join(f'<th class="{"l" if i < left else ""}">{escape(h)}</th>' for i, h in enumerate(headers))
    body = []
    for k, row in enumerate(rows):
        row_cls = f' class="{classes[k]}"' if k < len(classes) and classes[k] else ""
        tds = "".join(f'<td class="{"l" if i < left else ""}">{c}</td>' for i, c in enumerate(row))
        body.append(f"<tr{row_cls}>{tds}</tr>")
    attr = f' class="{cls}"' if cls else ""
    return (
        f'<div class="scroll"><table{attr}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _card(key: str, value: str, sub: str = "", why: str | None = None) -> str:
    """`why`: the reason when the card's figure is null, shown under it."""
    s = f'<div class="s">{sub}</div>' if sub else ""
    s += f'<div class="s">{_why(why)}</div>' if why else ""
    return f'<div class="card"><div class="k">{escape(key)}</div><div class="v">{value}</div>{s}</div>'


def _why(reason: str | None) -> str:
    return f'<span class="why">{escape(reason)}</span>' if reason else ""


# --- sections --------------------------------------------------------------------------------------


def _header(r: dict[str, Any]) -> str:
    verdict = str(r.get("verdict") or "unknown")
    w, fleet = r.get("window") or {}, r.get("fleet") or {}
    config = ", ".join(
        f"{k} {escape(str(fleet[k]))}"
        for k in ("runner_count", "ephemeral", "task_cpu", "task_memory", "cluster")
        if fleet.get(k) is not None
    )
    badge = "pass" if verdict == "pass" else "fail"
    wr = reason_for(r, "window")
    return (
        f'<h1>{escape(str(r.get("test_run_id")))}<span class="badge {badge}">'
        f"{escape(verdict.upper())}</span></h1>"
        f'<p class="meta">profile <code>{escape(str(r.get("profile")))}</code> · environment '
        f"<code>{escape(str(r.get('environment')))}</code> · suite {escape(str(r.get('suite_version')))}</p>"
        f'<p class="meta">window {cell(w.get("start"), wr)} .. '
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
        _card("thresholds", f"{ok} / {len(thresholds)} ok" if thresholds else "none"),
        _card(
            "workflows",
            f"{wf['collected']} / {wf['dispatched']}",
            f"collected / dispatched · {len(wf.get('missing') or [])} missing",
        ),
        _card(
            "jobs",
            fnum(jobs["count"]),
            f"{jobs['succeeded']} ok · {jobs['failed']} failed · {jobs['cancelled']} cancelled",
        ),
        _card(
            "queue p50 / p95",
            f"{cell(q['p50'], qr, 1)} / {cell(q['p95'], qr, 1)} s",
            f"max {cell(q['max'], qr, 1)} s",
            qr if q["p50"] is None else None,
        ),
        _card(
            "execution p50 / p95",
            f"{cell(ex['p50'], er, 1)} / {cell(ex['p95'], er, 1)} s",
            f"max {cell(ex['max'], er, 1)} s",
            er if ex["p50"] is None else None,
        ),
        _card(
            "concurrency max",
            f"{cell(conc['max'], reason_for(r, 'concurrency.max'))} / "
            f"{cell(run.get('configured'), reason_for(r, 'runners.configured'))}",
            f"observed / configured runners · mean {cell(conc['mean'], reason_for(r, 'concurrency.mean'))}",
        ),
        _card(
            "throughput",
            f"{cell(thru.get('jobs_per_min'), reason_for(r, 'throughput.jobs_per_min'))} /min",
            "completed jobs per window minute",
            reason_for(r, "throughput.jobs_per_min") if thru.get("jobs_per_min") is None else None,
        ),
        _card(
            "utilization",
            pct(run.get("utilization"), reason_for(r, "runners.utilization")),
            f"of configured runners · {fnum(run.get('observed'))} runners observed",
            reason_for(r, "runners.utilization") if run.get("utilization") is None else None,
        ),
        _card(
            "task cold start p50 / p95",
            f"{cell(cold.get('p50'), cr, 0)} / {cell(cold.get('p95'), cr, 0)} s",
            f"{fnum((r.get('tasks') or {}).get('count'))} tasks · createdAt → startedAt",
            reason_for(r, "tasks.cold_start_s") if cold.get("p50") is None else None,
        ),
        _card(
            "CPU / memory max p95",
            f"{cell(cpu.get('p95'), rr, 0, '%')} / {cell(mem.get('p95'), rr, 0, '%')}",
            f"of reserved · {r['resources']['jobs_without_samples']} job(s) without samples",
            reason_for(r, "resources") if cpu.get("p95") is None else None,
        ),
    ]
    return '<h2>Headline figures</h2><div class="cards">' + "".join(cards) + "</div>"


def _thresholds(r: dict[str, Any]) -> str:
    thresholds = r.get("thresholds") or []
    if not thresholds:
        return '<h2>Thresholds</h2><p class="note">The profile sets no thresholds.</p>'
    rows, classes = [], []
    for t in thresholds:
        good = t.get("ok") is True
        rows.append(
            [
                f"<code>{escape(str(t.get('expr')))}</code>",
                cell(t.get("value"), t.get("reason")),
                '<span class="ok">pass</span>' if good else '<span class="ko">FAIL</span>',
                _why(t.get("reason")),
            ]
        )
        classes.append("" if good else "bad")
    return "<h2>Thresholds</h2>" + table(["threshold", "value", "result", "reason"], rows, classes=classes)


def _charts(charts: Sequence[Chart]) -> str:
    figs = []
    for c in charts:
        data = base64.b64encode(c.png).decode("ascii")
        figs.append(
            f'<figure id="chart-{escape(c.name)}">'
            f'<img alt="{escape(c.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption><b>{escape(c.title)}.</b> {escape(c.caption)}</figcaption></figure>"
        )
    return "<h2>Charts</h2>" + "".join(figs)


def _dist_row(r: dict[str, Any], label: str, path: str) -> list[str]:
    node: Any = r
    for part in path.split("."):
        node = (node or {}).get(part)
    d = node or {}
    why = reason_for(r, path) if not d.get("count") else None
    return [escape(label), *(cell(d.get(k), why) for k in DIST_KEYS), _why(why)]


def _timings(r: dict[str, Any]) -> str:
    rows = [
        _dist_row(r, "queue (started − created)", "queue_time_s"),
        _dist_row(r, "queue from schedule (started − scheduled)", "queue_from_schedule_s"),
        _dist_row(r, "execution (completed − started)", "execution_time_s"),
        _dist_row(r, "workflow total (last job completed − run created)", "total_time_s"),
        _dist_row(r, "dispatch lag (sent − scheduled)", "dispatch_lag_s"),
        _dist_row(r, "task cold start (createdAt → startedAt)", "tasks.cold_start_s"),
    ]
    return (
        "<h2>Timings (seconds)</h2>"
        + table(["figure", *DIST_KEYS, "why null"], rows)
        + f'<p class="note">Percentiles: {escape(PERCENTILE_METHOD)}.</p>'
    )


def _load(r: dict[str, Any]) -> str:
    conc, thru, ll = r["concurrency"], r["throughput"], r.get("little_law") or {}
    rows = [
        ["max concurrency (exact)", cell(conc["max"], reason_for(r, "concurrency.max"))],
        [
            "mean concurrency (time-weighted over the window)",
            cell(conc["mean"], reason_for(r, "concurrency.mean")),
        ],
        [
            "throughput (completed jobs / window minutes)",
            cell(thru.get("jobs_per_min"), reason_for(r, "throughput.jobs_per_min")),
        ],
        [
            "Little's law: throughput × mean execution",
            cell(ll.get("throughput_x_execution"), reason_for(r, "little_law")),
        ],
        [
            "Little's law: relative error vs mean concurrency",
            pct(ll.get("relative_error"), reason_for(r, "little_law.relative_error")),
        ],
    ]
    rows = [[escape(a), b] for a, b in rows]
    return "<h2>Concurrency and throughput</h2>" + table(["figure", "value"], rows)


def _capped(total: int, shown: int, what: str, where: str) -> str:
    if total <= shown:
        return ""
    return f'<p class="note">Showing the first {shown:,} of {total:,} {what}; all of them are in {where}.</p>'


def _workflows(r: dict[str, Any]) -> str:
    wf = r["workflows"]
    keys = ("dispatched", "collected", "succeeded", "failed", "incomplete")
    head = [
        *(cell(wf.get(k)) for k in keys),
        pct(wf.get("success_rate"), reason_for(r, "workflows.success_rate")),
    ]
    head += [fnum(len(wf.get("missing") or [])), fnum(len(wf.get("not_dispatched") or []))]
    out = "<h2>Workflows</h2>" + table([*keys, "success rate", "missing", "not dispatched"], [head], left=0)
    missing = wf.get("missing") or []
    if missing:
        rows = [[escape(str(m.get("suite_id"))), _why(m.get("reason"))] for m in missing[:MAX_ROWS]]
        out += "<h3>Missing workflows</h3>" + table(["suite_id", "reason"], rows, left=2)
        out += _capped(len(missing), MAX_ROWS, "missing workflows", "result.json")
    failed = wf.get("not_dispatched") or []
    if failed:
        rows = [
            [escape(str(m.get("suite_id"))), cell(m.get("status")), escape(str(m.get("error")))]
            for m in failed[:MAX_ROWS]
        ]
        out += "<h3>Dispatches that failed</h3>" + table(["suite_id", "status", "error"], rows)
        out += _capped(len(failed), MAX_ROWS, "failed dispatches", "result.json")
    return out


def _runners(r: dict[str, Any]) -> str:
    run = r["runners"]
    head = [
        cell(run.get("configured"), reason_for(r, "runners.configured")),
        cell(run.get("observed")),
        pct(run.get("utilization"), reason_for(r, "runners.utilization")),
    ]
    per = run.get("per_runner") or []
    rows = [
        [
            f"<code>{escape(str(p.get('runner_name')))}</code>",
            cell(p.get("jobs")),
            cell(p.get("busy_s"), None, 1),
            pct(p.get("utilization")),
        ]
        for p in per[:MAX_ROWS]
    ]
    return (
        "<h2>Runners</h2>"
        '<p class="note">Utilization = busy runner-seconds / (configured runners × window seconds). '
        "Observed runners are distinct runner names that ran a job (an ephemeral runner is one task).</p>"
        + table(["configured", "observed", "utilization"], [head], left=0)
        + table(["runner", "jobs", "busy s", "utilization of the window"], rows)
        + _capped(len(per), MAX_ROWS, "runners", "result.json")
    )


def _resources(r: dict[str, Any]) -> str:
    res = r["resources"]
    cpu, mem = res["cpu"], res["memory"]
    rows = [
        ("CPU max per job (units)", cpu["max"]),
        ("CPU mean per job (units)", cpu["mean"]),
        ("CPU max per job (% of reserved)", cpu["max_pct"]),
        ("memory max per job (MiB)", mem["max"]),
        ("memory mean per job (MiB)", mem["mean"]),
        ("memory max per job (% of reserved)", mem["max_pct"]),
    ]
    why = reason_for(r, "resources")
    body = [
        [escape(label), *(cell(d.get(k), why if not d.get("count") else None) for k in DIST_KEYS)]
        for label, d in rows
    ]
    return (
        "<h2>Resources per job</h2>"
        f'<p class="note">From each job\'s task samples inside its interval. Jobs with samples: '
        f"{res['jobs_with_samples']}; without: {res['jobs_without_samples']} (their figures are "
        f"{DASH}, with the reason in the jobs table, never 0).</p>" + table(["figure", *DIST_KEYS], body)
    )


def _clock(stamp: Any) -> str:
    """An ISO timestamp as its time of day (the date is in the header), the full stamp as a tooltip."""
    if not stamp:
        return cell(None, "never started")
    text = str(stamp)
    return f'<span title="{escape(text)}">{escape(text[11:] if "T" in text else text)}</span>'


def _jobs(r: dict[str, Any]) -> str:
    per_job = r.get("per_job") or []
    rows, classes = [], []
    for j in per_job[:MAX_JOB_ROWS]:
        why = j.get("resource_reason")
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
                cell(j.get("cpu_max"), why, 0),
                cell(j.get("cpu_max_pct"), why, 0, "%"),
                cell(j.get("memory_max"), why, 0),
                cell(j.get("memory_max_pct"), why, 0, "%"),
                _why(why),
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
    """Sections for figures added to result.json later (e.g. saturation), shown as they are."""
    out = ""
    for key in ("saturation",):
        if r.get(key) is not None:
            out += f"<h2>{escape(key.capitalize())}</h2>" + _generic(r[key])
    return out


def _reasons_notes(r: dict[str, Any]) -> str:
    out = ""
    reasons = r.get("reasons") or {}
    if reasons:
        rows = [[f"<code>{escape(k)}</code>", _why(str(v))] for k, v in reasons.items()]
        out += "<h2>Figures that could not be observed</h2>" + table(["figure", "reason"], rows, left=2)
    notes = r.get("notes") or []
    if notes:
        out += "<h2>Notes</h2><ul>" + "".join(f"<li>{escape(str(n))}</li>" for n in notes) + "</ul>"
    return out


def report_html(result: dict[str, Any], charts: Sequence[Chart]) -> str:
    sections = [
        _header(result),
        _headline(result),
        _thresholds(result),
        _charts(charts),
        _timings(result),
        _load(result),
        _workflows(result),
        _runners(result),
        _resources(result),
        _extra(result),
        _jobs(result),
        _reasons_notes(result),
    ]
    title = f"{result.get('test_run_id')}: {str(result.get('verdict')).upper()}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(sections)}"
        '<p class="note">Generated by runner-suite from raw/ and ledger.jsonl '
        "(<code>suite report DIR</code> regenerates it). Self-contained: no script, no external asset."
        "</p></main></body></html>\n"
    )

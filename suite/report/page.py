"""The one page of a run: the live dashboard while it runs (`suite run --dashboard`), report.html after it.

Both are the same HTML and the same script (suite/report/assets/page.js) drawing the same data, so the
figures a user watched live are, at the end, exactly the report's:

- ``page_data(result, ledger, tasks, metrics, status)``: what the page draws, as JSON. Pure. ``result`` is
  the in-memory result (result.json's figures with the per-item columns, result_schema.IN_MEMORY_KEYS):
  the final result for the report, a partial one (the analysis over what the run has read so far) for
  the live page, which also gives the task events it has read (``tasks``; the report: None, the
  lifecycles are the result's ``per_task``). ``status`` is the live run's state (stage, dispatches,
  runs, runners, API budget, ETA); absent in the report.
- ``page_html(data, live_url)``: the self-contained page. With ``live_url`` the script re-reads the data
  from that URL every few seconds and redraws; without it the data is embedded and frozen.

Every headline figure is an element ``[data-figure=<result.json path>]`` whose ``data-value`` attribute holds
the exact JSON value (the text is its rounded form), so a test compares the page with result.json.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape
from typing import Any

from suite.report import page_series as P
from suite.report import series as S
from suite.report.assets import asset_text, chart_library_head, inline_script, inline_style
from suite.report.html_page import CSS
from suite.rundir.result_schema import field, value_at

PAGE_SCHEMA = 1
Rows = Iterable[dict[str, Any]]

# (result.json path, label, unit): the headline figures, in the order shown
FIGURES: tuple[tuple[str, str, str], ...] = (
    (field("workflows.dispatched"), "workflows dispatched", ""),
    (field("jobs.count"), "jobs", ""),
    (field("queue_time_s.p50"), "queue p50", "s"),
    (field("queue_time_s.p95"), "queue p95", "s"),
    (field("execution_time_s.p50"), "execution p50", "s"),
    (field("execution_time_s.p95"), "execution p95", "s"),
    (field("concurrency.max"), "concurrency max", ""),
    (field("throughput.jobs_per_min"), "throughput", "jobs/min"),
    (field("workflows.success_rate"), "success rate", ""),
)


def thresholds(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The thresholds as they stand; abort_on_fail where the result carries it (null: not said)."""
    return [
        {
            "expr": t.get("expr"),
            "status": t.get("status"),
            "value": t.get("value"),
            "reason": t.get("reason"),
            "abort_on_fail": t.get("abort_on_fail"),
        }
        for t in result.get("thresholds") or []
    ]


def page_data(
    result: dict[str, Any],
    ledger: Rows | None = None,
    tasks: Rows | None = None,
    metrics: Rows = (),
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the page draws (JSON-serialisable). Times are epoch seconds on GitHub's clock.

    `ledger`, `tasks` and `metrics` are read once each (rows streamed from the run directory); ledger and
    tasks None: the result's dispatches and per_task; metrics are read only without its task_usage."""
    window = S.window_of(result)
    # the ledger feeds two charts: kept once, only the fields they read (None: the result's `dispatches`)
    keep = ("suite_id", "scheduled_at", "sent_at")
    dispatches = None if ledger is None else [{k: row.get(k) for k in keep} for row in ledger]
    return {
        "schema": PAGE_SCHEMA,
        "test_run_id": result.get("test_run_id"),
        "profile": value_at(result, "profile.name") or result.get("profile"),
        "environment": result.get("environment"),
        "verdict": result.get("verdict"),
        "window": None if window is None else [window.start, window.end],
        "figures": [
            {"path": path, "label": label, "unit": unit, "value": value_at(result, path)}
            for path, label, unit in FIGURES
        ],
        "thresholds": thresholds(result),
        "stages": P.stages(result),
        "series": {
            "configured": value_at(result, "runners.configured"),
            "concurrency": P.steps(S.concurrency_steps(result)),
            "waiting": P.steps(S.waiting_steps(result)),
            "dispatch": P.dispatch(result, dispatches),
            "queue": P.queue(result, dispatches),
            "gantt": P.gantt(result, tasks),
            "throughput": P.throughput(result),
            "resources": P.resources(metrics, result.get("task_usage")),
        },
        "status": status,
    }


def _json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element early (`</` escaped; still the same JSON)."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def page_html(
    data: dict[str, Any] | None,
    live_url: str | None = None,
    title: str = "runner-suite",
    lead_html: str = "",
    details_html: str = "",
) -> str:
    """The page: `data` embedded (the report), or read from `live_url` every few seconds (the dashboard).

    `lead_html` (shown under the title) and `details_html` (under the charts): the report's server-side
    sections (suite.report.html), HTML already escaped; empty on the live page until the final result
    exists."""
    embedded = "null" if data is None else _json_for_script(data)
    config = _json_for_script({"live_url": live_url, "refresh_ms": 2000})
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width'><title>{escape(title)}</title>"
        + chart_library_head()
        + inline_style(CSS + asset_text("page.css"))
        + "</head><body><main>"
        + '<div id="page"></div>'
        + f'<div id="lead">{lead_html}</div>'
        + f'<div id="details">{details_html}</div>'
        + '<p class="note">runner-suite · self-contained: its script and styles are inline, it loads no '
        "external asset · times in UTC</p></main>"
        + f'<script type="application/json" id="page-data">{embedded}</script>'
        + f'<script type="application/json" id="page-config">{config}</script>'
        + inline_script(asset_text("page_charts.js"))
        + inline_script(asset_text("page.js"))
        + "</body></html>\n"
    )

"""The trends page (`suite history --html`): per profile, the runs' figures over time, drawn with the
vendored uPlot (suite/report/assets/trends.js, trends.css), sizing changes and baselines marked and
regressions flagged (the data and its rules: suite.decisions.trends).

Self-contained: the chart library, the script, the style and the data are inline, so the page opens
with no network. The data is JSON in a `<script type="application/json">` (`</` escaped); every name in
it (profiles, run ids) reaches the page through `textContent` only, never as markup.
"""

from __future__ import annotations

import json
from typing import Any

from suite.report.assets import asset_text, chart_library_head, inline_script, inline_style

MARKER_COLOUR = "#b0359a"  # sizing changes: a colour nothing else on the page uses (the test looks for it)


def _json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element early (`</` escaped; still the same JSON)."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def trends_html(data: dict[str, Any]) -> str:
    """The page for `data` (suite.decisions.trends.trends' answer)."""
    config = {"marker_colour": MARKER_COLOUR}
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width'><title>runner-suite: trends across runs</title>"
        + chart_library_head()
        + inline_style(asset_text("trends.css"))
        + "</head><body><header><h1>Trends across runs</h1>"
        "<p class=legend>One point per run at its start time (UTC). Drag across a chart to zoom (double "
        "click: back), hover for a run's figures. <span class=k-sizing>Vertical line</span>: the fleet's "
        "sizing changed from the profile's previous run. <span class=k-base>Green ring</span>: a PASS run, "
        "a baseline; dashed green: the baseline in force. <span class=k-flag>Red</span>: a flagged "
        "regression (verdict FAIL, or a figure worse than the baseline in force by at least 5% and 1 s, "
        "0.01 for the failure rate). <span class=k-grey>Grey hollow</span>: incomplete or no verdict "
        "(never a baseline, not judged). A missing figure is a gap, never 0.</p></header>"
        + '<main id="trends"></main>'
        + f'<script type="application/json" id="trends-data">{_json_for_script(data)}</script>'
        + f'<script type="application/json" id="trends-config">{_json_for_script(config)}</script>'
        + inline_script(asset_text("trends.js"))
        + "</body></html>"
    )

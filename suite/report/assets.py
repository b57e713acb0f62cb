"""The vendored chart library (uPlot, suite/report/assets/VENDORED.md), inlined into a page's <head>.

Every page the suite writes or serves (report.html, the live dashboard, the trends page) carries its
scripts and styles inline, so it loads no external asset and opens with no network.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def asset_text(name: str) -> str:
    """One file of suite/report/assets/ as text."""
    return resources.files("suite.report").joinpath("assets", name).read_text(encoding="utf-8")


def inline_script(source: str) -> str:
    """`source` as an inline <script>: a `</` inside it would end the element early, so it is escaped."""
    return "<script>" + source.replace("</", "<\\/") + "</script>"


def inline_style(source: str) -> str:
    return "<style>" + source.replace("</", "<\\/") + "</style>"


def chart_library_head() -> str:
    """uPlot's stylesheet and script, inline, for a page's <head>."""
    return inline_style(asset_text("uPlot.min.css")) + inline_script(asset_text("uPlot.iife.min.js"))

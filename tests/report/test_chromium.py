"""Acceptance: report.html opens in Debian's headless Chromium (Playwright's client, tests/helpers/browser.py)
from file://, draws every chart, answers the mouse, and loads nothing but itself.

Over a 45-job synthetic run's report: every chart's canvas has its series' colour on it; a screenshot is not
blank (PIL); hovering shows a value; dragging zooms every time chart (synced) and a double-click resets;
the page requests no URL but its own file, and renders the same with the network unreachable. The live
form (page_html with a live URL, served on loopback) redraws with new data and keeps the user's zoom and
its charts. Chromium missing is a failure, not a skip (tests/helpers/browser.py says how to install it).
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from suite.clock import iso
from suite.report import write_reports
from suite.report.page import page_html
from tests.helpers.browser import open_browser, requests_of
from tests.helpers.synthetic_run import T0, synthetic_run

WIDTH = 1280
CHARTS = ["concurrency", "dispatch", "queue", "gantt", "throughput", "cpu", "memory"]
# a colour each chart must show, as drawn by page.js: its first series' (rgb)
INK = {
    "concurrency": (0x2F, 0x6F, 0xB0),
    "dispatch": (0x2F, 0x6F, 0xB0),
    "queue": (0x2F, 0x6F, 0xB0),
    "gantt": (0x3A, 0x8F, 0x4F),
    "throughput": (0x2F, 0x6F, 0xB0),
    "cpu": (0xD1, 0x37, 0x2F),  # the reservation line
    "memory": (0xD1, 0x37, 0x2F),
}

CANVAS_PROBE = """(ink) => {
  const out = {};
  for (const [name, rgb] of Object.entries(ink)) {
    const c = document.querySelector("#chart-" + name + " canvas");
    if (!c) { out[name] = null; continue; }
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let drawn = 0, colour = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) drawn++;
      if (d[i + 3] > 200 && Math.abs(d[i] - rgb[0]) < 12 && Math.abs(d[i + 1] - rgb[1]) < 12
          && Math.abs(d[i + 2] - rgb[2]) < 12) colour++;
    }
    out[name] = {drawn: drawn / (d.length / 4), colour: colour, width: c.getBoundingClientRect().width};
  }
  return out;
}"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    run_dir, result = synthetic_run(tmp_path_factory.mktemp("chromium"))
    write_reports(run_dir, result)
    return run_dir / "report.html", result


def _x(page: Any, name: str) -> tuple[float, float]:
    sec = page.locator(f"#chart-{name}")
    return float(sec.get_attribute("data-xmin") or "nan"), float(sec.get_attribute("data-xmax") or "nan")


def _drag(page: Any, name: str, a: float, b: float) -> None:
    page.locator(f"#chart-{name} .u-over").scroll_into_view_if_needed()
    box = page.locator(f"#chart-{name} .u-over").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + a * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + (a + b) / 2 * box["width"], y)
    page.mouse.move(box["x"] + b * box["width"], y)
    page.mouse.up()


def test_report_draws_every_chart_and_answers_the_mouse(report: tuple[Path, dict[str, Any]]) -> None:
    path, result = report
    with open_browser() as browser:
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        seen = requests_of(page)
        page.goto(path.as_uri())
        page.wait_for_selector("#page[data-rendered]")
        assert errors == []
        canvases = page.evaluate(CANVAS_PROBE, {k: list(v) for k, v in INK.items()})
        for name in CHARTS:
            c = canvases[name]
            assert c is not None, f"chart {name} has no canvas"
            assert c["width"] > 1000, f"{name} laid out too narrow: {c}"
            assert c["drawn"] > 0.01 and c["colour"] > 30, f"chart {name} is (nearly) blank: {c}"

        # the headline figures are result.json's values exactly
        for el in page.query_selector_all("[data-figure]"):
            figure = el.get_attribute("data-figure") or ""
            value: Any = result
            for part in figure.split("."):
                value = value[part]
            assert json.loads(el.get_attribute("data-value") or "") == value, figure

        # hover: the legend shows the running jobs at the cursor, the synced charts follow it
        over = page.locator("#chart-concurrency .u-over").bounding_box()
        assert over is not None
        legend = page.locator("#chart-concurrency .u-legend .u-series").nth(1).locator(".u-value")
        assert legend.text_content() == "--"
        page.mouse.move(over["x"] + over["width"] * 0.5, over["y"] + over["height"] * 0.5)
        shown = legend.text_content() or ""
        assert shown in {"0", "1", "2"}, shown
        time_shown = page.locator("#chart-queue .u-legend .u-series").first.locator(".u-value").text_content()
        assert time_shown and time_shown.startswith("2026-11-15 10:") and time_shown.endswith("UTC")
        page.locator("#chart-gantt .u-over").scroll_into_view_if_needed()
        gantt = page.locator("#chart-gantt .u-over").bounding_box()
        assert gantt is not None
        page.mouse.move(gantt["x"] + gantt["width"] * 0.5, gantt["y"] + 5)
        assert (page.text_content("#gantt-hover") or "").startswith("slot 1 · ")

        # drag to zoom: every time chart follows; a double-click resets them all
        full = {name: _x(page, name) for name in CHARTS}
        _drag(page, "concurrency", 0.25, 0.5)
        zoomed = {name: _x(page, name) for name in CHARTS}
        lo, hi = zoomed["concurrency"]
        assert full["concurrency"][0] < lo < hi < full["concurrency"][1]
        assert all(zoomed[n] == (lo, hi) for n in CHARTS if n != "gantt" and n != "throughput"), zoomed
        assert zoomed["gantt"] == (lo, hi) and zoomed["throughput"] == (lo, hi)
        page.locator("#chart-concurrency .u-over").dblclick()
        assert {name: _x(page, name) for name in CHARTS} == full

        # screenshots at 1280 and 800 px wide: not blank
        for width in (WIDTH, 800):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(300)  # the resize handler's debounce (it only redraws; nothing races)
            image = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")
            counts = image.getcolors(maxcolors=image.width * image.height) or []
            background = {(255, 255, 255), (246, 247, 249)}
            ink = sum(n for n, c in counts if c not in background) / (image.width * image.height)
            assert image.width == width and ink > 0.05 and len(counts) > 200, (width, ink, len(counts))
            assert (0x2F, 0x6F, 0xB0) in {c for _, c in counts}
    assert seen == [path.as_uri()], f"report.html requested more than itself: {seen}"


def test_report_renders_with_the_network_unreachable(report: tuple[Path, dict[str, Any]]) -> None:
    """Offline, and any http(s) request refused: the page draws the same (it asks for nothing)."""
    path, _ = report
    with open_browser() as browser:
        context = browser.new_context(offline=True, viewport={"width": WIDTH, "height": 900})
        refused: list[str] = []
        context.route("http*://**/*", lambda route: (refused.append(route.request.url), route.abort()))
        page = context.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        seen = requests_of(page)
        page.goto(path.as_uri())
        page.wait_for_selector("#page[data-rendered]")
        assert page.locator("section.chart canvas").count() == len(CHARTS)
        assert page.locator("[data-figure]").count() == 9
    assert seen == [path.as_uri()] and refused == [] and failed == []


class _Live:
    """The live page and its data on loopback: the data answers `first` until `release` is set."""

    def __init__(self, first: dict[str, Any], second: dict[str, Any]) -> None:
        self.first, self.second, self.release = first, second, threading.Event()
        live = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/":
                    body = page_html(None, live_url="/data").encode()
                    kind = "text/html"
                else:
                    body = json.dumps(live.second if live.release.is_set() else live.first).encode()
                    kind = "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"


@pytest.fixture
def live(report: tuple[Path, dict[str, Any]]) -> Iterator[_Live]:
    from suite.report.page import page_data
    from suite.rundir.jsonio import read_jsonl

    path, result = report
    run_dir = path.parent
    data = page_data(
        result, read_jsonl(run_dir / "ledger.jsonl"), read_jsonl(run_dir / "raw" / "tasks.jsonl"), ()
    )
    status = {"stage": "collecting", "updated_at": None, "dispatch": {"sent": 45, "scheduled": 45, "due": 45}}
    first = data | {"status": status}
    first["thresholds"] = [t | {"abort_on_fail": True} for t in first["thresholds"]]
    second = json.loads(json.dumps(first))
    second["figures"][1]["value"] = 46
    second["status"]["stage"] = "analysing"
    server = _Live(first, second)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


def test_live_page_redraws_in_place_and_keeps_the_zoom(live: _Live) -> None:
    with open_browser() as browser:
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        page.goto(live.url)
        page.wait_for_selector("#page[data-rendered]")
        assert page.text_content("#head .badge") == "COLLECTING"
        assert "45 / 45 / 45" in (page.text_content("#status") or "")
        cells = page.locator("#thresholds tbody tr").first.locator("td").all_text_contents()
        assert cells[:4] == ["queue_time_s.p95 < 120", "1", "pass", "yes"]
        page.evaluate("document.querySelector('#chart-concurrency canvas').dataset.mark = 'first'")
        _drag(page, "concurrency", 0.3, 0.6)
        zoomed = _x(page, "concurrency")
        live.release.set()  # the next poll reads the new data
        page.wait_for_function("document.querySelector('#head .badge').textContent === 'ANALYSING'")
        assert page.get_attribute("[data-figure='jobs.count']", "data-value") == "46"
        assert _x(page, "concurrency") == zoomed == _x(page, "queue")
        assert page.evaluate("document.querySelector('#chart-concurrency canvas').dataset.mark") == "first"


SHADE_PROBE = """([names, fracs]) => names.map((name) => {
  const over = document.querySelector("#chart-" + name + " .u-over").getBoundingClientRect();
  const canvas = document.querySelector("#chart-" + name + " canvas");
  const box = canvas.getBoundingClientRect();
  const g = canvas.getContext("2d");
  // alpha of a pixel in the plot area, 3 px below its top (no series there), at each x fraction
  return fracs.map((f) => g.getImageData(Math.round(over.left - box.left + f * over.width),
                                         Math.round(over.top - box.top + 3), 1, 1).data[3]);
})"""


def test_the_load_pattern_s_stages_are_shaded_on_every_time_chart(
    report: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    from suite.report.page import page_data
    from suite.rundir.jsonio import read_jsonl

    path, result = report
    run_dir = path.parent
    surge = (T0 + 600, T0 + 1200)
    spike = result | {"recovery": {"surge_start": iso(surge[0]), "surge_end": iso(surge[1])}}
    data = page_data(
        spike,
        read_jsonl(run_dir / "ledger.jsonl"),
        read_jsonl(run_dir / "raw" / "tasks.jsonl"),
        read_jsonl(run_dir / "raw" / "metrics.jsonl"),
    )
    assert [s["label"] for s in data["stages"]] == ["baseline", "surge", "after the surge"]
    page_file = tmp_path / "spike.html"
    page_file.write_text(page_html(data))
    with open_browser() as browser:
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        page.goto(page_file.as_uri())
        page.wait_for_selector("#page[data-rendered]")
        names = [n for n in CHARTS if n != "gantt"]  # the Gantt's bars cover its plot area
        w0 = data["window"][0]
        fracs = []
        for name in names:  # the middle of each stage, as a fraction of the chart's x range
            lo, hi = _x(page, name)
            fracs.append([((a + b) / 2 - lo) / (hi - lo) for a, b in ((w0, surge[0]), surge)])
        alphas = [page.evaluate(SHADE_PROBE, [[n], f])[0] for n, f in zip(names, fracs, strict=True)]
    for name, (baseline, surge) in zip(names, alphas, strict=True):
        assert baseline > 0 and surge > 0 and baseline != surge, (name, baseline, surge)

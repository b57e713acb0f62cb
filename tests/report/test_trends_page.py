"""Acceptance: the trends page (`suite history --html`) for five runs of one profile with a sizing change in
the middle, opened in Debian's Chromium (tests/helpers/browser.py): the change is a vertical line of the
marker's colour at the change's x (uPlot's valToPos in the page) and nowhere else, the table lists the change
and the flagged regression, hovering shows a run's figure, and the page asks for nothing but itself. A second
profile with a hostile name is text, never markup."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from suite.cli.main import main
from suite.decisions.history import list_runs
from suite.decisions.trends import trends
from suite.report.trends_page import MARKER_COLOUR, trends_html
from tests.decisions.trend_runs import SMALL, five_runs, trend_run
from tests.helpers.browser import open_browser, requests_of

HOSTILE = "</script><img src=x onerror=alert(1)> `tick` <b>bold</b>\r\n- item"
MARKER = tuple(int(MARKER_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
LABEL_BAND = 16  # px at the top of a plot where the marker's label is written


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    reports = tmp_path_factory.mktemp("trends") / "reports"
    dirs = five_runs(reports)
    trend_run(reports, HOSTILE, 2, 30.0, "pass", SMALL, tag="h")  # the same sizing: no marker
    trend_run(reports, HOSTILE, 6, 31.0, "pass", SMALL, tag="h")
    return reports, dirs


@pytest.fixture(scope="module")
def page_file(reports: tuple[Path, list[Path]]) -> Path:
    root, _ = reports
    assert main(["history", "--reports", str(root), "--html"]) == 0
    return root / "trends.html"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)
        self.links += [f"{tag} {k}" for k, v in attrs if k in ("src", "href") and v]


def test_the_data_is_embedded_whole_and_no_name_is_markup(reports: tuple[Path, list[Path]]):
    root, _ = reports
    data = trends(list_runs(root))
    page = trends_html(data)
    embedded = re.search(r'<script type="application/json" id="trends-data">(.*?)</script>', page, re.S)
    assert embedded and json.loads(embedded.group(1)) == data  # `<\/` is still the same JSON
    assert HOSTILE not in page and "</script><img" not in page
    parser = _Tags()
    parser.feed(page)
    assert "img" not in parser.tags and "b" not in parser.tags
    assert not parser.links, f"the page links an asset: {parser.links}"  # Chromium's check: requests_of


def _charts(page: Any, profile_index: int, t: float) -> list[dict[str, float]]:
    """Each chart of a profile: its plot area in page pixels and the x of time `t` on its scale."""
    return page.evaluate(
        """([i, t]) => window.trendCharts[i].map((u) => {
             const r = u.over.getBoundingClientRect();
             return {left: r.left + scrollX, top: r.top + scrollY, width: r.width, height: r.height,
                     x: r.left + scrollX + u.valToPos(t, "x")};
           })""",
        [profile_index, t],
    )


def test_the_sizing_change_is_drawn_at_its_time_and_nowhere_else(
    page_file: Path, reports: tuple[Path, list[Path]], tmp_path: Path
):
    root, dirs = reports
    data = trends(list_runs(root))
    names = [p["profile"] for p in data["profiles"]]
    capacity = names.index("capacity")
    runs = data["profiles"][capacity]["runs"]
    assert [r["test_run_id"] for r in runs] == [d.name for d in dirs]
    change_t = runs[2]["t"]
    with open_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        asked = requests_of(page)
        page.goto(page_file.as_uri())
        page.wait_for_function("window.trendCharts && window.trendCharts.length === 2")
        charts = _charts(page, capacity, change_t)
        others = _charts(page, 1 - capacity, change_t)
        shot = tmp_path / "trends.png"
        page.screenshot(path=str(shot), full_page=True)

        # hover: the legend shows run 4's execution p50 (the chart of figure 1), in viewport pixels
        chart = f"window.trendCharts[{capacity}][1]"
        exec_chart = page.evaluate(
            f"""(() => {{ {chart}.over.scrollIntoView(); const r = {chart}.over.getBoundingClientRect();
                return {{left: r.left, top: r.top, width: r.width, height: r.height}}; }})()"""
        )
        x4 = page.evaluate(f"{chart}.valToPos({runs[3]['t']}, 'x')")
        page.mouse.move(exec_chart["left"] + x4, exec_chart["top"] + exec_chart["height"] / 2)
        legend = (
            page.locator(f"section.profile >> nth={capacity}").locator(".chart >> nth=1").locator(".u-legend")
        )
        assert "50.0 s" in legend.inner_text()
        # zoom: a drag across the chart narrows its x scale
        before = page.evaluate(f"{chart}.scales.x.max - {chart}.scales.x.min")
        page.mouse.move(exec_chart["left"] + 20, exec_chart["top"] + 40)
        page.mouse.down()
        page.mouse.move(exec_chart["left"] + exec_chart["width"] / 2, exec_chart["top"] + 40, steps=5)
        page.mouse.up()
        after = page.evaluate(f"{chart}.scales.x.max - {chart}.scales.x.min")
        assert after < before / 1.5

        rows = page.locator(f"section.profile >> nth={capacity}").locator("table.runs tbody tr")
        table = [
            (rows.nth(i).get_attribute("class") or "", rows.nth(i).inner_text()) for i in range(rows.count())
        ]
        heading = page.locator(f"section.profile >> nth={1 - capacity}").locator("h2").text_content()
        images = page.locator("img").count()
    assert errors == []
    assert asked == [page_file.as_uri()], f"the page asked for more than itself: {asked}"
    assert len(charts) == 5 and len(others) == 5

    image = Image.open(shot).convert("RGB")
    pixels = image.load()
    width, height = image.size
    marked = [(x, y) for y in range(height) for x in range(width) if pixels[x, y] == MARKER]
    for c in charts:  # every chart of the profile: a full-height line at the change's x
        left, top = round(c["left"]), round(c["top"])
        line_rows = [y for y in range(top + LABEL_BAND, top + round(c["height"]) - 1)]
        hits = [
            y
            for y in line_rows
            if any(pixels[x, y] == MARKER for x in range(round(c["x"]) - 1, round(c["x"]) + 2))
        ]
        assert len(hits) >= 0.95 * len(line_rows), f"no full marker line at x={c['x']:.1f} in {c}"
        assert left < c["x"] < left + c["width"]
    for x, y in marked:  # and nowhere else: within a pixel of it, or in the label band at its top
        home = [
            c
            for c in charts
            if c["left"] <= x < c["left"] + c["width"] and c["top"] <= y < c["top"] + c["height"]
        ]
        assert home, f"marker colour at ({x}, {y}), outside the capacity profile's charts"
        c = home[0]
        assert abs(x - c["x"]) <= 1.5 or y < c["top"] + LABEL_BAND, (
            f"marker colour at ({x}, {y}), not at the change"
        )

    assert len(table) == 5
    changed = [text for cls, text in table if "changed" in cls.split()]
    assert len(changed) == 1 and dirs[2].name in changed[0].replace("\n", "").replace("\t", "")
    assert "sizing change: task CPU 1024 → 2048, task memory 2048 → 4096" in changed[0]
    flagged = [text for cls, text in table if "flagged" in cls.split()]
    assert len(flagged) == 1 and "REGRESSION: verdict FAIL" in flagged[0]
    assert "REGRESSION: execution time p50 50.0 s against 40.0 s" in flagged[0]
    incomplete = [text for cls, text in table if "k-incomplete" in cls.split()]
    assert len(incomplete) == 1 and "incomplete: not judged, never a baseline" in incomplete[0]
    assert sum("baseline (suite history --baseline)" in text for _, text in table) == 1
    assert heading == "profile " + HOSTILE  # the name as text, whole
    assert images == 0


def test_cli_errors_are_one_exit_2_line(
    tmp_path: Path, reports: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
):
    root, _ = reports
    empty = tmp_path / "empty"
    (tmp_path / "d.html").mkdir()
    cases = [
        (["history", "--reports", str(empty), "--html"], "no runs indexed"),
        (["history", "--reports", str(root), "--profile", "nope", "--html"], "no runs of profile 'nope'"),
        (["history", "--reports", str(root), "--html", str(tmp_path / "d.html")], "is a directory"),
        (["history", "--reports", str(root), "--html", str(root / "result.json")], "not an .html file name"),
        (["history", "--reports", str(root), "--html", str(tmp_path / "no" / "t.html")], "does not exist"),
        (["history", "--reports", str(root), "--html", "--json"], "not allowed with"),
        (["history", "--reports", str(root), "--html", ""], "--html FILE is empty"),
        (["history", "--reports", str(root), "--html", str(tmp_path / ("x" * 300))], "name too long"),
        (["history", "--reports", str(root), "--html", str(tmp_path / "a\x1bb")], "control character"),
    ]
    for argv, said in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert said in err and len(err.splitlines()) == 1 and "Traceback" not in err, err
    out = tmp_path / "mine.html"
    assert main(["history", "--reports", str(root), "--profile", "capacity", "--html", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out) and "capacity" in out.read_text()
    assert not list(tmp_path.glob("*.tmp"))

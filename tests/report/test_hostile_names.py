"""Names nobody sanitised (job names, runner names, the profile name) through the whole report: the
hand-made run directory with hostile names, analysed and written; and $GITHUB_STEP_SUMMARY naming a
file that cannot be appended to."""

from __future__ import annotations

import csv
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from suite.pipeline.analysis import analyze_run_dir
from suite.report import terminal_summary, write_reports
from suite.report.escape import FORMULA_START
from suite.report.writer import append_step_summary
from tests.helpers.browser import open_browser
from tests.helpers.hand_made_run import write_fixture

MD_AND_HTML = (
    "x | y `z` [link](http://evil.example) ![img](http://evil.example/i.png) <img src=x onerror=alert(1)>"
)
NAMES = {
    1: "<script>alert(1)</script>\n# not a heading",
    2: MD_AND_HTML,
    4: '=HYPERLINK("http://evil.example","click")',
    5: "\x1b[31mred\x1b[0m\x9b2J\x07 +1-2",
}
RUNNER_OF_JOB_2 = "@SUM(1+1)*cmd|' /C calc'!A0"
PROFILE = "> quote `tick` <b>bold</b>\r\n- item"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    run_dir = write_fixture(tmp_path_factory.mktemp("hostile"))
    jobs_file = run_dir / "raw" / "jobs.jsonl"
    jobs = [json.loads(line) for line in jobs_file.read_text().splitlines()]
    for job in jobs:
        job["name"] = NAMES.get(job["id"], job["name"])
        if job["id"] == 2:
            job["runner_name"] = RUNNER_OF_JOB_2
    jobs_file.write_text("".join(json.dumps(j) + "\n" for j in jobs))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["profile"]["name"] = PROFILE
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    result = analyze_run_dir(run_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
        write_reports(run_dir, result)
    return run_dir, result


def test_the_hostile_names_are_in_the_result(hostile: tuple[Path, dict[str, Any]]) -> None:
    _, result = hostile
    assert {j["name"] for j in result["per_job"]} >= {NAMES[1], NAMES[2], NAMES[4]}
    assert result["profile"] == PROFILE


def test_summary_md_shows_names_as_text(hostile: tuple[Path, dict[str, Any]]) -> None:
    run_dir, _ = hostile
    source = (run_dir / "summary.md").read_text()
    found = []
    for token in MarkdownIt("commonmark").enable("table").parse(source):
        found += [token, *(token.children or [])]
    kinds = [t.type for t in found]
    assert not {"link_open", "image", "html_inline", "html_block", "blockquote_open"} & set(kinds)
    headings = [found[i + 1].content for i, t in enumerate(found) if t.type == "heading_open"]
    assert not [h for h in headings if "not a heading" in h or "item" in h]
    for i, t in enumerate(found):  # every table row has as many cells as its header
        if t.type == "table_open":
            end = next(j for j in range(i, len(found)) if found[j].type == "table_close")
            widths, width = [], 0
            for u in found[i:end]:
                width += u.type in ("th_open", "td_open")
                if u.type == "tr_close":
                    widths.append(width)
                    width = 0
            assert len(set(widths)) == 1, widths
    text = " ".join(t.content for t in found if t.type == "text")
    assert "[link](http://evil.example)" in text and "<img src=x onerror=alert(1)>" in text


def test_jobs_csv_cells_never_start_a_formula(hostile: tuple[Path, dict[str, Any]]) -> None:
    run_dir, result = hostile
    with (run_dir / "jobs.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(result["per_job"])
    for row in rows:
        for key, cell in row.items():
            assert not cell.startswith(FORMULA_START), (key, cell)
    by_id = {r["id"]: r for r in rows}
    assert by_id["4"]["name"] == "'" + NAMES[4]  # the exact name behind one '
    assert by_id["2"]["runner_name"] == "'" + RUNNER_OF_JOB_2
    assert by_id["2"]["name"] == MD_AND_HTML  # nothing to neutralise: as it is
    # numbers stay numbers
    assert by_id["4"]["queue_s"] == "0.0" and float(by_id["2"]["execution_s"]) == 120.0


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append(dict(attrs))


def _embedded(page: str) -> Any:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_report_html_escapes_every_name(hostile: tuple[Path, dict[str, Any]]) -> None:
    run_dir, result = hostile
    page = (run_dir / "report.html").read_text()
    parser = _Elements()
    parser.feed(page)
    # the page's own five scripts only (uPlot, its data, its config, its charts, page.js), none from a name
    page_scripts = [
        {"type": "application/json", "id": "page-data"},
        {"type": "application/json", "id": "page-config"},
    ]
    assert parser.scripts == [{}, *page_scripts, {}, {}]
    assert not parser.handlers and "img" not in parser.tags and "b" not in parser.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page  # the profile's <b>: in the page data only, drawn as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # the names in the embedded data: the exact strings back, and none ended the data's <script> early
    data = _embedded(page)
    assert data["profile"] == PROFILE and data["test_run_id"] == result["test_run_id"]
    assert "<script>alert(1)" not in page.split('id="page-data">')[1].split("</script>")[0]


def test_the_page_shows_hostile_names_as_text_in_chromium(hostile: tuple[Path, dict[str, Any]]) -> None:
    """The script sets every name with textContent: in the browser the profile's <b> is text, no dialog."""
    run_dir, _ = hostile
    with open_browser() as browser:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((run_dir / "report.html").as_uri())
        page.wait_for_selector("#page[data-rendered]")
        meta = page.text_content("#head .meta") or ""
        injected = page.evaluate("document.querySelectorAll('#page b, #page img, #page script').length")
    assert "<b>bold</b>" in meta and injected == 0 and dialogs == []


def test_terminal_summary_passes_no_control_character(hostile: tuple[Path, dict[str, Any]]) -> None:
    _, result = hostile
    shown = terminal_summary(result)
    assert not [ch for ch in shown if ch != "\n" and (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0)]
    first = shown.splitlines()[0]
    assert "> quote `tick` <b>bold</b>  - item" in first  # the profile on its line, its line break a space


# --------------------------------------------------------------------------- GITHUB_STEP_SUMMARY


@pytest.mark.parametrize("case", ["missing directory", "a directory", "under a file", "full disk", "fifo"])
def test_an_unusable_step_summary_is_one_warning_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    target = tmp_path / "step"
    if case == "missing directory":
        target = tmp_path / "no" / "such" / "dir" / "summary.md"
    elif case == "a directory":
        target.mkdir()
    elif case == "under a file":
        target.write_text("")
        target = target / "summary.md"
    elif case == "full disk":
        target = Path("/dev/full")  # every write: ENOSPC
    else:
        os.mkfifo(target)  # nobody reads it: an append must not hang
    assert append_step_summary("# run: PASS", {"GITHUB_STEP_SUMMARY": str(target)}) is False
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("suite: warning: GITHUB_STEP_SUMMARY=") and "cannot be appended to (" in line


def test_the_reports_are_written_when_the_step_summary_cannot_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "dir" / "summary.md"))
    run_dir = write_fixture(tmp_path)
    paths = write_reports(run_dir, analyze_run_dir(run_dir))
    assert len(paths) >= 5 and all(p.exists() for p in paths)
    assert (run_dir / "summary.md").read_text().startswith("# ")
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "No such file or directory" in err


def test_a_usable_step_summary_gets_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "step_summary.md"
    target.write_text("earlier step\n")
    assert append_step_summary("# run: PASS", {"GITHUB_STEP_SUMMARY": str(target)})
    assert target.read_text() == "earlier step\n# run: PASS\n"
    assert not append_step_summary("# run: PASS", {})
    assert capsys.readouterr().err == ""

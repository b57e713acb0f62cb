"""The live page says when its run's server stops answering, instead of showing old figures as current."""

from __future__ import annotations

import socket
from pathlib import Path

from suite.report.page import page_html
from tests.helpers.browser import open_browser


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed on leaving: nothing listens there


def test_a_live_page_whose_server_is_gone_says_the_run_has_ended(tmp_path: Path) -> None:
    page_file = tmp_path / "live.html"
    page_file.write_text(page_html(None, live_url=f"http://127.0.0.1:{closed_port()}/data.json"))
    with open_browser() as browser:
        page = browser.new_page()
        page.goto(page_file.as_uri())
        page.wait_for_selector("#lost", timeout=30_000)
        text = page.inner_text("#lost")
    assert "has not answered since" in text and "report.html" in text

"""Debian's Chromium driven through the DevTools protocol by Playwright's client (never a downloaded browser).

`chromium_path()` finds the binary (SUITE_CHROMIUM, else chromium / chromium-browser on PATH); missing is a
failure, not a skip. `open_browser()` launches it headless with the flags this machine's closed network
needs (no background networking, no component updates), and `requests_of(page)` records every URL a page
asks for, so a test can prove a page loads no external asset.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]


def chromium_path() -> str:
    exe = os.environ.get("SUITE_CHROMIUM")
    for name in ([exe] if exe else []) + ["chromium", "chromium-browser", "google-chrome", "chrome"]:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "Chromium is not installed, so the pages cannot be checked in a browser. Install it "
        "(Debian/Ubuntu: `sudo apt-get install -y chromium`) or set SUITE_CHROMIUM to a Chrome binary.",
        pytrace=False,
    )


@contextmanager
def open_browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def requests_of(page: Page) -> list[str]:
    """Every URL `page` requests from now on (the list grows as it loads)."""
    seen: list[str] = []

    def record(request: Any) -> None:
        seen.append(request.url)

    page.on("request", record)
    return seen

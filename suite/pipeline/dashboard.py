"""The live dashboard: `suite run PROFILE --dashboard[=PORT]` serves the run's one page on 127.0.0.1.

The standard library's ThreadingHTTPServer, bound to 127.0.0.1 only (never another interface: the
page shows the run's repository and fleet), on PORT (0, the default: any free port, so two runs never
collide). Two URLs:

- ``/``: the page (suite.report.page.page_html) reading its data from ``/data.json`` every 2 s;
- ``/data.json``: suite.report.page.page_data over the live observer's partial result and status
  (suite.pipeline.observer), with a strong ETag (a hash of the body) and 304 Not Modified on a
  matching If-None-Match, so an unchanged page costs the reader nothing either.

Serving reads only what the observer already holds: it makes no GitHub request. The server stops with
the run; when a page has been reading it, it first waits (at most FINAL_READ_S) for that page's next
read, which gets the finished run's data (stage "done", the report's path), so the open page ends on
result.json's figures. report.html is the same page, frozen.
"""

from __future__ import annotations

import errno
import hashlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from suite.errors import UsageError

HOST = "127.0.0.1"
DATA_PATH = "/data.json"
FINAL_READ_S = 5.0  # real seconds the server waits, at the end, for an open page's last read
READER_S = 10.0  # a page that read within this many real seconds is open
WAITING = "preparing the run (preflight): nothing dispatched yet"  # before the run's observer exists


class Dashboard:
    """The server; `attach` gives it the function that says what the page draws now."""

    def __init__(self, port: int = 0) -> None:
        self._data: Callable[[], dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self._cached: tuple[bytes, str] | None = None
        self._page: bytes | None = None
        self._last_read = float("-inf")  # time.monotonic() of the last data read
        self._read = threading.Event()
        try:
            self.server = ThreadingHTTPServer((HOST, port), _handler(self))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"--dashboard: port {port} on {HOST} is in use (another dashboard or program); "
                    "choose a free one with --dashboard=PORT, or --dashboard alone for any free port"
                ) from None
            raise UsageError(
                f"--dashboard: cannot listen on {HOST}:{port} ({exc.strerror or 'refused'}); "
                "choose a port from 1024 to 65535 with --dashboard=PORT, or --dashboard alone for any "
                "free port"
            ) from None
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def attach(self, data: Callable[[], dict[str, Any]]) -> None:
        self._data = data

    def start(self) -> Dashboard:
        self._thread = threading.Thread(target=self.server.serve_forever, name="dashboard", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> Dashboard:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.last_read(FINAL_READ_S)
        self.stop()

    def last_read(self, timeout_s: float) -> bool:
        """Wait for an open page's next read (at most `timeout_s`); False when none came or none is open."""
        if time.monotonic() - self._last_read > READER_S:
            return False
        self._read.clear()
        return self._read.wait(timeout_s)

    def page(self) -> bytes:
        if self._page is None:
            from suite.report.page import page_html  # the report room, loaded when the page is asked for

            self._page = page_html(None, live_url=DATA_PATH, title="runner-suite (live)").encode()
        return self._page

    def data(self) -> tuple[bytes, str]:
        """The data's JSON and its ETag (one at a time: the body and its tag belong together)."""
        with self._lock:
            data = self._data() if self._data is not None else _waiting()
            body = json.dumps(data, separators=(",", ":"), allow_nan=False).encode()
            if self._cached is None or self._cached[0] != body:
                self._cached = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
            self._last_read = time.monotonic()
            self._read.set()
            return self._cached


def _handler(dashboard: Dashboard) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "runner-suite"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/":
                self._send(200, dashboard.page(), "text/html; charset=utf-8")
            elif path == DATA_PATH:
                body, etag = dashboard.data()
                if etag in _tags(self.headers.get("If-None-Match")):
                    self._send(304, b"", None, etag)
                else:
                    self._send(200, body, "application/json", etag)
            else:
                self._send(404, b"not found\n", "text/plain; charset=utf-8")

        def _send(self, status: int, body: bytes, kind: str | None, etag: str | None = None) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the run's terminal is for the run: requests are not logged

    return Handler


def _waiting() -> dict[str, Any]:
    """The page before the run has an observer: no figure yet, every status field null."""
    from suite.pipeline.observer import STATUS_KEYS
    from suite.report.page import page_data

    status: dict[str, Any] = dict.fromkeys(STATUS_KEYS) | {"stage": "dispatch", "message": WAITING}
    return page_data({}, status=status)


def _tags(header: str | None) -> set[str]:
    return {t.strip().removeprefix("W/") for t in (header or "").split(",") if t.strip()}

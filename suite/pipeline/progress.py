"""Live progress on stderr: one updating line on a terminal, a line now and then otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, min_interval_s: float = 2.0) -> None:
        self.tty = sys.stderr.isatty()
        self.min_interval_s = min_interval_s
        self._last = 0.0
        self._open_line = False

    def update(self, text: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < (0.1 if self.tty else self.min_interval_s):
            return
        self._last = now
        if self.tty:
            sys.stderr.write("\r\x1b[2K" + text)
            self._open_line = True
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def done(self, text: str | None = None) -> None:
        if self._open_line:
            sys.stderr.write("\r\x1b[2K")
            self._open_line = False
        if text:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()


def fmt_eta(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"

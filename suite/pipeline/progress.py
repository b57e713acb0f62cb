"""Live progress on stderr, drawn by rich on a terminal, a plain line now and then otherwise.

On a terminal (stderr is a TTY) one line is redrawn in place and cut to the terminal's width; a stage
with counts (`count`) shows a bar, done/total and the ETA in real seconds. Elsewhere (CI, tests, a
pipe) each update is a plain line, at most one every `min_interval_s` unless forced, so logs stay
readable: `dispatch 40/120 · ETA 1m20s · runs queued 3 …`.
"""

from __future__ import annotations

import sys
import time

from rich.console import Console, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

BAR_WIDTH = 20
TTY_INTERVAL_S = 0.1


class Progress:
    def __init__(self, min_interval_s: float = 2.0, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.tty = sys.stderr.isatty() if console is None else console.is_terminal
        self.min_interval_s = min_interval_s
        self._last = 0.0
        self._live: Live | None = None

    def update(
        self, text: str, force: bool = False, *, count: tuple[str, int, int, float] | None = None
    ) -> None:
        """Show `text`; with `count` = (stage, done, total, eta_s), lead with the stage's counts and its
        ETA (real seconds). Updates closer together than the interval are dropped unless forced."""
        now = time.monotonic()
        if not force and now - self._last < (TTY_INTERVAL_S if self.tty else self.min_interval_s):
            return
        self._last = now
        if not self.tty:
            self.console.file.write(_plain(text, count) + "\n")
            self.console.file.flush()
            return
        if self._live is None:
            self._live = Live(
                console=self.console,
                auto_refresh=False,
                transient=True,
                redirect_stdout=False,  # stdout stays where it is (it may be a pipe while stderr is not)
                redirect_stderr=False,
            )
            self._live.start()
        self._live.update(_line(text, count), refresh=True)

    def done(self, text: str | None = None) -> None:
        """Clear the live line; then `text` as a line of its own."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        if text:
            self.console.file.write(text + "\n")
        self.console.file.flush()


def _plain(text: str, count: tuple[str, int, int, float] | None) -> str:
    if count is None:
        return text
    stage, done, total, eta_s = count
    return f"{stage} {done}/{total} · ETA {fmt_eta(eta_s)}{' · ' + text if text else ''}"


def _line(text: str, count: tuple[str, int, int, float] | None) -> RenderableType:
    """One terminal line: [stage bar done/total ETA] text, the text cut with … at the terminal's edge."""
    body = Text(text, no_wrap=True, overflow="ellipsis")
    if count is None:
        return body
    stage, done, total, eta_s = count
    counts = f"{done}/{total} · ETA {fmt_eta(eta_s)}"
    grid = Table.grid(padding=(0, 1), expand=True)  # expand: the stage, bar and counts keep their width
    grid.add_column(no_wrap=True)
    grid.add_column(width=BAR_WIDTH)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)  # the text gives way
    bar = ProgressBar(total=max(total, 1), completed=done, width=BAR_WIDTH)
    grid.add_row(stage, bar, counts, body)
    return grid


def fmt_eta(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"

"""Live progress on stderr, drawn by rich on a terminal, a plain line now and then otherwise.

On a terminal (stderr is a TTY) one line is redrawn in place, never wider than the terminal: its fields
(suite.pipeline.status_line) are shortened, then dropped, least important first, so it stays one line
at 80 columns. Given a function instead of fields, the line is re-rendered every second by rich's own
refresh (Live with get_renderable), so an ETA and the age of the counts keep moving between updates.
Elsewhere (CI, tests, a pipe) each update is a plain line with every field, at most one every
`min_interval_s` unless forced, so logs stay readable: `dispatch 40/120 · ETA 1m20s · runs queued 3 …`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

from rich.console import Console, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from suite.pipeline.status_line import BAR_WIDTH, SEP, Field, fit, fmt_eta, plain

TTY_INTERVAL_S = 0.1
REFRESH_PER_S = 1.0

Fields = Sequence[Field] | Callable[[], Sequence[Field]]

__all__ = ["Field", "Progress", "fmt_eta", "render_line"]


class Progress:
    def __init__(
        self,
        min_interval_s: float = 2.0,
        console: Console | None = None,
        tty_interval_s: float = TTY_INTERVAL_S,
        auto_refresh: bool = True,
    ) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.tty = sys.stderr.isatty() if console is None else console.is_terminal
        self.min_interval_s = min_interval_s
        self.tty_interval_s = tty_interval_s
        self.auto_refresh = auto_refresh  # tests draw only on updates, so what is drawn is deterministic
        self._last = 0.0
        self._live: Live | None = None
        self._fields: Fields = ()

    def update(self, text: str, force: bool = False) -> None:
        """One message as the whole line (cut with … at the terminal's edge)."""
        self.show([Field("text", 0, text)], force)

    def show(self, fields: Fields, force: bool = False) -> None:
        """Show `fields` (or the fields a function gives each time the line is drawn). Updates closer
        together than the interval are dropped unless forced."""
        self._fields = fields
        now = time.monotonic()
        if not force and now - self._last < (self.tty_interval_s if self.tty else self.min_interval_s):
            return
        self._last = now
        if not self.tty:
            self.console.file.write(plain(self._current()) + "\n")
            self.console.file.flush()
            return
        if self._live is None:
            self._live = Live(
                console=self.console,
                auto_refresh=self.auto_refresh,
                refresh_per_second=REFRESH_PER_S,
                transient=True,
                redirect_stdout=False,  # stdout stays where it is (it may be a pipe while stderr is not)
                redirect_stderr=False,
                get_renderable=self._render,
            )
            self._live.start()
        self._live.refresh()

    def done(self, text: str | None = None) -> None:
        """Clear the live line; then `text` as a line of its own."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        self._fields = ()
        if text:
            self.console.file.write(text + "\n")
        self.console.file.flush()

    def _current(self) -> Sequence[Field]:
        return self._fields() if callable(self._fields) else self._fields

    def _render(self) -> RenderableType:
        return render_line(self._current(), self.console.width)


def render_line(fields: Sequence[Field], width: int) -> RenderableType:
    """The fields that fit `width` as one terminal line: text runs joined by ` · `, a bar where a field
    has one; a line whose must-show fields alone are too wide ends with … (rich's overflow)."""
    cells: list[RenderableType] = []
    run: list[str] = []
    for f, text in fit(fields, width):
        if f.bar is None:
            run.append(text)
            continue
        if run:
            cells.append(Text(SEP.join(run), no_wrap=True, overflow="ellipsis"))
            run = []
        done, total = f.bar
        cells.append(ProgressBar(total=max(total, 1), completed=done, width=BAR_WIDTH))
    if run or not cells:
        cells.append(Text(SEP.join(run), no_wrap=True, overflow="ellipsis"))
    if len(cells) == 1:
        return cells[0]
    grid = Table.grid(padding=(0, 1))
    for cell in cells:
        grid.add_column(
            no_wrap=True, overflow="ellipsis", width=BAR_WIDTH if isinstance(cell, ProgressBar) else None
        )
    grid.add_row(*cells)
    return grid

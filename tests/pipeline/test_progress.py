"""Terminal progress (rich): fits the terminal's width with counts and ETA; plain lines elsewhere."""

from __future__ import annotations

import io
import re

from rich.console import Console

from suite.pipeline.progress import Progress, fmt_eta

LONG = (
    "runs queued 12 running 4 done 80 · runners busy 4/4 · API 234 counted, 12 304 · 4766 left · "
    "governor: pacing 1.0 s between mutations"
)


def _lines(out: str) -> list[str]:
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    return [line for line in plain.replace("\r", "\n").splitlines() if line.strip()]


def test_a_terminal_line_fits_the_width_and_keeps_counts_and_eta() -> None:
    for width in (80, 60):
        buf = io.StringIO()
        progress = Progress(console=Console(file=buf, force_terminal=True, width=width))
        for done in (1, 60, 120):
            progress.update(LONG, force=True, count=("dispatch", done, 120, 95.4))
        progress.update("waiting for runs: " + LONG, force=True)
        progress.done("dispatched 120 workflows")
        lines = _lines(buf.getvalue())
        assert all(len(line) <= width for line in lines), lines
        assert any(line.startswith("dispatch ") and "60/120 · ETA 1m35s" in line for line in lines)
        assert lines[-1] == "dispatched 120 workflows"


def test_elsewhere_each_update_is_a_plain_line() -> None:
    buf = io.StringIO()
    progress = Progress(console=Console(file=buf, force_terminal=False, width=80))
    progress.update(LONG, force=True, count=("dispatch", 60, 120, 95.4))
    progress.update("waiting for runs: queued 3", force=True)
    progress.done("collected 120 runs, 120 jobs")
    assert buf.getvalue().splitlines() == [
        f"dispatch 60/120 · ETA 1m35s · {LONG}",
        "waiting for runs: queued 3",
        "collected 120 runs, 120 jobs",
    ]


def test_fmt_eta() -> None:
    assert fmt_eta(95.4) == "1m35s" and fmt_eta(-3) == "0m00s" and fmt_eta(3600) == "60m00s"

"""Terminal progress (rich): fields shortened then dropped by priority to fit the terminal's width; plain
lines elsewhere; the dispatched count from the ledger."""

from __future__ import annotations

import io
import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from suite.pipeline.progress import Progress, fmt_eta
from suite.pipeline.status_line import (
    BAR_WIDTH,
    SEP,
    Field,
    dispatched_line,
    fit,
    fmt_age,
    runners_field,
    runs_field,
)
from suite.rundir.ledger import dispatch_row, not_sent_row

T0 = 1_800_000_000.0


def line(busy: int = 4) -> list[Field]:
    return [
        Field("stage", 0, "dispatch 60/120"),
        Field("bar", 3, "", bar=(60, 120)),
        Field("eta", 1, "ETA 1m35s"),
        runs_field({"queued": 12, "in_progress": 4, "completed": 80, "missing": 0}, 3.4),
        runners_field(busy, 3, 4),
        Field("api", 4, "API 234 counted, 12 304 · 4766 left", "API 4766 left"),
        Field("governor", 5, "7/800 pts/min · waited 12 s (pacing 1.0 s between mutations)"),
    ]


def _lines(out: str) -> list[str]:
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    return [ln for ln in plain.replace("\r", "\n").splitlines() if ln.strip()]


def test_a_terminal_line_fits_the_width_keeping_the_most_important_fields() -> None:
    for width in (200, 120, 80, 60):
        buf = io.StringIO()
        progress = Progress(console=Console(file=buf, force_terminal=True, width=width), auto_refresh=False)
        progress.show(line(), force=True)
        progress.update("waiting for runs: " + "x" * 300, force=True)  # one long message: cut with …
        progress.done("dispatched 120 workflows")
        lines = _lines(buf.getvalue())
        assert all(cell_len(ln) <= width for ln in lines), lines
        assert lines[0].startswith("dispatch 60/120") and "ETA 1m35s" in lines[0]
        assert "runs 12" in lines[0] and "3 s ago" in lines[0].replace("3s ago", "3 s ago")
        assert lines[1].endswith("…")
        assert lines[-1] == "dispatched 120 workflows"
    wide = _lines(_render(200))[0]
    assert "runs 12 queued · 4 running · 80 done (3 s ago)" in wide
    assert "runners 4 busy of 4 configured, 3 online" in wide and "━" in wide
    narrow = _lines(_render(80))[0]
    assert narrow == "dispatch 60/120 · ETA 1m35s · runs 12q 4r 80d (3s ago) · busy 4/4"


def _render(width: int) -> str:
    buf = io.StringIO()
    progress = Progress(console=Console(file=buf, force_terminal=True, width=width), auto_refresh=False)
    progress.show(line(), force=True)
    progress.done()
    return buf.getvalue()


def test_elsewhere_each_update_is_a_plain_line_with_every_field() -> None:
    buf = io.StringIO()
    progress = Progress(console=Console(file=buf, force_terminal=False, width=80))
    progress.show(line(), force=True)
    progress.update("waiting for runs: queued 3", force=True)
    progress.done("collected 120 runs, 120 jobs")
    assert buf.getvalue().splitlines() == [
        "dispatch 60/120 · ETA 1m35s · runs 12 queued · 4 running · 80 done (3 s ago) · runners 4 busy of 4 "
        "configured, 3 online · API 234 counted, 12 304 · 4766 left · 7/800 pts/min · waited 12 s (pacing "
        "1.0 s between mutations)",
        "waiting for runs: queued 3",
        "collected 120 runs, 120 jobs",
    ]


def test_a_function_of_fields_is_drawn_fresh_each_time() -> None:
    """Given a function, the line is what the function says when drawn (rich re-draws it every second)."""
    buf = io.StringIO()
    ages = itertools.count(1)
    progress = Progress(console=Console(file=buf, force_terminal=True, width=80), auto_refresh=False)
    progress.show(lambda: [runs_field({"queued": 1}, next(ages))], force=True)
    progress.show(lambda: [runs_field({"queued": 1}, next(ages))], force=True)
    progress.done()
    shown = [int(m) for m in re.findall(r"\((\d+) s ago\)", "\n".join(_lines(buf.getvalue())))]
    assert len(set(shown)) > 1 and shown == sorted(shown)  # each draw asks the function again


FIELDS = st.lists(
    st.builds(
        Field,
        name=st.just("f"),
        priority=st.integers(0, 5),
        full=st.text("abc ·é界", min_size=1, max_size=40),
        short=st.text("ab", max_size=10),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(fields=FIELDS, width=st.integers(1, 200))
def test_fit_keeps_to_the_width_and_to_the_priorities(fields: list[Field], width: int) -> None:
    chosen = fit(fields, width)
    shown = [f for f, _ in chosen]
    must = [f for f in fields if f.priority == 0]
    assert [f for f in shown if f.priority == 0] == must  # priority 0 is always shown
    used = sum(cell_len(t) for _, t in chosen) + cell_len(SEP) * max(0, len(chosen) - 1)
    must_width = sum(min(cell_len(f.full), cell_len(f.short) or 10**6) for f in must)
    must_width += cell_len(SEP) * max(0, len(must) - 1)
    if must_width <= width:
        assert used <= width
    # a field is dropped only when every less important one is dropped too
    rank = {id(f): (-f.priority, -i) for i, f in enumerate(fields)}
    dropped = [f for f in fields if all(f is not s for s in shown)]
    for f in dropped:
        assert not any(rank[id(g)] < rank[id(f)] for g in shown if g.priority > 0), (f, shown)
    # everything fits in full: nothing changes
    full = sum(cell_len(f.full) for f in fields) + cell_len(SEP) * max(0, len(fields) - 1)
    if full <= width:
        assert chosen == [(f, f.full) for f in fields]


def test_the_bar_counts_its_width() -> None:
    fields = [Field("stage", 0, "x" * 10), Field("bar", 3, "", bar=(1, 2))]
    assert len(fit(fields, 10 + len(SEP) + BAR_WIDTH)) == 2
    assert len(fit(fields, 10 + len(SEP) + BAR_WIDTH - 1)) == 1


def test_the_dispatched_count_is_what_was_sent() -> None:
    """After an abort at 59 of 87: 59, not the schedule's 87."""
    sent = [dispatch_row(i, f"t-{i:05d}", T0 + i, T0 + i, 204, None, None) for i in range(1, 60)]
    unsent = [
        not_sent_row(i, f"t-{i:05d}", T0 + i, "abort_on_fail: queue_time_s.p95 < 60") for i in range(60, 88)
    ]
    assert dispatched_line(sent + unsent) == (
        "dispatched 59 of 87 scheduled workflows (28 not sent: abort_on_fail: queue_time_s.p95 < 60)"
    )
    assert dispatched_line(sent) == "dispatched 59 workflows"


def test_fmt_eta_and_age() -> None:
    assert fmt_eta(95.4) == "1m35s" and fmt_eta(-3) == "0m00s" and fmt_eta(3600) == "60m00s"
    assert fmt_age(3.4) == "3 s ago" and fmt_age(-1) == "0 s ago" and fmt_age(600) == "10 min ago"

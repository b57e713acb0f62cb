"""The progress line's fields, and which of them fit a terminal's width.

A field has a priority (0: always shown; higher numbers give way first), its full text and, where one
exists, a shorter form. To fit a width, fields are shortened and dropped, the most expendable first
(see fit), then the most important get their full text back where it fits. What is left is never wider
than the width unless the priority-0 fields alone are (the renderer then ends them with …).
Widths are measured in terminal cells, as rich measures them.

The fields of the run's line (suite.pipeline.live builds them from what it observed):

    dispatch 59/87 ━━━━━━━━━━━━━━━━━━━━ ETA 0m12s · runs 12 queued · 4 running · 40 done (3 s ago) ·
    runners 4 busy of 4 configured, 4 online · API 234 counted, 12 304 · 4766 left · <governor>
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len

SEP = " · "
BAR_WIDTH = 20


@dataclass(frozen=True)
class Field:
    name: str
    priority: int  # 0: always shown; higher numbers give way first
    full: str
    short: str = ""  # a shorter form, or "": dropped without one
    bar: tuple[int, int] | None = None  # (done, total): drawn as a progress bar BAR_WIDTH cells wide

    def width(self, text: str) -> int:
        return BAR_WIDTH if self.bar is not None else cell_len(text)


SHORTEN_BEFORE = 2  # a field is shortened before any field up to 2 priorities less important is dropped


def fit(fields: Sequence[Field], width: int) -> list[tuple[Field, str]]:
    """The fields to show at `width` cells, in line order, each with the text chosen for it.

    Until the line fits, one step at a time, the most expendable first: dropping a field of priority p,
    or shortening one of priority p - SHORTEN_BEFORE (the ETA and the runs keep their place by taking
    their short form before the runners are dropped; the governor's text is dropped before they are
    shortened); on a tie, shortening first and the later field first. Then the most important fields
    get their full text back where it fits. Priority 0 is never dropped."""
    texts = {i: f.full for i, f in enumerate(fields)}

    def used() -> int:
        shown = [fields[i].width(t) for i, t in texts.items()]
        return sum(shown) + cell_len(SEP) * max(0, len(shown) - 1)

    steps = [(f.priority + SHORTEN_BEFORE, 1, i) for i, f in enumerate(fields)]
    steps += [(f.priority, 0, i) for i, f in enumerate(fields) if f.priority > 0]
    for _, shorten, i in sorted(steps, reverse=True):
        if used() <= width:
            break
        f = fields[i]
        if shorten and i in texts and f.short and cell_len(f.short) < cell_len(f.full):
            texts[i] = f.short
        elif not shorten:
            texts.pop(i, None)
    for i in sorted(texts, key=lambda i: (fields[i].priority, i)):  # the most important first
        if texts[i] != fields[i].full:
            texts[i] = fields[i].full
            if used() > width:
                texts[i] = fields[i].short
    return [(fields[i], t) for i, t in sorted(texts.items())]


def plain(fields: Sequence[Field]) -> str:
    """The whole line without a terminal (a log line): every field in full, no bar."""
    return SEP.join(f.full for f in fields if f.bar is None and f.full)


def counts(done: int, total: int) -> str:
    return f"{done}/{total}"


def fmt_eta(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


def fmt_age(seconds: float) -> str:
    """How long ago a figure was read, in whole real seconds (minutes past two)."""
    whole = max(0, round(seconds))
    return f"{whole} s ago" if whole < 120 else f"{whole // 60} min ago"


def runs_field(counts_: dict[str, int], age_s: float | None) -> Field:
    """Runs by status as last polled, with the poll's age (real seconds)."""
    q, r, d = counts_.get("queued", 0), counts_.get("in_progress", 0), counts_.get("completed", 0)
    missing = counts_.get("missing", 0)
    unseen = f" · {missing} not listed yet" if missing else ""
    unseen_short = f" {missing}?" if missing else ""
    age = f" ({fmt_age(age_s)})" if age_s is not None else ""
    age_short = f" ({fmt_age(age_s).replace(' s ago', 's ago')})" if age_s is not None else ""
    return Field(
        "runs",
        1,
        f"runs {q} queued · {r} running · {d} done{unseen}{age}",
        f"runs {q}q {r}r {d}d{unseen_short}{age_short}",
    )


def runners_field(busy: int, online: int, configured: int | None) -> Field:
    """Busy runners against the configured count (online beside it, never instead of it)."""
    if configured is None:
        return Field("runners", 2, f"runners {busy} busy · {online} online", f"busy {busy}/{online} online")
    return Field(
        "runners",
        2,
        f"runners {busy} busy of {configured} configured, {online} online",
        f"busy {busy}/{configured}",
    )


def dispatched_line(ledger: Iterable[dict[str, Any]]) -> str:
    """What the dispatch stage did, from its ledger rows: sent, of scheduled, and why the rest were not."""
    rows = list(ledger)
    sent = sum(1 for r in rows if r.get("sent_at") is not None)
    if sent == len(rows):
        return f"dispatched {sent} workflows"
    reasons = sorted(
        {str(r.get("error") or "").removeprefix("not dispatched: ") for r in rows if r.get("sent_at") is None}
    )
    unsent = f"{len(rows) - sent} not sent: {'; '.join(reasons)}"
    return f"dispatched {sent} of {len(rows)} scheduled workflows ({unsent})"

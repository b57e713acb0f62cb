"""User-controlled text (job, workflow, runner and profile names, run titles, reasons that carry them)
made safe for each view: one line of printable text, then Markdown (summary.md), a CSV cell
(jobs.csv) or the terminal. report.html escapes with html.escape where it writes.

Markdown: every character that could start markup a name has no business making is backslash-escaped
(CommonMark: any ASCII punctuation may be): table pipes, backticks, link and image brackets, the `<`
of an HTML tag, comment or autolink, an entity's `&`, and at the start of a block the characters that
open a heading, a quote, a list, a thematic break or a setext underline. Emphasis (`*`, `_`) inside
the text is left alone: it cannot break a table or add a link, and escaping it would garble every
snake_case name in the raw file.

CSV: OWASP's CSV-injection guidance: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is read by spreadsheets as a formula, so it gets a leading `'`; a text cell already starting
with `'` gets one more, so reading back is exact (drop one leading `'`). Numbers stay numbers: a
negative figure is written as the number it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_QUOTE = "'"
# the bidirectional controls that reorder what a reader sees (Trojan Source)
BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))
_SHOWN_AS = {"Cc": " ", "Zl": " ", "Zp": " ", "Cs": "\ufffd"}
_MD_ALWAYS = re.compile(r"([\\`|\[\]])")
_MD_TAG = re.compile(r"<(?=[A-Za-z/!?])")  # an HTML tag, comment, declaration or autolink
_MD_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_MD_BLOCK_START = re.compile(r"^([#>+=*_~-]|[0-9]{1,9}(?=[.)]))")


def one_line(value: Any) -> str:
    """The text on one line: line breaks and other control characters become spaces, bidirectional
    controls are dropped (a name can neither start a line of its own nor reorder the text around it),
    a lone surrogate (JSON allows `\\ud800`; no encoder writes it) is U+FFFD."""
    text = str(value).translate(BIDI)
    if text.isprintable():
        return text
    return "".join(_SHOWN_AS.get(unicodedata.category(ch), ch) for ch in text)


def md_text(value: Any, *, block_start: bool = False) -> str:
    """Text for summary.md: a table cell or running text (`block_start`: it opens a list item or a
    quote, where a leading `#`, `>`, `-`, `+`, `1.` would open another block)."""
    text = _MD_ALWAYS.sub(r"\\\1", one_line(value))
    text = _MD_ENTITY.sub(r"\\&", _MD_TAG.sub(r"\\<", text))
    if block_start:
        text = text.lstrip(" ")
        match = _MD_BLOCK_START.match(text)
        if match:
            head = match.group(1)
            text = f"{head}\\{text[len(head) :]}" if head[0].isdigit() else f"\\{text}"
    return text


def md_code(value: Any) -> str:
    """Text as a Markdown code span outside a table (backslashes are literal inside one): fenced by
    more backticks than any run in the text, padded when the text starts or ends with one (an empty
    text is a space: two backticks alone would be text, not a span)."""
    text = one_line(value) or " "
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_prose(value: Any, *, block_start: bool = False) -> str:
    """A sentence of ours that quotes names between backticks (a verdict reason: threshold `EXPR`
    failed, run `suite collect DIR`): each quoted part is a code span (md_code), the rest md_text. With
    an odd number of backticks nothing is taken for a quote."""
    parts = one_line(value).split("`")
    if len(parts) % 2 == 0:
        return md_text(value, block_start=block_start)
    out = [
        md_code(p) if i % 2 else md_text(p, block_start=block_start and i == 0) for i, p in enumerate(parts)
    ]
    return "".join(out)


def csv_cell(value: Any) -> Any:
    """A jobs.csv cell: None is an empty cell, a number stays a number, text never starts like a formula
    (line breaks stay: the csv module quotes them, and a reader gets the text back exactly)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith((*FORMULA_START, CSV_QUOTE)):
        return CSV_QUOTE + text
    return text


_CSV_SPECIAL = (*FORMULA_START, CSV_QUOTE)


def csv_cells(values: Iterable[Any]) -> list[Any]:
    """csv_cell of each value, a column at a time (a text that needs nothing is kept as it is)."""
    return [v if type(v) is str and not v.startswith(_CSV_SPECIAL) else csv_cell(v) for v in values]


def terminal_text(value: Any) -> str:
    """Text for the terminal: no escape sequence (ESC, CSI and every other control character is a
    space), no bidirectional control, one line."""
    return one_line(value)

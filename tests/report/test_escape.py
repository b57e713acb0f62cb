"""suite.report.escape: properties of the Markdown, CSV and terminal escaping of user-controlled text,
checked with a real CommonMark parser (markdown-it-py, with GFM tables) and Python's csv reader."""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from suite.report.escape import FORMULA_START, csv_cell, md_code, md_prose, md_text, one_line, terminal_text
from suite.report.jobs_csv import write_jobs_csv
from suite.report.markdown import _table

MARKUP = ("link_open", "image", "html_inline", "html_block", "code_inline", "heading_open", "blockquote_open")
# hostile pieces hypothesis mixes into names, beside any other text
PIECES = st.sampled_from(
    ["|", "`", "``", "[x](http://e)", "![i](http://e/i.png)", "<img src=x onerror=alert(1)>", "<script>",
     "</td>", "<!--", "&#124;", "&lt;", "\\", "\\|", "\n", "\r\n", "# ", "> ", "- ", "+ ", "1. ", "=", "---",
     "<http://e>", "___", "* * *", "\x1b[31m", "\u2028", "\t", "    ", "*", "_", "~~~", "[a]: http://e"]
)  # fmt: skip
names = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=8).map("".join)
md = MarkdownIt("commonmark").enable("table")


def tokens(text: str) -> list[Any]:
    out = []
    for token in md.parse(text):
        out.append(token)
        out.extend(token.children or [])
    return out


def cell_texts(source: str) -> list[list[str]]:
    """The table's cells as markdown-it reads them (header row first)."""
    rows: list[list[str]] = []
    for token in md.parse(source):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(
                "".join(c.content for c in token.children or [] if c.type in ("text", "softbreak"))
            )
    return rows


@settings(max_examples=300, deadline=None)
@given(names, names)
def test_a_markdown_table_cell_never_breaks_the_table(name: str, other: str) -> None:
    source = _table([[name, "1.00"], ["-2.50", other]], ["name", "value"])
    found = tokens(source)
    assert [t.type for t in found].count("table_open") == 1
    assert not [t.type for t in found if t.type in MARKUP]
    rows = cell_texts(source)
    assert [len(r) for r in rows] == [2, 2, 2]  # no pipe in a name adds or removes a column
    if not any(ch in name + other for ch in "*_"):  # emphasis is left as is (see suite.report.escape)
        assert rows[1][0] == one_line(name).strip() and rows[2][1] == one_line(other).strip()
    assert rows[2][0] == "-2.50"  # a number stays as it is


@settings(max_examples=200, deadline=None)
@given(names)
def test_a_list_item_stays_one_list_item_of_text(name: str) -> None:
    source = f"- {md_prose(name, block_start=True)}\n"
    found = [t.type for t in tokens(source)]
    assert found.count("bullet_list_open") == 1 and found.count("list_item_open") == 1
    assert found.count("paragraph_open") <= 1 and "ordered_list_open" not in found
    assert not [t for t in found if t in (*MARKUP[:4], "heading_open", "blockquote_open", "hr", "fence")]


@settings(max_examples=200, deadline=None)
@given(names)
def test_a_code_span_holds_the_whole_name(name: str) -> None:
    inline = [t for t in tokens(f"Profile {md_code(name)} ·\n") if t.type == "code_inline"]
    assert len(inline) == 1
    assert inline[0].content.strip() == one_line(name).strip() or not one_line(name).strip()


def test_markdown_examples() -> None:
    assert md_text("a | b") == r"a \| b"
    assert md_text("[x](http://e)") == r"\[x\](http://e)"
    assert md_text("<img src=x>") == r"\<img src=x>" and md_text("p95 < 60") == "p95 < 60"
    assert md_text("line\nbreak") == "line break"
    assert md_text("# head", block_start=True) == r"\# head" and md_text("# head") == "# head"
    assert md_text("12. twelve", block_start=True) == r"12\. twelve"
    assert md_prose("threshold `jobs['a|b'].p95 < 1` failed") == "threshold `jobs['a|b'].p95 < 1` failed"
    assert md_code("a`b") == "``a`b``"


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_round_trips_through_a_csv_reader_and_never_starts_a_formula(text: str) -> None:
    out = io.StringIO(newline="")
    write_jobs_csv(out, [{"name": text, "id": 1}])
    (header, row) = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    cell = row[header.index("name")]
    assert isinstance(cell, str) and row[header.index("id")] == "1"
    assert not cell.startswith(FORMULA_START)
    assert (cell[1:] if cell.startswith("'") else cell) == text  # exact: drop one leading '


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_numbers_stay_numbers(value: float) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([csv_cell(value)])
    cell = out.getvalue().strip()
    assert float(cell) == value or math.isclose(float(cell), value)
    assert csv_cell(None) == "" and csv_cell(-1.5) == -1.5 and csv_cell("-1.5") == "'-1.5"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_terminal_text_carries_no_control_character(text: str) -> None:
    shown = terminal_text(text)
    assert not [ch for ch in shown if unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs")]
    assert "\x1b" not in shown and "\x9b" not in shown and "\n" not in shown and "\u202e" not in shown

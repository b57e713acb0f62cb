"""Tables and prose for a terminal: fitted to its width when stdout is one, whole otherwise.

A table wider than the terminal is printed as one block per row (its label, then its cells as
`header value`, whole cells as many to a line as fit); prose lines wrap. Piped, output keeps its full
width (a log or a file is read with scrolling). `suite compare`, `validate-sizing` and `suite history`
print through it.
"""

from __future__ import annotations

import shutil
import sys
import textwrap

from tabulate import tabulate


def output_width() -> int | None:
    """The terminal's width when stdout is one (COLUMNS, when set, says it); None: no limit (a pipe, a
    file: COLUMNS alone is not a terminal, and test runners and CI set it)."""
    if sys.stdout.isatty():
        return max(40, shutil.get_terminal_size().columns)
    return None


def fitted_table(
    table: list[list[str]],
    headers: list[str],
    width: int | None,
    short: list[str] | None = None,
    label: int = 0,
) -> str:
    """`table` as tabulate's simple table; wider than `width`, one block per row instead: the cell at
    `label`, then the others as `header value` (`short` headers where given; a cell equal to its header
    alone), never split, as many to a line as fit, indented under it; empty cells left out."""
    text = tabulate(table, headers=headers, tablefmt="simple", disable_numparse=True)
    if width is None or max(len(line) for line in text.splitlines()) <= width:
        return text
    names = short or headers
    blocks = []
    for row in table:
        blocks.append(row[label])
        line = ""
        for i, (name, value) in enumerate(zip(names, row, strict=True)):
            if i == label or not value:
                continue
            cell = value if not name or value == name else f"{name} {value}"
            if line and len(line) + 2 + len(cell) > width:
                blocks.append(line)
                line = ""
            line = f"{line}  {cell}" if line else f"    {cell}"
        if line:
            blocks.append(line)
    return "\n".join(blocks)


def wrapped(line: str, width: int | None, indent: str = "    ") -> list[str]:
    if width is None or len(line) <= width:
        return [line]
    lead = line[: len(line) - len(line.lstrip())]
    return textwrap.wrap(line, width, subsequent_indent=lead + indent, break_on_hyphens=False) or [line]

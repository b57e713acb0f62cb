"""`suite compare` on a terminal fits its width: every line at most the width, nothing dropped."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from suite.decisions.compare.core import compare_dirs
from suite.decisions.compare.render import HEADERS, fitted_table, rows, terminal
from tests.helpers.decisions import fake_run


def _comparison(tmp_path: Path):
    base = fake_run(tmp_path, "p-a", [60.0 + i % 7 for i in range(30)])
    cand = fake_run(tmp_path, "p-b", [66.0 + i % 7 for i in range(30)])
    return compare_dirs(base, cand)


def test_at_80_columns_every_line_fits_and_every_cell_is_shown(tmp_path: Path) -> None:
    c = _comparison(tmp_path)
    text = terminal(c, 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    flat = " ".join(text.split())
    for row in rows(c):
        for cell in row:
            # a cell is split across lines only when it is longer than a line can hold
            assert cell in text if len(cell) <= 60 else " ".join(cell.split()) in flat
    assert text.splitlines()[-1] == f"verdict: {c.verdict.upper()}"


def test_without_a_width_the_table_keeps_its_columns(tmp_path: Path) -> None:
    text = terminal(_comparison(tmp_path), None)
    assert any(line.startswith("metric") and "p (Holm)" in line for line in text.splitlines())


@settings(max_examples=50)
@given(
    cells=st.lists(
        st.lists(
            st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=5,
    ),
    width=st.integers(40, 100),
)
def test_fitted_table_blocks_never_exceed_the_width(cells: list[list[str]], width: int) -> None:
    text = fitted_table(cells, ["name", "a", "b"], width)
    for line in text.splitlines():
        # a block line holds whole cells; only a single cell longer than the width can exceed it
        assert len(line) <= width or line.strip() in {c for row in cells for c in row[:1]} | {
            f"{h} {v}" for row in cells for h, v in zip(["a", "b"], row[1:], strict=True)
        }
    assert all(row[0] in text for row in cells)
    assert HEADERS[0] == "metric"


def test_history_at_80_columns_is_one_block_per_run(tmp_path: Path) -> None:
    from suite.decisions.history import list_runs, render

    _comparison(tmp_path)  # two run directories under tmp_path
    rows = list_runs(tmp_path)
    text = render(rows, 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    for r in rows:
        assert r["test_run_id"] in text.splitlines()  # each run's id heads its block
    assert render(rows, None).splitlines()[0].startswith("date (UTC)")  # piped: the whole table

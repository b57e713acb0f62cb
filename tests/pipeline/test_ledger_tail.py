"""LedgerTail: the live observer's incremental ledger read equals reading the whole file each time."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from suite.pipeline.abort import LedgerTail, read_ledger

ROW = st.fixed_dictionaries({"seq": st.integers(0, 10**6), "suite_id": st.text(max_size=8)})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(ROW, st.integers(0, 40)), max_size=12))
def test_each_look_equals_a_whole_read(tmp_path_factory, writes) -> None:
    path = Path(tmp_path_factory.mktemp("ledger")) / "ledger.jsonl"
    tail = LedgerTail(path)
    assert tail.rows() == []  # no file yet
    for row, cut in writes:
        line = (json.dumps(row) + "\n").encode()
        with path.open("ab") as f:  # a line in two parts: a look between sees whole rows only
            f.write(line[: min(cut, len(line) - 1)])
        assert tail.rows() == read_ledger(path)
        with path.open("ab") as f:
            f.write(line[min(cut, len(line) - 1) :])
        assert tail.rows() == read_ledger(path)
    assert len(tail.rows()) == len(writes)


def test_rows_is_a_copy(tmp_path) -> None:
    path = tmp_path / "ledger.jsonl"
    path.write_text('{"seq": 1}\n')
    tail = LedgerTail(path)
    first = tail.rows()
    first.append({"seq": 99})
    assert tail.rows() == [{"seq": 1}]

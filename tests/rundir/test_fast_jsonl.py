"""The fast columnar reader (suite.rundir.fast_jsonl) gives exactly what the line-by-line reader gives:
the same values of the rules' fields for every row, or the same error line (file, line number, what),
over generated files with missing, null and odd fields, unknown nested fields and damaged lines, read in
blocks small enough that one file spans many."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.errors import UsageError
from suite.rundir import fast_jsonl
from suite.rundir.fast_jsonl import FAST_KINDS, FIELDS, column_chunks
from suite.rundir.jsonio import iter_jsonl
from suite.rundir.readback import IsoStamps, row_check, row_rules

STAMPS = ["2027-01-15T08:00:05Z", "2027-01-15T08:00:00.177Z", "2027-02-30T08:00:00Z", "2027-01-15 08:00:05"]
ODD = st.sampled_from([True, 1.5, 1.0, -0, 2**63, "7", [], {"k": [1]}, "", None, 1e300])


def fields(kind: str) -> list[str]:
    return [k for k, _ in row_rules(kind, IsoStamps())] + [k for k, _ in FIELDS.get(kind, ())]


def value(kind: str) -> st.SearchStrategy[Any]:
    text = st.text(max_size=6) | st.sampled_from(["CpuUtilized", "é\u2028x", "\ud800", "a\x00b"])
    return {
        "int": st.integers(-(2**40), 2**40),
        "str": text,
        "number": st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False),
        "iso": st.sampled_from(STAMPS),
    }[kind]


@st.composite
def row(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, ok in row_rules(kind, IsoStamps()):
        how = draw(st.sampled_from(["good"] * 6 + ["null", "missing", "odd"]))
        if how == "good":
            out[key] = draw(value(fast_jsonl._rule_type(ok)[1]))
        elif how == "null":
            out[key] = None
        elif how == "odd":
            out[key] = draw(ODD)
    if draw(st.booleans()):
        out["extra"] = draw(st.recursive(st.integers() | st.text(max_size=3), st.lists, max_leaves=5))
    if kind == "ledger" and draw(st.booleans()):
        out["error"] = draw(st.none() | st.text(max_size=5) | ODD)
    return out


RAW = [
    b"",
    b"   ",
    b"null",
    b"[1]",
    b'{"seq": NaN}',
    b"\xef\xbb\xbf{}",
    b"{} {}",
    b'{"a":\n1}',
    b"\xff",
    b"{",
]


@st.composite
def jsonl(draw: st.DrawFn, kind: str) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 30)) == 0:
            lines.append(draw(st.sampled_from(RAW)))
        else:
            lines.append(
                json.dumps(draw(row(kind)), ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
            )
    end = draw(st.sampled_from([b"\n", b"\n", b"\r\n", b""]))
    return b"\n".join(lines) + (end if lines else b"")


def line_by_line(path: Path, kind: str) -> tuple[str, Any]:
    try:
        rows = list(iter_jsonl(path, row_check(kind)))
    except UsageError as exc:
        return "error", str(exc)
    return "rows", {k: [r.get(k) for r in rows] for k in fields(kind)}


def fast(path: Path, kind: str) -> tuple[str, Any]:
    try:
        chunks = list(column_chunks(path, kind))
    except UsageError as exc:
        return "error", str(exc)
    return "rows", {k: [v for c in chunks for v in c[k]] for k in fields(kind)}


@pytest.mark.parametrize("kind", FAST_KINDS)
def test_the_fast_reader_equals_the_line_by_line_reader(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    @settings(max_examples=60, deadline=None)
    @given(data=jsonl(kind), block=st.sampled_from([64, 300, 1 << 20]), long_line=st.sampled_from([2048, 1]))
    def check(data: bytes, block: int, long_line: int) -> None:
        monkeypatch.setattr(fast_jsonl, "BLOCK", block)
        monkeypatch.setattr(fast_jsonl, "LONG_LINE", long_line)  # 1: every block read line by line
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{kind}.jsonl"
            path.write_bytes(data)
            assert fast(path, kind) == line_by_line(path, kind)

    check()


def test_good_rows_are_read_fast_and_a_damaged_block_names_its_line(tmp_path: Path, monkeypatch) -> None:
    good = {"task_id": "t", "metric": "CpuUtilized", "timestamp": STAMPS[0], "value": 1.5}
    path = tmp_path / "metrics.jsonl"
    path.write_text("".join(json.dumps(good) + "\n" for _ in range(5000)))
    slow: list[int] = []
    monkeypatch.setattr(fast_jsonl, "_line_by_line", lambda *a: slow.append(1))
    chunks = list(column_chunks(path, "metrics"))
    assert sum(len(c["value"]) for c in chunks) == 5000 and not slow  # no block read line by line
    monkeypatch.undo()
    path.write_text("".join(json.dumps(good) + "\n" for _ in range(4000)) + "null\n" + json.dumps(good))
    with pytest.raises(UsageError, match=r"metrics.jsonl:4001: damaged: not a JSON object"):
        list(column_chunks(path, "metrics"))

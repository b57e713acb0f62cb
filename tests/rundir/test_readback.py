"""The read side of the run directory: row checks and the JSON readers (suite.rundir.readback, jsonio)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.errors import UsageError
from suite.isotime import parse_iso
from suite.rundir import readback
from suite.rundir.jsonio import iter_jsonl, read_json, read_jsonl
from suite.rundir.paths import RunDir
from suite.rundir.readback import ROW_KINDS, IsoStamps, check_for_collect, row_check, row_rules

STAMPS = [
    "2026-11-26T06:57:00Z",
    "2026-11-26T06:57:00.125Z",
    "2026-11-26T06:57:00+00:00",
    "2026-02-30T00:00:00Z",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "x", "high", "yesterday", "25:00", *STAMPS]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(
        st.sampled_from(["taskArn", "createdAt", "lastStatus"]), st.sampled_from([None, 1, *STAMPS])
    ),
)


def rules_hold(kind: str, row: dict[str, Any]) -> bool:
    """The rules one by one: the statement the compiled check must agree with."""
    return all(ok(row.get(key)) for key, ok in row_rules(kind, IsoStamps()))


@st.composite
def rows(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    keys = [key for key, _ in row_rules(kind, IsoStamps())]
    present = draw(st.lists(st.sampled_from(keys), unique=True))
    return {key: draw(VALUES) for key in present} | {"extra": draw(VALUES)}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ROW_KINDS).flatmap(lambda k: st.tuples(st.just(k), st.lists(rows(k), max_size=6))))
def test_the_compiled_check_agrees_with_the_rules(kind_rows: tuple[str, list[dict[str, Any]]]):
    kind, batch = kind_rows
    check = row_check(kind)  # one per file: its memo of stamps carries from row to row
    for row in batch:
        wrong = check(row)
        assert (wrong is None) == rules_hold(kind, row), (row, wrong)
        if wrong is not None:
            assert wrong.startswith("`") and "high" not in wrong and "yesterday" not in wrong  # no value


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30) | st.sampled_from(STAMPS))
def test_a_stamp_is_valid_exactly_when_the_iso_parser_reads_it(value: str):
    try:
        parsed = math.isfinite(parse_iso(value))
    except (ValueError, OverflowError, OSError):
        parsed = False
    assert IsoStamps().is_iso(value) == parsed


def test_bool_is_not_an_integer_and_nan_is_not_a_number():
    check = row_check("metrics")
    row = {"task_id": "t", "metric": "CpuUtilized", "timestamp": STAMPS[0], "value": 1.0}
    assert check(row) is None
    assert check(row | {"value": math.nan}) == "`value` is not a finite number or null (a non-finite number)"
    assert row_check("jobs")({"id": True, "run_id": 1}) == "`id` is not an integer (a boolean)"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_jsonl_skips_blank_lines_and_names_the_line_of_each_damage(tmp_path: Path):
    good = b'{"id": 1, "run_id": 2}\n'
    assert (
        read_jsonl(write(tmp_path / "a.jsonl", good + b"\n  \n" + good), row_check("jobs"))
        == [{"id": 1, "run_id": 2}] * 2
    )
    cases = {
        b"[1]\n": "not a JSON object",
        b'{"id": NaN, "run_id": 1}\n': "not a JSON value the suite writes",
        b'{"id": null, "run_id": 1}\n': "`id` is not an integer (a null)",
        b'{"id": 1, "run_id": 1, "started_at": "x"}\n': "`started_at` is not an ISO-8601 timestamp or null",
        b"[" * 100_000 + b"\n": "not a JSON",
        b'{"id": 1, "run_id": "\xff"}\n': "not UTF-8 text",
    }
    for bad, what in cases.items():
        path = write(tmp_path / "jobs.jsonl", good * 9000 + bad + good)  # past the decoder's first block
        with pytest.raises(UsageError) as err:
            read_jsonl(path, row_check("jobs"))
        assert str(err.value).startswith(f"{path}:9001: ") and what in str(err.value), str(err.value)
        assert "\n" not in str(err.value)


def test_json_names_the_file_and_line_and_never_echoes_content(tmp_path: Path):
    secret = b"ghp_" + b"s" * 36
    for data, what in (
        (b'{"a": 1,\n "b": ' + secret + b"}", ":2: damaged: not JSON"),
        (b"", ":1: damaged: empty"),
        (b'{\n"a": "\xff"}', ":2: damaged: not UTF-8 text"),
    ):
        path = write(tmp_path / "x.json", data)
        with pytest.raises(UsageError) as err:
            read_json(path)
        assert str(err.value).startswith(f"{path}{what}") and "ghp_" not in str(err.value)
    (tmp_path / "d.json").mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        read_json(tmp_path / "d.json")
    with pytest.raises(UsageError, match="is a directory"):
        list(iter_jsonl(tmp_path / "d.json"))
    assert json.loads("1") == read_json(write(tmp_path / "one.json", b"1"))


def test_collect_leaves_a_torn_last_ledger_line_to_its_repair_and_refuses_any_other(tmp_path: Path):
    rd = RunDir(tmp_path / "run").create()
    row = {"seq": 1, "suite_id": "s-1", "scheduled_at": STAMPS[1], "sent_at": None, "status": None}
    whole = (json.dumps(row) + "\n").encode()
    ledger = write(rd.file("ledger.jsonl"), whole * 3 + whole[:20])  # killed mid-append: no newline
    check_for_collect(rd)  # not refused here: suite collect repairs (or names) it
    assert len(list(iter_jsonl(ledger, row_check("ledger"), torn_tail=True))) == 3
    with pytest.raises(UsageError, match=r"ledger.jsonl:4: damaged: not a JSON line"):
        read_jsonl(ledger)  # every other reader still names it
    write(rd.file("ledger.jsonl"), whole + whole[:20] + b"\n" + whole)  # torn in the middle: damage
    with pytest.raises(UsageError, match=r"ledger.jsonl:2: .*then run `suite collect`"):
        check_for_collect(rd)


def test_the_stamp_memo_stays_bounded_and_still_checks(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(readback, "STAMP_MEMO", 4)
    stamps, check = IsoStamps(), row_check("ledger")
    for ms in range(10):
        stamp = f"2026-11-26T06:57:00.{ms:03d}Z"
        assert stamps.is_iso(stamp) and len(stamps.good) <= 4 and {None, ""} <= stamps.good_or_null
        assert check({"seq": ms, "suite_id": "s", "scheduled_at": stamp, "sent_at": stamp}) is None
    row = {"seq": 1, "suite_id": "s", "scheduled_at": "2026-11-26T06:57:00.001Z"}
    assert check(row | {"sent_at": "x"}) == "`sent_at` is not an ISO-8601 timestamp or null (a string)"
    assert check(row | {"sent_at": None}) is None

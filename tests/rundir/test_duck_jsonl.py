"""DuckDB's whole-file read of raw/jobs.jsonl and raw/runs.jsonl (suite.rundir.duck_jsonl), with the
line-by-line reader as its fallback (suite.pipeline.analysis.Deferred), gives exactly what the
line-by-line reader gives: the same values of the rules' fields and GitHub's kept fields for every
row, the same steps per job id (its last copy's), or the same error line, over generated files with
missing, null and odd fields, odd steps and damaged lines."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.steps import StepTap, step_columns
from suite.errors import UsageError
from suite.pipeline.analysis import Deferred
from suite.rundir import duck_jsonl
from suite.rundir.column_chunks import ColumnChunks, StepColumns
from suite.rundir.duck_jsonl import DUCK_KINDS, EXTRA, _encoded, _from_dictionary, duck_chunks
from suite.rundir.jsonio import iter_jsonl
from suite.rundir.readback import IsoStamps, row_check, row_rules

STAMPS = [
    "2027-01-15T08:00:05Z",
    "2027-01-15T08:00:00.177Z",
    "2027-02-30T08:00:00Z",
    "2027-01-15 08:00:05",
    "",
]
ODD = st.sampled_from([True, 1.5, 1.0, -0, 2**63, "7", [], {"k": [1]}, "", None, 1e300, ["a", 1]])
TEXT = st.text(max_size=6) | st.sampled_from(["run", "é\u2028x", "\ud800", "a\x00b", 'q"\\'])


def fields(kind: str) -> list[str]:
    return [k for k, _ in row_rules(kind, IsoStamps())] + [k for k, _ in EXTRA.get(kind, ())]


def numbers(kind: str, columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The columns with a number field's values as floats (None kept): what the analysis takes of them
    (DuckDB reads an integer as a float too)."""
    floats = {k for k, ok in row_rules(kind, IsoStamps()) if _kind(ok) == "number"}
    return {k: [v if v is None or k not in floats else float(v) for v in col] for k, col in columns.items()}


def _rule_name(rule: Any) -> str:
    return str(getattr(rule, "__name__", ""))


def _kind(rule: Any) -> str:
    name = rule if isinstance(rule, str) else getattr(rule, "__name__", "")
    return name.partition("_")[2]


CLEAN_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=6) | st.sampled_from(
    ["run", "a\x00b"]
)


def value(kind: str, odd: bool = True) -> st.SearchStrategy[Any]:
    """A value of the rule's type; odd=False: one DuckDB reads too (no lone surrogate, no stamp the
    rules refuse)."""
    text = TEXT if odd else CLEAN_TEXT
    return {
        "int": st.integers(1, 6) | st.integers(-(2**40), 2**40),
        "str": text,
        "iso": st.sampled_from(STAMPS if odd else [STAMPS[0], STAMPS[1], ""]),
        "labels": st.lists(text, max_size=3),
        "number": st.floats(allow_nan=False, allow_infinity=False)
        | st.integers(-(2**70), 2**70)
        | st.sampled_from([0.1, -0.0, 1e300, 5]),
    }[kind]


@st.composite
def step(draw: st.DrawFn, odd: bool = True) -> Any:
    if odd and draw(st.integers(0, 40)) == 0:
        return draw(ODD)  # not an object
    out: dict[str, Any] = {}
    for key, kind in (("number", "int"), ("name", "str"), ("conclusion", "str")):
        how = draw(st.sampled_from(["good"] * 15 + ["null", "missing"] + ["odd"] * odd))
        if how == "good":
            out[key] = draw(
                value(kind, odd) if key != "conclusion" else st.sampled_from(["success", "failure"])
            )
        elif how != "missing":
            out[key] = None if how == "null" else draw(ODD)
    for key in ("started_at", "completed_at"):
        if draw(st.integers(0, 5)):
            out[key] = draw(st.sampled_from([*STAMPS[: 3 if odd else 2], None, "", "2027-01-15T08:00:09Z"]))
    return out


@st.composite
def row(draw: st.DrawFn, kind: str, odd: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rules = [(k, _rule_name(ok)) for k, ok in row_rules(kind, IsoStamps())] + list(EXTRA.get(kind, ()))
    for key, name in rules:
        rule, required = _kind(name), name.startswith("is_")
        # a row that is not odd keeps its required fields (the ledger has three): most such files read
        how = draw(
            st.sampled_from(["good"] * 30 + ["null", "missing"] * (odd or not required) + ["odd"] * odd)
        )
        if how == "good" and required and rule == "iso":
            out[key] = draw(st.sampled_from(STAMPS if odd else STAMPS[:2]))  # "" is no required stamp
        elif how == "good":
            out[key] = draw(value(rule, odd))
        elif how == "null":
            out[key] = None
        elif how == "odd":
            out[key] = draw(ODD)
    if kind == "jobs" and draw(st.integers(0, 3)):
        out["steps"] = draw(
            st.none() | st.lists(step(odd), max_size=4) | st.sampled_from([[], "x" if odd else []])
        )
    if draw(st.booleans()):
        out["extra"] = draw(st.recursive(st.integers() | st.text(max_size=3), st.lists, max_leaves=5))
    return out


RAW = [b"", b"   ", b"null", b"[1]", b'{"id": NaN}', b"\xef\xbb\xbf{}", b"{} {}", b'{"a":\n1}', b"\xff", b"{"]
RAW += [b'{"id": 1, "id": 2}', b'{"id": 1, "run_id": 2.0}']


@st.composite
def jsonl(draw: st.DrawFn, kind: str) -> bytes:
    odd = draw(st.integers(0, 2)) == 0  # a third: odd values or damaged lines; the rest: most DuckDB reads
    lines = []
    for _ in range(draw(st.integers(0, 10))):
        if odd and draw(st.integers(0, 30)) == 0:
            lines.append(draw(st.sampled_from(RAW)))
        else:
            text = json.dumps(draw(row(kind, odd)), ensure_ascii=draw(st.booleans()))
            lines.append(text.encode("utf-8", "surrogatepass"))
    end = draw(st.sampled_from([b"\n", b"\n", b"\r\n", b""]))
    return b"\n".join(lines) + (end if lines else b"")


def steps_by_job(steps: StepColumns) -> dict[int, list[tuple[Any, ...]]]:
    out: dict[int, list[tuple[Any, ...]]] = {}
    for i in range(len(steps)):
        out.setdefault(int(steps.job_id[i]), []).append(
            (
                int(steps.number[i]) if steps.has_number[i] else None,
                steps.name_values[steps.name[i]],
                steps.conclusion_values[steps.conclusion[i]],
                None if np.isnan(steps.duration[i]) else float(steps.duration[i]),
            )
        )
    return out


def line_by_line(path: Path, kind: str) -> tuple[str, Any]:
    try:
        rows = list(iter_jsonl(path, row_check(kind)))
    except UsageError as exc:
        return "error", str(exc)
    columns = numbers(kind, {k: [r.get(k) for r in rows] for k in fields(kind)})
    if kind == "jobs":
        tap = StepTap()
        list(tap.rows(rows))
        return "rows", (columns, steps_by_job(step_columns(tap.by_job)))
    return "rows", columns


def deferred(path: Path, kind: str, taken: list[int] | None = None) -> tuple[str, Any]:
    try:
        if taken is not None and duck_chunks(path, kind) is not None:
            taken.append(1)  # DuckDB read it (runs' fallback, fast_jsonl, gives ColumnChunks too)
        read = Deferred(path, kind).read()
        if isinstance(read, ColumnChunks):
            chunks = list(read)
            columns = numbers(kind, {k: [v for c in chunks for v in c[k]] for k in fields(kind)})
            if kind == "jobs":
                assert read.steps is not None
                return "rows", (columns, steps_by_job(read.steps))
            return "rows", columns
    except UsageError as exc:
        return "error", str(exc)
    return line_by_line(path, kind)  # the fallback: the line-by-line reader itself


@pytest.mark.parametrize("batch_rows", [duck_jsonl.BATCH_ROWS, 3])
@pytest.mark.parametrize("kind", DUCK_KINDS)
def test_the_duckdb_reader_with_its_fallback_equals_the_line_by_line_reader(
    kind: str, batch_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read in one batch and in batches of 3 rows (a job id's copies and their steps in several)."""
    monkeypatch.setattr(duck_jsonl, "BATCH_ROWS", batch_rows)
    taken: list[int] = []  # the examples DuckDB read (the others went line by line)

    @settings(max_examples=120, deadline=None)
    @given(data=jsonl(kind))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{kind}.jsonl"
            path.write_bytes(data)
            assert deferred(path, kind, taken) == line_by_line(path, kind)

    check()
    assert len(taken) >= 30  # both paths were compared, not only the fallback with itself


GOOD_JOB = {
    "id": 1,
    "run_id": 7,
    "name": "build",
    "status": "completed",
    "conclusion": "failure",
    "started_at": "2027-01-15T08:00:05Z",
    "labels": ["self-hosted"],
    "steps": [
        {
            "number": 2,
            "name": "test",
            "conclusion": "failure",
            "started_at": "2027-01-15T08:00:06Z",
            "completed_at": "2027-01-15T08:00:09.500Z",
        },
        {
            "number": 1,
            "name": "Set up job",
            "conclusion": "success",
            "started_at": "2027-01-15T08:00:05Z",
            "completed_at": "2027-01-15T08:00:06Z",
        },
    ],
}


def test_a_step_stamp_that_is_no_time_is_read_as_not_observed_as_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    odd = {
        "number": 3,
        "name": "x",
        "started_at": "2027-02-30T08:00:05Z",
        "completed_at": "2027-01-15T08:00:09Z",
    }
    path.write_text(json.dumps({**GOOD_JOB, "steps": [*GOOD_JOB["steps"], odd]}) + "\n")
    read = duck_chunks(path, "jobs")
    assert read is not None and read.steps is not None  # read by DuckDB: the stamp parsed as Python does
    assert steps_by_job(read.steps)[1][2] == (3, "x", None, None)
    assert deferred(path, "jobs") == line_by_line(path, "jobs")


def test_good_jobs_are_read_by_duckdb_with_their_steps_in_order(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text("".join(json.dumps({**GOOD_JOB, "id": i}) + "\n" for i in range(1, 301)))
    read = duck_chunks(path, "jobs")
    assert read is not None and read.steps is not None
    assert sum(len(c["id"]) for c in read) == 300
    assert steps_by_job(read.steps)[5] == [(1, "Set up job", "success", 1.0), (2, "test", "failure", 3.5)]


@pytest.mark.parametrize(
    "damage",
    [
        {"run_id": 7.0},  # a float for an integer
        {"id": "1"},  # a string for an integer
        {"started_at": "2027-02-30T08:00:05Z"},  # no such day
        {"labels": ["a", 1]},  # a label that is not a string
        {"steps": [{"number": 1.5}]},  # a step number that is not an integer
        {"steps": [{"started_at": 5}]},  # a step stamp that is not a string
    ],
)
def test_a_damaged_field_sends_the_file_to_the_line_by_line_reader(
    tmp_path: Path, damage: dict[str, Any]
) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(json.dumps(GOOD_JOB) + "\n" + json.dumps({**GOOD_JOB, **damage}) + "\n")
    assert duck_chunks(path, "jobs") is None
    assert deferred(path, "jobs") == line_by_line(path, "jobs")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | st.sampled_from(["a", "b", "", "é"]), max_size=12))
def test_an_encoded_column_keeps_its_values_and_their_order_of_first_sight(values: list[str | None]) -> None:
    enc = _encoded(pa.array(values, pa.string()))
    assert enc.tolist() == values and list(enc) == values
    assert enc.distinct == list(dict.fromkeys(values))  # as Codes numbers them, in order of first sight


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "", "é", "zz"]), min_size=1, max_size=6),
    st.lists(st.none() | st.integers(0, 5), max_size=14),
)
def test_a_dictionary_column_is_encoded_as_its_texts_are(
    dictionary: list[str], picks: list[int | None]
) -> None:
    """A dictionary-encoded column (a field file's: its dictionary may hold values the batch lacks, in
    any order, even twice) gives what encoding its texts gives: the same distinct values in the same
    order of first sight, null where the first null is, and the same codes."""
    indices = pa.array([None if p is None else p % len(dictionary) for p in picks], pa.int32())
    column = pa.DictionaryArray.from_arrays(indices, pa.array(dictionary, pa.string()))
    got, expected = _from_dictionary(column), _encoded(column.dictionary_decode())
    assert got.distinct == expected.distinct
    assert got.codes.tolist() == expected.codes.tolist()
    assert got.tolist() == column.to_pylist()


def test_a_ledger_of_distinct_values_is_read_as_the_line_reader_reads_it(tmp_path: Path) -> None:
    """The ledger's suite_ids and millisecond stamps are all distinct: such columns come as lists (not
    Encoded); a repeated one (status's text, error) still comes encoded. Both equal the line reader."""
    path = tmp_path / "ledger.jsonl"
    rows = [
        {
            "seq": i,
            "suite_id": f"s-{i:05d}",
            "scheduled_at": f"2027-01-15T08:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z",
            "sent_at": None if i % 7 == 0 else f"2027-01-15T09:00:{i % 60:02d}.{(i * 7) % 1000:03d}Z",
            "status": None if i % 11 == 0 else 204,
            "workflow_run_id": i * 3,
            "error": "timeout" if i % 11 == 0 else None,
        }
        for i in range(300)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    read = duck_chunks(path, "ledger")
    assert read is not None
    chunk = next(iter(read))
    assert isinstance(chunk["suite_id"], list) and isinstance(chunk["scheduled_at"], list)
    assert not isinstance(chunk["error"], list)  # repeated: encoded
    assert deferred(path, "ledger") == line_by_line(path, "ledger")
    assert deferred(path, "ledger")[1]["sent_at"][:2] == [None, rows[1]["sent_at"]]

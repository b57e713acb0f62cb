"""raw/fields/ (suite.rundir.field_files): a raw file's read kept as Parquet and read instead of the file
while it describes it. Read from its field file, a file gives exactly what reading it gives (and so what
the line-by-line reader gives, tests/rundir/test_duck_jsonl.py), for the same generated files; a field
file that no longer describes its raw file (another size, another modification time, another reader), a
damaged one, one that could not be written, or one of a file DuckDB refuses, is never used."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings

from suite.errors import UsageError
from suite.pipeline.analysis import Deferred, keep_fields
from suite.rundir import duck_jsonl, field_files
from suite.rundir.column_chunks import ColumnChunks, Encoded
from suite.rundir.duck_jsonl import DUCK_KINDS, duck_chunks
from suite.rundir.field_files import fields_path
from suite.rundir.paths import RunDir
from tests.rundir.test_duck_jsonl import GOOD_JOB, fields, jsonl, line_by_line, numbers, steps_by_job


def read(path: Path, kind: str, field_file: Path) -> tuple[str, Any]:
    """What the analysis gets (Deferred), as comparable values; the line reader's when DuckDB refuses."""
    try:
        got = Deferred(path, kind, field_file).read()
        if not isinstance(got, ColumnChunks):
            return line_by_line(path, kind)
        chunks = list(got)
    except UsageError as exc:  # the fallback's error (runs: suite.rundir.fast_jsonl)
        return "error", str(exc)
    columns = numbers(kind, {k: [v for c in chunks for v in c[k]] for k in fields(kind)})
    if kind == "jobs":
        assert got.steps is not None
        return "rows", (columns, steps_by_job(got.steps))
    return "rows", columns


def parsed_never(monkeypatch: pytest.MonkeyPatch) -> None:
    """The raw files are not read again: reading one fails the test."""

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the raw file was parsed although its field file describes it")

    monkeypatch.setattr(duck_jsonl, "_read", refuse)


@pytest.mark.parametrize("kind", DUCK_KINDS)
def test_a_file_read_from_its_field_file_gives_what_reading_it_gives(kind: str) -> None:
    used: list[int] = []

    @settings(max_examples=80, deadline=None)
    @given(data=jsonl(kind))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path, field_file = Path(tmp) / f"{kind}.jsonl", Path(tmp) / "fields" / f"{kind}.parquet"
            path.write_bytes(data)
            expected = line_by_line(path, kind)
            assert read(path, kind, field_file) == expected  # the first read writes the field file
            if field_file.exists():
                with pytest.MonkeyPatch.context() as mp:
                    parsed_never(mp)
                    assert read(path, kind, field_file) == expected
                used.append(1)

    check()
    assert len(used) >= 20  # field files were written and read, not only refused files compared


def test_repeating_texts_are_kept_coded_and_read_back_coded_alike(tmp_path: Path) -> None:
    """A field file keeps a column of repeating texts dictionary-encoded (its texts hashed once, by the
    first read) and a column of distinct ones as texts; read back, each comes as the first read gave it:
    the same Encoded values in the same order of first sight, the same lists."""
    path, field_file = tmp_path / "jobs.jsonl", tmp_path / "fields" / "jobs.parquet"
    rows = [
        GOOD_JOB | {"id": i + 1, "name": f"job-{(i * 7) % 5}", "runner_name": f"r-{i}"} for i in range(3000)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    first = duck_chunks(path, "jobs", field_file)
    assert first is not None and field_file.is_file()
    schema = pq.read_schema(field_file)
    assert pa.types.is_dictionary(schema.field("name").type)
    assert pa.types.is_string(schema.field("runner_name").type)
    with pytest.MonkeyPatch.context() as mp:
        parsed_never(mp)
        again = duck_chunks(path, "jobs", field_file)
    assert again is not None
    for a, b in zip(first, again, strict=True):
        assert isinstance(a["name"], Encoded) and isinstance(b["name"], Encoded)
        assert (a["name"].distinct, a["name"].codes.tolist()) == (
            b["name"].distinct,
            b["name"].codes.tolist(),
        )
        assert a["runner_name"] == b["runner_name"] and isinstance(b["runner_name"], list)


def write_jobs(path: Path, n: int) -> None:
    rows = [GOOD_JOB | {"id": i + 1, "name": f"job-{i % 3}"} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture
def jobs_file(tmp_path: Path) -> tuple[Path, Path]:
    path, field_file = tmp_path / "jobs.jsonl", tmp_path / "fields" / "jobs.parquet"
    write_jobs(path, 5)
    read(path, "jobs", field_file)
    assert field_file.is_file() and field_file.with_name("jobs.steps.parquet").is_file()
    return path, field_file


def ids(path: Path, field_file: Path) -> list[int]:
    return read(path, "jobs", field_file)[1][0]["id"]


def test_a_field_file_of_another_size_is_not_used_and_is_written_anew(jobs_file: tuple[Path, Path]) -> None:
    path, field_file = jobs_file
    stamp = path.stat().st_mtime_ns
    write_jobs(path, 6)
    os.utime(path, ns=(stamp, stamp))  # the same modification time: the size alone tells
    assert ids(path, field_file) == [1, 2, 3, 4, 5, 6]
    meta = field_file_meta(field_file)
    assert meta[b"suite.source_size"] == str(path.stat().st_size).encode()


def field_file_meta(field_file: Path) -> dict[bytes, bytes]:
    meta = pq.ParquetFile(field_file).schema_arrow.metadata
    assert meta is not None
    return dict(meta)


def test_a_field_file_of_another_modification_time_is_not_used(
    jobs_file: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, field_file = jobs_file
    text, stamp = path.read_text(), path.stat().st_mtime_ns
    path.write_text(text.replace('"job-1"', '"job-9"'))  # the same size
    os.utime(path, ns=(stamp + 10**9, stamp + 10**9))  # a second later (never left to the clock's grain)
    assert ids(path, field_file) == [1, 2, 3, 4, 5]
    assert read(path, "jobs", field_file)[1][0]["name"] == ["job-0", "job-9", "job-2", "job-0", "job-9"]
    parsed_never(monkeypatch)  # written anew by that read: the next one takes it
    assert read(path, "jobs", field_file)[1][0]["name"][1] == "job-9"


def test_a_field_file_of_another_reader_is_not_used(
    jobs_file: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, field_file = jobs_file
    monkeypatch.setattr(duck_jsonl, "FORMAT", field_files.FORMAT + 1)
    calls: list[int] = []
    real = duck_jsonl._read

    def counted(*a: Any, **k: Any) -> Any:
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(duck_jsonl, "_read", counted)
    assert ids(path, field_file) == [1, 2, 3, 4, 5]
    assert calls == [1]


@pytest.mark.parametrize("damage", ["truncated", "steps missing", "not parquet", "pages"])
def test_a_damaged_field_file_is_not_used(jobs_file: tuple[Path, Path], damage: str) -> None:
    path, field_file = jobs_file
    steps = field_file.with_name("jobs.steps.parquet")
    if damage == "truncated":
        field_file.write_bytes(field_file.read_bytes()[:50])
    elif damage == "pages":  # the footer intact, the column chunks before it not Parquet's
        data = field_file.read_bytes()
        footer = int.from_bytes(data[-8:-4], "little") + 8
        field_file.write_bytes(b"PAR1" + b"\xff" * (len(data) - footer - 4) + data[-footer:])
    elif damage == "steps missing":
        steps.unlink()
    else:
        steps.write_text("{}")
    assert read(path, "jobs", field_file) == line_by_line(path, "jobs")


def test_a_file_duckdb_refuses_has_no_field_file(tmp_path: Path) -> None:
    path, field_file = tmp_path / "jobs.jsonl", tmp_path / "fields" / "jobs.parquet"
    path.write_text(json.dumps(GOOD_JOB) + "\n{torn\n")
    assert duck_chunks(path, "jobs", field_file) is None
    assert not field_file.parent.exists() or not any(field_file.parent.iterdir())


def test_a_field_file_that_cannot_be_written_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    write_jobs(path, 3)
    (tmp_path / "fields").write_text("a file where the directory would be")
    assert ids(path, tmp_path / "fields" / "jobs.parquet") == [1, 2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fields", "jobs.jsonl"]
    assert (tmp_path / "fields").is_file()


def test_a_file_changed_while_it_was_read_keeps_no_field_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, field_file = tmp_path / "jobs.jsonl", tmp_path / "fields" / "jobs.parquet"
    write_jobs(path, 3)
    real = duck_jsonl._read

    def appended_meanwhile(*a: Any, **k: Any) -> Any:
        got = real(*a, **k)
        with path.open("a") as f:
            f.write(json.dumps(GOOD_JOB | {"id": 4}) + "\n")
        return got

    monkeypatch.setattr(duck_jsonl, "_read", appended_meanwhile)
    assert ids(path, field_file) == [1, 2, 3]
    assert not field_file.exists()
    assert [p.name for p in field_file.parent.iterdir()] == []  # no temporary file left


def test_keep_fields_writes_the_field_file_of_every_file_duckdb_reads(tmp_path: Path) -> None:
    rd = RunDir(tmp_path / "run").create()
    write_jobs(rd.raw_file("jobs.jsonl"), 4)
    rd.raw_file("runs.jsonl").write_text(json.dumps({"id": 7, "status": "completed"}) + "\n")
    rd.file("ledger.jsonl").write_text("")  # empty: nothing to keep
    keep_fields(rd.path)
    kept = sorted(p.name for p in (rd.raw / "fields").iterdir())
    assert kept == ["jobs.parquet", "jobs.steps.parquet", "runs.parquet"]
    assert fields_path(rd.path, "ledger").parent == rd.raw / "fields"

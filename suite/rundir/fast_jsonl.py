"""The large flat raw files (raw/metrics.jsonl; ledger.jsonl and raw/runs.jsonl when suite.rundir.duck_jsonl
does not read them) read as columns by pyarrow's
JSON reader, a block of whole lines at a time: the fields the analysis reads (suite.rundir.readback's
rules for that file, plus FIELDS), every other field skipped without becoming a Python object; a file
never sits in memory whole, and the analysis gets columns, never a dict per row.

Each block is read fast only when the line-by-line reader (suite.rundir.jsonio.iter_jsonl with
row_check) would give the same rows; otherwise that block alone is read line by line, which gives its
rows or names the file and line of the damage exactly as before. The fast read of a block is refused
(and the block read line by line) when:

- a line starts with anything but `{` (a line that is not an object, a byte-order mark, an object over
  several lines, a blank line; pyarrow would take some of these, and crashes on a bare `null`), or the
  block holds a carriage return;
- the block holds `NaN` or `Infinity` anywhere (Python's decoder refuses them, pyarrow takes them);
- the block is not UTF-8 (pyarrow does not check fields it skips);
- pyarrow refuses it (a field of another type: a float or a boolean for an integer, a number for a
  string; a number too large; a torn line), or gives another number of rows than the block has lines
  starting with `{` (two objects on one line);
- a field the rules require is null or missing, or a timestamp is not one (suite.rundir.readback).

Lines of GitHub's whole objects (about 13 KB a run) are read line by line: there pyarrow, which still
parses every skipped field, costs more than Python's decoder (30,000 such runs: 3.9 s of CPU against
3.0 s), where on the compact rows it costs half or less (CPU: metrics 0.9 s against 1.6 s, the ledger
0.26 s against 0.76 s, runs 0.27 s against 0.44 s, at 100k jobs). DuckDB's read_json (yyjson) reads
those 30,000 runs in 0.7 s of CPU on one thread, but casts loosely (a number read as a string, a
boolean as a null integer) and takes NaN and a bare `null` line, so it stands in for the row rules
only with each field's JSON type checked too: suite.rundir.duck_jsonl does that for raw/jobs.jsonl and
raw/runs.jsonl, read whole by DuckDB first; raw/runs.jsonl comes here when DuckDB does not read it.

Known difference: a value nested deeper than Python's recursion limit inside a field the analysis does
not read is refused line by line ("nested too deeply") but skipped here.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.json as pj

from suite.rundir.arrow_stamps import stamps_ok
from suite.rundir.column_chunks import Chunk, ColumnChunks
from suite.rundir.jsonio import FIX_REPORT, decode_lines, open_jsonl, utf8
from suite.rundir.readback import IsoStamps, Rule, row_check, row_rules

FAST_KINDS = ("ledger", "runs", "metrics")
FIELDS: dict[str, tuple[tuple[str, pa.DataType], ...]] = {"ledger": (("error", pa.string()),)}
BLOCK = 8 << 20  # bytes read at a time, cut at the last whole line
LONG_LINE = 2048  # bytes per line on average from which a block is read line by line (see the module)
_ARROW = {"int": pa.int64(), "str": pa.string(), "number": pa.float64(), "iso": pa.string()}
_NON_JSON = (b"NaN", b"Infinity")


def _rule_type(rule: Any) -> tuple[bool, str]:
    """(required, kind) of a readback rule: is_int -> (True, "int"), opt_iso -> (False, "iso")."""
    name = getattr(rule, "__name__", "")
    required, _, kind = name.partition("_")
    return required == "is", kind


def fast_kind(kind: str) -> bool:
    return kind in FAST_KINDS


def column_chunks(path: Path, kind: str, fix: str = FIX_REPORT) -> ColumnChunks:
    """The rows of a `kind` file (FAST_KINDS) as column chunks of the rules' fields (none when the file
    is absent); a damaged line is a UsageError naming the file and the line, as iter_jsonl says it."""
    if not path.exists():
        return ColumnChunks(())
    return ColumnChunks(_chunks(path, kind, fix))


def _chunks(path: Path, kind: str, fix: str) -> Iterator[Chunk]:
    stamps = IsoStamps()
    rules = row_rules(kind, stamps)
    fields = [(key, _ARROW[_rule_type(ok)[1]]) for key, ok in rules] + list(FIELDS.get(kind, ()))
    schema = pa.schema(fields)
    check = row_check(kind)
    number = 1  # the block's first line
    with open_jsonl(path, fix, binary=True) as f:
        while lines := f.readlines(BLOCK):  # whole lines (each ending at LF), about BLOCK bytes
            fast = sum(map(len, lines)) <= LONG_LINE * len(lines)
            chunk = _fast(b"".join(lines), len(lines), schema, rules, stamps) if fast else None
            if chunk is None:
                chunk = _line_by_line(path, lines, number, check, schema.names, fix)
            if chunk[schema.names[0]]:
                yield chunk
            number += len(lines)


def _fast(block: bytes, lines: int, schema: pa.Schema, rules: Rule, stamps: IsoStamps) -> Chunk | None:
    """The block's columns, or None when the line-by-line reader must read it (see the module)."""
    objects = block.count(b"\n{") + block.startswith(b"{")
    if objects != lines or b"\r" in block or any(token in block for token in _NON_JSON):
        return None  # a line not starting with `{` (blank ones too: rare), CR line ends, NaN or Infinity
    try:
        block.decode("utf-8")
        table = pj.read_json(
            io.BytesIO(block),
            read_options=pj.ReadOptions(use_threads=False, block_size=len(block) + 1),
            parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
        )
    except (UnicodeDecodeError, pa.ArrowException):
        return None
    if table.num_rows != objects:
        return None
    for key, ok in rules:
        required, kind = _rule_type(ok)
        column = table.column(key)
        if (required and column.null_count) or (kind == "iso" and not stamps_ok(column, required, stamps)):
            return None
    return {name: table.column(name).to_pylist() for name in schema.names}


def _line_by_line(path: Path, lines: list[bytes], first: int, check: Any, keys: list[str], fix: str) -> Chunk:
    """The lines read as iter_jsonl reads a file (its errors name the file and the line)."""
    numbered = ((n, utf8(path, line, n, fix)) for n, line in enumerate(lines, start=first))
    chunk: Chunk = {k: [] for k in keys}
    columns = list(chunk.items())
    for row in decode_lines(path, numbered, check, fix):  # each row dropped once its fields are taken
        for key, column in columns:
            column.append(row.get(key))
    return chunk

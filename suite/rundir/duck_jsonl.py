"""raw/jobs.jsonl, raw/runs.jsonl, ledger.jsonl and raw/metrics.jsonl read whole by DuckDB's JSON
reader (yyjson, on every core): the fields the analysis reads as columns, a job's steps taken apart
into flat columns (StepColumns), and none of GitHub's other fields (a run object is about 13 KB, of
which the analysis reads eight fields) ever made a Python object. Python's decoder, line by line, spent
about 21 s on the runs and 28 s on the jobs (with their steps) of a million jobs shaped like a real
collection; here they take about 3.4 s and 6 s (the jobs' steps typed and checked in the same scan as
their rows; in a file with a job id twice, each id's last copy's steps are kept).

The read is taken only when it gives what the line-by-line reader (suite.rundir.jsonio.iter_jsonl
with row_check) would give; otherwise `duck_chunks` returns None and the caller reads the file line by
line, which gives its rows or names the file and line of the damage exactly as before. Every field read
is typed and checked in SQL by the same rules (suite.rundir.readback; a timestamp's value by
suite.rundir.arrow_stamps), and the file is refused (None) when:

- DuckDB refuses it: a line that is not JSON (torn, two objects on one line, a comment, bad UTF-8, a
  lone surrogate), an object with a duplicate key, a line over 16 MiB, a `steps` that is not a list of
  objects or `labels` not a list;
- a field read is of another JSON type than its rule says (a float or a string for an integer, an
  integer beyond int64, NaN or Infinity in a field read, a number beyond a double's range; a number is
  read as a double, as the analysis takes it), a required one is missing or null, or a
  line is not an object (its required `id` is then missing);
- a timestamp read is not one by the rules (IsoStamps), or the file starts with a byte-order mark;
- jobs: GitHub's fields the job table keeps (workflow_name, head_branch, head_sha, runner_group_name
  as strings, runner_id an integer, labels a list of strings; each may be null) are of another type,
  or a step's number is not an integer, its name, conclusion or started_at/completed_at not strings
  (each may be null or absent). A step's stamps are read as parse_steps reads them
  (suite.isotime.observed_ts: one that is no time is one not observed), each distinct value once.

Known differences, in fields the analysis does not read: yyjson takes a trailing comma before `}` or
`]` and the literals NaN and Infinity there, which Python's decoder refuses, and a key repeated inside
a nested object, and a value nested deeper than Python's recursion limit (refused line by line). The
figures are the same; such a line is read rather than named as damaged.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from suite.rundir.arrow_stamps import stamps_ok
from suite.rundir.column_chunks import ROWS_PER_CHUNK, Chunk, ColumnChunks, Encoded, StepColumns
from suite.rundir.duck_steps import StepParts
from suite.rundir.field_files import FORMAT, FieldSink, Source, read_fields
from suite.rundir.readback import IsoStamps, row_rules

DUCK_KINDS = ("jobs", "runs", "ledger", "metrics")
BATCH_ROWS = ROWS_PER_CHUNK * 16  # rows per batch read (and per chunk given on)
MAX_OBJECT = 16 << 20  # bytes of one line DuckDB reads (its default; a larger one: read line by line)
# GitHub's fields the job table keeps beside the analysis's (suite.pipeline.job_taps): their rule
EXTRA = {
    "jobs": (
        ("workflow_name", "opt_str"),
        ("head_branch", "opt_str"),
        ("head_sha", "opt_str"),
        ("runner_group_name", "opt_str"),
        ("runner_id", "opt_int"),
        ("labels", "opt_labels"),
    ),
    "ledger": (("error", "opt_str"),),  # what suite.analyze.tables.dispatch_table reads beyond the rules
}
CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
STEP_FIELDS = ("number", "name", "conclusion", "started_at", "completed_at")


def duck_kind(kind: str) -> bool:
    return kind in DUCK_KINDS


def _labels_ok(f: str) -> str:
    """`labels` (read as JSON[]: a value that is not a list makes DuckDB refuse the file): null, or a
    list of strings."""
    each = f"list_transform({f}, lambda x: json_type(x) = 'VARCHAR')"
    return f"({f} IS NULL OR coalesce(list_bool_and({each}), true))"


def _labels_value(f: str) -> str:
    """`labels` as JSON text: a set of labels repeats, each distinct one made a list once."""
    return f"CAST({f} AS JSON)"


def _type(rule: str) -> str:
    """How DuckDB reads the field: as JSON, each value typed and checked here in SQL."""
    return "JSON[]" if rule.endswith("labels") else "JSON"


STEPS_TYPE = "STRUCT(" + ", ".join(f"{k} JSON" for k in STEP_FIELDS) + ")[]"


def _rules(kind: str) -> list[tuple[str, str]]:
    rules = [(key, getattr(ok, "__name__", "")) for key, ok in row_rules(kind, IsoStamps())]
    return rules + list(EXTRA.get(kind, ()))


def _read_json(columns: list[tuple[str, str]]) -> str:
    spec = "{" + ", ".join(f"{_q(k)}: '{t}'" for k, t in columns) + "}"
    options = f"format = 'newline_delimited', columns = {spec}, maximum_object_size = {MAX_OBJECT}"
    return f"read_json(?, {options}) AS raw"


# A row field is checked and typed from its JSON text (DuckDB's JSON value cast to VARCHAR: yyjson's
# compact rendering), by string tests rather than json_type() and ->>, which parse each value again
# (raw/jobs.jsonl's 1M compact rows: the query 2.6 s against 1.7 s): a string's text starts with `"` and is
# the value itself between its quotes unless it holds an escape (`\`: then unescaped by ->>); an
# integer's is digits with an optional minus (a float is rendered with `.` or an exponent) that fits
# 64 bits; null's is `null`. tests/rundir/test_duck_jsonl.py holds the result equal to the line reader.
_DIGITS = "'-?[0-9]+'"
_NUMBER = "'-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?'"  # JSON's number, as yyjson renders it


def _quoted(f: str) -> str:
    """The JSON text `f` is a string's."""
    return f"starts_with({f}, '\"')"


def _text_ok(f: str, rule: str) -> str:
    """The SQL test of a field's JSON text `f` (SQL NULL when the key is absent) by a rule's name."""
    required, _, kind = rule.partition("_")
    if kind == "labels":
        return _labels_ok(f)  # read as JSON[], not as text
    test = {
        "int": f"(regexp_full_match({f}, {_DIGITS}) AND TRY_CAST({f} AS BIGINT) IS NOT NULL)",
        # a finite number (an integer beyond a double's range is refused: read line by line)
        "number": f"(regexp_full_match({f}, {_NUMBER}) AND isfinite(TRY_CAST({f} AS DOUBLE)))",
        "str": _quoted(f),
        "iso": _quoted(f),  # the value itself: checked in Arrow (_checked)
    }[kind]
    return test if required == "is" else f"({f} IS NULL OR {f} = 'null' OR {test})"


def _text_value(f: str, rule: str) -> str:
    kind = rule.partition("_")[2]
    if kind == "int":
        return f"TRY_CAST({f} AS BIGINT)"
    if kind == "number":  # as a float, as the analysis takes it (an integer's too)
        return f"TRY_CAST({f} AS DOUBLE)"
    if kind == "labels":
        return _labels_value(f)
    unescaped = f"(CAST({f} AS JSON) ->> '$')"
    plain = f"{f}[2:-2]"
    return (
        f"(CASE WHEN NOT {_quoted(f)} THEN NULL WHEN contains({f}, '\\') THEN {unescaped} ELSE {plain} END)"
    )


def _query(kind: str) -> tuple[str, list[str]]:
    """The rows' fields, typed, with row_ok (every check in SQL, on each field's JSON text; the stamps'
    values are checked in Arrow: _checked); jobs: and `steps`, each row's list of its steps (_steps)."""
    rules = _rules(kind)
    read = [(key, _type(rule)) for key, rule in rules]
    texts = ", ".join(
        f"raw.{_q(k)}" if rule.endswith("labels") else f"CAST(raw.{_q(k)} AS VARCHAR) AS {_q(k)}"
        for k, rule in rules
    )
    values = [f"{_text_value(f'f.{_q(k)}', rule)} AS {_q(k)}" for k, rule in rules]
    ok = " AND ".join(f"coalesce({_text_ok(f'f.{_q(k)}', rule)}, false)" for k, rule in rules)
    if kind == "jobs":
        read.append(("steps", STEPS_TYPE))
        texts += f", {_step_texts('raw.steps')} AS steps"
        values.append(f"{_steps('f.steps')} AS steps")
    sql = f"SELECT {', '.join(values)}, ({ok}) AS row_ok FROM (SELECT {texts} FROM {_read_json(read)}) AS f"
    return sql, [k for k, _ in rules]


def _step_texts(steps: str) -> str:
    """A row's steps as the JSON text of each step's fields (null for a step that is JSON null)."""
    fields = ", ".join(f"{k} := CAST(s.{k} AS VARCHAR)" for k in STEP_FIELDS)
    return f"list_transform({steps}, lambda s: struct_pack(present := s IS NOT NULL, {fields}))"


def _steps(texts: str) -> str:
    """A row's steps (from _step_texts), each checked (ok) and typed, in its list's order: taken apart
    in the same scan as the rows (one parse of the file; a second scan with one row per step took about
    as long again as the rows' at a million jobs of GitHub's objects)."""
    rules = {k: "opt_int" if k == "number" else "opt_str" for k in STEP_FIELDS}
    ok = " AND ".join(f"coalesce({_text_ok(f't.{k}', rule)}, false)" for k, rule in rules.items())
    name, conclusion, started, completed = (_text_value(f"t.{k}", "opt_str") for k in STEP_FIELDS[1:])
    step = (
        f"struct_pack(present := t.present, number := {_text_value('t.number', 'opt_int')}, "
        f"name := coalesce({name}, ''), conclusion := {conclusion}, started := {started}, "
        f"completed := {completed}, ok := ({ok}))"
    )
    return f"list_transform({texts}, lambda t: {step})"


def _q(key: str) -> str:
    return '"' + key.replace('"', '""') + '"'


def duck_chunks(path: Path, kind: str, fields: Path | None = None, keep: bool = True) -> ColumnChunks | None:
    """The rows of a `kind` file (DUCK_KINDS) as column chunks of the rules' fields (and EXTRA's), the
    jobs' steps taken apart (ColumnChunks.steps); none when the file is absent; None when it must be
    read line by line (see the module). fields: its field file (suite.rundir.field_files), read instead
    of the file while it describes it, else written by this read. keep=False: the chunks are not made
    (an empty ColumnChunks on success: the field file alone is wanted)."""
    if not path.exists():
        return ColumnChunks((), StepColumns.empty() if kind == "jobs" else None)
    source = Source.of(path, reader_key(kind)) if fields is not None else None
    if fields is not None and keep:
        kept = read_fields(fields, source, with_steps=kind == "jobs")
        if kept is not None:
            try:
                return ColumnChunks([_chunk(b) for b in kept[0]], kept[1])
            except (OSError, pa.ArrowException):
                pass  # damaged past its footer: the raw file is parsed (and its field file written anew)
    try:
        with path.open("rb") as f:
            if f.read(3) == b"\xef\xbb\xbf":
                return None
    except OSError:
        return None  # read line by line: its error names the file
    sink = FieldSink(fields, source) if fields is not None else None
    con = duckdb.connect(config=CONFIG)
    con.execute("SET enable_progress_bar = false")  # DuckDB draws one on the terminal for a long query
    read: ColumnChunks | None = None
    try:
        read = _read(con, path, kind, sink, keep)
    except duckdb.Error:
        read = None
    finally:
        con.close()
        if sink is not None:
            steps = read.steps if read is not None else None
            sink.keep(read is not None, steps, Source.of(path, reader_key(kind)))
    return read


def reader_key(kind: str) -> str:
    """What a field file of `kind` was read by: the query's SQL and FORMAT (either changed: read again)."""
    return hashlib.sha256(f"{FORMAT}\n{_query(kind)[0]}".encode()).hexdigest()[:32]


def _read(
    con: duckdb.DuckDBPyConnection, path: Path, kind: str, sink: FieldSink | None = None, keep: bool = True
) -> ColumnChunks | None:
    """The file's rows as chunks (and the jobs' steps), or None when a check fails. Read a batch at a
    time: each batch checked, given to the sink (the field file) and its columns made the chunk's
    (numpy, Encoded, lists: _chunk) and its steps numpy columns (suite.rundir.duck_steps), and the batch
    let go whole (its columns share one allocation: a column kept as Arrow would keep its steps'
    strings, 0.5 GiB at 1M of GitHub's jobs)."""
    sql, keys = _query(kind)
    stamps = IsoStamps()
    parts = StepParts() if kind == "jobs" else None
    chunks: list[Chunk] = []
    ids: list[np.ndarray] = []
    coded: list[bool] | None = None
    for batch in con.sql(sql, params=[str(path)]).to_arrow_reader(BATCH_ROWS):
        if not _checked(batch, kind, stamps):
            return None
        if parts is not None and not parts.add(batch.column("id"), batch.column("steps")):
            return None
        if coded is None:
            coded = [_repeating(batch.column(k)) for k in keys]
        fields = _dictionary_encoded(batch.select(keys), coded)
        if sink is not None:
            sink.add(fields)
        if parts is not None:
            ids.append(np.array(batch.column("id").to_numpy(), dtype=np.int64))
        if keep:
            chunks.append(_chunk(fields))
    if parts is None:
        return ColumnChunks(chunks)
    row_ids = np.concatenate(ids) if ids else np.empty(0, np.int64)
    return ColumnChunks(chunks, parts.columns(row_ids))


def _checked(batch: pa.RecordBatch, kind: str, stamps: IsoStamps) -> bool:
    """Whether every row passed its checks in SQL and every stamp is one by the row rules
    (suite.rundir.arrow_stamps: the rule itself, IsoStamps, on a value of another shape)."""
    if batch.num_rows and not pc.all(batch.column("row_ok")).as_py():
        return False
    return all(
        stamps_ok(batch.column(key), rule.startswith("is_"), stamps)
        for key, rule in _rules(kind)
        if rule.endswith("iso")
    )


def _chunk(batch: pa.RecordBatch) -> Chunk:
    """A batch's columns as the analysis takes them: strings as Encoded columns (or lists, when mostly
    distinct), labels as lists (read as JSON text: each distinct set made a list once), integers
    without null as numpy arrays (copies: no view keeps the batch), the others as lists."""
    chunk = {name: _column(column) for name, column in zip(batch.schema.names, batch.columns, strict=True)}
    labels = chunk.get("labels")
    if isinstance(labels, Encoded):
        chunk["labels"] = Encoded(
            [None if v is None else json.loads(v) for v in labels.distinct], labels.codes
        )
    elif labels is not None:
        chunk["labels"] = [None if v is None else json.loads(v) for v in labels]
    return chunk


def _repeating(column: pa.Array) -> bool:
    """Whether a column is text whose values repeat (judged on the file's first batch, as _column
    judges each batch): kept dictionary-encoded from the read on (_dictionary_encoded)."""
    return _is_text(column.type) and not _mostly_distinct(column)


def _dictionary_encoded(batch: pa.RecordBatch, coded: list[bool]) -> pa.RecordBatch:
    """The batch with the `coded` columns dictionary-encoded: each text hashed once, by this read, for
    both the field file (written with its dictionaries: read back with them, no text hashed again) and
    the chunk (_column takes the codes)."""
    if not any(coded):
        return batch
    columns = [c.dictionary_encode() if k else c for c, k in zip(batch.columns, coded, strict=True)]
    return pa.RecordBatch.from_arrays(columns, schema=_schema(batch.schema, coded))


def _schema(schema: pa.Schema, coded: list[bool]) -> pa.Schema:
    fields = [
        f.with_type(pa.dictionary(pa.int32(), f.type)) if k else f for f, k in zip(schema, coded, strict=True)
    ]
    return pa.schema(fields, metadata=schema.metadata)


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _column(column: pa.Array) -> Any:
    if pa.types.is_dictionary(column.type) and _is_text(column.type.value_type):
        if _mostly_distinct(column):
            return column.to_pylist()
        return _from_dictionary(column)
    if _is_text(column.type):
        return column.to_pylist() if _mostly_distinct(column) else _encoded(column)
    if pa.types.is_integer(column.type) and not column.null_count:
        return np.array(column.to_numpy(), dtype=np.int64)  # a copy
    if pa.types.is_floating(column.type) and not column.null_count:
        return np.array(column.to_numpy(), dtype=np.float64)  # a copy
    return column.to_pylist()


def _mostly_distinct(column: pa.Array, probe: int = 1024) -> bool:
    """Whether a string column's values are mostly distinct (the ledger's suite_ids and millisecond
    stamps), judged on its first `probe` values: such a column is given as a list, since encoding it
    (a hash table as large as the column) costs several times more than making its values."""
    head = column.slice(0, probe)
    if pa.types.is_dictionary(head.type):
        head = head.dictionary_decode()
    return len(head) >= 64 and pc.count_distinct(head).as_py() > len(head) // 2


def _encoded(column: pa.Array) -> Encoded:
    """A string column as its distinct values in order of first sight (None where the first null is)
    and a code per row."""
    encoded = column.dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    codes = np.asarray(encoded.indices.fill_null(-1).to_numpy(), dtype=np.int64)
    if column.null_count:
        first = int(np.argmax(codes < 0))
        at = int(codes[:first].max()) + 1 if first else 0  # the distinct values seen before the first null
        distinct.insert(at, None)
        codes = np.where(codes < 0, at, codes + (codes >= at))
    return Encoded(distinct, codes)


def _from_dictionary(column: pa.DictionaryArray) -> Encoded:
    """A dictionary-encoded text column as `_encoded` makes it of its texts: the distinct values in order
    of first sight (None where the first null is) and a code per row, from its codes (Arrow's unique of
    the codes keeps their order of first sight, null included) with no text hashed. Its dictionary may
    hold values this batch lacks (a field file's batch carries its row group's) or in another order;
    one holding a text twice is decoded and encoded anew."""
    dictionary = column.dictionary
    seen = pc.unique(column.indices)
    kept = seen.drop_null()
    distinct = dictionary.take(kept).to_pylist()
    if len(set(distinct)) != len(distinct):
        return _encoded(column.dictionary_decode())
    null_at = len(dictionary)  # the code null is given here
    lut = np.zeros(len(dictionary) + 1, np.int64)
    lut[np.asarray(seen.fill_null(null_at).to_numpy(), np.int64)] = np.arange(len(seen))
    if seen.null_count:
        at = int(np.flatnonzero(np.asarray(seen.is_null().to_numpy(zero_copy_only=False)))[0])
        distinct.insert(at, None)
    codes = np.asarray(column.indices.fill_null(null_at).to_numpy(), np.int64)
    return Encoded(distinct, lut[codes])

"""raw/jobs.jsonl and raw/runs.jsonl read whole by DuckDB's JSON reader (yyjson, on every core): the
fields the analysis reads as columns, a job's steps taken apart into flat columns (StepColumns), and
none of GitHub's other fields (a run object is about 13 KB, of which the analysis reads eight fields)
ever made a Python object. Python's decoder, line by line, spent about 21 s on the runs and 28 s on the
jobs (with their steps) of a million jobs shaped like a real collection; DuckDB reads each in a few.

The read is taken only when it gives what the line-by-line reader (suite.rundir.jsonio.iter_jsonl
with row_check) would give; otherwise `duck_chunks` returns None and the caller reads the file line by
line, which gives its rows or names the file and line of the damage exactly as before. Every field read
is typed and checked in SQL by the same rules (suite.rundir.readback), and refused (None) when:

- DuckDB refuses the file: a line that is not JSON (torn, two objects on one line, a comment, bad
  UTF-8, a lone surrogate), an object with a duplicate key, a line over 64 MiB;
- a field read is of another JSON type than its rule says (a float or a string for an integer, an
  integer beyond int64, NaN or Infinity in a field read), a required one is missing or null, or a
  line is not an object (its required `id` is then missing);
- a timestamp read is not in the shape the suite and GitHub write (YYYY-MM-DDTHH:MM:SS[.mmm]Z) or not
  a real day; or the file starts with a byte-order mark;
- jobs: GitHub's fields the job table keeps (workflow_name, head_branch, head_sha, runner_group_name
  as strings, runner_id an integer, labels a list of strings; each may be null) are of another type,
  or `steps` is neither null nor a list of objects whose number is an integer, name and conclusion
  strings and started_at/completed_at timestamps (each may be null or absent).

Known differences, in fields the analysis does not read: yyjson takes a trailing comma before `}` or
`]` and the literals NaN and Infinity there, which Python's decoder refuses, and a value nested
deeper than Python's recursion limit (refused line by line). The figures are the same; such a line is
read rather than named as damaged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from suite.rundir.column_chunks import ROWS_PER_CHUNK, Chunk, ColumnChunks, StepColumns
from suite.rundir.readback import IsoStamps, row_rules, valid_day

DUCK_KINDS = ("jobs", "runs")
MAX_OBJECT = 64 << 20  # bytes of one line DuckDB reads (its default, 16 MiB, refuses a larger one)
SHAPE = r"\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{3})?Z"  # readback's GitHub shape
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
}
CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
STEP_FIELDS = ("number", "name", "conclusion", "started_at", "completed_at")


def duck_kind(kind: str) -> bool:
    return kind in DUCK_KINDS


def _absent(f: str) -> str:
    return f"({f} IS NULL OR json_type({f}) = 'NULL')"


def _is_int(f: str) -> str:
    return (
        f"(json_type({f}) = 'BIGINT' OR (json_type({f}) = 'UBIGINT' AND TRY_CAST({f} AS BIGINT) IS NOT NULL))"
    )


def _is_iso(f: str) -> str:
    return f"(json_type({f}) = 'VARCHAR' AND regexp_full_match({f} ->> '$', '{SHAPE}'))"


def _ok(f: str, rule: str) -> str:
    """The SQL test of a JSON value `f` (SQL NULL when the key is absent) by a readback rule's name."""
    required, _, kind = rule.partition("_")
    if kind == "labels":  # read as JSON[] (a value that is not a list: DuckDB refuses the file)
        each = f"list_transform({f}, lambda x: json_type(x) = 'VARCHAR')"
        return f"({f} IS NULL OR coalesce(list_bool_and({each}), true))"
    test = {
        "int": _is_int(f),
        "str": f"json_type({f}) = 'VARCHAR'",
        "iso": _is_iso(f) if required == "is" else f"({_is_iso(f)} OR ({f} ->> '$') = '')",
    }[kind]
    return test if required == "is" else f"({_absent(f)} OR {test})"


def _value(f: str, rule: str) -> str:
    kind = rule.partition("_")[2]
    if kind == "int":
        return f"TRY_CAST({f} AS BIGINT)"
    if kind == "labels":
        return f"list_transform({f}, lambda x: x ->> '$')"
    return f"({f} ->> '$')"


def _type(rule: str) -> str:
    """How DuckDB reads the field: as JSON, each value typed and checked here in SQL."""
    return "JSON[]" if rule.endswith("labels") else "JSON"


STEPS_TYPE = "STRUCT(" + ", ".join(f"{k} JSON" for k in STEP_FIELDS) + ")[]"


def _micros(f: str) -> str:
    """A timestamp of the suite's shape (checked first) as epoch microseconds; NULL when it is no
    real time (an impossible day, or year 0, which Python refuses)."""
    text = f"({f} ->> '$')"
    when = f"TRY_CAST(rtrim({text}, 'Z') AS TIMESTAMP)"
    return f"CASE WHEN NOT starts_with({text}, '0000') THEN epoch_us({when}) END"


def _step_ok() -> str:
    number, name, conclusion, started, completed = (f"s.{k}" for k in STEP_FIELDS)
    return (
        f"({_absent(number)} OR {_is_int(number)}) "
        f"AND ({_absent(name)} OR json_type({name}) = 'VARCHAR') "
        f"AND ({_absent(conclusion)} OR json_type({conclusion}) = 'VARCHAR') "
        + " ".join(
            f"AND ({_absent(t)} OR ({t} ->> '$') = '' OR ({_is_iso(t)} AND {_micros(t)} IS NOT NULL))"
            for t in (started, completed)
        )
    )


def _steps_ok() -> str:
    """Steps read as a list of objects (anything else: DuckDB refuses the file), each field checked."""
    each = f"list_transform(raw.steps, lambda s: {_step_ok()})"
    return f"(raw.steps IS NULL OR coalesce(list_bool_and({each}), true))"


def _steps_value() -> str:
    fields = ", ".join(
        [
            "'number': TRY_CAST(s.number AS BIGINT)",
            "'name': coalesce(s.name ->> '$', '')",
            "'conclusion': s.conclusion ->> '$'",
            f"'started': {_micros('s.started_at')}",
            f"'completed': {_micros('s.completed_at')}",
        ]
    )
    return f"list_transform(raw.steps, lambda s: {{{fields}}})"


def _rules(kind: str) -> list[tuple[str, str]]:
    rules = [(key, getattr(ok, "__name__", "")) for key, ok in row_rules(kind, IsoStamps())]
    return rules + list(EXTRA.get(kind, ()))


def _query(kind: str) -> tuple[str, list[str]]:
    rules = _rules(kind)
    read = [(key, _type(rule)) for key, rule in rules] + ([("steps", STEPS_TYPE)] if kind == "jobs" else [])
    columns = "{" + ", ".join(f"{_q(k)}: '{t}'" for k, t in read) + "}"
    values = [f"{_value(f'raw.{_q(k)}', rule)} AS {_q(k)}" for k, rule in rules]
    checks = [_ok(f"raw.{_q(k)}", rule) for k, rule in rules] + ([_steps_ok()] if kind == "jobs" else [])
    ok = " AND ".join(f"coalesce({c}, false)" for c in checks)
    stamps = [k for k, rule in rules if rule.endswith("iso")]
    days = ", ".join(f"nullif(left(raw.{_q(k)} ->> '$', 10), '')" for k in stamps) or "NULL"
    steps = f", {_steps_value()} AS steps" if kind == "jobs" else ""
    sql = (
        f"SELECT {', '.join(values)}{steps}, ({ok}) AS row_ok, [{days}] AS days "
        f"FROM read_json(?, format = 'newline_delimited', columns = {columns}, "
        f"maximum_object_size = {MAX_OBJECT}) AS raw"
    )
    return sql, [k for k, _ in rules]


def _q(key: str) -> str:
    return '"' + key.replace('"', '""') + '"'


def duck_chunks(path: Path, kind: str) -> ColumnChunks | None:
    """The rows of a `kind` file (DUCK_KINDS) as column chunks of the rules' fields (and EXTRA's), the
    jobs' steps taken apart (ColumnChunks.steps); none when the file is absent; None when it must be
    read line by line (see the module)."""
    if not path.exists():
        return ColumnChunks((), StepColumns.empty() if kind == "jobs" else None)
    try:
        with path.open("rb") as f:
            if f.read(3) == b"\xef\xbb\xbf":
                return None
    except OSError:
        return None  # read line by line: its error names the file
    sql, keys = _query(kind)
    con = duckdb.connect(config=CONFIG)
    con.execute("SET enable_progress_bar = false")  # DuckDB draws one on the terminal for a long query
    try:
        table = con.sql(sql, params=[str(path)]).to_arrow_table()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if table.num_rows and not pc.all(table.column("row_ok")).as_py():
        return None
    days = pc.unique(pc.drop_null(pc.list_flatten(table.column("days")))).to_pylist()
    if not all(valid_day(d) for d in days):
        return None
    steps = _step_columns(table) if kind == "jobs" else None
    return ColumnChunks(_chunks(table.select(keys)), steps)


def _chunks(table: pa.Table) -> Iterator[Chunk]:
    for batch in table.to_batches(max_chunksize=ROWS_PER_CHUNK * 4):
        yield {
            name: column.to_pylist() for name, column in zip(batch.schema.names, batch.columns, strict=True)
        }


def _step_columns(table: pa.Table) -> StepColumns:
    """The steps of each job id's last copy (suite.analyze.steps.StepTap's rule), flat, each job's steps
    in order of number (unnumbered last, the file's order on a tie)."""
    ids = table.column("id").to_numpy()
    lists = table.column("steps").combine_chunks()
    if not len(lists) or lists.null_count == len(lists):
        return StepColumns.empty()
    reverse_first = np.unique(ids[::-1], return_index=True)[1]
    last = np.zeros(ids.size, bool)
    last[ids.size - 1 - reverse_first] = True  # each id's last copy
    parent = pc.list_parent_indices(lists).to_numpy()
    flat = pc.list_flatten(lists)
    keep = last[parent]
    parent = parent[keep]
    flat = flat.filter(pa.array(keep))
    number = flat.field("number")
    has_number = number.is_valid().to_numpy(zero_copy_only=False)
    numbers = number.fill_null(-1).to_numpy()
    order = _by_number(parent, has_number, numbers)
    name = flat.field("name").dictionary_encode()
    conclusion = flat.field("conclusion").dictionary_encode()
    # epoch microseconds / 10**6, correctly rounded, as suite.isotime.parse_column reads a stamp
    started, completed = (
        flat.field(k).cast(pa.float64()).fill_null(np.nan).to_numpy() / 1_000_000
        for k in ("started", "completed")
    )
    duration = np.where(completed >= started, completed - started, np.nan)  # NaN: either missing too
    return StepColumns(
        job_id=ids[parent][order],
        number=numbers[order],
        has_number=has_number[order],
        name=_codes(name)[order],
        name_values=tuple(name.dictionary.to_pylist()),
        conclusion=_codes(conclusion, len(conclusion.dictionary))[order],
        conclusion_values=(*conclusion.dictionary.to_pylist(), None),
        duration=duration[order],
    )


def _by_number(parent: np.ndarray, has_number: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """The steps' order: by job, then number (unnumbered last), the file's order on a tie; the steps
    as they are when they already are in it (GitHub's are)."""
    same = parent[1:] == parent[:-1]
    later = ~has_number[1:] & has_number[:-1]
    rank_up = (has_number[1:] == has_number[:-1]) & (numbers[1:] >= numbers[:-1])
    if bool(
        np.all((parent[1:] > parent[:-1]) | (same & (later | rank_up | ~has_number[1:] & ~has_number[:-1])))
    ):
        return np.arange(parent.size)
    return np.lexsort((np.arange(parent.size), numbers, ~has_number, parent))  # stable


def _codes(encoded: Any, null_code: int = -1) -> np.ndarray:
    """A dictionary array's indices as int64, null_code for a null."""
    return np.asarray(encoded.indices.fill_null(null_code).to_numpy(), dtype=np.int64)

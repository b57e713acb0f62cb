"""raw/fields/: what suite.rundir.duck_jsonl reads from a large raw file, kept as Parquet beside it, so that
reading an unchanged file again skips parsing it. Pure I/O of Arrow batches; no analysis.

One field file per raw file DuckDB reads (ledger.jsonl, raw/runs.jsonl, raw/jobs.jsonl,
raw/metrics.jsonl): the rows' fields the analysis reads, typed and checked exactly as the DuckDB read
types and checks them (the batches it gives, before they are made Python values), and for raw/jobs.jsonl
a second file with its steps as StepColumns (each job id's last copy's, in order). The raw files stay as
they are, complete: the field files are derived from them and can be deleted at any time.

A field file is written only by a read that succeeded (a raw file the DuckDB read refuses, to be read
line by line, never has one) and is used only while it still describes its raw file: its Parquet
metadata holds the raw file's size and modification time (ns) as they were when it was read, and a key
of the reader (its SQL, FORMAT); any difference, a damaged or missing field file, or one that cannot be
read, and the raw file is read again (and the field file written anew). Writing one is best effort: a
field file that cannot be written (a read-only or full disk) is left out, never an error.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from suite.rundir.column_chunks import StepColumns

FIELDS_DIR = "fields"  # under raw/
FORMAT = 1  # bump when what a field file holds changes in a way the reader's SQL does not show
_KEYS = (b"suite.source_size", b"suite.source_mtime_ns", b"suite.reader")
BATCH = 65_536  # rows per batch read back
_STEP_ARRAYS = ("job_id", "number", "has_number", "name", "conclusion", "duration")


def fields_path(run_dir: Path, kind: str) -> Path:
    """The field file of a run directory's `kind` raw file (raw/fields/<kind>.parquet)."""
    return run_dir / "raw" / FIELDS_DIR / f"{kind}.parquet"


def _steps_path(path: Path) -> Path:
    return path.with_name(path.stem + ".steps.parquet")


@dataclass(frozen=True)
class Source:
    """A raw file as a field file records it: its size, its modification time and the reader's key."""

    size: int
    mtime_ns: int
    reader: str

    @staticmethod
    def of(path: Path, reader: str) -> Source | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return Source(st.st_size, st.st_mtime_ns, reader)

    def meta(self) -> dict[bytes, bytes]:
        values = (str(self.size).encode(), str(self.mtime_ns).encode(), self.reader.encode())
        return dict(zip(_KEYS, values, strict=True))

    def described_by(self, meta: dict[bytes, bytes] | None) -> bool:
        return meta is not None and all(meta.get(k) == v for k, v in self.meta().items())


def read_fields(
    path: Path, source: Source | None, with_steps: bool
) -> tuple[Iterator[pa.RecordBatch], StepColumns | None] | None:
    """The field file's batches (read as they are taken, `BATCH` rows each) and its steps (with_steps),
    or None when it is absent, damaged or does not describe `source` as it is now."""
    if source is None or not path.is_file():
        return None
    try:
        rows = pq.ParquetFile(path)
        if not source.described_by(rows.schema_arrow.metadata):
            return None
        steps = _read_steps(_steps_path(path), source) if with_steps else None
        if with_steps and steps is None:
            return None
        return rows.iter_batches(batch_size=BATCH), steps
    except (OSError, pa.ArrowException, ValueError, KeyError, TypeError):
        return None


def _read_steps(path: Path, source: Source) -> StepColumns | None:
    if not path.is_file():
        return None
    table = pq.read_table(path)
    meta = table.schema.metadata
    if not source.described_by(meta):
        return None
    values = json.loads(meta[b"suite.values"])
    arrays = {k: table.column(k).to_numpy() for k in _STEP_ARRAYS}
    return StepColumns(
        job_id=np.asarray(arrays["job_id"], np.int64),
        number=np.asarray(arrays["number"], np.int64),
        has_number=np.asarray(arrays["has_number"], bool),
        name=np.asarray(arrays["name"], np.int64),
        name_values=tuple(values["name"]),
        conclusion=np.asarray(arrays["conclusion"], np.int64),
        conclusion_values=tuple(values["conclusion"]),
        duration=np.asarray(arrays["duration"], np.float64),
    )


class FieldSink:
    """A read's checked batches written to a temporary file as they come; kept (renamed into place) by
    `keep` only when the read succeeded and the raw file did not change meanwhile."""

    def __init__(self, path: Path, source: Source | None) -> None:
        self.path, self.source = path, source
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.writer: pq.ParquetWriter | None = None
        self.failed = source is None

    def add(self, batch: pa.RecordBatch) -> None:
        if self.failed or self.source is None:
            return
        try:
            if self.writer is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                schema = batch.schema.with_metadata(self.source.meta())
                self.writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")
            self.writer.write_batch(batch)
        except (OSError, pa.ArrowException):
            self.failed = True

    def keep(self, read: bool, steps: StepColumns | None, now: Source | None) -> None:
        """Rename the field file (and its steps') into place, or drop it (a failed read, a changed file)."""
        writer, self.writer = self.writer, None
        try:
            if writer is not None:
                writer.close()
            if writer is None or self.failed or not read or now != self.source or now is None:
                return
            if steps is not None:
                _write_steps(_steps_path(self.path), steps, now)
            os.replace(self.tmp, self.path)
        except (OSError, pa.ArrowException):
            pass
        finally:
            _remove(self.tmp)


def _write_steps(path: Path, steps: StepColumns, source: Source) -> None:
    values: dict[str, Any] = {"name": list(steps.name_values), "conclusion": list(steps.conclusion_values)}
    meta = source.meta() | {b"suite.values": json.dumps(values).encode()}
    table = pa.table({k: getattr(steps, k) for k in _STEP_ARRAYS}).replace_schema_metadata(meta)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        _remove(tmp)


def _remove(path: Path) -> None:
    """A temporary file gone, if it is there (nothing to do where its directory could not be made)."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)

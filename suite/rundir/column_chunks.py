"""Rows given as columns, a chunk at a time: what suite.rundir.fast_jsonl reads and suite.analyze.columns
takes besides dict rows. Pure data, no I/O.

A ColumnChunks is an iterable of chunks; each chunk is a dict {key: the values, one per row} whose
columns have one length: a list, or (from suite.rundir.duck_jsonl) an int64 or float64 numpy array (a
column without null) or an `Encoded` column (repeating values as distinct values and a code per row), which
the analysis's column builders take without a Python object per row. A key absent from a chunk is
absent from each of its rows. (Each chunk is itself a dict, so a ColumnChunks passes where rows are
typed `Iterable[dict[str, Any]]`; the readers that take rows check for it with isinstance and read it
by chunk.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

Chunk = dict[str, list[Any]]
ROWS_PER_CHUNK = 4096


@dataclass(frozen=True)
class Encoded(Sequence[Any]):
    """A column of repeating values: `distinct` (each value once, in order of first sight, None
    among them when the column has a null) and `codes`, per row its value's index in `distinct`."""

    distinct: list[Any]
    codes: np.ndarray

    def __len__(self) -> int:
        return int(self.codes.size)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self.tolist()[index]
        return self.distinct[int(self.codes[index])]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.tolist())

    def __contains__(self, value: object) -> bool:
        # every row holds one of the distinct values and each is some row's: asked of them alone (a
        # Sequence would compare every row's value, in Python)
        return value in self.distinct

    def tolist(self) -> list[Any]:
        table = np.empty(len(self.distinct), dtype=object)
        for i, v in enumerate(self.distinct):  # one by one: a list value stays one value
            table[i] = v
        out: list[Any] = table[self.codes].tolist()
        return out


def as_list(values: Sequence[Any] | np.ndarray) -> list[Any]:
    """A chunk's column as a list of Python values."""
    if isinstance(values, list):
        return values
    if isinstance(values, Encoded | np.ndarray):
        out: list[Any] = values.tolist()
        return out
    return list(values)


def _taken(values: Sequence[Any], kept: np.ndarray) -> Any:
    """A chunk's column, the rows where `kept` is True."""
    if isinstance(values, Encoded):  # its distinct values: those left, in their new order of first sight
        codes = values.codes[kept]
        used, first = np.unique(codes, return_index=True)
        seen = used[np.argsort(first, kind="stable")]
        lut = np.empty(len(values.distinct), np.int64)
        lut[seen] = np.arange(seen.size)
        return Encoded([values.distinct[int(c)] for c in seen], lut[codes])
    if isinstance(values, np.ndarray):
        return values[kept]
    return [v for v, k in zip(values, kept.tolist(), strict=True) if k]


@dataclass(frozen=True)
class StepColumns:
    """The steps of raw/jobs.jsonl's jobs, one entry per step, flat: those of each job id's last copy,
    a job's steps together and in order of number (unnumbered last, the file's order on a tie), as
    suite.analyze.steps.parse_steps orders them. number: -1 where has_number is False (not an
    integer); name and conclusion: codes into their `*_values` (conclusion None when not a string);
    duration: completed_at − started_at in seconds, NaN without both (or completed first)."""

    job_id: np.ndarray  # int64
    number: np.ndarray  # int64
    has_number: np.ndarray  # bool
    name: np.ndarray  # int64 codes into name_values
    name_values: tuple[str, ...]
    conclusion: np.ndarray  # int64 codes into conclusion_values
    conclusion_values: tuple[str | None, ...]
    duration: np.ndarray  # float64

    def __len__(self) -> int:
        return int(self.job_id.size)

    @staticmethod
    def empty() -> StepColumns:
        none = np.empty(0, np.int64)
        return StepColumns(none, none, np.empty(0, bool), none, (), none, (), np.empty(0))


class ColumnChunks(Iterable[dict[str, Any]]):
    """steps: raw/jobs.jsonl's steps as flat columns, when the reader took them apart (None: the steps,
    if any, are in the rows)."""

    __slots__ = ("_chunks", "steps")

    def __init__(self, chunks: Iterable[Chunk], steps: StepColumns | None = None) -> None:
        self._chunks = chunks
        self.steps = steps

    def __iter__(self) -> Iterator[Chunk]:
        return iter(self._chunks)

    @staticmethod
    def of_rows(rows: Iterable[dict[str, Any]], keys: Sequence[str]) -> ColumnChunks:
        """The rows' `keys` as column chunks (a missing key: None)."""

        def chunks() -> Iterator[Chunk]:
            it = iter(rows)
            while batch := list(islice(it, ROWS_PER_CHUNK)):
                yield {k: [r.get(k) for r in batch] for k in keys}

        return ColumnChunks(chunks())

    def where(self, key: str, keep: Callable[[Any], bool]) -> ColumnChunks:
        """The rows whose `key` value passes keep()."""

        def chunks() -> Iterator[Chunk]:
            for chunk in self:
                values = chunk[key]
                if isinstance(values, Encoded):  # keep() once per distinct value
                    kept = np.fromiter(map(keep, values.distinct), bool, len(values.distinct))[values.codes]
                else:
                    kept = np.fromiter(map(keep, values), bool, len(values))
                if kept.all():
                    yield chunk
                elif kept.any():
                    yield {k: _taken(col, kept) for k, col in chunk.items()}

        return ColumnChunks(chunks())

    def tapped(self, tap: Callable[[Chunk], None]) -> ColumnChunks:
        """The same chunks, each given to tap() as it is read; the steps move to the new chunks."""

        def chunks() -> Iterator[Chunk]:
            for chunk in self:
                tap(chunk)
                yield chunk

        steps, self.steps = self.steps, None  # handed on: one holder of the steps (freed with it)
        return ColumnChunks(chunks(), steps)

    def then(self, other: ColumnChunks) -> ColumnChunks:
        """These chunks, then other's."""

        def chunks() -> Iterator[Chunk]:
            yield from self
            yield from other

        return ColumnChunks(chunks())

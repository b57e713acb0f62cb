"""Rows given as columns, a chunk at a time: what suite.rundir.fast_jsonl reads and suite.analyze.columns
takes besides dict rows. Pure data, no I/O.

A ColumnChunks is an iterable of chunks; each chunk is a dict {key: list of values, one per row} whose
lists have one length. A key absent from a chunk is absent from each of its rows. (Each chunk is itself
a dict, so a ColumnChunks passes where rows are typed `Iterable[dict[str, Any]]`; the readers that take
rows check for it with isinstance and read it by chunk.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

Chunk = dict[str, list[Any]]
ROWS_PER_CHUNK = 4096


class ColumnChunks(Iterable[dict[str, Any]]):
    __slots__ = ("_chunks",)

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        self._chunks = chunks

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
                mask = [keep(v) for v in chunk[key]]
                if all(mask):
                    yield chunk
                elif any(mask):
                    yield {k: [v for v, m in zip(col, mask, strict=True) if m] for k, col in chunk.items()}

        return ColumnChunks(chunks())

    def tapped(self, tap: Callable[[Chunk], None]) -> ColumnChunks:
        """The same chunks, each given to tap() as it is read."""

        def chunks() -> Iterator[Chunk]:
            for chunk in self:
                tap(chunk)
                yield chunk

        return ColumnChunks(chunks())

    def then(self, other: ColumnChunks) -> ColumnChunks:
        """These chunks, then other's."""

        def chunks() -> Iterator[Chunk]:
            yield from self
            yield from other

        return ColumnChunks(chunks())

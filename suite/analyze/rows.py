"""Row views over columns: result.json's `per_job` without a million dicts in memory.

`ColumnRows` is a read-only sequence of dicts, one per row, made when a row is read. The analysis
builds columns (one per key: a list, or a `Lazy` numpy column whose Python values are made a slice at
a time as rows are read); the report writers iterate rows; `suite.rundir.jsonio.write_json` writes it row by
row. It compares equal to the list of the same dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

CHUNK = 4096  # rows per slice of the columns while iterating


@dataclass(frozen=True)
class Lazy:
    """A column kept as a numpy array; `convert` turns a slice of it into its Python values (a list)."""

    array: np.ndarray
    convert: Callable[[np.ndarray], list[Any]]

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, index: slice) -> list[Any]:
        return self.convert(self.array[index])


Column = Sequence[Any] | Lazy


class ColumnRows(Sequence[dict[str, Any]]):
    __slots__ = ("_columns", "_keys", "_len")

    def __init__(self, keys: Sequence[str], columns: Sequence[Column]) -> None:
        if len(keys) != len(columns):
            raise ValueError(f"{len(keys)} keys for {len(columns)} columns")
        lengths = {len(c) for c in columns}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self._keys = tuple(keys)
        self._columns = tuple(columns)
        self._len = lengths.pop() if lengths else 0

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("row index out of range")
        return {k: c[index : index + 1][0] for k, c in zip(self._keys, self._columns, strict=True)}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        keys = self._keys
        for lo in range(0, self._len, CHUNK):
            part = [c[lo : lo + CHUNK] for c in self._columns]
            for values in zip(*part, strict=True):
                yield dict(zip(keys, values, strict=True))

    def column(self, key: str) -> list[Any]:
        """One key's values for every row, as a list (no row dict is made)."""
        return list(self._columns[self._keys.index(key)][0 : self._len])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColumnRows | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like list

    def __repr__(self) -> str:
        return f"ColumnRows({self._len} rows × {len(self._keys)} keys)"

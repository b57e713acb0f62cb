"""Row views over columns: the per-job data (`per_job`) without a million dicts in memory.

`ColumnRows` is a read-only sequence of dicts, one per row, made when a row is read. The analysis
builds columns (one per key: a list, or a `Lazy` numpy column whose Python values are made a slice at
a time as rows are read); the run directory's job table is read back as one (suite.rundir.job_rows).
It compares equal to the list of the same dicts. The report writers read it column by column, never a
dict per row: `column` (one key's Python values), `floats` (a numeric or time column as float64, NaN for
null, with no Python object per row where the column is a numpy array) and `slices` (the Python values
of some keys, a slice of rows at a time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from suite.isotime import parse_column

CHUNK = 4096  # rows per slice of the columns while iterating


@dataclass(frozen=True)
class Lazy:
    """A column kept as a numpy array; `convert` turns a slice of it into its Python values (a list).

    A float array holds the column's meaning as a number: the figure itself (NaN for null), or for a
    time column (whose Python values are ISO strings) its epoch seconds."""

    array: np.ndarray
    convert: Callable[[np.ndarray], list[Any]]

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, index: slice) -> list[Any]:
        return self.convert(self.array[index])


@dataclass(frozen=True)
class Coded(Lazy):
    """A Lazy column of few distinct values (a categorical one), kept coded too: `array` is
    `words[codes]` (words: an object array of the distinct values), so a writer may take the values
    coded (suite.report.jobs_csv: Arrow's take of the words, no Python object per row)."""

    codes: np.ndarray
    words: np.ndarray


Column = Sequence[Any] | Lazy
_NUMBERS = frozenset((int, float, type(None)))


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

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]], keys: Sequence[str]) -> ColumnRows:
        """Dicts (a result built by hand, a partial one) as columns of `keys` (a key a row lacks: None)."""
        listed = list(rows)
        return cls(keys, [[r.get(k) for r in listed] for k in keys])

    @property
    def keys(self) -> tuple[str, ...]:
        return self._keys

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            lo, hi, step = index.indices(self._len)
            if step != 1:
                return [self[i] for i in range(lo, hi, step)]
            part = [c[lo:hi] for c in self._columns] if hi > lo else []
            return [dict(zip(self._keys, values, strict=True)) for values in zip(*part, strict=True)]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("row index out of range")
        return {k: c[index : index + 1][0] for k, c in zip(self._keys, self._columns, strict=True)}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        keys = self._keys
        for part in self.slices(keys):
            for values in zip(*part, strict=True):
                yield dict(zip(keys, values, strict=True))

    def slices(self, keys: Sequence[str], size: int = CHUNK) -> Iterator[list[list[Any]]]:
        """The Python values of `keys`, `size` rows at a time: per slice, one list per key."""
        columns = self.columns(keys)
        for lo in range(0, self._len, size):
            yield [list(c[lo : lo + size]) for c in columns]

    def columns(self, keys: Sequence[str]) -> list[Column]:
        """The columns of `keys` as they are kept (lists, or Lazy numpy columns): for a writer that
        formats a column's values without making them (suite.report.jobs_csv)."""
        return [self._columns[self._keys.index(k)] for k in keys]

    def column(self, key: str) -> list[Any]:
        """One key's values for every row, as a list (no row dict is made)."""
        return list(self._columns[self._keys.index(key)][0 : self._len])

    def values_at(self, key: str, index: np.ndarray) -> list[Any]:
        """One key's Python values at the rows `index` (an integer array) only."""
        col = self._columns[self._keys.index(key)]
        if isinstance(col, Lazy):
            return col.convert(col.array[index])
        return [col[i] for i in index.tolist()]

    def per_value(self, key: str, fn: Callable[[Any], Any], dtype: Any) -> np.ndarray:
        """`fn` of each row's value, as a numpy array of `dtype`: called once per distinct value of a
        Coded column (its codes then pick the answers), once per row of any other."""
        col = self._columns[self._keys.index(key)]
        if isinstance(col, Coded):
            words = col.words.tolist()
            return np.fromiter(map(fn, words), dtype, len(words))[col.codes]
        values = self.column(key)
        return np.fromiter(map(fn, values), dtype, len(values))

    def array(self, key: str) -> np.ndarray | None:
        """One key's column as the numpy array it is kept as (a Lazy column: floats with NaN for null,
        epoch seconds for a time column, integers, or objects), None for a column kept as a list."""
        col = self._columns[self._keys.index(key)]
        return col.array if isinstance(col, Lazy) else None

    def floats(self, key: str) -> np.ndarray:
        """One key's values as float64, NaN for null: a Lazy float column as it is kept (no Python value
        made), any other from its values (numbers as they are, ISO time strings as epoch seconds)."""
        col = self._columns[self._keys.index(key)]
        if isinstance(col, Lazy) and col.array.dtype.kind == "f":
            return np.asarray(col.array, dtype=np.float64)
        values = self.column(key)
        if set(map(type, values)) <= _NUMBERS:
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        return parse_column(values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ColumnRows | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like list

    def __repr__(self) -> str:
        return f"ColumnRows({self._len} rows × {len(self._keys)} keys)"


def rows_of(value: Any, keys: Sequence[str]) -> ColumnRows:
    """A result's per-job value as ColumnRows: itself, the dicts of a hand-built result as columns, or no
    rows for a result without it (result.json v2: the job table holds them, suite.rundir.job_rows)."""
    if isinstance(value, ColumnRows):
        return value
    return ColumnRows.of(value or (), keys)

"""Raw rows (dicts, as read from raw/*.jsonl) to compact columns, a chunk of rows at a time.

Each row is read once, in order; a chunk's fields are pulled out key by key (a C-level map over the
chunk) and turned into numpy columns or small codes at once, so no row outlives its chunk and a run
with a million jobs never holds a million row objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any

import numpy as np

from suite.rundir.column_chunks import ColumnChunks, Encoded, as_list

CHUNK = 4096  # rows per yielded chunk: numpy converts a chunk's columns in a few calls
BATCH = 128  # rows read at a time: a batch of dicts stays in the CPU cache while its keys are pulled


def chunks(
    rows: Iterable[dict[str, Any]], keys: Sequence[str], required: Sequence[str] = (), absent: Any = None
) -> Iterator[list[list[Any]]]:
    """Per chunk of rows, one list of values per key: row[key] for `required` keys (a missing one
    raises KeyError), else row.get(key, absent). Rows given as columns (a ColumnChunks, read by
    suite.rundir.fast_jsonl) are passed on a chunk at a time, with the same rules."""
    if isinstance(rows, ColumnChunks):
        yield from _column_chunks(rows, keys, required, absent)
        return
    getters = [(key, itemgetter(key), key in required) for key in keys]
    it = iter(rows)
    more = True
    while more:
        cols: list[list[Any]] = [[] for _ in keys]
        while len(cols[0]) < CHUNK:
            batch = list(islice(it, BATCH))
            if not batch:
                more = False
                break
            for col, (key, get, needed) in zip(cols, getters, strict=True):
                before = len(col)
                try:
                    col.extend(map(get, batch))
                except KeyError:
                    if needed:
                        raise
                    del col[before:]
                    col.extend([row.get(key, absent) for row in batch])
        if cols[0]:
            yield cols


def _column_chunks(
    source: ColumnChunks, keys: Sequence[str], required: Sequence[str], absent: Any
) -> Iterator[list[list[Any]]]:
    for chunk in source:
        n = len(next(iter(chunk.values()))) if chunk else 0
        if not n:
            continue
        for key in required:
            if key not in chunk:
                raise KeyError(key)
        yield [chunk[key] if key in chunk else [absent] * n for key in keys]


class Codes(dict[Any, int]):
    """value -> a small integer code, a new code for each new value (in order of first sight)."""

    def __missing__(self, key: Any) -> int:
        code = self[key] = len(self)
        return code

    def column(self, values: Sequence[Any]) -> np.ndarray:
        if isinstance(values, Encoded):  # each distinct value looked up once, in order of first sight
            return np.fromiter(map(self.__getitem__, values.distinct), np.int64, len(values.distinct))[
                values.codes
            ]
        return np.fromiter(map(self.__getitem__, values), np.int64, len(values))


@dataclass(frozen=True)
class Cat:
    """A categorical column: codes[i] indexes values (distinct values, in order of first sight)."""

    codes: np.ndarray
    values: tuple[Any, ...]

    @staticmethod
    def build(codes: Codes, parts: list[np.ndarray], canon: Callable[[Any], Any] = lambda v: v) -> Cat:
        """The column of the raw values coded by `codes` (in `parts`), each value passed through canon;
        raw values with one canonical value (None and "" as "no runner", say) share one code."""
        values: dict[Any, int] = {}
        remap = np.fromiter((values.setdefault(canon(v), len(values)) for v in codes), np.int64, len(codes))
        raw = np.concatenate(parts) if parts else np.empty(0, np.int64)
        return Cat(remap[raw] if remap.size else raw, tuple(values))

    @staticmethod
    def of(values: Sequence[Any], canon: Callable[[Any], Any] = lambda v: v) -> Cat:
        codes = Codes()
        return Cat.build(codes, [codes.column(values)], canon)

    def __len__(self) -> int:
        return int(self.codes.size)

    def isin(self, *wanted: Any) -> np.ndarray:
        """Mask of the rows whose value is one of `wanted`."""
        hits = [i for i, v in enumerate(self.values) if v in wanted]
        return np.isin(self.codes, hits) if hits else np.zeros(self.codes.size, bool)

    def take(self, index: np.ndarray) -> Cat:
        return Cat(self.codes[index], self.values)

    def objects_table(self) -> np.ndarray:
        """The distinct values as an object array (indexed by code)."""
        table = np.empty(len(self.values), dtype=object)
        for i, v in enumerate(self.values):
            table[i] = v
        return table

    def objects(self) -> np.ndarray:
        """The value of every row, as an object array."""
        return self.objects_table()[self.codes]


def objects(values: Iterable[Any], n: int) -> np.ndarray:
    """An object column of n values (kept as they are: no nesting into a deeper array)."""
    return np.fromiter(values, np.dtype(object), n)


def column_objects(
    values: Sequence[Any], convert: Callable[[list[Any]], list[Any]] | None = None
) -> np.ndarray:
    """A chunk's column (a list, a numpy array or an Encoded column) as an object array of its values,
    convert()ed when given (a list of values to as many); an Encoded column's distinct values converted
    once and shared by their rows."""
    if isinstance(values, Encoded):
        distinct = values.distinct if convert is None else convert(values.distinct)
        return objects(distinct, len(distinct))[values.codes]
    if isinstance(values, np.ndarray) and convert is None:
        return values.astype(object)
    listed = as_list(values)
    return objects(listed if convert is None else convert(listed), len(listed))


def first_sight_codes(values: list[Any]) -> tuple[np.ndarray, int]:
    """Each value as a small integer (in order of first sight), and how many distinct values: the
    distinct ones found by dict.fromkeys (no Python call per new value); values all distinct (a ledger
    without a retry) are their own order of first sight."""
    distinct = dict.fromkeys(values)
    if len(distinct) == len(values):
        return np.arange(len(values), dtype=np.int64), len(values)
    index = dict(zip(distinct, range(len(distinct)), strict=True))
    return np.fromiter(map(index.__getitem__, values), np.int64, len(values)), len(index)


def sorted_by(major: np.ndarray, minor: np.ndarray) -> bool:
    """Whether rows are already in (major, minor) order."""
    if major.size < 2:
        return True
    step, tie = np.diff(major), np.diff(minor)
    return bool(np.all((step > 0) | ((step == 0) & (tie >= 0))))


def nullable(a: np.ndarray) -> list[float | None]:
    """A float column as a list with None for NaN."""
    out = np.asarray(a, dtype=float).astype(object)
    out[np.isnan(np.asarray(a, dtype=float))] = None
    result: list[float | None] = out.tolist()
    return result


def ints(values: Sequence[Any], default: int | None = None) -> np.ndarray:
    """int(v) for each value (`int(v or default)` when a default is given), as an int64 column."""
    n = len(values)
    if isinstance(values, np.ndarray):  # a column read without null (suite.rundir.duck_jsonl)
        out = values.astype(np.int64)
        return out if default is None else np.where(out == 0, default, out)
    if default is None:
        return np.fromiter(values, np.int64, n)
    try:
        out = np.fromiter(values, np.int64, n)
    except TypeError:  # a None among them
        return np.fromiter((int(v or default) for v in values), np.int64, n)
    for i in np.flatnonzero(out == 0).tolist():
        out[i] = int(values[i] or default)
    return out

"""ISO-8601 timestamps <-> epoch seconds, one value at a time and a whole column at once.

The suite's one ISO-time parser: parse_iso (any ISO-8601 shape), ts (a value or null) and
parse_column (a whole column, vectorised). GitHub stamps to the second, Container Insights to the
minute and the ledger to the millisecond (all UTC, "Z"). The fast paths handle exactly those shapes;
anything else goes to parse_iso (and suite.clock's formatters), and the tests hold the fast paths
equal to them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

from suite.clock import iso, iso_ms

NAN = math.nan


def parse_iso(s: str) -> float:
    """Parse an ISO-8601 UTC timestamp (with or without fraction, `Z` or offset) to epoch seconds."""
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def ts(value: object) -> float | None:
    """An ISO timestamp (or null / empty) as epoch seconds."""
    if value is None or value == "":
        return None
    return _parse(value) if type(value) is str else parse_iso(str(value))


def stamp(t: float | None) -> str | None:
    """Epoch seconds as an ISO timestamp: whole seconds like GitHub, else with milliseconds."""
    if t is None:
        return None
    return _stamp(float(t))


@lru_cache(maxsize=1 << 20)
def _parse(value: str) -> float:
    return _parse_once(value)


def _parse_once(value: str) -> float:
    n = len(value)
    if (n == 20 or (n == 24 and value[19] == ".")) and value[-1] == "Z" and value[10] == "T":
        try:
            whole = (
                _day_epoch(value[:10]) + int(value[11:13]) * 3600 + int(value[14:16]) * 60 + int(value[17:19])
            )
            if n == 20:
                return float(whole)
            # microseconds / 10**6, correctly rounded: what datetime.timestamp() computes
            return (whole * 1_000_000 + int(value[20:23]) * 1000) / 1_000_000
        except ValueError:
            pass
    return parse_iso(value)


@lru_cache(maxsize=1 << 16)
def _day_epoch(date: str) -> int:
    return int(parse_iso(date + "T00:00:00Z"))


@lru_cache(maxsize=1 << 20)
def _stamp(t: float) -> str:
    return _stamp_once(t)


def _stamp_once(t: float) -> str:
    if t == int(t) and t >= 0:
        whole = int(t)
        h, rem = divmod(whole % 86400, 3600)
        return f"{_day_prefix(whole // 86400)}T{h:02d}:{rem // 60:02d}:{rem % 60:02d}Z"
    return iso(t) if t == int(t) else iso_ms(t)


@lru_cache(maxsize=1 << 16)
def _day_prefix(day: int) -> str:
    return iso(day * 86400)[:10]


def observed_ts(value: Any) -> float | None:
    """ts(), with a damaged stamp read as one not observed (None) rather than an error: how a job's
    steps' stamps are read (suite.analyze.steps)."""
    if type(value) is str and value:
        try:
            return _parse(value)  # ts() of a non-empty string, without its two calls
        except (TypeError, ValueError):
            return None
    try:
        return ts(value)
    except (TypeError, ValueError):
        return None


def ts_nan(value: object) -> float:
    """ts() with NaN for a missing time, parsed without filling the module's caches."""
    if value is None or value == "":
        return NAN
    return _parse_once(value) if type(value) is str else parse_iso(str(value))


_UNSEEN = -math.inf  # never a parsed time


class Stamps(dict[Any, float]):
    """A per-analysis memo: raw timestamp value -> epoch seconds (NaN when null or empty).

    GitHub's and CloudWatch's stamps repeat a lot (whole seconds, whole minutes), so a column costs
    one dict look-up per value, and the values not seen before are parsed together (parse_column).
    """

    def __missing__(self, key: Any) -> float:
        return _UNSEEN  # parsed in column(), with the chunk's other new values

    def column(self, values: Sequence[Any]) -> np.ndarray:
        distinct = getattr(values, "distinct", None)  # an encoded column (suite.rundir.column_chunks)
        if isinstance(distinct, list):
            return self.column(distinct)[values.codes]  # type: ignore[attr-defined]
        n = len(values)
        out = np.fromiter(map(self.__getitem__, values), float, n)
        unseen = np.flatnonzero(out == _UNSEEN)
        if unseen.size:
            new = list(dict.fromkeys([values[i] for i in unseen.tolist()]))
            self.update(zip(new, parse_column(new).tolist(), strict=True))
            out[unseen] = [self[values[i]] for i in unseen.tolist()]
        return out


# YYYY-MM-DDTHH:MM:SS byte by byte: the lowest and highest byte allowed (a digit, or the separator;
# the tens of seconds 0-5)
_LOW = np.frombuffer(b"0000-00-00T00:00:00", np.uint8)
_SPAN = np.frombuffer(b"9999-99-99T99:99:59", np.uint8) - _LOW
_ZERO = np.uint8(ord("0"))


def parse_column(values: Sequence[Any]) -> np.ndarray:
    """ts() for every value (NaN for null/empty). The whole-second and millisecond 'Z' shapes with
    plain digits go through numpy's datetime64 parser (which rejects an impossible date as ts() does);
    any other value goes through ts() one by one, and raises as it would."""
    n = len(values)
    out = np.full(n, NAN)
    if n == 0:
        return out
    try:
        raw = np.array(values, dtype="S25")  # a longer value keeps a 25th byte: not a fast shape
    except UnicodeError:
        return np.fromiter(map(ts_nan, values), float, n)
    m = raw.view(np.uint8).reshape(n, 25)
    whole = (m[:, 19] == ord("Z")) & (m[:, 20] == 0)
    ok = ((m[:, :19] - _LOW) <= _SPAN).all(axis=1)  # uint8 wraps: a byte below its low is too high
    ok &= (m[:, 0] | m[:, 1] | m[:, 2] | m[:, 3]) != _ZERO  # year >= 1 (only "0000" ORs to "0")
    if whole.all():
        milli = np.zeros(n, bool)
    else:
        milli = (m[:, 19] == ord(".")) & (m[:, 23] == ord("Z")) & (m[:, 24] == 0)
        milli &= ((m[:, 20:23] - _ZERO) < 10).all(axis=1)
        ok &= whole | milli
    fast = np.flatnonzero(ok) if not ok.all() else None
    head = np.ascontiguousarray(m[:, :19] if fast is None else m[fast, :19]).view("S19").ravel()
    try:
        seconds = head.astype("datetime64[s]").astype(np.int64).astype(float)
    except ValueError:  # an impossible date or hour among them: each value the slow way
        return np.fromiter(map(ts_nan, values), float, n)
    if milli.any():
        sub = milli if fast is None else milli[fast]
        ms = (m[:, 20:23] if fast is None else m[fast, 20:23]).astype(np.int64) @ np.array([100, 10, 1])
        micros = seconds.astype(np.int64) * 1_000_000 + (ms - 111 * ord("0")) * 1000
        if np.abs(micros[sub]).max() >= 2**53:  # not exact as a float: each value the slow way
            return np.fromiter(map(ts_nan, values), float, n)
        # microseconds / 10**6, correctly rounded, as _parse and datetime.timestamp()
        seconds = np.where(sub, micros / 1_000_000, seconds)
    if fast is None:
        return seconds
    out[fast] = seconds
    for i in np.flatnonzero(~ok).tolist():
        out[i] = ts_nan(values[i])
    return out


def stamp_column(times: np.ndarray) -> list[str | None]:
    """stamp() for every time (None for NaN), formatting each distinct time once."""
    words, codes = stamp_codes(times)
    values: list[str | None] = words[codes].tolist()
    return values


def stamp_codes(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stamps of `times` as distinct words and a code per time: `words[codes]` is stamp() of each
    (words: an object array whose last item is None, the code of a NaN), each distinct time formatted once."""
    times = np.asarray(times, dtype=float)
    known = ~np.isnan(times)
    codes = np.zeros(times.size, dtype=np.int64)
    if not known.any():
        return np.array([None], dtype=object), codes
    t = times[known]
    lo, hi = float(t.min()), float(t.max())
    if hi - lo <= 4 * t.size + 64 and bool((t == np.floor(t)).all()):
        # whole seconds over a bounded span: one string per second of the span, picked by offset
        words = _stamps(np.arange(lo, hi + 1.0))
        codes[known] = (t - lo).astype(np.int64)
    else:
        uniq, inverse = np.unique(t, return_inverse=True)
        words = _stamps(uniq)
        codes[known] = inverse.ravel()
    codes[~known] = words.size
    with_null = np.empty(words.size + 1, dtype=object)  # the last: None, a NaN's code
    with_null[:-1] = words
    return with_null, codes


YEAR_10000 = 253402300800.0  # numpy and strftime agree on whole seconds from 1970 to year 9999


def plain_seconds(times: np.ndarray) -> np.ndarray:
    """Which times are a whole second from 1970 to the year 9999: those a date formatter (numpy's, or
    DuckDB's strftime) writes as stamp() does; stamp() itself writes every other (NaN: False)."""
    return (times == np.floor(times)) & (times >= 0) & (times < YEAR_10000)


def _stamps(times: np.ndarray) -> np.ndarray:
    text = np.empty(times.size, dtype=object)
    whole = plain_seconds(times)
    if whole.any():
        seconds = times[whole].astype(np.int64).astype("datetime64[s]")
        text[whole] = np.char.add(np.datetime_as_string(seconds, unit="s"), "Z").tolist()
    for i in np.flatnonzero(~whole).tolist():
        text[i] = _stamp_once(float(times[i]))
    return text

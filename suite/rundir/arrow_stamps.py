"""A column of timestamps checked as suite.rundir.readback's IsoStamps checks each value, with pyarrow:
the shape the suite and GitHub write (whole seconds or milliseconds, `Z`) matched by one regex over the
column, each distinct day of those checked once (an impossible date: refused); any other value checked
one by one by IsoStamps itself. A ledger's stamps are all distinct (milliseconds), so checking each
distinct value in Python cost about 0.9 s per million; here it is one pass in C++."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from suite.rundir.readback import IsoStamps, valid_day

PROBE = 1024  # the first values, by whose repeats a column is judged
SHAPE = r"^\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{3})?Z$"  # readback's GitHub shape (RE2)


def stamps_ok(column: pa.ChunkedArray, required: bool, stamps: IsoStamps) -> bool:
    """Whether every value is a timestamp as IsoStamps.is_iso says (or null or "" when optional): the
    shape the suite writes matched by pyarrow at once, its distinct days checked; other values one by one.
    A column whose stamps repeat (a job's, by the second) is checked over its distinct values (a tenth of
    the million at 1M jobs: 0.03 s against 0.1-0.7 s); a mostly distinct one (the ledger's) as it is."""
    head = column.slice(0, PROBE)
    if len(head) and pc.count_distinct(head).as_py() <= len(head) // 2:
        column = pc.unique(column)
    shaped = pc.fill_null(pc.match_substring_regex(column, SHAPE), False)
    others = pc.unique(pc.filter(column, pc.invert(shaped))).to_pylist()
    if not all(v is None or (v == "" and not required) or stamps.is_iso(v) for v in others):
        return False
    days = pc.unique(pc.utf8_slice_codeunits(pc.filter(column, shaped), 0, 10)).to_pylist()
    return all(valid_day(d) for d in days)

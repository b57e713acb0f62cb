"""raw/jobs.jsonl's steps as suite.rundir.duck_jsonl reads them (each row's list of steps, typed and
checked in SQL), made numpy columns a batch of rows at a time and joined into StepColumns: each job id's
last copy's steps, each job's in order of number (suite.analyze.steps.parse_steps's order). Pure: Arrow
arrays in, numpy columns out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from suite.isotime import observed_ts
from suite.rundir.column_chunks import StepColumns


class StepParts:
    """The steps of the rows read so far, a batch of rows at a time, as numpy columns only (each
    batch's Arrow strings let go): per step its job id, its row in the file, number, name and
    conclusion codes, duration."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}
        self.verdicts: dict[str | None, int] = {}
        self.parts: dict[str, list[np.ndarray]] = {
            k: [] for k in ("job_id", "row", "number", "has", "name", "verdict", "took")
        }
        self.rows = 0

    def add(self, ids: pa.Array, steps: pa.ListArray) -> bool:
        """A batch's rows' job ids and steps lists; False when a step fails a check."""
        first, self.rows = self.rows, self.rows + len(ids)
        flat = steps.flatten()  # the steps of every row, in order (a null list: none)
        if not len(flat):
            return True
        if not pc.all(flat.field("ok")).as_py():
            return False
        row = np.asarray(pc.list_parent_indices(steps).to_numpy(), dtype=np.int64)
        present = np.asarray(flat.field("present").to_numpy(zero_copy_only=False), dtype=bool)
        if not present.all():  # a step that is JSON null: no step (StepTap's rule)
            keep = np.flatnonzero(present)
            flat, row = flat.take(pa.array(keep)), row[keep]
        number = flat.field("number")
        started, completed = (_seconds(flat.field(k)) for k in ("started", "completed"))
        parts = self.parts
        parts["job_id"].append(np.asarray(ids.to_numpy(), dtype=np.int64)[row])
        parts["row"].append(row + first)
        parts["number"].append(np.array(number.fill_null(-1).to_numpy(), dtype=np.int64))  # a copy
        parts["has"].append(np.asarray(number.is_valid().to_numpy(zero_copy_only=False), dtype=bool))
        parts["name"].append(_recoded(flat.field("name"), self.names))
        parts["verdict"].append(_recoded(flat.field("conclusion"), self.verdicts))
        parts["took"].append(np.where(completed >= started, completed - started, np.nan))  # NaN: one missing
        return True

    def columns(self, row_ids: np.ndarray) -> StepColumns:
        """The steps as StepColumns: those of each job id's last row in the file (row_ids: each row's
        job id), each job's in order of number."""
        if not self.parts["job_id"]:
            return StepColumns.empty()
        joined = {k: _joined(self.parts, k) for k in list(self.parts)}
        row = joined.pop("row")
        if not _distinct(row_ids):  # a job id twice: its last copy's steps only
            reverse_first = np.unique(row_ids[::-1], return_index=True)[1]
            last = np.zeros(row_ids.size, bool)
            last[row_ids.size - 1 - reverse_first] = True
            kept = np.flatnonzero(last[row])
            joined = {k: v[kept] for k, v in joined.items()}
        order = _by_number(joined["job_id"], joined["has"], joined["number"])
        return StepColumns(
            job_id=joined["job_id"][order],
            number=joined["number"][order],
            has_number=joined["has"][order],
            name=joined["name"][order],
            name_values=tuple(self.names),
            conclusion=joined["verdict"][order],
            conclusion_values=tuple(self.verdicts),
            duration=joined["took"][order],
        )


def _distinct(ids: np.ndarray) -> bool:
    """Whether no id repeats (by sorting: numpy's hashed unique took 0.5 s at a million ids)."""
    if ids.size < 2 or bool(np.all(ids[1:] > ids[:-1])):
        return True
    ordered = np.sort(ids)
    return bool(np.all(ordered[1:] != ordered[:-1]))


def _joined(parts: dict[str, list[np.ndarray]], key: str) -> np.ndarray:
    """One column's parts joined, the parts let go (a column at a time: memory holds one copy more)."""
    out = np.concatenate(parts[key])
    del parts[key]
    return out


def _recoded(column: pa.Array, codes: dict[Any, int]) -> np.ndarray:
    """A string column's codes in `codes` (a new value: the next code; a null: None's)."""
    encoded = column.dictionary_encode()
    lut = [codes.setdefault(v, len(codes)) for v in encoded.dictionary.to_pylist()]
    if column.null_count:
        lut.append(codes.setdefault(None, len(codes)))
    return np.asarray(lut, dtype=np.int64)[_codes(encoded, len(encoded.dictionary))]


def _seconds(stamps: Any) -> np.ndarray:
    """Each step stamp as the steps' figures read it (suite.isotime.observed_ts: NaN for one missing
    or damaged), each distinct value of the column (or batch) parsed once."""
    encoded = (stamps.combine_chunks() if isinstance(stamps, pa.ChunkedArray) else stamps).dictionary_encode()
    parsed = [observed_ts(v) for v in encoded.dictionary.to_pylist()]
    lut = np.array([np.nan if t is None else t for t in parsed] + [np.nan], dtype=float)
    return lut[_codes(encoded, len(parsed))]


def _by_number(job: np.ndarray, has_number: np.ndarray, numbers: np.ndarray) -> np.ndarray | slice:
    """The steps' order: each job's steps (consecutive, as read) by number, unnumbered last, their
    order as read on a tie; the steps as they are when they already are in it (GitHub's are)."""
    new_job = job[1:] != job[:-1]
    in_order = (has_number[1:] & has_number[:-1] & (numbers[1:] >= numbers[:-1])) | ~has_number[1:]
    if bool(np.all(new_job | in_order)):
        return slice(None)  # as they are: no copy
    run = np.concatenate(([0], np.cumsum(new_job)))  # each job's place among the jobs read
    return np.lexsort((np.arange(job.size), numbers, ~has_number, run))  # stable


def _codes(encoded: Any, null_code: int = -1) -> np.ndarray:
    """A dictionary array's indices as int64, null_code for a null."""
    return np.asarray(encoded.indices.fill_null(null_code).to_numpy(), dtype=np.int64)

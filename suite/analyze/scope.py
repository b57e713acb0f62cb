"""This test's workflows and jobs, over the tables: workflows.py's rules, columnar.

A dispatch is accepted when GitHub answered 2xx (per suite_id the last 2xx row counts; suite_ids in
order of their first acceptance). Its run is the one whose id GitHub returned; without a returned id,
the run whose display_title is the suite_id (the earliest created). A run counts for the last
accepted suite_id that found it, and a job is this test's when its run counts for a suite_id.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

from suite.analyze.columns import first_sight_codes
from suite.analyze.tables import DispatchTable, RunTable
from suite.rundir.ledger import accepted_mask


@dataclass(frozen=True)
class Scope:
    accepted: np.ndarray  # ledger row of each accepted suite_id's last 2xx dispatch
    run: np.ndarray  # per accepted suite_id: its run (RunTable row), -1 when missing
    missing: list[dict[str, str]]  # [{suite_id, reason}], in accepted order
    owner: (
        np.ndarray
    )  # per run (RunTable row): the accepted suite_id it counts for (index into accepted), or -1
    run_order: np.ndarray  # RunTable rows ordered by run id (to find a run by id)
    code: np.ndarray  # per ledger row: its suite_id as a small integer (one per distinct suite_id)
    codes: int  # how many distinct suite_ids the ledger has

    def first_scheduled(self, ledger: DispatchTable) -> np.ndarray:
        """first_scheduled of the accepted suite_ids, over their integer codes (no dict of the ledger)."""
        rows = np.flatnonzero(~np.isnan(ledger.scheduled))
        first = np.full(self.codes, -1, np.int64)
        present, at = np.unique(self.code[rows], return_index=True)  # each code's first such row
        first[present] = rows[at]
        row = first[self.code[self.accepted]]
        return np.where(row >= 0, np.append(ledger.scheduled, np.nan)[row], np.nan)

    @property
    def found(self) -> np.ndarray:
        """Indices (into accepted) of the suite_ids whose run was found, in accepted order."""
        return np.flatnonzero(self.run >= 0)

    def run_rows(self, runs: RunTable, run_ids: np.ndarray) -> np.ndarray:
        """The RunTable row of each run id (-1 where the id is not in raw/runs.jsonl)."""
        return _find(runs.id, self.run_order, run_ids)


def _find(ids: np.ndarray, order: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The index in `ids` (sorted by `order`) of each wanted id, -1 where absent."""
    if ids.size == 0:
        return np.full(wanted.size, -1, np.int64)
    sorted_ids = ids[order]
    pos = np.minimum(np.searchsorted(sorted_ids, wanted), ids.size - 1)
    return np.where(sorted_ids[pos] == wanted, order[pos], -1)


def scope(ledger: DispatchTable, runs: RunTable) -> Scope:
    code, codes = first_sight_codes(ledger.suite_id.tolist())
    rows = np.flatnonzero(accepted_mask(ledger.status))
    # per suite_id its last 2xx row, the suite_ids in order of their first 2xx row
    c = code[rows]
    _, first = np.unique(c, return_index=True)
    _, from_end = np.unique(c[::-1], return_index=True)
    accepted = rows[c.size - 1 - from_end][np.argsort(first, kind="stable")]
    run_order = np.argsort(runs.id, kind="stable")
    has_id = ledger.has_run_id[accepted]
    run = np.full(accepted.size, -1, np.int64)
    run[has_id] = _find(runs.id, run_order, ledger.run_id[accepted[has_id]])
    if not has_id.all():
        # by display_title: the first run in (created or 0, id) order holds each title
        by_created = np.lexsort((runs.id, np.nan_to_num(runs.created, nan=0.0)))[::-1]
        titles = dict(zip(runs.suite_id[by_created].tolist(), by_created.tolist(), strict=True))
        no_id = np.flatnonzero(~has_id)
        run[no_id] = [titles.get(s, -1) for s in ledger.suite_id[accepted[no_id]].tolist()]
    lost = run < 0
    missing = [
        _missing(ledger, int(row), bool(has))
        for row, has in zip(accepted[lost].tolist(), has_id[lost].tolist(), strict=True)
    ]
    owner = np.full(len(runs), -1, np.int64)
    found = np.flatnonzero(run >= 0)
    if found.size:
        last_finder = found.size - 1 - np.unique(run[found][::-1], return_index=True)[1]
        owner[run[found][last_finder]] = found[last_finder]
    return Scope(accepted, run, missing, owner, run_order, code, codes)


def _missing(ledger: DispatchTable, row: int, has_id: bool) -> dict[str, str]:
    suite_id = str(ledger.suite_id[row])
    if has_id:
        reason = f"run {int(ledger.run_id[row])} (returned by the dispatch) is not in raw/runs.jsonl"
    else:
        reason = (
            f"dispatch answered {int(ledger.status[row])} without a run id and no run with display_title "
            f"{suite_id!r} is in raw/runs.jsonl"
        )
    return {"suite_id": suite_id, "reason": reason}


def workflow_counts(sc: Scope, runs: RunTable) -> dict[str, Any]:
    found = sc.run[sc.found]
    success = runs.conclusion.isin("success")[found]
    completed = runs.status.isin("completed")[found]
    succeeded = int(np.count_nonzero(success))
    failed = int(np.count_nonzero(completed & ~success))
    dispatched = int(sc.accepted.size)
    return {
        "dispatched": dispatched,
        "collected": int(found.size),
        "succeeded": succeeded,
        "failed": failed,
        "incomplete": int(found.size) - succeeded - failed,
        # over every accepted dispatch: a missing workflow is not a success
        "success_rate": succeeded / dispatched if dispatched else None,
        "missing": sc.missing,
    }


def not_dispatched(ledger: DispatchTable, sc: Scope) -> list[dict[str, Any]]:
    """Scheduled suite_ids that GitHub never accepted (dropped), with the last attempt's status/error."""
    accepted = np.zeros(sc.codes, bool)
    accepted[sc.code[sc.accepted]] = True
    rows = np.flatnonzero(~accepted_mask(ledger.status))
    rows = rows[~accepted[sc.code[rows]]]
    last: dict[str, int] = {}
    for suite_id, row in zip(ledger.suite_id[rows].tolist(), rows.tolist(), strict=True):
        last[suite_id] = row
    return [
        {
            "suite_id": s,
            "status": None if np.isnan(ledger.status[r]) else int(ledger.status[r]),
            "error": ledger.error[r],
        }
        for s, r in last.items()
    ]


def first_scheduled(ledger: DispatchTable, suite_ids: np.ndarray) -> np.ndarray:
    """Per suite_id: the scheduled_at of its first ledger row that has one (NaN when none)."""
    rows = np.flatnonzero(~np.isnan(ledger.scheduled))
    ids = ledger.suite_id[rows]
    if suite_ids.size * 8 < rows.size:  # a few wanted (the dropped ones): only their rows are keyed
        wanted = set(suite_ids.tolist())
        keep = np.fromiter(map(wanted.__contains__, ids.tolist()), bool, rows.size)
        rows, ids = rows[keep], ids[keep]
    first = dict(zip(ids[::-1].tolist(), rows[::-1].tolist(), strict=True))
    at = np.fromiter(map(first.get, suite_ids.tolist(), repeat(-1)), np.int64, suite_ids.size)
    return np.where(at >= 0, np.append(ledger.scheduled, np.nan)[at], np.nan)

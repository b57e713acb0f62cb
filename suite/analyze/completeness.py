"""Whether a run's figures cover its whole load: the schedule sent, the run ended and collected (pure).

- scheduled: the dispatches in the schedule (schedule.json's offsets; without it, the ledger's suite_ids)
- sent: scheduled dispatches sent at least once (a ledger row with sent_at)
- never_sent: scheduled − sent. The run stopped before their time: an abort_on_fail threshold
  (manifest.aborted; the threshold fails the run) or an interruption (Ctrl-C, SIGTERM, a kill: the
  ledger's "not dispatched" rows written by record_unsent, or no row at all before `suite collect`).
- collected: the run ended (manifest.ended_at, when the manifest records it) and collection wrote
  raw/runs.jsonl and raw/jobs.jsonl.

suite.gates.verdict turns an interruption or a run not collected into the verdict incomplete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from suite.analyze.columns import first_sight_codes
from suite.analyze.tables import DispatchTable
from suite.rundir.result_schema import Completeness

COLLECTION_FILES = ("raw/runs.jsonl", "raw/jobs.jsonl")  # written together by collection


def completeness(
    manifest: dict[str, Any],
    dispatches: DispatchTable,
    schedule_size: int | None = None,
    uncollected: Sequence[str] = (),
    codes: tuple[np.ndarray, int] | None = None,
) -> Completeness:
    """`uncollected`: the COLLECTION_FILES absent from the run directory (the I/O edge knows); codes:
    each ledger row's suite_id as a small integer and how many there are (suite.analyze.scope's), so
    the distinct suite_ids are counted without a set of them; made here when not given."""
    code, distinct = codes if codes is not None else first_sight_codes(dispatches.suite_id.tolist())
    unsent = np.isnan(dispatches.sent)
    # every row sent: all of them; else those with a sent row
    sent = int(np.count_nonzero(np.bincount(code[~unsent], minlength=distinct))) if unsent.any() else distinct
    scheduled = max(distinct, schedule_size or 0)
    never_sent = scheduled - sent
    stopped_by = None
    if never_sent > 0:
        stopped_by = "abort_on_fail" if manifest.get("aborted") else "interruption"
    why = []
    if "ended_at" in manifest and manifest["ended_at"] is None:
        why.append("the run has not ended")
    absent = [f for f in COLLECTION_FILES if f in uncollected]
    if absent:
        why.append(f"{' and '.join(absent)} absent")
    return Completeness(
        scheduled=scheduled,
        sent=sent,
        never_sent=never_sent,
        stopped_by=stopped_by,
        collected=not why,
        not_collected_why="; ".join(why) or None,
        ended_by=manifest.get("ended_by"),
    )

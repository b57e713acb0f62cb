"""The ledger's dispatches joined with GitHub's runs: every accepted dispatch is collected or missing.

A dispatch is accepted when GitHub answered 2xx (the last 2xx row of a suite_id counts). Its run is the
one whose id GitHub returned; without a returned id, the run whose display_title is the suite_id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from suite.analyze.timeline import Run, ts


@dataclass(frozen=True)
class Dispatch:
    seq: int
    suite_id: str
    scheduled: float | None
    sent: float | None
    status: int | None
    workflow_run_id: int | None
    error: str | None

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def lag_s(self) -> float | None:
        if self.sent is None or self.scheduled is None:
            return None
        return self.sent - self.scheduled


def dispatches_from_ledger(rows: Iterable[dict[str, Any]]) -> list[Dispatch]:
    out = []
    for row in rows:
        status = row.get("status")
        run_id = row.get("workflow_run_id")
        out.append(
            Dispatch(
                seq=int(row.get("seq") or 0),
                suite_id=str(row["suite_id"]),
                scheduled=ts(row.get("scheduled_at")),
                sent=ts(row.get("sent_at")),
                status=None if status is None else int(status),
                workflow_run_id=None if run_id is None else int(run_id),
                error=row.get("error"),
            )
        )
    return out


def accepted_dispatches(dispatches: Iterable[Dispatch]) -> dict[str, Dispatch]:
    """suite_id -> its (last) accepted dispatch, in ledger order."""
    out: dict[str, Dispatch] = {}
    for d in dispatches:
        if d.accepted:
            out[d.suite_id] = d
    return out


def not_dispatched(dispatches: list[Dispatch]) -> list[dict[str, Any]]:
    """Scheduled suite_ids that GitHub never accepted (dropped), with the last attempt's status/error."""
    accepted = accepted_dispatches(dispatches)
    last: dict[str, Dispatch] = {}
    for d in dispatches:
        if d.suite_id not in accepted:
            last[d.suite_id] = d
    return [{"suite_id": s, "status": d.status, "error": d.error} for s, d in last.items()]


@dataclass(frozen=True)
class Matched:
    runs: dict[str, Run]  # suite_id -> run
    missing: list[dict[str, str]]  # [{suite_id, reason}]


def match_runs(accepted: dict[str, Dispatch], runs: Iterable[Run]) -> Matched:
    by_id = {r.id: r for r in runs}
    by_title: dict[str, Run] = {}
    for r in sorted(by_id.values(), key=lambda r: (r.created or 0.0, r.id)):
        by_title.setdefault(r.suite_id, r)
    found: dict[str, Run] = {}
    missing: list[dict[str, str]] = []
    run: Run | None
    for suite_id, d in accepted.items():
        if d.workflow_run_id is not None:
            run = by_id.get(d.workflow_run_id)
            reason = f"run {d.workflow_run_id} (returned by the dispatch) is not in raw/runs.jsonl"
        else:
            run = by_title.get(suite_id)
            reason = (
                f"dispatch answered {d.status} without a run id and no run with display_title "
                f"{suite_id!r} is in raw/runs.jsonl"
            )
        if run is None:
            missing.append({"suite_id": suite_id, "reason": reason})
        else:
            found[suite_id] = run
    return Matched(found, missing)


def workflow_counts(accepted: dict[str, Dispatch], matched: Matched) -> dict[str, Any]:
    runs = list(matched.runs.values())
    succeeded = sum(r.conclusion == "success" for r in runs)
    failed = sum(r.status == "completed" and r.conclusion != "success" for r in runs)
    dispatched = len(accepted)
    return {
        "dispatched": dispatched,
        "collected": len(runs),
        "succeeded": succeeded,
        "failed": failed,
        "incomplete": len(runs) - succeeded - failed,
        # over every accepted dispatch: a missing workflow is not a success
        "success_rate": succeeded / dispatched if dispatched else None,
        "missing": matched.missing,
    }

"""Outcome-unknown dispatches (answer lost, listing failed) are asked again by every `suite collect`
until known (suite.dispatch.reconcile.reconcile_unknown). In-process twin with GitHub's clock 900 s
ahead of ours, real HTTP, stepped clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from suite.clock import iso_ms
from suite.dispatch.reconcile import NOT_FOUND_LATER, reconcile_unknown, unknown_rows
from suite.rundir.jsonio import read_jsonl
from suite.twin.faults import Faults, FaultsConfig
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin
from tests.helpers.twin import client_for, twin_config

PREFIX = "unknown-20261201T000000Z-abcdef"


@pytest.fixture
def twin() -> Iterator[Twin]:
    tw = Twin(twin_config(speed=600.0, fleet=FleetConfig(runners=2), github_skew_s=900.0)).start()
    try:
        yield tw
    finally:
        tw.stop()


def dispatch_raw(twin: Twin, suite_id: str) -> int:
    """A dispatch GitHub acted on whose answer the suite never read. Returns the run id."""
    r = httpx.post(
        f"{twin.github_url}/repos/{twin.config.repo}/actions/workflows/runner_test.yml/dispatches",
        json={
            "ref": "main",
            "inputs": {"suite_id": suite_id, "sleep_duration": "5"},
            "return_run_details": True,
        },
        headers={"Authorization": f"Bearer {twin.token}"},
    )
    assert r.status_code == 200
    return int(r.json()["workflow_run_id"])


def row(seq: int, sent: float, **fields: Any) -> dict[str, Any]:
    base = {
        "seq": seq,
        "suite_id": f"{PREFIX}-{seq:05d}",
        "scheduled_at": iso_ms(sent - 0.5),
        "sent_at": iso_ms(sent),
        "status": 200,
        "workflow_run_id": None,
        "error": None,
    }
    return {**base, **fields}


def unknown(seq: int, sent: float) -> dict[str, Any]:
    failures = [
        {"sent_at": iso_ms(sent), "status": 502, "error": "HTTP 502"},
        {"sent_at": iso_ms(sent + 7), "status": None, "error": "connection reset"},
    ]
    return row(
        seq,
        sent,
        status=None,
        error="outcome unknown: Cannot reach GitHub after 5 tries",
        attempts=2,
        reconciled=False,
        failures=failures,
    )


def write_ledger(rd: Path, rows: list[dict[str, Any]]) -> None:
    rd.mkdir(exist_ok=True)
    (rd / "ledger.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_only_never_accepted_suite_ids_whose_last_row_is_unknown_are_asked() -> None:
    rows = [
        unknown(1, 100.0),
        unknown(2, 100.0),
        row(2, 110.0, workflow_run_id=5),  # accepted later: known
        unknown(3, 100.0),
        row(3, 120.0, status=None, error="not dispatched: settled"),  # settled by a later row
        row(4, 100.0, status=None, sent_at=None, error="not dispatched: never sent"),
        unknown(5, 100.0),
    ]
    assert [r["seq"] for r in unknown_rows(rows)] == [1, 5]


def test_found_later_not_found_and_still_unknown(tmp_path: Path, twin: Twin) -> None:
    rd = tmp_path / PREFIX
    sent = twin.clock.now()  # our clock; GitHub's is 900 s ahead
    created = dispatch_raw(twin, f"{PREFIX}-00002")  # seq 2 created its run; seq 3 created nothing
    rows = [
        row(1, sent, workflow_run_id=dispatch_raw(twin, f"{PREFIX}-00001")),
        unknown(2, sent),
        unknown(3, sent),
    ]
    write_ledger(rd, rows)
    twin.github.faults = Faults(FaultsConfig(error_rate=1.0))  # GitHub answers nothing but 502s
    with client_for(twin) as client:
        assert reconcile_unknown(rd, client, twin.clock) == []  # cannot tell: nothing written
        assert read_jsonl(rd / "ledger.jsonl") == rows
        twin.github.faults = Faults(FaultsConfig())  # the next collect finds GitHub well
        found, absent = reconcile_unknown(rd, client, twin.clock)
    assert (found["seq"], found["status"], found["workflow_run_id"], found["reconciled"]) == (
        2,
        200,
        created,
        True,
    )
    assert found["error"] is None and found["attempts"] == 2 and found["failures"] == rows[1]["failures"]
    assert (found["sent_at"], found["scheduled_at"]) == (rows[1]["sent_at"], rows[1]["scheduled_at"])
    assert (absent["seq"], absent["status"], absent["workflow_run_id"]) == (3, None, None)
    assert absent["error"] == NOT_FOUND_LATER and absent["failures"] == rows[2]["failures"]
    assert read_jsonl(rd / "ledger.jsonl") == [*rows, found, absent]  # appended, history kept
    with client_for(twin) as client:
        assert reconcile_unknown(rd, client, twin.clock) == []  # known now: asked no more
    assert len(twin.fleet.runs) == 2  # nothing was ever sent from here

"""A run killed between sending a dispatch and writing its ledger row: the dispatch in flight is on
disk (inflight.json) and `suite collect` reconciles it by display_title, so a run GitHub created is
never left out and a dispatch that created nothing is never counted. In-process twins, real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from suite.clock import iso_ms
from suite.dispatch.dispatcher import (
    INFLIGHT_FILE,
    INTERRUPTED,
    NEVER_SENT,
    DispatchPlan,
    record_unsent,
    recover_inflight,
    write_schedule,
)
from suite.rundir.jsonio import JsonlAppender, read_jsonl, write_json
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin
from tests.helpers.twin import client_for, twin_config

PREFIX = "inflight-20261201T000000Z-abcdef"


@pytest.fixture
def twin() -> Iterator[Twin]:
    tw = Twin(twin_config(speed=600.0, fleet=FleetConfig(runners=2))).start()
    try:
        yield tw
    finally:
        tw.stop()


def dispatch_raw(twin: Twin, suite_id: str) -> int:
    """What the killed process sent: a dispatch GitHub acted on. Returns the run id."""
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


def killed_run_dir(tmp_path: Path, twin: Twin, in_flight_seq: int) -> Path:
    """A run directory as a process killed while sending dispatch `in_flight_seq` leaves it: the rows
    before it in the ledger, the one in flight in inflight.json."""
    rd = tmp_path / PREFIX
    rd.mkdir()
    now = twin.clock.now()
    with JsonlAppender(rd / "ledger.jsonl") as ledger:
        for seq in range(1, in_flight_seq):
            suite_id = f"{PREFIX}-{seq:05d}"
            run_id = dispatch_raw(twin, suite_id)
            row = {"seq": seq, "suite_id": suite_id, "scheduled_at": iso_ms(now), "sent_at": iso_ms(now)}
            ledger.append({**row, "status": 200, "workflow_run_id": run_id, "error": None, "attempts": 1})
    pending = {
        "seq": in_flight_seq,
        "suite_id": f"{PREFIX}-{in_flight_seq:05d}",
        "scheduled_at": iso_ms(now),
        "sent_at": iso_ms(now),
        "status": None,
        "workflow_run_id": None,
        "error": INTERRUPTED,
        "attempt_sent_at": iso_ms(now),
        "failures": [],
    }
    write_json(rd / INFLIGHT_FILE, pending)
    return rd


def test_a_dispatch_github_acted_on_is_found_and_appended_reconciled(tmp_path: Path, twin: Twin):
    rd = killed_run_dir(tmp_path, twin, in_flight_seq=3)
    run_id = dispatch_raw(twin, f"{PREFIX}-00003")  # the request was acted on; the answer never read
    with client_for(twin) as client:
        row = recover_inflight(rd, client, twin.clock)
        assert row is not None
        assert (row["seq"], row["status"], row["workflow_run_id"], row["reconciled"]) == (
            3,
            200,
            run_id,
            True,
        )
        assert row["error"] is None and row["attempts"] == 1
        assert row["failures"] == [{"sent_at": row["sent_at"], "status": None, "error": INTERRUPTED}]
        assert not (rd / INFLIGHT_FILE).exists()
        ledger = read_jsonl(rd / "ledger.jsonl")
        assert [r["seq"] for r in ledger] == [1, 2, 3] and ledger[-1] == json.loads(json.dumps(row))
        assert recover_inflight(rd, client, twin.clock) is None  # idempotent
    assert len(read_jsonl(rd / "ledger.jsonl")) == 3
    assert sorted(r.display_title for r in twin.fleet.runs.values()) == [
        f"{PREFIX}-{i:05d}" for i in (1, 2, 3)
    ]


def test_a_dispatch_that_created_nothing_is_recorded_as_not_dispatched(tmp_path: Path, twin: Twin):
    rd = killed_run_dir(tmp_path, twin, in_flight_seq=2)
    with client_for(twin) as client:
        row = recover_inflight(rd, client, twin.clock)
    assert row is not None
    assert (row["seq"], row["status"], row["workflow_run_id"], row["reconciled"]) == (2, None, None, False)
    assert row["error"] == f"not dispatched: {INTERRUPTED}; GitHub lists no run"
    assert not (rd / INFLIGHT_FILE).exists()
    assert len(twin.fleet.runs) == 1  # nothing was sent again


def test_killed_after_the_row_was_written_changes_nothing(tmp_path: Path, twin: Twin):
    rd = killed_run_dir(tmp_path, twin, in_flight_seq=3)
    pending = json.loads((rd / INFLIGHT_FILE).read_text())
    pending.update(seq=2, suite_id=f"{PREFIX}-00002")  # its row is already in the ledger
    write_json(rd / INFLIGHT_FILE, pending)
    before = (rd / "ledger.jsonl").read_text()
    with client_for(twin) as client:
        assert recover_inflight(rd, client, twin.clock) is None
    assert (rd / "ledger.jsonl").read_text() == before and not (rd / INFLIGHT_FILE).exists()


def test_what_an_interrupted_run_never_sent_is_in_the_ledger_as_not_dispatched(tmp_path: Path, twin: Twin):
    """The schedule is on disk before the first dispatch; after an interruption every scheduled dispatch
    without a ledger row (and not in flight) gets one: not dispatched, with why. Idempotent."""
    rd = killed_run_dir(tmp_path, twin, in_flight_seq=3)
    start = 1_800_000_000.25
    offsets = [0.0, 10.0, 20.0, 30.5, 40.0]
    write_schedule(rd, DispatchPlan("runner_test.yml", "main", {}, offsets, PREFIX), start)
    added = record_unsent(rd)
    assert added == [
        {
            "seq": seq,
            "suite_id": f"{PREFIX}-{seq:05d}",
            "scheduled_at": iso_ms(start + offsets[seq - 1]),
            "sent_at": None,
            "status": None,
            "workflow_run_id": None,
            "error": f"not dispatched: {NEVER_SENT}",
            "attempts": 0,
        }
        for seq in (4, 5)  # 1 and 2 are in the ledger, 3 is in flight (recover_inflight's to settle)
    ]
    assert [r["seq"] for r in read_jsonl(rd / "ledger.jsonl")] == [1, 2, 4, 5]
    assert record_unsent(rd) == []  # the second time there is nothing left to add
    with client_for(twin) as client:
        settled = recover_inflight(rd, client, twin.clock)
    assert settled is not None and settled["seq"] == 3
    assert sorted(r["seq"] for r in read_jsonl(rd / "ledger.jsonl")) == [1, 2, 3, 4, 5]  # the whole schedule


def test_a_run_directory_without_a_schedule_gets_nothing_added(tmp_path: Path, twin: Twin):
    rd = killed_run_dir(tmp_path, twin, in_flight_seq=2)  # written before schedule.json existed
    assert record_unsent(rd) == []
    assert [r["seq"] for r in read_jsonl(rd / "ledger.jsonl")] == [1]

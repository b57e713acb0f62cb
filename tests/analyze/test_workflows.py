from tests.helpers.analyze_records import (
    accepted_dispatches,
    dispatches_from_ledger,
    match_runs,
    not_dispatched,
    runs_from_raw,
    workflow_counts,
)


def row(seq, suite_id, status, run_id=None, error=None):
    return {
        "seq": seq,
        "suite_id": suite_id,
        "scheduled_at": "2026-11-15T10:00:00.000Z",
        "sent_at": "2026-11-15T10:00:00.500Z",
        "status": status,
        "workflow_run_id": run_id,
        "error": error,
    }


def run(id, title, conclusion="success", status="completed"):
    return {
        "id": id,
        "display_title": title,
        "status": status,
        "conclusion": conclusion,
        "created_at": "2026-11-15T10:00:01Z",
        "run_attempt": 1,
    }


def test_every_dispatch_is_collected_or_missing():
    ledger = [
        row(1, "wf-1", 200, 101),
        row(2, "wf-2", 204),  # no run id: matched by display_title
        row(3, "wf-3", 200, 103),  # run id not in runs.jsonl
        row(4, "wf-4", 204),  # no run with that title
        row(5, "wf-5", 500, error="HTTP 500"),
        row(6, "wf-6", None, error="connection reset"),
    ]
    ds = dispatches_from_ledger(ledger)
    accepted = accepted_dispatches(ds)
    matched = match_runs(
        accepted, runs_from_raw([run(101, "wf-1"), run(102, "wf-2", "failure"), run(9, "x")])
    )
    counts = workflow_counts(accepted, matched)
    assert counts["dispatched"] == 4
    assert counts["collected"] == 2
    assert counts["succeeded"] == 1 and counts["failed"] == 1 and counts["incomplete"] == 0
    assert counts["success_rate"] == 0.25
    assert [m["suite_id"] for m in counts["missing"]] == ["wf-3", "wf-4"]
    assert "103" in counts["missing"][0]["reason"]
    assert "display_title" in counts["missing"][1]["reason"]
    assert not_dispatched(ds) == [
        {"suite_id": "wf-5", "status": 500, "error": "HTTP 500"},
        {"suite_id": "wf-6", "status": None, "error": "connection reset"},
    ]
    assert ds[0].lag_s == 0.5


def test_retried_dispatch_counts_once():
    ds = dispatches_from_ledger([row(1, "wf-1", 502, error="bad gateway"), row(1, "wf-1", 204)])
    assert list(accepted_dispatches(ds)) == ["wf-1"]
    assert not_dispatched(ds) == []


def test_no_dispatch_means_no_success_rate():
    counts = workflow_counts({}, match_runs({}, []))
    assert counts["dispatched"] == 0 and counts["success_rate"] is None

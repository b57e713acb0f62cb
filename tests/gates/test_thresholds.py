"""Thresholds: validation against suite.result/v1, evaluation, and abort_on_fail (monitor + dispatch hook)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from suite.analyze.result import compute_result, with_thresholds
from suite.dispatch.dispatcher import DispatchPlan, run_dispatches
from suite.errors import UsageError
from suite.gates.thresholds import (
    DIST_STATS,
    DISTRIBUTIONS,
    KNOWN_FIELDS,
    Threshold,
    definite_failures,
    evaluate,
    evaluate_all,
    field_problem,
    parse,
    problem,
)
from suite.github.client import DispatchResult
from suite.pipeline.abort import AbortCheck, read_ledger
from suite.profiles.profile import parse_profile, profile_from_dict
from suite.rundir.jsonio import JsonlAppender, read_jsonl

# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        "queue_time_s.p95 < 120",
        "workflows.success_rate >= 0.99",
        "concurrency.max == runners.configured",
        "concurrency.max <= runners.configured",
        "dispatch_lag_s.p99 < 5",
        "dispatch_lag_real_s.p99 < 0.25",
        "resources.memory.max.max < 2048",
        "tasks.cold_start_s.p95 <= 90",
        "api.per_endpoint.dispatch.counted < 500",
        "dispatch.not_dispatched == 0",
        "jobs.failed == 0",
    ],
)
def test_valid_expressions(expr: str) -> None:
    assert problem(expr) is None
    assert parse(expr)[1] in ("<", "<=", "==", ">=", ">", "!=")


@pytest.mark.parametrize(
    ("expr", "says"),
    [
        ("queue_time_s.p95", "expected `<field> <op>"),
        ("queue_time_s.p95 <", "expected `<field> <op>"),
        ("queue_time_s.p95 < 1e3", "expected `<field> <op>"),
        ("Queue_time_s.p95 < 1", "expected `<field> <op>"),
        ("queue_time.p95 < 1", "did you mean 'queue_time_s.p95'"),
        ("queue_time_s.p42 < 1", "fields under queue_time_s"),
        ("queue_time_s < 1", "is a distribution"),
        ("verdict == 1", "top-level fields"),
        ("concurrency.max < runners.confgured", "did you mean 'runners.configured'"),
        ("per_job.queue_s < 1", "not a field of result.json"),
    ],
)
def test_bad_expressions_say_why(expr: str, says: str) -> None:
    why = problem(expr)
    assert why is not None and says in why, why
    if "<field>" in says:
        with pytest.raises(UsageError):
            parse(expr)


def test_known_fields_cover_every_distribution_figure() -> None:
    for d in DISTRIBUTIONS:
        for s in DIST_STATS:
            assert f"{d}.{s}" in KNOWN_FIELDS
    assert field_problem("queue_time_s.p95") is None
    assert len(set(KNOWN_FIELDS)) == len(KNOWN_FIELDS)


# --- evaluation ---------------------------------------------------------------------------------

RESULT: dict[str, Any] = {
    "queue_time_s": {"count": 3, "p95": 100.0, "max": None},
    "concurrency": {"max": 4},
    "runners": {"configured": 4},
    "reasons": {"queue_time_s.max": "no job of this test started"},
}


def test_evaluate_forms_and_null_reason() -> None:
    assert evaluate("queue_time_s.p95 < 120", RESULT)["ok"] is True
    assert evaluate({"expr": "concurrency.max == runners.configured"}, RESULT)["ok"] is True
    row = evaluate(Threshold("queue_time_s.max < 1", abort_on_fail=True), RESULT)
    assert row == {
        "expr": "queue_time_s.max < 1",
        "value": None,
        "ok": False,
        "reason": "queue_time_s.max is null (no job of this test started)",
        "sampled": "queue_time_s.max",  # a distribution's statistic: its count, and the count it needs
        "samples": 3,
        "needs": 1,
        "abort_on_fail": True,
    }


def test_only_a_definite_failure_aborts() -> None:
    items = [
        Threshold("queue_time_s.max < 1", abort_on_fail=True),  # null: not known yet
        Threshold("queue_time_s.p95 < 50"),  # fails but is not an abort threshold
    ]
    assert definite_failures(items, RESULT) == []
    failed = definite_failures([Threshold("queue_time_s.p95 < 50", abort_on_fail=True)], RESULT)
    assert [f["expr"] for f in failed] == ["queue_time_s.p95 < 50"]


def test_the_threshold_that_aborted_fails_even_if_the_final_figure_passes() -> None:
    aborted = {"threshold": "queue_time_s.p95 < 120", "at": "2026-11-22T10:00:00Z", "reason": "broke"}
    rows = evaluate_all(
        [{"expr": "queue_time_s.p95 < 120", "abort_on_fail": True}, "concurrency.max <= 4"],
        {**RESULT, "dispatch": {"aborted": aborted}},
    )
    assert [r["ok"] for r in rows] == [False, True]
    assert rows[0]["reason"] == "aborted the run at 2026-11-22T10:00:00Z: broke"


# --- profiles carry the flag through manifest.json ----------------------------------------------

STEP = """\
# Step: a stress test
workflow: runner_test
pattern: {type: step, start_rate_per_min: 1, increment_per_min: 1, step_duration_s: 60, max_rate_per_min: 3}
thresholds:
  - {expr: "queue_time_s.p95 < 240", abort_on_fail: true}
  - concurrency.max <= runners.configured
  - {expr: "jobs.failed == 0"}
"""


def test_abort_flag_round_trips_through_the_manifest() -> None:
    p = parse_profile(STEP, path="stress.yaml")
    assert p.thresholds == (
        "queue_time_s.p95 < 240",
        "concurrency.max <= runners.configured",
        "jobs.failed == 0",
    )
    assert p.abort_on_fail == ("queue_time_s.p95 < 240",)
    data = json.loads(json.dumps(p.to_dict()))
    assert data["thresholds"][0] == {"expr": "queue_time_s.p95 < 240", "abort_on_fail": True}
    assert data["thresholds"][1] == "concurrency.max <= runners.configured"
    again = profile_from_dict(data)
    assert again.threshold_specs == p.threshold_specs
    # the report stage evaluates the manifest form directly
    rows = evaluate_all(
        data["thresholds"],
        {
            "queue_time_s": {"p95": 1.0},
            "concurrency": {"max": 1},
            "runners": {"configured": 4},
            "jobs": {"failed": 0},
        },
    )
    assert [r["ok"] for r in rows] == [True, True, True]


# --- the dispatch hook and the monitor -----------------------------------------------------------


class FakeClock:
    speed = 1.0

    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)


class FakeGitHub:
    """Dispatches create runs; every run's single job queued `queue_s` before it started."""

    def __init__(self, clock: FakeClock, queue_s: float) -> None:
        self.clock = clock
        self.queue_s = queue_s
        self.runs: list[dict[str, Any]] = []

    def dispatch(
        self, workflow_file: str, ref: str, inputs: dict[str, str], return_run_details: bool = True
    ) -> DispatchResult:
        run_id = len(self.runs) + 1
        self.runs.append({"id": run_id, "display_title": inputs["suite_id"], "created": self.clock.now()})
        return DispatchResult(200, run_id, None, None)

    def find_run(self, display_title: str, created_since_iso: str) -> dict[str, Any] | None:
        return None

    def clock_offset_s(self) -> float | None:  # one clock: GitHub's is this test's
        return 0.0

    def clock_offset_low_s(self) -> float | None:
        return 0.0

    def rate_limit(self) -> dict[str, Any]:
        return {}

    def list_runs(self, created_since_iso: str | None = None) -> list[dict[str, Any]]:
        return [self._run(r) for r in self.runs]

    def list_jobs(self, run_id: int) -> list[dict[str, Any]]:
        run = self.runs[run_id - 1]
        created = run["created"]
        started = created + self.queue_s
        if started > self.clock.now():
            return [self._job(run, created, None, "queued")]
        return [self._job(run, created, started, "in_progress")]

    def _run(self, r: dict[str, Any]) -> dict[str, Any]:
        from suite.clock import iso

        return {
            "id": r["id"],
            "display_title": r["display_title"],
            "status": "in_progress",
            "conclusion": None,
            "created_at": iso(r["created"]),
            "updated_at": iso(r["created"]),
            "run_attempt": 1,
        }

    def _job(self, run: dict[str, Any], created: float, started: float | None, status: str) -> dict[str, Any]:
        from suite.clock import iso

        return {
            "id": run["id"] * 10,
            "run_id": run["id"],
            "run_attempt": 1,
            "name": "run (1)",
            "status": status,
            "conclusion": None,
            "created_at": iso(created),
            "started_at": iso(started) if started is not None else None,
            "completed_at": None,
            "runner_id": 1 if started else None,
            "runner_name": "a" * 32 if started else None,
            "labels": [],
            "steps": [],
        }


def _dispatch_with_monitor(tmp_path: Path, queue_s: float) -> tuple[AbortCheck, list[dict[str, Any]]]:
    clock = FakeClock()
    gh = FakeGitHub(clock, queue_s)
    ledger_path = tmp_path / "ledger.jsonl"
    manifest = {
        "test_run_id": "t",
        "profile": {"name": "t"},
        "clock": {"speed": 1.0},
        "fleet": {"runner_count": 4},
    }
    thresholds = [Threshold("queue_time_s.p95 < 240", abort_on_fail=True)]
    monitor = AbortCheck(thresholds, clock)
    plan = DispatchPlan("runner_test.yml", "main", {}, [60.0 * i for i in range(20)], "t")

    def should_stop() -> str | None:  # the live observer's look, done in step for a deterministic test
        if clock.now() - clock_start >= 60 * (monitor.checks + 1):
            runs = gh.list_runs(None)
            jobs = [j for r in runs for j in gh.list_jobs(int(r["id"]))]
            result = compute_result(manifest, read_ledger(ledger_path), runs, jobs, [], [], [])
            monitor.check(result, clock.now())
        return monitor.should_stop()

    clock_start = clock.now()
    with JsonlAppender(ledger_path) as ledger:
        accepted = run_dispatches(plan, gh, clock, ledger, clock.now(), should_stop=should_stop)
    rows = read_jsonl(ledger_path)
    assert len(rows) == 20  # every slot has a row: dispatched or not
    assert accepted == sum(r["status"] == 200 for r in rows)
    return monitor, rows


def test_a_breakpoint_stops_dispatch_and_every_slot_is_accounted_for(tmp_path: Path) -> None:
    monitor, rows = _dispatch_with_monitor(tmp_path, queue_s=300.0)
    assert monitor.aborted is not None
    assert monitor.aborted["threshold"] == "queue_time_s.p95 < 240"
    sent = [r for r in rows if r["status"] == 200]
    skipped = [r for r in rows if r["status"] is None]
    assert 5 <= len(sent) < 20 and len(sent) + len(skipped) == 20
    assert [r["seq"] for r in rows] == list(range(1, 21))
    assert all(
        r["sent_at"] is None and r["error"].startswith("not dispatched: abort_on_fail") for r in skipped
    )
    # the result reports them as not dispatched, and the abort
    manifest = {
        "test_run_id": "t",
        "profile": {"name": "t", "thresholds": []},
        "clock": {"speed": 1.0},
        "aborted": monitor.aborted,
    }
    result = compute_result(manifest, rows, [], [], [], [], [])
    assert result["dispatch"]["not_dispatched"] == len(skipped)
    assert [d["suite_id"] for d in result["workflows"]["not_dispatched"]] == [r["suite_id"] for r in skipped]
    assert result["dispatch"]["aborted"]["reason"] == monitor.aborted["reason"]
    rows_eval = evaluate_all([{"expr": "queue_time_s.p95 < 240", "abort_on_fail": True}], result)
    assert with_thresholds(result, rows_eval)["verdict"] == "fail"


def test_a_fleet_that_copes_is_never_aborted(tmp_path: Path) -> None:
    monitor, rows = _dispatch_with_monitor(tmp_path, queue_s=5.0)
    assert monitor.aborted is None and monitor.checks > 5
    assert all(r["status"] == 200 for r in rows)

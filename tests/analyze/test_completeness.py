"""Runs that measured part of their load, or nothing: completeness, figures nothing observed (null with
a reason, never 0) and the verdict, through `suite report` on run directories built by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze.completeness import completeness
from suite.analyze.scope import scope
from suite.analyze.tables import dispatch_table, runs_table
from suite.pipeline.run import report
from suite.rundir.jsonio import read_jsonl, write_json, write_jsonl
from suite.rundir.result_schema import DISTRIBUTIONS, NUMERIC_FIELDS, value_at
from tests.helpers.hand_made_run import T0, ledger_row
from tests.helpers.synthetic_run import synthetic_run

# figures made from the ledger alone (observed even when nothing was collected); 0 is a true value there
FROM_THE_LEDGER = {
    "dispatch.late",
    "dispatch.not_dispatched",
    "dispatch.clock_speed",
    "dispatch.late_after_real_s",
    "completeness.never_sent",
    "clock_offset_s",  # the manifest's measurement (the synthetic run's clocks agree)
}


def never_sent(seq: int, suite_id: str) -> dict[str, Any]:
    row = ledger_row(seq, suite_id, 40.0 * seq, 0.0, None, None, "not dispatched: interrupted (Ctrl-C)")
    return row | {"sent_at": None, "attempts": 0}


def test_completeness_counts_what_was_sent_and_says_why_the_rest_was_not():
    sent = [ledger_row(i, f"wf-{i}", 40.0 * i, 40.0 * i, 200, 100 + i) for i in (1, 2)]
    failed = ledger_row(3, "wf-3", 120.0, 120.0, 500, None, "HTTP 500")  # sent: GitHub refused it
    ledger = [*sent, failed, never_sent(4, "wf-4"), never_sent(5, "wf-5")]
    done = completeness({"ended_at": "x"}, dispatch_table(ledger))
    assert done == {
        "scheduled": 5,
        "sent": 3,
        "never_sent": 2,
        "stopped_by": "interruption",
        "collected": True,
        "not_collected_why": None,
        "ended_by": None,
    }
    aborted = completeness({"aborted": {"threshold": "x"}}, dispatch_table(ledger))
    assert aborted["stopped_by"] == "abort_on_fail"
    # killed before `suite collect` wrote the rows of what was never sent: schedule.json has the count
    early = completeness({"ended_at": None}, dispatch_table(sent), 45, ["raw/jobs.jsonl"])
    assert (early["scheduled"], early["sent"], early["never_sent"]) == (45, 2, 43)
    assert early["collected"] is False
    assert early["not_collected_why"] == "the run has not ended; raw/jobs.jsonl absent"
    whole = completeness({}, dispatch_table(sent), 2)
    assert (whole["never_sent"], whole["stopped_by"], whole["collected"]) == (0, None, True)


def reported(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = report(run_dir)
    out = capsys.readouterr().out
    return code, json.loads((run_dir / "result.json").read_text()), out


def zeros(result: dict[str, Any]) -> set[str]:
    """Figures that read 0, leaving out distributions' sample counts (0 samples: every other figure of
    the distribution null, with its reason)."""
    counts = {f"{d}.count" for d in DISTRIBUTIONS}
    return {p for p in NUMERIC_FIELDS if value_at(result, p) == 0 and p not in counts}


def test_without_raw_jobs_no_figure_reads_0_and_the_run_is_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    run_dir, full = synthetic_run(tmp_path)
    assert full["verdict"] == "pass" and full["jobs"]["count"] == 45
    (run_dir / "raw" / "jobs.jsonl").unlink()
    code, r, out = reported(run_dir, capsys)
    assert code == 4 and r["verdict"] == "incomplete"
    fix = f"run `suite collect {run_dir}`"
    assert r["verdict_reasons"] == [
        f"not collected (raw/jobs.jsonl absent): {fix}",
        "threshold `queue_time_s.p95 < 120` could not be judged: queue_time_s.p95 is null (raw/jobs.jsonl "
        "absent: the jobs were never collected (suite collect))",
    ]
    assert "INCOMPLETE" in out and fix in out
    from_the_runs = {"workflows.incomplete"}  # raw/runs.jsonl was collected: every run completed
    assert zeros(r) <= FROM_THE_LEDGER | from_the_runs, zeros(r) - FROM_THE_LEDGER
    for path in (
        "concurrency.max",
        "runners.observed",
        "runners.busy_runner_s",
        "jobs.count",
        "jobs.ran",
        "throughput.completed",
        "resources.jobs_with_samples",
        "tasks.with_jobs",
    ):
        assert value_at(r, path) is None, path
        assert "raw/jobs.jsonl absent" in r["reasons"][path], path
    # every report says so: the banner, and the threshold that read a figure nothing observed
    assert "INCOMPLETE RUN: not collected" in (run_dir / "summary.md").read_text()
    assert 'class="banner"' in (run_dir / "report.html").read_text()
    assert 'type="RunIncomplete"' in (run_dir / "junit.xml").read_text()
    assert r["thresholds"][0]["status"] == "inconclusive"
    for name in ("summary.md", "report.html"):  # a null count is a dash or `null`, never Python's None
        text = (run_dir / name).read_text().replace("pattern is None", "")  # the synthetic manifest's
        assert "None" not in text, name


def test_no_job_observed_reads_null_not_0_and_is_not_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    run_dir, _ = synthetic_run(tmp_path, exprs=())
    write_jsonl(run_dir / "raw" / "jobs.jsonl", [])  # collected: the runs had no job
    code, r, _ = reported(run_dir, capsys)
    assert (code, r["verdict"]) == (1, "inconclusive")
    assert r["verdict_reasons"] == ["nothing measured: no job of this test was collected"]
    assert r["jobs"]["count"] == 0  # collected and counted: 0 is what was observed
    for path in ("concurrency.max", "runners.observed", "runners.busy_runner_s", "throughput.completed"):
        assert value_at(r, path) is None and r["reasons"][path] == "no job of this test ran", path


def test_every_workflow_missing_is_not_pass_even_without_thresholds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    run_dir, _ = synthetic_run(tmp_path, exprs=())
    write_jsonl(run_dir / "raw" / "runs.jsonl", [])
    write_jsonl(run_dir / "raw" / "jobs.jsonl", [])
    code, r, out = reported(run_dir, capsys)
    assert (code, r["verdict"], r["thresholds"]) == (1, "fail", [])
    assert r["verdict_reasons"] == [
        "45 of 45 dispatched workflow(s) missing after collection",
        "nothing measured: no job of this test was collected",
    ]
    assert ": FAIL" in out and "because   45 of 45 dispatched workflow(s) missing" in out


def test_a_run_that_has_not_ended_is_incomplete_until_collected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    run_dir, _ = synthetic_run(tmp_path)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    ledger = read_jsonl(run_dir / "ledger.jsonl")
    write_jsonl(run_dir / "ledger.jsonl", ledger[:15])  # killed after 15 dispatches, never collected
    write_json(run_dir / "schedule.json", {"start": T0, "offsets_s": [40.0 * i for i in range(45)]})
    write_json(run_dir / "manifest.json", manifest | {"ended_at": None})
    (run_dir / "raw" / "runs.jsonl").unlink()
    (run_dir / "raw" / "jobs.jsonl").unlink()
    code, r, _ = reported(run_dir, capsys)
    assert (code, r["verdict"]) == (4, "incomplete")
    done = r["completeness"]
    assert (done["scheduled"], done["sent"], done["never_sent"]) == (45, 15, 30)
    assert r["verdict_reasons"][0] == (
        "not collected (the run has not ended; raw/runs.jsonl and raw/jobs.jsonl absent): "
        f"run `suite collect {run_dir}`"
    )
    assert r["workflows"]["missing"] == [] and r["workflows"]["collected"] is None  # not "15 missing"
    assert zeros(r) <= FROM_THE_LEDGER


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["wf-1", "wf-2", "wf-3", "wf-4"]), st.booleans()), max_size=12))
def test_scheduled_and_sent_count_distinct_suite_ids_with_or_without_the_scopes_codes(
    rows: list[tuple[str, bool]],
) -> None:
    """`sent` is the distinct suite_ids with a sent row, `scheduled` the distinct suite_ids (at least the
    schedule's size): the same counted from scope's codes as from the suite_ids themselves (sets)."""
    ledger = [
        ledger_row(i, s, 10.0 * i, 10.0 * i, 204, 100 + i) if was_sent else never_sent(i, s)
        for i, (s, was_sent) in enumerate(rows)
    ]
    table = dispatch_table(ledger)
    want_sent = len({s for s, was_sent in rows if was_sent})
    want_scheduled = len({s for s, _ in rows})
    for codes in (None, (lambda sc: (sc.code, sc.codes))(scope(table, runs_table([])))):
        got = completeness({}, table, None, (), codes)
        assert (got["sent"], got["scheduled"], got["never_sent"]) == (
            want_sent,
            want_scheduled,
            want_scheduled - want_sent,
        )

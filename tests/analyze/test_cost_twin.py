"""Right-size and cost on the twin (stepped clock): a burst of 2-minute jobs (each gets Container
Insights samples) carries both sections with figures into result.json, summary.md and report.html, and
the run's cost equals every task-second of the twin's own task record inside the window × the price."""

from __future__ import annotations

from pathlib import Path

import pytest

from suite.isotime import parse_iso
from suite.rundir.jsonio import read_jsonl
from tests.helpers.twin_runs import assert_matches_truth, run_on_twin

PROFILE = """workflow: runner_test
inputs:
  sleep_duration: 120
  job_count: 1
  job_type: parallel
pattern:
  type: burst
  count: 4
drain_timeout_s: 900
max_workflows: 10
"""
PER_S = (0.04048 + 2 * 0.004445) / 3600  # the twin's 1024 CPU / 2048 MiB in us-east-1 (Linux/x86)


def test_a_twin_run_carries_rightsize_and_cost_with_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SUITE_CONFIG", str(tmp_path / "no-suite.yaml"))  # the shipped prices, 25%
    code, result, truth, rd = run_on_twin(tmp_path, "priced", PROFILE)
    assert code == 0
    assert_matches_truth(result, truth)
    right, cost = result["rightsize"], result["cost"]
    assert right["headroom_pct"] == 25.0 and right["current"] == {"task_cpu": 1024, "task_memory": 2048}
    a = right["all_jobs"]
    assert a["jobs"] == 4 and a["measured"] == 4 and a["verdict"] != "inconclusive"
    assert a["cpu_peak_pct"] is not None and a["recommended"] is not None
    assert cost["prices"]["region"] == "us-east-1" and cost["prices"]["checked"] == "2026-12-03"
    assert cost["per_job_usd"] is not None and cost["execution_usd"]["count"] == 4
    for job in result["per_job"]:
        execution = parse_iso(job["completed"]) - parse_iso(job["started"])
        assert job["cost_usd"] == pytest.approx(execution * PER_S)
    # the run's cost from the task events themselves: each task's [createdAt, stoppedAt) in the window
    start, end = parse_iso(result["window"]["start"]), parse_iso(result["window"]["end"])
    life: dict[str, list[float | None]] = {}
    for e in read_jsonl(rd / "raw" / "tasks.jsonl"):
        d = e["detail"]
        span = life.setdefault(d["taskArn"], [None, None])
        span[0] = span[0] if span[0] is not None else parse_iso(d["createdAt"])
        if d.get("stoppedAt") and span[1] is None:
            span[1] = parse_iso(d["stoppedAt"])
    spans = [(a0, end if b is None else min(b, end)) for a0, b in life.values() if a0 is not None]
    seconds = sum(max(0.0, b - max(a0, start)) for a0, b in spans)
    assert cost["run"]["task_s"] == pytest.approx(seconds)
    assert cost["run"]["usd"] == pytest.approx(seconds * PER_S)
    assert cost["per_job_usd"] == pytest.approx(seconds * PER_S / 4)
    summary = (rd / "summary.md").read_text()
    html = (rd / "report.html").read_text()
    assert "## Right-size" in summary and "## Cost" in summary and "total (" in summary
    assert "<h2>Right-size</h2>" in html and "<h2>Cost</h2>" in html
    assert "cost_usd" in (rd / "jobs.csv").read_text().splitlines()[0]

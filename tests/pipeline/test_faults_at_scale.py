"""Issue 3, end to end on the in-process twin with GitHub's limits switched on: 300 workflows on 4
ephemeral runners, without and with injected faults. Checked against the twin's own record.

About 20 s each on 2 cores (1200x: 250 virtual minutes of dispatching take 12.5 s; CloudWatch task
metrics are read per task over its own job window, see suite/collect/task_metrics.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from suite.fleet.environments import local_target
from suite.pipeline.run import run_profile
from suite.rundir.job_rows import read_run_result
from suite.twin.faults import FaultsConfig
from suite.twin.fleet import FleetConfig
from suite.twin.limits import LimitsConfig
from suite.twin.service import Twin
from suite.twin.truth_check import mismatches
from tests.helpers.twin import twin_config

SPEED = 1200.0

# capacity-like: a steady 1.2 workflows/min for 250 virtual minutes = 300 workflows of one 60 s job
CAPACITY_300 = """\
# Capacity at scale: 300 workflows, steady 1.2/min, on 4 ephemeral runners.
workflow: runner_test
inputs: {sleep_duration: 60, job_count: 1, job_type: parallel}
pattern: {type: steady, rate_per_min: 1.2, duration_s: 15000}
seed: 0
drain_timeout_s: 3600
max_workflows: 1000
"""


def run_300(tmp_path: Path, faults: FaultsConfig) -> tuple[dict[str, Any], list[dict[str, Any]], Twin, Path]:
    config = twin_config(
        speed=SPEED,
        fleet=FleetConfig(runners=4, ephemeral=True),
        limits=LimitsConfig(enabled=True),
        faults=faults,
    )
    twin = Twin(config).start()
    try:
        path = tmp_path / "capacity300.yaml"
        path.write_text(CAPACITY_300)
        _, rd = run_profile(path, "local", tmp_path / "reports", target=local_target(twin.state()))
    finally:
        twin.stop()
    result = read_run_result(rd)  # result.json + the job table's rows
    ledger = [json.loads(line) for line in (rd / "ledger.jsonl").read_text().splitlines()]
    # the report equals the twin's own record job by job, and every job has its CloudWatch samples
    assert mismatches(result, json.loads((rd / "truth.json").read_text())) == []
    assert (
        result["resources"]["jobs_with_samples"] == 300 and result["resources"]["jobs_without_samples"] == 0
    )
    return result, ledger, twin, rd


def titles_in_twin(twin: Twin, prefix: str) -> Counter[str]:
    return Counter(r.display_title for r in twin.fleet.runs.values() if r.display_title.startswith(prefix))


def test_300_workflows_with_limits_on_lose_nothing_and_cost_at_most_2_5_per_workflow(tmp_path: Path):
    result, ledger, twin, rd = run_300(tmp_path, FaultsConfig())
    api = result["api"]
    assert result["workflows"]["dispatched"] == 300
    assert result["workflows"]["collected"] == 300
    assert result["workflows"]["missing"] == [] and result["verdict"] == "pass"
    assert result["jobs"]["count"] == 300
    assert len(ledger) == 300
    assert all(row["status"] == 200 and row["workflow_run_id"] and row["error"] is None for row in ledger)
    assert api["retries"] == api["connection_errors"] == 0  # no error at all, so none unrecovered
    assert api["per_workflow"] == round(api["counted"] / 300, 3)
    assert api["per_workflow"] <= 2.5, api
    # the floor: one dispatch and one jobs read per workflow
    assert api["per_endpoint"]["dispatch"]["counted"] == 300
    assert api["per_endpoint"]["list_jobs"]["counted"] == 300
    assert api["rate_limited"] == 0  # the governor kept under every limit
    titles = titles_in_twin(twin, rd.name + "-")
    assert len(titles) == 300 and set(titles.values()) == {1}
    assert twin.github.secondary.refused == 0


# seed 3 puts every kind of fault on the dispatches (they draw from their own stream, so this is the
# same on every run): 25 answered 502, 6 connections reset, 5 answers lost after the run was created;
# six suite_ids failed twice before going through, none three times
FAULTS = FaultsConfig(error_rate=0.05, reset_rate=0.01, lost_dispatch_rate=0.01, seed=3)


def test_300_workflows_with_faults_account_for_everything_and_never_dispatch_twice(tmp_path: Path):
    result, ledger, twin, rd = run_300(tmp_path, FAULTS)
    on_dispatch = twin.github.faults.injected_dispatch
    assert on_dispatch == {"error": 25, "reset": 6, "lost": 5}
    on_reads = {k: twin.github.faults.injected[k] - on_dispatch[k] for k in on_dispatch}
    assert on_reads["error"] > 0 and on_reads["reset"] > 0 and on_reads["lost"] == 0
    # the twin's own runs: every suite_id exactly once, nothing else of this test
    titles = titles_in_twin(twin, rd.name + "-")
    assert len(titles) == 300 and set(titles.values()) == {1}
    # every dispatched workflow accounted for: collected, none missing
    assert result["workflows"]["dispatched"] == 300
    assert result["workflows"]["collected"] == 300
    assert result["workflows"]["missing"] == [] and result["workflows"]["not_dispatched"] == []
    assert result["jobs"]["count"] == 300
    assert len(ledger) == 300 and all(row["status"] == 200 and row["workflow_run_id"] for row in ledger)
    for row in ledger:  # the ledger's run id is the twin's run of that suite_id
        assert twin.fleet.runs[row["workflow_run_id"]].display_title == row["suite_id"]
    # each failed try is in the ledger: 502s with their status, resets and lost answers without one
    failures = [f for row in ledger for f in row.get("failures", [])]
    assert sum(f["status"] == 502 for f in failures) == on_dispatch["error"]
    assert sum(f["status"] is None for f in failures) == on_dispatch["reset"] + on_dispatch["lost"]
    assert len(failures) == sum(on_dispatch.values())
    # a lost answer (run created) is found by display_title and never sent again; a 502 or a reset
    # (nothing created) is reconciled, nothing found, then sent again
    reconciled = [row for row in ledger if row["reconciled"]]
    assert len(reconciled) == on_dispatch["lost"]
    assert all(row["failures"][-1]["status"] is None for row in reconciled)
    sent = 300 + on_dispatch["error"] + on_dispatch["reset"]  # a lost one is never sent again
    assert sum(row["attempts"] for row in ledger) == sent
    assert max(row["attempts"] for row in ledger) == 3  # two failures, then through
    api = result["api"]
    assert api["dispatches_by_workflow"]["runner_test.yml"]["dispatches"] == sent
    # idempotent reads: every 502 / reset on a GET was retried once, every reset / lost answer seen
    assert api["retries"] == on_reads["error"] + on_reads["reset"]
    assert api["connection_errors"] == on_reads["reset"] + on_dispatch["reset"] + on_dispatch["lost"]
    assert api["rate_limited"] == 0 and twin.github.secondary.refused == 0
    assert api["per_workflow"] <= 2.5, api

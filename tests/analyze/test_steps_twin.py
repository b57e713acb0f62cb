"""Steps on the twin (stepped clock): smoke's per-step figures equal what the twin's own record
(truth.json) implies for its step model (Set up job: 1 s; Run sleep N: from started + 1 to completed;
Complete job: from min(started + 1 + N, completed) to completed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from suite.analyze.stats import distribution
from suite.isotime import parse_iso
from tests.helpers.twin_runs import assert_matches_truth, run_on_twin

ROOT = Path(__file__).resolve().parents[2]


def test_smoke_step_durations_equal_the_twins_record(tmp_path: Path):
    body = (ROOT / "profiles" / "smoke.yaml").read_text()
    # the runners online first (their cold start would fail smoke's queue threshold)
    code, result, truth, _ = run_on_twin(tmp_path, "smoke", body, before=lambda twin: twin.clock.sleep(95))
    assert code == 0
    assert_matches_truth(result, truth)
    done = [j for j in truth["jobs"] if j["completed_at"] is not None]
    assert len(done) == 3
    spans = [(parse_iso(j["started_at"]), parse_iso(j["completed_at"])) for j in done]
    want = {
        (1, "Set up job"): [1.0 for _ in spans],
        (2, "Run sleep 10"): [c - (s + 1) for s, c in spans],
        (3, "Complete job"): [c - min(s + 11, c) for s, c in spans],
    }
    steps = result["steps"]
    got = {(f["number"], f["name"]): f for f in steps["by_step"]}
    assert sorted(got) == sorted(want)
    for key, values in want.items():
        assert got[key]["job_name"] == done[0]["name"]
        assert (got[key]["steps"], got[key]["timed"], got[key]["failed"]) == (3, 3, 0)
        assert got[key]["duration_s"] == pytest.approx(distribution(np.asarray(values, float))), key
    assert steps["slowest"][0]["name"] == "Run sleep 10" and steps["failed_at"] == []

"""Steps on the twin (stepped clock): smoke's per-step figures equal the twin's own record of each job's
steps (truth.json: Set up job, runner_test's Identify and Sleep, Complete job, as the job model ran them)."""

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
    want: dict[tuple[int, str], list[float]] = {}
    for job in done:
        for n, step in enumerate(job["steps"], 1):
            span = parse_iso(step["completed_at"]) - parse_iso(step["started_at"])
            want.setdefault((n, step["name"]), []).append(span)
    assert sorted(want) == [(1, "Set up job"), (2, "Identify"), (3, "Sleep"), (4, "Complete job")]
    assert want[(3, "Sleep")] == [10.0, 10.0, 10.0]  # smoke's sleep_duration, on any task size
    steps = result["steps"]
    got = {(f["number"], f["name"]): f for f in steps["by_step"]}
    assert sorted(got) == sorted(want)
    for key, values in want.items():
        assert got[key]["job_name"] == done[0]["name"]
        assert (got[key]["steps"], got[key]["timed"], got[key]["failed"]) == (3, 3, 0)
        assert got[key]["duration_s"] == pytest.approx(distribution(np.asarray(values, float))), key
    assert steps["slowest"][0]["name"] == "Sleep" and steps["failed_by_step"] == []

"""result.json holds bounded aggregates only (docs/architecture.md, run-directory contract: no per-item
list): ten times the jobs on ten times the runners over the same window leaves its size all but the
same, where the per-item lists (per_job, timelines, per_task, per_runner, failed_at) grew with them."""

from __future__ import annotations

import json

from suite.analyze.result import compute_result
from suite.rundir.jsonio import write_json
from suite.rundir.result_schema import IN_MEMORY_KEYS
from tools.bench import Synthetic

SMALL_CONSTANT = 2_048  # bytes: a few more failed dispatches listed and wider numbers, never per item


def _written(result: dict, tmp_path, name: str) -> int:
    path = tmp_path / f"{name}.json"
    write_json(path, {k: v for k, v in result.items() if k not in IN_MEMORY_KEYS})  # as the report writes it
    return path.stat().st_size


def test_result_json_does_not_grow_with_the_jobs(tmp_path):
    small = compute_result(**Synthetic(jobs=2_000, runners=20, seed=1).inputs())
    large = compute_result(**Synthetic(jobs=20_000, runners=200, seed=1).inputs())
    # the same window (the offered load scales with the runners), so the same minutes and stages
    assert abs(large["window"]["duration_s"] / small["window"]["duration_s"] - 1) < 0.05
    # ten times the items, in memory
    for key, column in (("timeline", "time"), ("per_task", "task_id"), ("per_runner", "runner_name")):
        assert len(large[key][column]) > 1.5 * len(small[key][column]), key
    assert len(large["per_job"]) == 10 * len(small["per_job"])
    a, b = _written(small, tmp_path, "small"), _written(large, tmp_path, "large")
    assert abs(b - a) < SMALL_CONSTANT, (a, b)
    stored = json.loads((tmp_path / "large.json").read_text())
    assert "timeline" not in stored["concurrency"] and "timeline" not in stored["jobs_waiting"]
    assert "per_task" not in stored["tasks"] and "per_runner" not in stored["runners"]
    assert "failed_at" not in stored["steps"] and not set(IN_MEMORY_KEYS) & set(stored)

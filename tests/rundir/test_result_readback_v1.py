"""A v1 result.json (the per-item lists inline) is read for its figures; its lists never are (v2: the
tables hold them, suite.rundir.job_rows)."""

from __future__ import annotations

import json

from suite.rundir.result_readback import V1_LISTS, read_result


def test_a_v1_results_inline_lists_are_dropped_on_read(tmp_path):
    v1 = {
        "schema": "suite.result/v1",
        "test_run_id": "old",
        "per_job": [{"id": 1}],
        "concurrency": {"max": 2, "mean": 1.0, "timeline": [["2026-01-01T00:00:00Z", 1]]},
        "jobs_waiting": {"max": 1, "mean": 0.5, "definition": "d", "timeline": [["2026-01-01T00:00:00Z", 1]]},
        "tasks": {"count": 1, "per_task": [{"task_id": "t"}]},
        "runners": {"configured": 2, "observed": 1, "per_runner": [{"runner_name": "r"}]},
        "steps": {"definition": "d", "by_step": [], "slowest": [], "failed_at": [{"job_id": 1}]},
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(v1))
    got = read_result(path)
    assert "per_job" not in got
    assert all(key not in got[section] for section, key in V1_LISTS)
    assert got["concurrency"] == {"max": 2, "mean": 1.0} and got["runners"]["observed"] == 1
    assert got["tasks"] == {"count": 1} and got["steps"]["by_step"] == []

"""Run directories for the trends tests: `fake_run`'s result.json with the figures the trends draw
(execution p95, cost per job, the fleet's sizing, a CPU architecture) set as a run would have them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.decisions import fake_run, write_run_table

SMALL = {
    "runner_count": 4,
    "ephemeral": True,
    "task_cpu": 1024,
    "task_memory": 2048,
    "cpu_architecture": "X86_64",
}
LARGE = SMALL | {"task_cpu": 2048, "task_memory": 4096}


def trend_run(
    reports: Path,
    profile: str,
    day: int,
    execution: float,
    verdict: str,
    fleet: dict[str, Any],
    cost: float | None = 0.01,
    failed: int = 0,
    tag: str = "",
) -> Path:
    """One run of `profile` started at 10:00 UTC on 2026-11-`day` (six jobs of `execution` s, queue 2 s)."""
    run_id = f"{tag or 'run'}-202611{day:02d}T100000Z-{day:06x}"
    d = fake_run(reports, run_id, [execution] * 6, [2.0] * 6, profile, verdict, fleet=fleet, failed=failed)
    path = d / "result.json"
    result = json.loads(path.read_text())
    result["fleet"] = fleet
    result["execution_time_s"] |= {"p95": execution + 5.0}
    result["cost"] = None if cost is None else {"per_job_usd": cost, "prices": {"currency": "USD"}}
    path.write_text(json.dumps(result))
    write_run_table(d)
    return d


def five_runs(reports: Path, profile: str = "capacity") -> list[Path]:
    """Runs 1-2 on 1 vCPU / 2 GB, 3-5 on 2 vCPU / 4 GB: run 4 fails (and its execution p50 is 25% over
    run 3's, the baseline then), run 5 is incomplete; run 2 has no cost (a gap)."""
    return [
        trend_run(reports, profile, 1, 60.0, "pass", SMALL, tag="a"),
        trend_run(reports, profile, 2, 61.0, "pass", SMALL, cost=None, tag="b"),
        trend_run(reports, profile, 3, 40.0, "pass", LARGE, cost=0.012, tag="c"),
        trend_run(reports, profile, 4, 50.0, "fail", LARGE, cost=0.015, failed=1, tag="d"),
        trend_run(reports, profile, 5, 41.0, "incomplete", LARGE, cost=0.012, tag="e"),
    ]

"""Helpers for the compare / plan / history tests: synthetic run directories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.job_table import write_job_rows


def stamp(t: float) -> str:
    from suite.clock import iso

    return iso(t)


def fake_run(
    root: Path,
    run_id: str,
    execution: list[float],
    queue: list[float] | None = None,
    profile: str = "p",
    verdict: str = "pass",
    runners: int = 4,
    cpu: list[float] | None = None,
    start: float = 1_700_000_000.0,
    pattern: dict[str, Any] | None = None,
    failed: int = 0,
    fleet: dict[str, Any] | None = None,
) -> Path:
    """A run directory with result.json, its job table (+ manifest.json): one job per workflow, one every
    30 s; the first `failed` jobs concluded failure, the others success; `fleet`: the manifest's fleet."""
    queue = queue or [1.0] * len(execution)
    fleet = fleet or {"runner_count": runners, "ephemeral": True, "task_cpu": 1024, "task_memory": 2048}
    jobs = []
    for i, (ex, q) in enumerate(zip(execution, queue, strict=True)):
        created = start + 30 * i
        jobs.append(
            {
                "id": 100 + i,
                "run_id": 1000 + i,
                "created": stamp(created),
                "started": stamp(created + q),
                "completed": stamp(created + q + ex),
                "queue_s": q,
                "execution_s": ex,
                "conclusion": "failure" if i < failed else "success",
                "cpu_mean": None if cpu is None else cpu[i],
                "memory_max": None,
            }
        )
    end = max(start + 30 * i + q + ex for i, (ex, q) in enumerate(zip(execution, queue, strict=True)))
    prof = {"name": profile, "workflow": "runner_test", "inputs": {"sleep_duration": 30}}
    prof["pattern"] = pattern or {"type": "steady", "rate_per_min": 2}
    result = {
        "schema": "suite.result/v2",
        "test_run_id": run_id,
        "profile": profile,
        "environment": "local",
        "fleet": fleet,
        "window": {"start": stamp(start), "end": stamp(end), "duration_s": end - start},
        "workflows": {"dispatched": len(jobs), "collected": len(jobs)},
        "jobs": {"count": len(jobs)},
        "queue_time_s": {"p95": max(queue)},
        "execution_time_s": {"p50": sorted(execution)[len(execution) // 2]},
        "concurrency": {"max": 2},
        "runners": {"configured": runners, "utilization": 0.5},
        "verdict": verdict,
    }
    d = root / run_id
    (d / "raw").mkdir(parents=True)
    (d / "result.json").write_text(json.dumps(result))
    write_job_rows(d, jobs)  # result.json v2: the per-job rows are the job table's
    (d / "manifest.json").write_text(json.dumps({"test_run_id": run_id, "profile": prof, "fleet": fleet}))
    return d

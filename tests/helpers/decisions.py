"""Helpers for the compare / plan / history tests: synthetic run directories, with their tables written
by the report's own writers (suite.rundir.table_io.write_table, suite.report.tables.run_columns)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from suite.isotime import parse_iso
from suite.report.tables import run_columns
from suite.rundir.table_io import read_table, write_table
from suite.rundir.tables import JOBS, RUN

# per_job's names -> the job table's (suite/rundir/tables.py)
JOB_TABLE_NAMES = {"id": "job_id", "name": "job_name", "created": "created_at", "started": "started_at"}
JOB_TABLE_NAMES |= {"completed": "completed_at"}


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
    (d / "result.json").write_text(json.dumps(result))  # v2: the per-job rows are the job table's
    (d / "manifest.json").write_text(json.dumps({"test_run_id": run_id, "profile": prof, "fleet": fleet}))
    write_job_table(d, result, jobs)
    write_run_table(d)
    return d


def write_job_table(run_dir: Path, result: dict[str, Any], jobs: list[dict[str, Any]]) -> None:
    """tables/jobs.parquet of these per_job rows (times as the table holds them), the run's identity on
    every row."""
    keys = sorted({k for j in jobs for k in j})
    cols: dict[str, list[Any]] = {JOB_TABLE_NAMES.get(k, k): [j.get(k) for j in jobs] for k in keys}
    for name in ("created_at", "started_at", "completed_at"):
        cols[name] = [None if v is None else parse_iso(v) for v in cols.get(name, [None] * len(jobs))]
    for name in ("test_run_id", "profile", "environment"):
        cols[name] = [result.get(name)] * len(jobs)
    write_table(run_dir, JOBS, cols)


def write_run_table(run_dir: Path) -> None:
    """tables/run.parquet from the run directory's result.json (as it is now: a test that edits it calls
    this again) and its job table's conclusions, by the report's run_columns."""
    result = json.loads((run_dir / "result.json").read_text())
    manifest = json.loads((run_dir / "manifest.json").read_text())
    conclusions = read_table(run_dir, JOBS).column("conclusion").to_pylist()
    write_table(run_dir, RUN, run_columns(result, manifest, conclusions))


def set_job_columns(run_dir: Path, **columns: list[Any]) -> None:
    """Columns of the run's job table replaced (the values compare samples: result.json is left as it is)."""
    import pyarrow.parquet as pq

    from suite.rundir.tables import table_path

    table = read_table(run_dir, JOBS)
    for name, values in columns.items():
        at = table.schema.get_field_index(name)
        table = table.set_column(at, table.schema.field(at), [values])
    pq.write_table(table, table_path(run_dir, JOBS))

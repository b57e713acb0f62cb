"""The I/O edge of the analysis: read a run directory's records and compute its result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from suite.analyze.result import compute_result
from suite.rundir import RunDir, read_json, read_jsonl


def load_inputs(path: Path) -> dict[str, Any]:
    """manifest, ledger and raw/*.jsonl as compute_result's keyword arguments (absent files: empty)."""
    rd = RunDir(Path(path))
    manifest_path = rd.file("manifest.json")
    return {
        "manifest": read_json(manifest_path) if manifest_path.exists() else {},
        "ledger": read_jsonl(rd.file("ledger.jsonl")),
        "runs": read_jsonl(rd.raw_file("runs.jsonl")),
        "jobs": read_jsonl(rd.raw_file("jobs.jsonl")),
        "metrics": read_jsonl(rd.raw_file("metrics.jsonl")),
        "tasks": read_jsonl(rd.raw_file("tasks.jsonl")),
        "runners_snapshots": read_jsonl(rd.raw_file("runners.jsonl")),
    }


def analyze_run_dir(
    path: Path, api: dict[str, Any] | None = None, thresholds: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return compute_result(**load_inputs(path), api=api, thresholds=thresholds)

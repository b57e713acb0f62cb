"""The I/O edge of the analysis: read a run directory's records and compute its result."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from suite.analyze.result import compute_result
from suite.rundir.jsonio import read_json, read_jsonl, stream_jsonl
from suite.rundir.paths import RunDir


def load_inputs(path: Path, stream: bool = False) -> dict[str, Any]:
    """manifest, ledger and raw/*.jsonl as compute_result's keyword arguments (absent files: empty).

    stream=True gives the row files as one-shot iterators read line by line (compute_result reads each
    once), so a large run's raw rows never sit in memory all at once.
    """
    rd = RunDir(Path(path))
    manifest_path = rd.file("manifest.json")

    def rows(p: Path) -> Iterable[dict[str, Any]]:
        return stream_jsonl(p) if stream else read_jsonl(p)

    return {
        "manifest": read_json(manifest_path) if manifest_path.exists() else {},
        "ledger": rows(rd.file("ledger.jsonl")),
        "runs": rows(rd.raw_file("runs.jsonl")),
        "jobs": rows(rd.raw_file("jobs.jsonl")),
        "metrics": rows(rd.raw_file("metrics.jsonl")),
        "tasks": rows(rd.raw_file("tasks.jsonl")),
        "runners_snapshots": read_jsonl(rd.raw_file("runners.jsonl")),
    }


def analyze_run_dir(
    path: Path, api: dict[str, Any] | None = None, thresholds: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return compute_result(**load_inputs(path, stream=True), api=api, thresholds=thresholds)

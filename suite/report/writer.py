"""Write a result's files into its run directory (and the GitHub step summary when set)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from suite.report.jobs_csv import jobs_csv
from suite.report.markdown import summary_markdown
from suite.rundir import write_json


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_reports(run_dir: Path, result: dict[str, Any]) -> list[Path]:
    """result.json, summary.md and jobs.csv; summary.md is also appended to $GITHUB_STEP_SUMMARY."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    paths = [run_dir / "result.json", run_dir / "summary.md", run_dir / "jobs.csv"]
    write_json(paths[0], result)
    summary = summary_markdown(result)
    _write_text(paths[1], summary)
    _write_text(paths[2], jobs_csv(result.get("per_job") or []))
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a") as f:
            f.write(summary + "\n")
    return paths

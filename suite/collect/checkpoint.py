"""Collection checkpoints in raw/: what a collection has read so far, so that a later `suite collect`
goes on where it stopped instead of reading everything again.

- `raw/checkpoint_runs.jsonl`: each of this test's runs as GitHub returned it once it was `completed`,
  appended as a poll first sees it completed (a completed run no longer changes).
- `raw/checkpoint_jobs.jsonl`: `{"run_id": id, "jobs": [...]}` per completed run, appended once every page
  of that run's jobs has been read.

Both are appended and flushed line by line. A line that is not a whole entry (the torn last line of a
collection killed mid-append, or damage) is ignored: that read is simply made again, so nothing is lost.
Several entries for one run: the last wins, so nothing is counted twice. `raw/runs.jsonl` and
`raw/jobs.jsonl` (what the analysis reads) are written from these plus what this collection read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from suite.rundir.io_errors import write_error

RUNS_CHECKPOINT = "checkpoint_runs.jsonl"
JOBS_CHECKPOINT = "checkpoint_jobs.jsonl"


class Checkpoint:
    """The checkpoint files of one run directory's `raw/`."""

    def __init__(self, raw_dir: Path) -> None:
        self.runs_path = raw_dir / RUNS_CHECKPOINT
        self.jobs_path = raw_dir / JOBS_CHECKPOINT
        self._runs: dict[int, dict[str, Any]] = {}
        for row in _entries(self.runs_path):
            if _is_completed_run(row):
                self._runs[row["id"]] = row
        self._jobs: dict[int, list[dict[str, Any]]] = {}
        for row in _entries(self.jobs_path):
            run_id, jobs = row.get("run_id"), row.get("jobs")
            if _is_id(run_id) and isinstance(jobs, list) and all(isinstance(j, dict) for j in jobs):
                self._jobs[run_id] = jobs

    def completed_runs(self) -> list[dict[str, Any]]:
        """The completed runs read so far (one per run id)."""
        return list(self._runs.values())

    def summary(self) -> str:
        return f"{len(self._runs)} completed runs, the jobs of {len(self._jobs)}"

    def jobs_of(self, run_id: int) -> list[dict[str, Any]] | None:
        """The jobs of a completed run as read, or None when they are not read yet."""
        return self._jobs.get(run_id)

    def add_runs(self, runs: Iterable[dict[str, Any]]) -> int:
        """Append the completed runs not yet recorded (or recorded in another state); how many."""
        new = [r for r in runs if _is_completed_run(r) and self._runs.get(r["id"]) != r]
        _append(self.runs_path, new)
        for run in new:
            self._runs[run["id"]] = run
        return len(new)

    def add_jobs(self, run_id: int, jobs: list[dict[str, Any]]) -> None:
        """Record every job of a completed run, read in full."""
        _append(self.jobs_path, [{"run_id": run_id, "jobs": jobs}])
        self._jobs[run_id] = jobs


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_completed_run(row: Any) -> bool:
    return (
        isinstance(row, dict)
        and _is_id(row.get("id"))
        and isinstance(row.get("display_title"), str)
        and row.get("status") == "completed"
    )


def _entries(path: Path) -> Iterator[Any]:
    """The JSON value of each whole line (none when the file is absent); other lines are skipped."""
    if not path.exists():
        return
    with path.open("rb") as f:
        for line in f:
            if not line.endswith(b"\n"):
                return  # torn: the append never finished
            try:
                yield json.loads(line)
            except ValueError:  # damaged (UnicodeDecodeError is a ValueError too): read again
                continue


def _append(path: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    text = "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)
    try:
        with path.open("ab") as f:
            if f.tell() > 0 and not _ends_with_newline(path):
                text = "\n" + text  # after a torn line: start a whole one
            f.write(text.encode())
            f.flush()
    except OSError as exc:  # a full disk: one line naming the file (a torn line is read again later)
        raise write_error(path, exc) from None


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(-1, 2)
        return f.read(1) == b"\n"

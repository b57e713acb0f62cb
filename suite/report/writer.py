"""Write a result's files into its run directory (and the GitHub step summary when set).

result.json, summary.md, jobs.csv, junit.xml, report.html and the tables (tables/*.parquet:
suite.report.tables; result.json's `tables` names their files). result.json holds the figures only: the
in-memory per-item columns (result_schema.IN_MEMORY_KEYS: per_job, task_usage, timeline, per_task,
per_runner) are the tables, never
written into it; the other files are written from those columns. report.html's charts draw the task
lifecycles (per_task), samples (task_usage) and dispatch times (dispatches) from those columns, so
`suite report DIR` regenerates everything. The charts
are drawn in the page (suite.report.page, uPlot inlined); no image file is written.

Text is written as UTF-8; a lone surrogate a name may carry (JSON allows `\ud800`) is written as `?`
rather than failing the report. $GITHUB_STEP_SUMMARY is appended to last: when it cannot be (a
missing directory, a directory, a read-only file, a FIFO nobody reads) the reports are already written,
one warning line says so on stderr and the exit code is the run's.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Mapping
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

from suite.errors import UsageError
from suite.report.job_files import JobFiles
from suite.report.junit import junit_xml
from suite.report.markdown import summary_markdown
from suite.report.tables import table_files, write_other_tables
from suite.rundir.jsonio import atomic_path, stream_jsonl, write_json
from suite.rundir.manifest import read_manifest
from suite.rundir.paths import RunDir
from suite.rundir.readback import row_check
from suite.rundir.result_schema import IN_MEMORY_KEYS
from suite.rundir.tables import TABLES_DIR


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _write_text(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8", "replace"))


def append_step_summary(summary: str, env: Mapping[str, str] = os.environ) -> bool:
    """Append summary.md to the file $GITHUB_STEP_SUMMARY names (GitHub Actions shows it on the run's
    page). False, after one warning line on stderr, when that file cannot be appended to."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    shown = repr(target) if len(target) <= 200 else repr(target[:200]) + "…"
    try:
        # O_NONBLOCK: a FIFO without a reader is an error (ENXIO), never a hang; no effect on a file
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)
        with os.fdopen(fd, "ab") as f:
            f.write((summary + "\n").encode("utf-8", "replace"))
    except OSError as exc:
        why = exc.strerror or errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        print(
            f"suite: warning: GITHUB_STEP_SUMMARY={shown} cannot be appended to ({why}); the reports are "
            "written in the run directory, summary.md among them",
            file=sys.stderr,
        )
        return False
    return True


REPORT_FILES = ("result.json", "summary.md", "jobs.csv", "junit.xml", "report.html")


def check_outputs(run_dir: Path) -> None:
    """Refuse, before anything is computed or written, a run directory where a report file or a table
    file is a directory (or something else that is not a file), or where `tables` is not a directory."""
    rd = RunDir(Path(run_dir))
    tables = rd.path / TABLES_DIR
    if tables.exists() and not tables.is_dir():
        raise UsageError(
            f"{tables}: is not a directory where the report writes its tables; remove or rename it, then "
            "run `suite report` on the run directory again"
        )
    for path in [*(rd.file(n) for n in REPORT_FILES), *(rd.path / f for f in table_files().values())]:
        if path.is_dir() or (path.exists() and not path.is_file()):
            raise UsageError(
                f"{path}: is a directory (or not a regular file) where the report writes a file; remove or "
                "rename it, then run `suite report` on the run directory again"
            )


def write_reports(run_dir: Path, result: dict[str, Any], job_files: JobFiles | None = None) -> list[Path]:
    """Every report file; summary.md is also appended to $GITHUB_STEP_SUMMARY. Returns the paths written.
    job_files: jobs.csv and the job table (suite.report.job_files; the caller closes it), jobs.csv
    already begun from the result's per_job; without them jobs.csv is begun here, first (it takes the
    longest, in a thread of its own: DuckDB lets go of the GIL, so it takes the second core), beside the
    pages; the other tables follow jobs.csv in its thread (JobFiles.after_csv), so that both threads end
    about together. Every file is written before this returns; the job files'
    error, if any, is raised here."""
    check_outputs(run_dir)
    rd = RunDir(Path(run_dir))
    rd.path.mkdir(parents=True, exist_ok=True)
    paths = [rd.file(n) for n in REPORT_FILES]
    with ExitStack() as own:
        if job_files is None:
            manifest_path = rd.file("manifest.json")
            read = read_manifest(manifest_path) if manifest_path.exists() else {}
            job_files = own.enter_context(JobFiles(rd, read))
        manifest = job_files.manifest  # read once (suite report: with the run directory's checks)
        if not job_files.started:
            job_files.start(result.get("per_job"))
        # the other tables in jobs.csv's thread once it is done: the two threads end about together
        job_files.after_csv(partial(write_other_tables, rd, result, manifest))
        result = {**result, "tables": table_files()}
        summary = summary_markdown(result)
        _write_text(paths[1], summary)
        _write_text(paths[3], junit_xml(result))
        paths[4:] = write_html(rd, result)
        job_files.place(result)
        # every table written first: result.json never points to nothing
        write_json(paths[0], {k: v for k, v in result.items() if k not in IN_MEMORY_KEYS})
    append_step_summary(summary)
    return paths


def write_html(rd: RunDir, result: dict[str, Any]) -> list[Path]:
    """report.html: the page with the final data (its series from ledger.jsonl and raw/) and the tables."""
    from suite.analyze.samples import one_source_rows
    from suite.report.html import report_html
    from suite.report.page import page_data

    metrics, samples = rd.raw_file("metrics.jsonl"), rd.raw_file("samples.jsonl")
    # each series reads its rows once, line by line (the metric rows only for a result without its
    # task_usage); a task's CPU and memory from one source, as per job; the task lifecycles and dispatch
    # times are the result's per_task and dispatches (no raw file the analysis read is opened again)
    readings = stream_jsonl(samples, row_check("samples")) if samples.exists() else ()
    rows = one_source_rows(stream_jsonl(metrics), readings)
    data = page_data(result, None, None, rows)
    path = rd.file("report.html")
    _write_text(path, report_html(result, data))
    return [path]

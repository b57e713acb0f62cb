"""The per-job files, jobs.csv and the job table (tables/jobs.parquet).

jobs.csv is begun (`start`) as soon as the analysis knows per_job (suite.analyze.result.result_of's
`first`), in a thread of its own: DuckDB's CSV writer lets go of the GIL, so at a million jobs its
2.5-3.5 s run on the second core while the analysis computes its aggregates and the other files are
written, instead of after them. The job table is made by `place`, from the final result, on the
caller's thread, taking the text and integer columns jobs.csv made Arrow (converted once): made in a
thread beside the analysis too, its 500 MiB of Arrow columns raised the report's peak by 100 MiB more,
for no time gained (the two cores were busy).

Each is written to a temporary file beside its own; `place` moves them onto their names (write_reports
does so before result.json, which points to the job table); `close` waits for jobs.csv's thread if it
still runs and removes what was not placed, so a report that fails after it started (a damaged file met
later, an interrupt) leaves the run directory's files as they were.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Any

from suite.report.jobs_csv import write_jobs_csv_file
from suite.report.tables import job_columns, table_cells
from suite.rundir.io_errors import write_error
from suite.rundir.paths import RunDir
from suite.rundir.table_io import arrow_table, write_parquet
from suite.rundir.tables import JOBS, table_path


class JobFiles:
    """jobs.csv and the job table of one run directory: jobs.csv begun in a thread (`start`), both
    written and placed (`place`), or removed when not placed (`close`, or the end of a with block)."""

    def __init__(self, rd: RunDir, manifest: Mapping[str, Any]) -> None:
        self.rd, self.manifest = rd, manifest
        self.csv_path, self.table_path = rd.file("jobs.csv"), table_path(rd.path, JOBS)
        self._temps = {
            self.csv_path: self.csv_path.with_name(f".{self.csv_path.name}.{os.getpid()}.tmp"),
            self.table_path: self.table_path.with_name(f".{self.table_path.name}.{os.getpid()}.tmp"),
        }
        self._pool: ThreadPoolExecutor | None = None
        self._made: Future[dict[str, Any]] = Future()
        self._csv: Future[None] = Future()
        self._after: list[Future[object]] = []  # after_csv's

    @property
    def started(self) -> bool:
        return self._pool is not None

    def start(self, per_job: Any) -> None:
        """Begin writing jobs.csv from per_job (the result's) in a thread of its own."""
        if self._pool is not None:
            raise RuntimeError("jobs.csv is already being written")
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs-csv")
        self._csv = self._pool.submit(self._write_csv, per_job, self._made)

    def after_csv(self, write: Callable[[], object]) -> None:
        """Run `write` in jobs.csv's thread once jobs.csv is written: main-thread work handed over so
        that both threads end about together (write_reports: the other tables, while the main thread
        makes the pages and the job table); its error is raised by `place`, after jobs.csv's."""
        if self._pool is None:
            raise RuntimeError("jobs.csv was never begun")
        self._after.append(self._pool.submit(write))

    def _write_csv(self, per_job: Any, made: Future[dict[str, Any]]) -> None:
        try:
            self._written(self.csv_path, lambda tmp: write_jobs_csv_file(tmp, per_job, made.set_result))
        finally:
            if not made.done():  # no rows, or an error first: the job table converts its own columns
                made.set_result({})

    def _write_table(self, result: Mapping[str, Any], made: Future[dict[str, Any]]) -> None:
        columns = job_columns(self.rd, result, self.manifest)
        arrow = arrow_table(JOBS, columns | table_cells(made.result()))
        del columns
        self.table_path.parent.mkdir(parents=True, exist_ok=True)
        self._written(self.table_path, lambda tmp: write_parquet(arrow, tmp))

    def _written(self, path: Path, write: Callable[[Path], object]) -> None:
        try:
            write(self._temps[path])
        except OSError as exc:  # a full disk, a read-only directory: the run directory's write error
            raise write_error(path, exc) from None

    def place(self, result: Mapping[str, Any]) -> list[Path]:
        """The job table written from the result (whose per_job jobs.csv was begun with), jobs.csv waited
        for, then both moved onto their names; an error of jobs.csv's thread is raised here."""
        if self._pool is None:
            raise RuntimeError("jobs.csv was never begun")
        self._write_table(result, self._made)
        self._csv.result()
        for after in self._after:
            after.result()
        for path, tmp in self._temps.items():
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise write_error(path, exc) from None
        return list(self._temps)

    def close(self) -> None:
        """Wait for jobs.csv's thread (its error is left to `place`; an interrupt waits for the file it is
        writing, a few seconds at a million jobs), then remove what was not placed."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        for tmp in self._temps.values():
            with suppress(OSError):
                tmp.unlink(missing_ok=True)

    def __enter__(self) -> JobFiles:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

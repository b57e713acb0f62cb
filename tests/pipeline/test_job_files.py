"""jobs.csv begins while the analysis computes its aggregates (suite.report.job_files, started from
result_of's `first`): `first` is given per_job once, before the aggregates, the very columns the result
holds; `suite report` writes the same jobs.csv and job table as write_reports alone; and a
report that fails after jobs.csv began leaves the run directory's files as they were, with no temporary
file behind."""

from __future__ import annotations

import errno
import threading
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from suite.analyze import result as result_module
from suite.pipeline import reporting
from suite.pipeline.analysis import analyze, analyze_run_dir
from suite.report import job_files, writer
from suite.report.job_files import JobFiles
from suite.report.writer import write_reports
from suite.rundir.io_errors import RunDirWriteError
from suite.rundir.paths import RunDir
from suite.rundir.result_schema import PER_JOB_KEYS
from suite.rundir.tables import JOBS, RUN, TASK_USAGE, table_path
from tests.helpers.synthetic_run import synthetic_run
from tools.bench import Synthetic


def test_first_gets_per_job_once_before_the_aggregates(monkeypatch: pytest.MonkeyPatch) -> None:
    aggregated: list[str] = []
    real = result_module.rightsize_section

    def recorded(*a: Any, **k: Any) -> Any:
        aggregated.append("rightsize")
        return real(*a, **k)

    monkeypatch.setattr(result_module, "rightsize_section", recorded)
    given: list[Any] = []
    seen_then: list[int] = []

    def first(per_job: Any) -> None:
        given.append(per_job)
        seen_then.append(len(aggregated))

    result = analyze(**Synthetic(jobs=500, runners=5, seed=2).inputs(), parallel=False, first=first)
    assert len(given) == 1 and seen_then == [0] and aggregated == ["rightsize"]
    # the very columns the result holds (which carries the job table's other columns beside them)
    assert len(given[0]) == len(result["per_job"]) == result["jobs"]["count"] == 500
    kept = result["per_job"].columns(PER_JOB_KEYS)
    assert all(a is b for a, b in zip(given[0].columns(PER_JOB_KEYS), kept, strict=True))


def test_the_report_writes_the_job_files_write_reports_writes(tmp_path: Path) -> None:
    run_dir, _ = synthetic_run(tmp_path / "a")
    assert reporting.report(run_dir) in (0, 1)
    early_csv, early_table = (run_dir / "jobs.csv").read_bytes(), pq.read_table(table_path(run_dir, JOBS))
    write_reports(run_dir, analyze_run_dir(run_dir))  # jobs.csv begun by write_reports itself
    assert (run_dir / "jobs.csv").read_bytes() == early_csv
    assert pq.read_table(table_path(run_dir, JOBS)).equals(early_table)
    assert early_table.num_rows == 45
    assert not list(run_dir.rglob("*.tmp"))


def test_a_report_failing_after_jobs_csv_began_leaves_the_files_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir, _ = synthetic_run(tmp_path)
    assert reporting.report(run_dir) in (0, 1)
    before = {p: p.read_bytes() for p in (run_dir / "jobs.csv", table_path(run_dir, JOBS))}
    began: list[bool] = []
    real_start = JobFiles.start

    def start(self: JobFiles, per_job: Any) -> None:
        real_start(self, per_job)
        began.append(True)

    def broken(*a: Any, **k: Any) -> Any:
        raise RuntimeError("an aggregate failed")

    monkeypatch.setattr(JobFiles, "start", start)
    monkeypatch.setattr(result_module, "rightsize_section", broken)
    with pytest.raises(RuntimeError, match="an aggregate failed"):
        reporting.report(run_dir)
    assert began == [True]
    assert {p: p.read_bytes() for p in before} == before
    assert not list(run_dir.rglob("*.tmp"))


def test_jobs_csv_failing_in_its_thread_is_the_run_directorys_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir, _ = synthetic_run(tmp_path)
    result = analyze_run_dir(run_dir)

    def full(path: Path, *a: Any, **k: Any) -> None:
        path.write_bytes(b"half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(job_files, "write_jobs_csv_file", full)
    with JobFiles(RunDir(run_dir), {}) as files:
        files.start(result["per_job"])
        with pytest.raises(RunDirWriteError) as caught:
            files.place(result)
    assert caught.value.path == run_dir / "jobs.csv" and "no space left on device" in str(caught.value)
    assert not (run_dir / "jobs.csv").exists() and not table_path(run_dir, JOBS).exists()
    assert not list(run_dir.rglob("*.tmp"))


def test_the_other_tables_written_after_jobs_csv_are_there_before_result_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """write_reports hands the other tables to jobs.csv's thread (after jobs.csv): each is written once
    jobs.csv is, and before write_reports returns (result.json last); their error is raised by it, and
    then no result.json is written."""
    run_dir, _ = synthetic_run(tmp_path)
    result = analyze_run_dir(run_dir)
    order: list[str] = []
    real_csv, real_tables = job_files.write_jobs_csv_file, writer.write_other_tables
    real_json = writer.write_json

    def csv(*a: Any, **k: Any) -> None:
        real_csv(*a, **k)
        order.append("jobs.csv")

    def tables(*a: Any, **k: Any) -> None:
        assert threading.current_thread() is not threading.main_thread()
        real_tables(*a, **k)
        order.append("tables")

    def json_file(*a: Any, **k: Any) -> None:
        order.append("result.json")
        real_json(*a, **k)

    monkeypatch.setattr(job_files, "write_jobs_csv_file", csv)
    monkeypatch.setattr(writer, "write_other_tables", tables)
    monkeypatch.setattr(writer, "write_json", json_file)
    writer.write_reports(run_dir, result)
    assert order == ["jobs.csv", "tables", "result.json"]
    assert all(table_path(run_dir, t).is_file() for t in (RUN, TASK_USAGE))

    (run_dir / "result.json").unlink()

    def full(*a: Any, **k: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer, "write_other_tables", full)
    with pytest.raises(OSError, match="No space left"):
        writer.write_reports(run_dir, result)
    assert not (run_dir / "result.json").exists()
    assert not list(run_dir.rglob("*.tmp"))

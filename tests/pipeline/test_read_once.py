"""`suite report` parses each raw file the analysis reads exactly once, and not at all while its field file
(raw/fields/) describes it: the tables and the resources chart are written from what the analysis kept in
memory (docs/architecture.md, "Reading raw files"). Every open is counted by an audit hook, in this
process and in the child that reads the metric rows."""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from pathlib import Path

from suite.pipeline.run import report
from tests.helpers.synthetic_run import synthetic_run

_LOG: list[int] = []  # the log's file descriptor while a test counts opens


def _count_opens(event: str, args: tuple) -> None:
    if event == "open" and _LOG and isinstance(args[0], str | bytes | os.PathLike):
        os.write(_LOG[0], os.fsencode(args[0]) + b"\n")  # os.write: no open event, and a forked child's too


sys.addaudithook(_count_opens)  # a hook cannot be removed: it records only while _LOG holds a descriptor

ONCE = ("raw/jobs.jsonl", "raw/runs.jsonl", "raw/metrics.jsonl", "raw/runners.jsonl", "raw/tasks.jsonl")
# ledger.jsonl: opened once more before the analysis, by the torn-tail check (suite.rundir.ledger.
# repair_torn_tail: `suite report` looks at its last line), never by the report's writers
TWICE = ("ledger.jsonl",)


# read from their field files once written (raw/fields/): those raw files are not opened at all
FIELDS = ("raw/jobs.jsonl", "raw/runs.jsonl", "raw/metrics.jsonl")


def opens_of_a_report(run_dir: Path, log: Path) -> Counter[str]:
    log.unlink(missing_ok=True)
    _LOG.append(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
    try:
        assert report(run_dir) == 0
    finally:
        os.close(_LOG.pop())
    return Counter(
        Path(p).relative_to(run_dir).as_posix()
        for p in log.read_text().splitlines()
        if p.startswith(str(run_dir))
    )


def test_report_opens_each_raw_file_the_analysis_reads_once(tmp_path: Path) -> None:
    run_dir, _ = synthetic_run(tmp_path)
    shutil.rmtree(run_dir / "raw" / "fields", ignore_errors=True)  # as a run from before them
    opened = opens_of_a_report(run_dir, tmp_path / "opens.log")
    assert {f: opened[f] for f in ONCE + TWICE} == dict.fromkeys(ONCE, 1) | dict.fromkeys(TWICE, 2), opened
    assert sorted(p.name for p in (run_dir / "raw" / "fields").iterdir()) == [
        "jobs.parquet",
        "jobs.steps.parquet",
        "ledger.parquet",
        "metrics.parquet",
        "runs.parquet",
    ]
    again = opens_of_a_report(run_dir, tmp_path / "opens.log")  # the field files describe them now
    expected = dict.fromkeys(ONCE, 1) | dict.fromkeys(FIELDS, 0) | dict.fromkeys(TWICE, 1)
    assert {f: again[f] for f in ONCE + TWICE} == expected, again
    assert all((run_dir / f).exists() for f in ONCE + TWICE)
    # the page's runner timeline draws the task lifecycles the analysis kept (per_task), its dispatch and
    # queue charts the dispatch times it kept (dispatches): neither raw/tasks.jsonl nor the ledger again

"""result.json v2 and the per-job views of a reported run directory, held to its job table."""

from __future__ import annotations

import csv
import json
import re
from html import unescape
from pathlib import Path

from suite.report.escape import csv_cell
from suite.report.html import MAX_JOB_ROWS
from suite.report.jobs_csv import COLUMNS, PER_JOB_COLUMNS
from suite.rundir.job_rows import job_rows
from suite.rundir.result_schema import IN_MEMORY_KEYS, SCHEMA

_JOB_ROW = re.compile(r'<tr(?: class="bad")?><td class="l">([^<]*)</td><td class="l">([^<]*)</td>')


def assert_per_job_is_the_job_table(rd: Path) -> None:
    """result.json has no per-job rows (schema v2, tables pointers); jobs.csv's rows and report.html's job
    table rows are the job table's, in its order, cell for cell (a null: an empty cell)."""
    stored = json.loads((rd / "result.json").read_text())
    assert stored["schema"] == SCHEMA == "suite.result/v2"
    assert not set(IN_MEMORY_KEYS) & set(stored)
    assert stored["tables"]["jobs"] == "tables/jobs.parquet"
    table = list(job_rows(rd))
    assert table and len(table) == stored["jobs"]["count"]
    with (rd / "jobs.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == COLUMNS and len(rows) == len(table) + 1
    for row, job in zip(rows[1:], table, strict=True):
        assert row[: len(PER_JOB_COLUMNS)] == [str(csv_cell(job[k])) for k in PER_JOB_COLUMNS]
    jobs_html = (rd / "report.html").read_text().split("<h2>Jobs</h2>", 1)[1]
    shown = [(unescape(i), unescape(n)) for i, n in _JOB_ROW.findall(jobs_html.split("</table>", 1)[0])]
    assert shown == [(str(j["id"]), str(j["name"])) for j in table[:MAX_JOB_ROWS]]

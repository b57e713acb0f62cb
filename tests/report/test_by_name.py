"""The per-job-name section in summary.md, report.html and the terminal summary."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape

from suite.analyze.result import compute_result
from suite.gates.thresholds import evaluate_all
from suite.report.by_name import TERMINAL_NAMES, by_name_section, terminal_lines
from suite.report.html import report_html
from suite.report.junit import junit_xml
from suite.report.markdown import summary_markdown
from suite.report.terminal import terminal_summary
from tools.bench import Synthetic


def bench_result(jobs: int = 1200) -> dict:
    return compute_result(**Synthetic(jobs=jobs, runners=6, seed=2).inputs())


def test_every_view_lists_each_job_name_with_its_figures():
    r = bench_result()
    md, html, term = summary_markdown(r), report_html(r), terminal_summary(r)
    assert "## Per job name and workflow (seconds)" in md and "Per job name and workflow" in html
    for name, g in r["by_job_name"].items():
        p95 = f"{g['execution_time_s']['p95']:.1f}"
        row = next(line for line in md.splitlines() if line.startswith(f"| {name} "))
        assert f" {g['jobs']['count']} " in row and f" {p95} " in row, row
        assert f"<code>{escape(name)}</code>" in html
        line = next(t for t in term.splitlines() if t.startswith(f"  {name} "))
        assert line.split()[-2] == p95  # exec p95, then total p95
    assert "| bench.yml " in md  # the workflow table


def test_the_terminal_table_fits_80_columns_and_is_capped():
    r = bench_result()
    long = "build / a job name far longer than the column for it (matrix: linux, 3.12)"
    g = next(iter(r["by_job_name"].values()))
    r["by_job_name"] = {long: g} | {f"test ({i})": g for i in range(TERMINAL_NAMES + 3)}
    lines = terminal_lines(r)
    assert all(len(line) <= 80 for line in lines), [len(line) for line in lines]
    assert lines[1].startswith("  build / a job name far l") and "…" in lines[1]
    assert len(lines) == 1 + TERMINAL_NAMES + 1 and lines[-1].startswith("  … and 4 more job names")
    assert terminal_lines(r | {"by_job_name": {"run": g}}) == []  # one name: the headline says it all


def test_a_null_per_name_figure_shows_its_reason_not_zero():
    r = bench_result()
    g = {
        "jobs": {
            "count": 2,
            "succeeded": 0,
            "failed": 0,
            "cancelled": 0,
            "skipped": 0,
            "incomplete": 2,
            "ran": 0,
        },
        "queue_time_s": {"count": 0, "p50": None, "p95": None},
        "execution_time_s": {"count": 0, "p50": None, "p95": None},
        "total_time_s": {"count": 0, "p50": None, "p95": None},
    }
    r["by_job_name"] = {"late": g}
    r["reasons"] = {'jobs["late"].queue_time_s': 'no job named "late" started'}
    row = by_name_section(r).tables["names"].rows[0]
    queue = row.cells[4]
    assert queue.value is None and queue.reason == 'no job named "late" started'
    html = report_html(r)
    assert escape('no job named "late" started') in html
    md_row = next(line for line in summary_markdown(r).splitlines() if line.startswith("| late "))
    assert "| null " in md_row and "| 0.0 " not in md_row


def test_a_result_without_the_sections_renders_without_them():
    r = bench_result()
    for key in ("by_job_name", "by_workflow"):
        del r[key]
    assert "Per job name" not in summary_markdown(r) and "Per job name" not in report_html(r)
    assert terminal_lines(r) == []


def test_junit_names_the_whole_job_name_field_in_a_failure():
    r = bench_result()
    expr = 'jobs["build / npm"].execution_time_s.p95 < 1'
    r["thresholds"] = evaluate_all([expr], r)
    value = r["by_job_name"]["build / npm"]["execution_time_s"]["p95"]
    failure = ET.fromstring(junit_xml(r)).find(".//testcase/failure")
    assert failure is not None
    assert (
        failure.get("message")
        == f'jobs["build / npm"].execution_time_s.p95 = {value:.6g} does not satisfy `{expr}`'
    )

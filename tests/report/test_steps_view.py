"""The Steps section in summary.md, report.html and the terminal summary: the slowest steps, every step
and where each failed job failed; names escaped; the terminal within 80 columns; absent when no job
carried a step."""

from __future__ import annotations

import csv
from html import escape

from suite.analyze.result import compute_result
from suite.report import write_reports
from suite.report.html import report_html
from suite.report.jobs_csv import COLUMNS
from suite.report.markdown import summary_markdown
from suite.report.steps import TERMINAL_STEPS, steps_section, terminal_lines
from suite.report.terminal import terminal_summary
from tests.analyze.test_steps import step, with_steps
from tests.helpers.hand_made_run import JOBS, LEDGER, MANIFEST, RUNS

HOSTILE = "Run <b>tests</b> | \x1b[31mred\x1b[0m"


def result_with_steps(extra: int = 0, failing: str = "Run tests", conclusion: str = "failure") -> dict:
    jobs = [
        with_steps(JOBS[0], step(1, "Set up job", "success", 5, 6), step(2, HOSTILE, "success", 6, 64)),
        with_steps(
            JOBS[1],
            step(1, "Set up job", "success", 10, 12),
            *(
                step(2 + i, f"step {i} of a build whose name is long", "success", 12, 20 + i)
                for i in range(extra)
            ),
        ),
        JOBS[2],
        with_steps(JOBS[3], step(1, "Set up job", "success", 65, 66), step(2, failing, conclusion, 66, 99)),
        *JOBS[4:],
    ]
    return compute_result(MANIFEST, LEDGER, RUNS, jobs, [], [], [])


def test_every_view_shows_the_slowest_steps_and_where_the_failed_job_failed():
    r = result_with_steps()
    md, html, term = summary_markdown(r), report_html(r), terminal_summary(r)
    assert "## Steps (seconds)" in md and "<h2>Steps (seconds)</h2>" in html
    slow = next(line for line in md.splitlines() if line.startswith("| diagnostic ") and "58.0" in line)
    assert "| 2 " in slow and "<b>tests</b>" not in md and "\x1b" not in md  # escaped as Markdown text
    failed = next(line for line in md.splitlines() if line.startswith("| build ") and "| failure " in line)
    assert "| Run tests " in failed and "| 1 " in failed  # one failed job of `build` failed at that step
    assert "<b>tests</b>" not in html and escape("Run <b>tests</b>") in html
    assert "<code>Run tests</code>" in html
    lines = terminal_lines(r)
    assert lines[0].startswith("  slowest steps") and "diagnostic / #2 Run <b>tests</b>" in lines[1]
    assert lines[1].split()[-1] == "58.0"  # its p95
    assert lines[-1] == "  failed at   #2 Run tests ×1"
    assert "\x1b" not in term and "failed at   #2 Run tests ×1" in term


def test_the_terminal_lists_the_top_steps_within_80_columns():
    lines = terminal_lines(result_with_steps(extra=TERMINAL_STEPS + 4))
    assert all(len(line) <= 80 for line in lines), [len(line) for line in lines]
    assert len(lines) == 1 + TERMINAL_STEPS + 1 and any("…" in line for line in lines)


def test_a_failed_job_without_a_failing_step_shows_why():
    r = result_with_steps(conclusion="success")  # the failed job's steps all succeeded
    row = steps_section(r).tables["failed"].rows[0]
    assert row.cells[1].value is None and row.cells[5].value.startswith("no step concluded")
    assert row.cells[4].value == 1
    assert "no step concluded failure" in summary_markdown(r) and "(no failing step) ×1" in terminal_summary(
        r
    )


def test_without_steps_only_the_failed_job_and_why_shows_and_an_old_result_has_no_section():
    r = compute_result(MANIFEST, LEDGER, RUNS, JOBS, [], [], [])  # the hand-made jobs carry no steps
    assert r["reasons"]["steps"].startswith("no job of this test carried a step")
    md = summary_markdown(r)
    assert "### Slowest steps" not in md and "### Failed jobs" in md and "the job carried no steps" in md
    assert [line for line in terminal_lines(r) if "slowest" in line] == []
    del r["steps"]  # a result.json from before the section
    assert "Steps (seconds)" not in summary_markdown(r) and "Steps (seconds)" not in report_html(r)
    assert terminal_lines(r) == []


def test_jobs_csv_names_the_step_a_failed_job_failed_at_and_leaves_other_jobs_empty(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    r = result_with_steps(failing="=HYPERLINK(1)")  # a name is user text: never a formula
    rows = _jobs_csv(tmp_path / "run", r)
    assert tuple(next(iter(rows.values()))) == COLUMNS and COLUMNS[-1] == "failed_step"
    assert rows["4"]["conclusion"] == "failure" and rows["4"]["failed_step"] == "'=HYPERLINK(1)"
    assert [row["failed_step"] for key, row in rows.items() if key != "4"] == ["", "", ""]
    # no failing step: an empty cell, result.json's steps.failed_by_step says why
    r = result_with_steps(conclusion="success")
    assert _jobs_csv(tmp_path / "other", r)["4"]["failed_step"] == ""
    assert r["steps"]["failed_by_step"][0]["reason"].startswith("no step concluded")


def _jobs_csv(run_dir, result):
    run_dir.mkdir()
    write_reports(run_dir, result)
    with (run_dir / "jobs.csv").open(newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}

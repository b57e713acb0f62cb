"""The failures section (result.json `failures`) in summary.md, report.html and the terminal summary."""

from __future__ import annotations

from html import escape

from suite.analyze.result import compute_result
from suite.gates.thresholds import evaluate_all
from suite.report.failures import TERMINAL_NAMES, failures_section, terminal_lines
from suite.report.html import report_html
from suite.report.markdown import summary_markdown
from suite.report.terminal import terminal_summary
from tests.analyze.test_failures import OOM_REASON, stop_event
from tests.helpers.hand_made_run import LEDGER, MANIFEST, RUNS, A, B, C, job_row, task_event

HOSTILE = "build | <b>x</b>"


def failed_run() -> dict:
    jobs = [
        job_row(1, 101, "diagnostic", A, 3, 5, 65),
        job_row(2, 101, HOSTILE, C, 3, 10, 40, "failure"),  # out-of-memory kill at 40
        job_row(3, 101, HOSTILE, B, 3, 10, 600, "timed_out"),
        job_row(4, 101, "lint", None, 3, None, 5, "startup_failure"),  # no runner: unknown
    ]
    events = [task_event(C, "RUNNING", 0, 1), stop_event(C, 40, OOM_REASON, 137)]
    return compute_result(MANIFEST, LEDGER, RUNS, jobs, [], events, [])


def test_the_section_model_holds_the_totals_and_the_failing_names():
    s = failures_section(failed_run())
    total = [c.value for c in s.tables["total"].rows[0].cells]
    assert s.tables["total"].headers[:4] == ("did not succeed", "timed out", "cancelled", "out of memory")
    assert total == [3, 1, 0, 1, 0, 0, 1]
    assert [r.key for r in s.tables["names"].rows] == [HOSTILE, "lint"]  # diagnostic did not fail
    assert list(s.facts["unknown_reasons"].values()) == [1]


def test_summary_md_shows_the_counts_escaped():
    md = summary_markdown(failed_run())
    part = md.split("## Failures attributed", 1)[1].split("\n## ", 1)[0]
    assert "| 3 " in part and "out of memory" in part
    row = next(line for line in part.splitlines() if "build" in line)
    assert "\\|" in row and "\\<b>" in row  # a name cannot split the table or add HTML
    assert row.replace(" ", "").endswith("|2|1|0|1|0|0|0|")
    assert "- unknown for 1 job(s): the job has no runner_name" in part


def test_report_html_shows_the_counts_escaped():
    html = report_html(failed_run())
    part = html.split("<h2>Failures attributed</h2>", 1)[1].split("<h2>", 1)[0]
    assert f"<code>{escape(HOSTILE)}</code>" in part and "<b>x</b>" not in part
    assert "<th" in part and ">out of memory</th>" in part
    assert "<li>unknown for 1 job(s): the job has no runner_name" in part


def test_terminal_summary_states_the_causes_within_80_columns():
    term = terminal_summary(failed_run())
    lines = term.splitlines()
    first = lines.index("  failures    3 did not succeed: 1 timed out, 1 out of memory, 1 unknown")
    mine = lines[first : first + 5]
    assert mine[1] == "    unknown for 1 job(s): the job has no runner_name, so no ECS task to look at"
    assert mine[2].split() == [
        "failures",
        "by",
        "job",
        "name",
        "jobs",
        "t/o",
        "canc",
        "oom",
        "lost",
        "fail",
        "unkn",
    ]
    assert mine[4].split() == ["lint", "1", "0", "0", "0", "0", "0", "1"]
    assert all(len(line) <= 80 for line in mine)


def test_the_terminal_lines_wrap_and_cap_many_names_within_80_columns():
    r = failed_run()
    g = dict.fromkeys(("did_not_succeed", "timed_out", "cancelled", "out_of_memory", "runner_lost",
                       "failed", "unknown"), 1_000_000)  # fmt: skip
    long_why = "a reason far longer than a terminal line, " * 4
    r["failures"] = {
        "total": g,
        "by_job_name": {f"a job name far longer than its column ({i})": g for i in range(TERMINAL_NAMES + 2)},
        "unknown_reasons": {long_why: 1_000_000},
    }
    lines = terminal_lines(r)
    assert all(len(line) <= 80 for line in lines), [len(line) for line in lines]
    assert lines[-1] == "  … and 2 more job names (summary.md, result.json)"
    assert sum("…" in line for line in lines) >= TERMINAL_NAMES  # long names cut, marked


def test_a_run_whose_jobs_were_never_collected_shows_null_with_the_reason():
    r = failed_run() | {"failures": None}
    r["reasons"] = dict(r["reasons"]) | {"failures": "raw/jobs.jsonl absent"}
    md, html = summary_markdown(r), report_html(r)
    assert "## Failures attributed\n\nnull: raw/jobs.jsonl absent" in md
    assert '<h2>Failures attributed</h2><p class="note">null: raw/jobs.jsonl absent</p>' in html
    assert terminal_lines(r) == []


def test_a_run_without_failures_shows_zero_counts_and_no_terminal_line():
    jobs = [job_row(1, 101, "diagnostic", A, 3, 5, 65)]
    r = compute_result(MANIFEST, LEDGER, RUNS, jobs, [], [], [])
    assert r["failures"]["total"]["did_not_succeed"] == 0  # observed: every job succeeded
    assert not failures_section(r).tables["names"].rows
    assert terminal_lines(r) == []


def test_a_profile_threshold_can_gate_on_a_cause():
    exprs = ["failures.total.out_of_memory == 0", "failures.total.runner_lost == 0"]
    results = evaluate_all(exprs, failed_run())
    assert [(t["value"], t["ok"]) for t in results] == [(1.0, False), (0.0, True)]

import csv
import json
import re

import pytest

from suite.pipeline.analysis import analyze_run_dir
from suite.report import terminal_summary, write_reports
from suite.report.jobs_csv import COLUMNS
from suite.rundir.job_rows import job_rows
from suite.rundir.result_schema import IN_MEMORY_KEYS

try:
    from tests.helpers.hand_made_run import A, write_fixture
except ImportError:  # tests collected as a package
    from tests.test_analyze_result import A, write_fixture


@pytest.fixture
def written(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    run_dir = write_fixture(tmp_path)
    result = analyze_run_dir(run_dir)
    paths = write_reports(run_dir, result)
    return run_dir, result, paths


def test_writes_result_summary_and_csv(written):
    run_dir, result, paths = written
    assert [p.name for p in paths] == [
        "result.json",
        "summary.md",
        "jobs.csv",
        "junit.xml",
        "report.html",
    ]
    assert all(p.exists() for p in paths)
    assert not (run_dir / "charts").exists()  # the charts are drawn in report.html, no image file
    tables = {t: f"tables/{t}.parquet" for t in ("jobs", "task_usage", "timeline", "tasks", "runners", "run")}
    stored = json.loads((run_dir / "result.json").read_text())
    figures = {k: v for k, v in result.items() if k not in IN_MEMORY_KEYS}
    assert stored == json.loads(json.dumps({**figures, "tables": tables}))  # the figures, never per_job
    assert stored["schema"] == "suite.result/v2" and "per_job" not in stored
    assert job_rows(run_dir) == result["per_job"]  # read back from the job table: the same rows, exactly
    assert not list(run_dir.glob("*.tmp"))


def test_jobs_csv_one_row_per_job_null_not_zero(written):
    run_dir, result, _ = written
    with (run_dir / "jobs.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0].keys()) == COLUMNS
    assert [int(r["id"]) for r in rows] == [j["id"] for j in result["per_job"]]
    j1 = next(r for r in rows if r["id"] == "1")
    assert (j1["cpu_max"], j1["memory_max_pct"], j1["resource_reason"]) == ("512.0", "50.0", "")
    j4 = next(r for r in rows if r["id"] == "4")
    for key in (
        "cpu_max",
        "cpu_mean",
        "cpu_max_pct",
        "cpu_mean_pct",
        "memory_max",
        "memory_mean",
        "memory_max_pct",
        "memory_mean_pct",
    ):
        assert j4[key] == ""  # missing: an empty cell, not 0 and not the string "null"
    row4 = next(ln for ln in (run_dir / "jobs.csv").read_text().splitlines() if ln.startswith("4,"))
    assert ",0," not in row4 and "null" not in row4
    assert j4["resource_reason"].startswith("no Container Insights sample inside the job's 35 s interval")
    assert (j4["runner_name"], j4["queue_s"], j4["execution_s"]) == (A, "0.0", "35.0")


def test_summary_md_tables_and_null_reason(written):
    run_dir, _, _ = written
    md = (run_dir / "summary.md").read_text()
    for heading in (
        "## Workflows",
        "## Jobs",
        "## Timings (seconds)",
        "## Concurrency and throughput",
        "## Runners",
        "## Resources",
        "## Thresholds",
    ):
        assert heading in md
    assert "linear interpolation between closest ranks" in md
    assert "wf-00003" in md and "run 103 (returned by the dispatch) is not in raw/runs.jsonl" in md
    line = next(ln for ln in md.splitlines() if "35 s interval" in ln)
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[:3] == ["4", "build", A]
    assert cells[3:5] == ["null", "null"]  # cpu max, mem max: null, not 0
    assert "skipped: it never ran" in md
    assert "| 4            | 2          | 42.0%" in md  # configured, observed, utilization 215/512
    assert re.search(r"\| max concurrency \(exact\)\s+\| 2\s+\|", md)
    assert re.search(r"\| mean concurrency \(time-weighted over the window\)\s+\| 1\.68\s+\|", md)
    # no threshold, but a dispatched workflow is missing: never pass, and the reason under the title
    title = "# capacity-20261115T100000Z-abc123: FAIL\n\n"
    assert md.startswith(title + "- 1 of 3 dispatched workflow(s) missing after collection\n")


def test_github_step_summary_appended(tmp_path, monkeypatch):
    step = tmp_path / "step_summary.md"
    step.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step))
    run_dir = write_fixture(tmp_path)
    write_reports(run_dir, analyze_run_dir(run_dir))
    text = step.read_text()
    assert text.startswith("earlier step\n")
    assert (run_dir / "summary.md").read_text() in text


def test_terminal_summary(written):
    _, result, _ = written
    text = terminal_summary(result)
    assert "capacity-20261115T100000Z-abc123 (capacity, local): FAIL" in text
    assert "  because   1 of 3 dispatched workflow(s) missing after collection" in text
    assert "4 scheduled, 3 dispatched, 2 collected, 1 succeeded, 1 failed, 1 missing" in text  # wf-00004: 500
    assert "max 2, mean 1.68" in text
    assert "4 configured, 2 observed, utilization 42.0%" in text
    assert "2 job(s) with samples, 1 without" in text
    failing = result | {
        "verdict": "fail",
        "thresholds": [{"expr": "queue_time_s.p95 < 5", "value": None, "ok": False}],
    }
    text = terminal_summary(failing)
    assert ": FAIL" in text and "0/1 ok" in text and "FAIL queue_time_s.p95 < 5 (value null)" in text


def test_thresholds_from_the_thresholds_module_in_reports(tmp_path, monkeypatch):
    from suite.analyze.result import with_thresholds
    from suite.gates.thresholds import evaluate_all

    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = analyze_run_dir(tmp_path)  # empty: every figure null
    exprs = ["resources.cpu.max.max < 2000", "dispatch.late == 0"]
    gated = with_thresholds(result, evaluate_all(exprs, result))
    assert gated["verdict"] == "incomplete"  # nothing collected
    assert [t["status"] for t in gated["thresholds"]] == ["inconclusive", "pass"]
    assert [t["ok"] for t in gated["thresholds"]] == [False, True]
    write_reports(tmp_path, gated)
    md = (tmp_path / "summary.md").read_text()
    row = next(ln for ln in md.splitlines() if ln.startswith("| resources.cpu.max.max < 2000"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:3] == ["null", "INCONCLUSIVE"] and cells[3].startswith("resources.cpu.max.max is null")
    text = terminal_summary(gated)
    assert "INCONCLUSIVE resources.cpu.max.max < 2000 (value null): resources.cpu.max.max is null" in text


def test_reports_for_an_empty_run_directory_show_null(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = analyze_run_dir(tmp_path)
    write_reports(tmp_path, result)
    md = (tmp_path / "summary.md").read_text()
    assert "## Figures that could not be observed" in md
    assert "`runners.utilization`" in md
    assert (tmp_path / "jobs.csv").read_text().strip() == ",".join(COLUMNS)
    assert "utilization null" in terminal_summary(result)


def test_summary_lists_the_first_jobs_without_figures_and_counts_the_rest(written):
    from suite.report.markdown import MAX_LISTED, summary_markdown

    _, result, _ = written
    lacking = next(j for j in result["per_job"] if j["resource_reason"])
    per_job = [lacking | {"id": 1000 + k} for k in range(MAX_LISTED + 7)]
    text = summary_markdown(result | {"per_job": per_job})
    listed = {int(m) for m in re.findall(r"^\| (\d+) +\|", text, re.M)}
    assert set(range(1000, 1000 + MAX_LISTED)) <= listed and 1000 + MAX_LISTED not in listed
    assert "… and 7 more jobs (see result.json)." in text


@pytest.mark.parametrize("damaged", ["raw/jobs.jsonl", "raw/metrics.jsonl", "ledger.jsonl"])
def test_report_on_a_damaged_jsonl_line_is_one_error_with_file_and_line(tmp_path, capsys, damaged):
    from suite.cli.main import main

    run_dir = write_fixture(tmp_path)
    path = run_dir / damaged
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, '{"id": 9, "broken']) + "\n")  # a partial last line
    before = {p: p.read_bytes() for p in run_dir.rglob("*.jsonl")}
    assert main(["report", str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"suite: error: {path}:{len(lines) + 1}: damaged: not a JSON line")
    assert "fix or delete that line" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in run_dir.rglob("*.jsonl")} == before  # nothing collected is touched

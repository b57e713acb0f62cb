"""The right-size and cost sections (result.json `rightsize`, `cost`) in summary.md, report.html, the
terminal summary and jobs.csv; job names are user text and stay escaped in every view."""

from __future__ import annotations

import csv
import io
from html import escape

import pytest

from suite.analyze.result import compute_result
from suite.fleet.prices import read_prices
from suite.report.cost import cost_section
from suite.report.html import report_html
from suite.report.jobs_csv import write_jobs_csv
from suite.report.markdown import summary_markdown
from suite.report.rightsize import rightsize_section
from suite.report.terminal import terminal_summary
from tests.helpers.hand_made_run import LEDGER, MANIFEST, RUNS, A, B, C, job_row, metric, task_event

HOSTILE = "build | <b>x</b>"
PER_S = (0.04048 + 2 * 0.004445) / 3600


def priced_run(region: str = "us-east-1") -> dict:
    jobs = [job_row(i, 101, HOSTILE, r, 3, 5, 125) for i, r in enumerate((A, B, C), 1)]
    metrics = [
        m
        for r in (A, B, C)
        for m in (
            metric(r, "CpuReserved", 60, 1024.0),
            metric(r, "MemoryReserved", 60, 2048.0),
            metric(r, "CpuUtilized", 60, 300.0),
            metric(r, "MemoryUtilized", 60, 500.0),
        )
    ]
    tasks = [task_event(r, "RUNNING", -60, -5) for r in (A, B, C)]
    manifest = MANIFEST | {"fleet": MANIFEST["fleet"] | {"region": region}}
    return compute_result(manifest, LEDGER, RUNS, jobs, metrics, tasks, [], prices=read_prices())


def test_the_section_models_hold_the_verdict_the_size_and_the_costs():
    r = priced_run()
    rows = rightsize_section(r).tables["names"].rows
    assert [row.cells[1].value for row in rows] == ["over-provisioned CPU", "over-provisioned CPU"]
    assert rows[1].cells[9].value == "512 / 1024"  # 300 units and 500 MiB, + 25%
    c = cost_section(r)
    run = {row.key: row.cells for row in c.tables["run"].rows}
    window = 125 - 2  # the window opens at the first scheduled dispatch, on GitHub's clock (+2 s)
    assert run["busy"][1].value == pytest.approx(3 * 120)
    assert run["total"][3].value == pytest.approx(3 * window * PER_S)
    assert c.tables["jobs"].rows[0].cells[0].value == pytest.approx(window * PER_S)  # 3 tasks / 3 jobs
    assert "us-east-1 X86_64" in c.facts["prices"] and "checked 2026-12-03" in c.facts["prices"]


def test_summary_md_shows_both_sections_escaped():
    md = summary_markdown(priced_run())
    right = md.split("## Right-size", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in right.splitlines() if "build" in line)
    assert "\\|" in row and "\\<b>" in row and "over-provisioned CPU" in row and "512 / 1024" in row
    assert "The fleet runs 1024 / 2048" in right
    cost = md.split("## Cost", 1)[1].split("\n## ", 1)[0]
    assert "| busy " in cost and "| idle " in cost and "| cold start " in cost and "total (3 tasks)" in cost
    assert "pricing/fargate.yaml" in cost


def test_report_html_shows_both_sections_escaped():
    html = report_html(priced_run())
    right = html.split("<h2>Right-size</h2>", 1)[1].split("<h2>", 1)[0]
    assert f"<code>{escape(HOSTILE)}</code>" in right and "<b>x</b>" not in right
    assert "over-provisioned CPU" in right and "512 / 1024" in right
    cost = html.split("<h2>Cost</h2>", 1)[1].split("<h2>", 1)[0]
    assert ">cold start<" in cost and "per job (run / jobs)" in cost


def test_terminal_summary_states_the_verdict_and_the_cost_within_80_columns():
    lines = terminal_summary(priced_run()).splitlines()
    right = next(line for line in lines if line.startswith("  right-size"))
    assert right == "  right-size  over-provisioned CPU; smallest size +25%: 512 CPU / 1024 MiB"
    at = next(i for i, line in enumerate(lines) if line.startswith("  cost"))
    assert "USD per job" in lines[at] and "idle 2.4%" in lines[at + 1] and "cold start 0.0%" in lines[at + 1]
    assert all(len(line) <= 80 for line in [right, *lines[at : at + 2]])


def test_a_region_without_prices_is_null_with_the_reason_in_every_view():
    r = priced_run("xx-nowhere-1")
    assert r["cost"]["per_job_usd"] is None and "no price for region xx-nowhere-1" in r["reasons"]["cost"]
    md = summary_markdown(r).split("## Cost", 1)[1].split("\n## ", 1)[0]
    assert "null" in md and "0.000" not in md
    cost = next(line for line in terminal_summary(r).splitlines() if line.startswith("  cost"))
    assert "null" in cost
    assert all(j["cost_usd"] is None for j in r["per_job"])


def test_jobs_csv_has_the_cost_column():
    r = priced_run()
    out = io.StringIO()
    write_jobs_csv(out, r["per_job"])
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [float(row["cost_usd"]) for row in rows] == pytest.approx([120 * PER_S] * 3)

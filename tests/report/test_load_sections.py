"""The breaking point, recovery and headroom in summary.md, report.html and the terminal summary, from
runs of the fleet model (`suite sim`: the same run directory as a run's)."""

from __future__ import annotations

import re
from pathlib import Path

from suite.pipeline.analysis import analyze_run_dir
from suite.pipeline.sim import simulate
from suite.profiles.profile import load_profile
from suite.report.html import report_html
from suite.report.markdown import summary_markdown
from suite.report.terminal import terminal_summary
from suite.twin.fleet import FleetConfig

PROFILES = Path(__file__).resolve().parents[2] / "profiles"
NOW = 1_800_000_000.0


def sim(tmp_path: Path, name: str) -> dict:
    rd = simulate(load_profile(PROFILES / f"{name}.yaml", "local"), FleetConfig(), tmp_path, now=NOW)
    return analyze_run_dir(rd)


def test_stress_shows_its_stages_and_the_breaking_point_with_the_evidence(tmp_path: Path):
    r = sim(tmp_path, "stress")
    point = r["saturation"]["point"]
    md = summary_markdown(r)
    assert "## Breaking point" in md and f"**Breaking point: stage {point['stage']} (2.00/min target)" in md
    assert "kept rising" in md
    assert re.search(r"\| stage +\| target /min +\| offered +\| not offered +\| completed +\|", md)
    stages = md.split("## Breaking point")[1].split("Definition:")[0]
    assert stages.count("kept up") == point["stage"] - 1
    term = terminal_summary(r)
    assert re.search(r"breaking +Breaking point: stage 3 ", term)
    stage_lines = [ln for ln in term.splitlines() if re.match(r" {14} +\d+ ", ln)]
    assert len(stage_lines) == len(r["saturation"]["stages"])
    html = report_html(r)
    assert "<h2>Breaking point</h2>" in html and "Breaking point: stage 3" in html
    assert "Definition: saturation point = first stage" in html


def test_spike_shows_recovery_and_headroom_cards(tmp_path: Path):
    r = sim(tmp_path, "spike")
    md = summary_markdown(r)
    assert "## Recovery" in md and "## Breaking point" not in md
    rec = r["recovery"]
    assert f"Recovered {rec['recovery_s']:.0f} s after the surge (at {rec['recovered_at']})" in md
    assert f"drained {r['recovery']['backlog_drained_s']:.0f} s after the surge" in md
    occ, waiting = r["occupancy"]["slot_occupancy"], r["jobs_waiting"]["max"]
    assert occ > r["runners"]["utilization"]
    assert re.search(rf"\| slot occupancy \(busy or booting\) +\| {100 * occ:.1f}% +\|", md)
    assert re.search(rf"\| max jobs waiting \(exact\) +\| {waiting} +\|", md)
    html = report_html(r)
    assert '<div class="k">slot occupancy</div>' in html and f"{100 * occ:.1f}%" in html
    assert '<div class="k">max jobs waiting</div>' in html
    assert "recovery    Recovered " in terminal_summary(r)


def test_a_spike_that_never_recovers_says_so_with_the_reason(tmp_path: Path):
    short = tmp_path / "spike.yaml"  # a quiet tail shorter than the surge's backlog
    short.write_text((PROFILES / "spike.yaml").read_text().replace("recovery_s: 1800", "recovery_s: 900"))
    r = analyze_run_dir(simulate(load_profile(short, "local"), FleetConfig(), tmp_path, now=NOW))
    md = summary_markdown(r)
    assert "not measured (never recovered inside the window" in md
    assert f"drained {r['recovery']['backlog_drained_s']:.0f} s after the surge" in md
    assert "recovery    Recovery: not measured" in terminal_summary(r)


def test_occupancy_never_observed_reads_null_with_the_reason_not_utilization(tmp_path: Path):
    r = sim(tmp_path, "smoke")
    r["occupancy"] |= {"slot_occupancy": None, "booting_runner_s": None, "tasks_observed": 0}
    why = "no ECS task with a createdAt in raw/tasks.jsonl: nothing observed booting"
    r["reasons"]["occupancy.slot_occupancy"] = why
    md = summary_markdown(r)
    assert re.search(r"\| slot occupancy \(busy or booting\) +\| null +\|", md)
    html = report_html(r)
    card = html.split('<div class="k">slot occupancy</div>')[1].split('<div class="card">')[0]
    assert "—" in card and "nothing observed booting" in card
    assert "headroom    occupancy null (busy or booting" in terminal_summary(r)

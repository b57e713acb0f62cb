"""A run interrupted with Ctrl-C (SIGINT) after a third of its schedule, then `suite collect`: INCOMPLETE
(exit 4), a banner in report.html, summary.md and junit.xml, `suite history` showing dispatched/scheduled,
and never the baseline. Against a twin deployed as its own process; the interruption waits on an event
(the dispatch that makes a third is held back by a proxy until the process is interrupted), never on a
timing window."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from suite.pipeline.run import report
from suite.rundir.jsonio import read_jsonl
from tests.cli.test_interrupt_collect import ROOT, deployed, holding_proxy, result_of, start_run, suite
from tests.helpers.synthetic_run import synthetic_run


@pytest.mark.parametrize(("profile", "scheduled"), [("capacity", 45), ("soak", 72)])
def test_sigint_after_a_third_then_collect_is_incomplete_and_never_the_baseline(
    tmp_path: Path, profile: str, scheduled: int
):
    reports = tmp_path / "reports"
    older, passed = synthetic_run(reports)  # an earlier passing run of the profile: the baseline
    assert passed["verdict"] == "pass" and passed["profile"] == "capacity"
    if profile != "capacity":
        manifest = json.loads((older / "manifest.json").read_text())
        manifest["profile"]["name"] = profile
        (older / "manifest.json").write_text(json.dumps(manifest))
    assert report(older) == 0  # its result.json and reports, as `suite report` writes them
    third = scheduled // 3 + 1  # 16 of 45, 25 of 72
    with deployed() as state:
        with holding_proxy(state, hold=third) as proxy:
            proc = start_run(ROOT / "profiles" / f"{profile}.yaml", tmp_path)
            deadline = time.monotonic() + 300
            while not proxy.held.wait(0.1):  # the event, or the run's end (then fail at once)
                assert proc.poll() is None and time.monotonic() < deadline, "no dispatch to hold"
            proc.send_signal(signal.SIGINT)  # Ctrl-C while the dispatch that makes a third is in flight
            _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert f"the run is INCOMPLETE. Collect what was dispatched: suite collect reports/{profile}-" in err
        (rd,) = [d for d in reports.iterdir() if d.is_dir() and d != older]
        assert not (rd / "result.json").exists()
        unsent = [r for r in read_jsonl(rd / "ledger.jsonl") if r["sent_at"] is None]
        assert len(unsent) == scheduled - third  # Ctrl-C wrote them; the one in flight is left to collect
        assert all(r["error"] == "not dispatched: interrupted (Ctrl-C) before it was sent" for r in unsent)
        collected = suite("collect", str(rd), cwd=tmp_path, timeout=600)
    assert collected.returncode == 4, collected.stdout + collected.stderr
    assert "report equals truth.json job by job" in collected.stdout
    assert "INCOMPLETE" in collected.stdout and "!! INCOMPLETE RUN: interrupted" in collected.stdout

    result = result_of(rd)
    why = (
        f"interrupted: {third} of {scheduled} scheduled dispatches sent before the run stopped "
        f"({scheduled - third} never sent); the figures cover part of the load"
    )
    assert result["verdict"] == "incomplete" and result["verdict_reasons"][0] == why
    assert result["completeness"] | {"ended_by": None} == {
        "scheduled": scheduled,
        "sent": third,
        "never_sent": scheduled - third,
        "stopped_by": "interruption",
        "collected": True,
        "not_collected_why": None,
        "ended_by": None,
    }
    assert result["completeness"]["ended_by"] == "suite collect after an interruption"
    wf = result["workflows"]
    assert (wf["dispatched"], wf["collected"], wf["missing"]) == (third, third, [])
    # the banner in every report
    html = (rd / "report.html").read_text()
    assert 'class="badge incomplete">INCOMPLETE<' in html
    assert 'class="banner" role="alert">INCOMPLETE RUN' in html
    assert f"{third} / {third} / {scheduled}" in html  # collected / dispatched / scheduled
    md = (rd / "summary.md").read_text()
    assert md.startswith(f"# {rd.name}: INCOMPLETE\n\n> **INCOMPLETE RUN: {why}")  # then any other reason
    junit = (rd / "junit.xml").read_text()
    assert 'type="RunIncomplete"' in junit and '<property name="verdict" value="incomplete" />' in junit

    history = suite("history", "--reports", str(reports), cwd=tmp_path)
    assert history.returncode == 0, history.stderr
    line = next(ln for ln in history.stdout.splitlines() if rd.name in ln)
    assert f" {third}/{scheduled} " in line and line.rstrip().endswith("incomplete")
    baseline = suite("history", "--reports", str(reports), "--profile", profile, "--baseline", cwd=tmp_path)
    assert (baseline.returncode, baseline.stdout.strip()) == (0, str(older))  # the older pass, not this run

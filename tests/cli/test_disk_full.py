"""A disk that fills mid-run, for real: a small tmpfs mounted as the reports directory, a twin run on the
stepped clock (in this process, through the `suite` CLI) whose own writes exhaust it, then space freed
and one `suite collect`. And SIGTERM, handled like Ctrl-C.

The disk is filled at one known moment by a filler file (another writer) that leaves a page or two:
right after schedule.json is written, so the run's own writes (inflight.json before each send, the ledger
row after it) run out of space mid-dispatch, after a send, with the dispatch in flight; or after the last
dispatch, so collection runs out. Mounting needs root (these tests run as root); a machine that refuses
the mount fails the test, never skips it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from suite.cli.main import main as cli_main
from suite.dispatch.dispatcher import INFLIGHT_FILE, SCHEDULE_FILE
from suite.fleet.environments import local_target
from suite.pipeline import live as pipeline_live
from suite.pipeline import run as pipeline_run
from suite.rundir.job_rows import read_run_result
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin
from suite.twin.truth_check import mismatches
from tests.helpers.twin import twin_config

PAGE = 4096
WORKFLOWS = 40
PROFILE = f"""\
# Disk: {WORKFLOWS} workflows in 20 minutes; the ledger outgrows one page half way through.
workflow: runner_test
inputs: {{sleep_duration: 30}}
pattern: {{type: steady, rate_per_min: 2, duration_s: {WORKFLOWS * 30}}}
seed: 0
drain_timeout_s: 1800
"""


@contextmanager
def tmpfs(path: Path, size: int) -> Iterator[Path]:
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs on {path} (this test needs root): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill(path: Path, leave: int) -> None:
    """Another writer takes all of `path`'s file system but `leave` bytes (a file named filler)."""
    st = os.statvfs(path)
    with (path / "filler").open("wb") as f:
        f.write(b"\0" * (st.f_bavail * st.f_frsize - leave))


@contextmanager
def twin_as_deployed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Twin]:
    """An in-process twin on the stepped clock that `suite run` and `suite collect` resolve as `local`."""
    twin = Twin(twin_config(fleet=FleetConfig(runners=4, ephemeral=True, seed=0))).start()
    try:
        twin.clock.sleep(95)  # every runner online (cold start <= 90 s), as after `suite deploy`
        target = local_target(twin.state())
        monkeypatch.setattr(pipeline_run, "resolve_target", lambda environment: target)
        yield twin
    finally:
        twin.stop()


def ledger_rows(rd: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (rd / "ledger.jsonl").read_text().splitlines()]


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("suite: error:")]


def assert_nothing_lost(rd: Path) -> dict[str, Any]:
    """Every scheduled dispatch has exactly one ledger row; every accepted one was collected; the report
    equals the twin's truth job by job. Returns result.json."""
    schedule = json.loads((rd / SCHEDULE_FILE).read_text())
    rows = ledger_rows(rd)
    assert sorted(r["seq"] for r in rows) == list(range(1, len(schedule["offsets_s"]) + 1))
    assert not (rd / INFLIGHT_FILE).exists()
    result: dict[str, Any] = read_run_result(rd)
    truth = json.loads((rd / "truth.json").read_text())
    assert mismatches(result, truth) == []
    assert {j["id"] for j in result["per_job"]} == {t["job_id"] for t in truth["jobs"]}
    accepted = {r["suite_id"] for r in rows if r["status"] == 200}
    assert {j["suite_id"] for j in result["per_job"]} == accepted  # runner_test: one job per workflow
    assert result["workflows"]["missing"] == []
    return result


def test_a_disk_filling_mid_dispatch_ends_in_one_error_and_one_collect_finishes_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    profile = tmp_path / "disk.yaml"
    profile.write_text(PROFILE)
    monkeypatch.chdir(tmp_path)
    real_write_schedule = pipeline_run.write_schedule

    def then_fill_the_disk(run_dir: Path, plan: Any, start: float) -> None:
        real_write_schedule(run_dir, plan, start)
        fill(reports, leave=2 * PAGE)  # one page for the ledger, one for inflight.json

    monkeypatch.setattr(pipeline_run, "write_schedule", then_fill_the_disk)
    with tmpfs(tmp_path / "reports", 1024 * PAGE) as reports, twin_as_deployed(monkeypatch):
        assert cli_main(["run", str(profile), "--reports", str(reports)]) == 3
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        (line,) = error_lines(err)
        (rd,) = [p for p in reports.iterdir() if p.is_dir()]
        assert f"{rd}/ledger.jsonl: cannot write: no space left on device (ENOSPC)" in line
        assert f"then: suite collect {rd}" in line
        # dispatching stopped after a send whose row did not fit: the dispatch is kept in flight, every
        # row the ledger holds is whole (the partial one was cut back), the rest were never sent
        rows = ledger_rows(rd)
        assert 0 < len(rows) < WORKFLOWS - 1
        pending = json.loads((rd / INFLIGHT_FILE).read_text())
        assert pending["seq"] == len(rows) + 1
        assert (rd / "ledger.jsonl").read_bytes().endswith(b"\n")

        (reports / "filler").unlink()  # space freed
        # and the partial row a process killed mid-append would leave (this one cut its own back)
        torn = json.dumps({k: pending[k] for k in ("seq", "suite_id", "scheduled_at")}, separators=(",", ":"))
        with (rd / "ledger.jsonl").open("a") as f:
            f.write(torn[:-20])
        code = cli_main(["collect", str(rd)])
        out, err = capsys.readouterr()
        assert "Traceback" not in err and error_lines(err) == []
        assert "ledger.jsonl: an incomplete last line" in out and "set aside in ledger.torn" in out
        assert json.loads((rd / "ledger.torn").read_text())["text"] == torn[:-20]
        assert code == 4  # collected; incomplete: the schedule was not all sent
        assert "report equals truth.json job by job" in out
        result = assert_nothing_lost(rd)
        (found,) = [r for r in ledger_rows(rd) if r["seq"] == pending["seq"]]
        assert found["reconciled"] is True and found["status"] == 200  # the in-flight one, found by title
        assert result["workflows"]["dispatched"] == len(rows) + 1
        assert result["dispatch"]["not_dispatched"] == WORKFLOWS - len(rows) - 1


def test_a_disk_filling_during_collection_ends_in_one_error_and_one_collect_completes_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    profile = tmp_path / "disk.yaml"
    profile.write_text(PROFILE)
    monkeypatch.chdir(tmp_path)
    real_on_dispatch = pipeline_live.RunProgress.on_dispatch

    def fill_after_the_last_dispatch(self: Any, done: int, total: int) -> None:
        real_on_dispatch(self, done, total)
        if done == total:
            fill(reports, leave=PAGE)  # room for api_dispatch.json, not for the runs collected

    monkeypatch.setattr(pipeline_live.RunProgress, "on_dispatch", fill_after_the_last_dispatch)
    with tmpfs(tmp_path / "reports", 1024 * PAGE) as reports, twin_as_deployed(monkeypatch):
        assert cli_main(["run", str(profile), "--reports", str(reports)]) == 3
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        (line,) = error_lines(err)
        (rd,) = [p for p in reports.iterdir() if p.is_dir()]
        assert line.startswith(f"suite: error: {rd}/raw/") and "no space left on device (ENOSPC)" in line
        assert f"then: suite collect {rd}" in line
        assert len(ledger_rows(rd)) == WORKFLOWS and not (rd / INFLIGHT_FILE).exists()

        (reports / "filler").unlink()  # space freed
        code = cli_main(["collect", str(rd)])
        out, err = capsys.readouterr()
        assert "Traceback" not in err and error_lines(err) == []
        assert code == 0, out  # the whole schedule was sent: complete, and the thresholds hold
        assert "report equals truth.json job by job" in out
        assert assert_nothing_lost(rd)["workflows"]["dispatched"] == WORKFLOWS


def test_sigterm_mid_dispatch_is_handled_like_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    profile = tmp_path / "term.yaml"
    profile.write_text(PROFILE)
    monkeypatch.chdir(tmp_path)
    real_on_dispatch = pipeline_live.RunProgress.on_dispatch

    def terminate_after_five(self: Any, done: int, total: int) -> None:
        real_on_dispatch(self, done, total)
        if done == 5:
            os.kill(os.getpid(), signal.SIGTERM)  # as `kill PID` or a CI runner's cancel would

    monkeypatch.setattr(pipeline_live.RunProgress, "on_dispatch", terminate_after_five)
    with twin_as_deployed(monkeypatch):
        assert cli_main(["run", str(profile)]) == 143
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        (rd,) = (tmp_path / "reports").iterdir()
        assert f"terminated: {WORKFLOWS - 5} scheduled dispatch(es) never sent" in err
        assert f"suite collect {rd.relative_to(tmp_path)}" in err  # the run directory as given
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the CLI's handler is gone after
        rows = ledger_rows(rd)
        unsent = [r for r in rows if r["sent_at"] is None]
        assert len(rows) == WORKFLOWS and len(unsent) == WORKFLOWS - 5
        assert {r["error"] for r in unsent} == {"not dispatched: terminated (SIGTERM) before it was sent"}

        assert cli_main(["collect", str(rd)]) == 4
        out, err = capsys.readouterr()
        assert "report equals truth.json job by job" in out
        assert assert_nothing_lost(rd)["workflows"]["dispatched"] == 5

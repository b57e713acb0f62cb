"""`suite collect` (or `suite report`) on a run directory that `suite run` is still writing is refused at
once, naming the running process, and changes nothing: before the lock, a collect in the middle of a run
marked every future dispatch "never sent" and printed PASS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from suite.cli.main import main as cli_main
from suite.pipeline import live as pipeline_live
from tests.cli.test_disk_full import PROFILE, WORKFLOWS, assert_nothing_lost, ledger_rows, twin_as_deployed

ROOT = Path(__file__).resolve().parents[2]


def suite_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "suite", *args], env=env, capture_output=True, text=True)


def test_collect_and_report_on_a_run_still_dispatching_are_refused_and_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "busy.yaml"
    profile.write_text(PROFILE)
    monkeypatch.chdir(tmp_path)
    real_on_dispatch = pipeline_live.RunProgress.on_dispatch
    tries: list[tuple[subprocess.CompletedProcess[str], list[dict[str, Any]], list[dict[str, Any]]]] = []

    def meanwhile_another_process_collects(self: Any, done: int, total: int) -> None:
        real_on_dispatch(self, done, total)
        if done == 5:
            before = ledger_rows(self.rd.path)
            for command in ("collect", "report"):
                tries.append((suite_cli(command, str(self.rd.path)), before, ledger_rows(self.rd.path)))

    monkeypatch.setattr(pipeline_live.RunProgress, "on_dispatch", meanwhile_another_process_collects)
    with twin_as_deployed(monkeypatch):
        code = cli_main(["run", str(profile)])
        err = capsys.readouterr().err
    assert code == 0, err
    assert len(tries) == 2
    for refused, before, after in tries:
        assert refused.returncode == 3
        assert "Traceback" not in refused.stderr and refused.stderr.count("\n") == 1
        assert f"another suite process (pid {os.getpid()}, `suite run`) is writing this run directory" in (
            refused.stderr
        )
        assert after == before  # nothing marked "never sent", nothing written
    (rd,) = (tmp_path / "reports").iterdir()
    assert len(ledger_rows(rd)) == WORKFLOWS
    assert_nothing_lost(rd)
    assert json.loads((rd / "result.json").read_text())["verdict"] == "pass"

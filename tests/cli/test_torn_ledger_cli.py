"""`suite report` on a run directory whose ledger ends in a row cut short (a process killed mid-append,
its dispatch still in inflight.json): the torn line is set aside in ledger.torn, said on stdout, and the
report is the one the intact rows give; no hand edit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from suite.cli.main import main as cli_main
from suite.rundir.job_rows import job_rows
from tests.helpers.hand_made_run import write_fixture


def test_report_sets_a_torn_last_ledger_line_aside_and_reports_the_whole_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = write_fixture(tmp_path / "clean")
    assert cli_main(["report", str(clean)]) in (0, 1)
    capsys.readouterr()
    torn_dir = tmp_path / "torn" / clean.name
    shutil.copytree(clean, torn_dir)
    ledger = torn_dir / "ledger.jsonl"
    whole = ledger.read_bytes()
    rows = [json.loads(line) for line in whole.decode().splitlines()]
    pending = {**rows[-1], "seq": rows[-1]["seq"] + 1, "suite_id": rows[-1]["suite_id"][:-5] + "99999"}
    (torn_dir / "inflight.json").write_text(json.dumps(pending))
    ledger.write_bytes(whole + json.dumps(pending, separators=(",", ":")).encode()[:50])

    code = cli_main(["report", str(torn_dir)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "suite: error" not in err
    assert f"{ledger}: an incomplete last line (50 bytes) set aside in ledger.torn" in out
    assert ledger.read_bytes() == whole
    assert job_rows(torn_dir) == job_rows(clean)  # the same jobs (result.json v2: the job table's rows)
    assert code == cli_main(["report", str(clean)])

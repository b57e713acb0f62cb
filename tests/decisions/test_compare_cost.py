"""suite compare shows each run's cost per job and right-size verdict under the sizing (result.json's
`cost` and `rightsize`), with the change; a result.json without them shows unknown, and a damaged
cost section is one exit-2 line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suite.cli.main import main
from suite.decisions.compare.core import compare_dirs
from suite.decisions.compare.render import markdown
from tests.helpers.decisions import fake_run

BASE = [60.0 + i % 5 for i in range(20)]
SMALL = {"runner_count": 4, "ephemeral": True, "task_cpu": 1024, "task_memory": 2048}
BIG = {"runner_count": 4, "ephemeral": True, "task_cpu": 2048, "task_memory": 4096}


def _with_money(run: Path, per_job: float, p50: float, verdict: str, rec: dict | None) -> None:
    path = run / "result.json"
    result = json.loads(path.read_text())
    result["cost"] = {
        "prices": {"currency": "USD"},
        "per_job_usd": per_job,
        "execution_usd": {"p50": p50},
    }
    result["rightsize"] = {"all_jobs": {"verdict": verdict, "recommended": rec}}
    path.write_text(json.dumps(result))


def test_compare_shows_cost_per_job_and_the_right_size_beside_the_sizing(tmp_path: Path, capsys):
    a = fake_run(tmp_path, "p-a", BASE, fleet=SMALL)
    b = fake_run(tmp_path, "p-b", [0.75 * x for x in BASE], fleet=BIG)
    _with_money(a, 0.002, 0.0008, "CPU-bound", {"task_cpu": 2048, "task_memory": 4096})
    _with_money(b, 0.003, 0.0012, "over-provisioned CPU", {"task_cpu": 1024, "task_memory": 2048})
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("cost per job"))
    assert "0.002000 USD" in line and "0.003000 USD" in line and line.endswith("+50%")
    verdict = next(x for x in out.splitlines() if x.startswith("right-size verdict"))
    assert "CPU-bound" in verdict and "over-provisioned CPU" in verdict and verdict.endswith("differs")
    assert out.index("task CPU") < out.index("cost per job") < out.index("execution time")
    assert "2048 CPU / 4096 MiB" in out
    assert "the two fleets DIFFER: task CPU" in out  # the cost rows are figures, not sizing differences
    assert main(["compare", str(a), str(b), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["cost"]["base"]["per_job_usd"] == 0.002 and doc["cost"]["candidate"]["verdict"] == (
        "over-provisioned CPU"
    )
    assert "| cost per job" in markdown(compare_dirs(a, b))


def test_a_result_without_cost_shows_unknown(tmp_path: Path):
    a = fake_run(tmp_path, "p-a", BASE, fleet=SMALL)
    b = fake_run(tmp_path, "p-b", BASE, fleet=SMALL)
    md = markdown(compare_dirs(a, b))
    line = next(x for x in md.splitlines() if x.startswith("| cost per job"))
    assert line.count("null (not in result.json)") == 2


def test_a_damaged_cost_section_is_one_exit_2_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    a = fake_run(tmp_path, "p-a", BASE, fleet=SMALL)
    b = fake_run(tmp_path, "p-b", BASE, fleet=SMALL)
    result = json.loads((b / "result.json").read_text())
    result["cost"] = {"per_job_usd": "cheap"}
    (b / "result.json").write_text(json.dumps(result))
    assert main(["compare", str(a), str(b)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cost.per_job_usd" in err[0] and "cheap" not in err[0]

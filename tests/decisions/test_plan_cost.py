"""suite plan prices each fleet size and the recommended one: runners × the task price per hour of the
source run (result.json cost.prices.task_hour), and per job that / the jobs arriving per hour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suite.cli.main import main
from suite.decisions.plan import Measured, make_plan, measured_from_run
from tests.helpers.decisions import fake_run

TASK_HOUR = 0.04937  # 1 vCPU / 2 GB in us-east-1 (Linux/x86)


def _priced(run: Path) -> Path:
    path = run / "result.json"
    result = json.loads(path.read_text())
    result["cost"] = {
        "prices": {
            "task_hour": TASK_HOUR,
            "currency": "USD",
            "region": "us-east-1",
            "architecture": "X86_64",
            "table": "pricing/fargate.yaml",
            "checked": "2026-12-03",
        }
    }
    path.write_text(json.dumps(result))
    return run


def test_every_fleet_size_costs_its_runners_times_the_task_price():
    m = Measured("x", (30, 35, 40), (45, 60, 90), 1, 4, True, task_hour=TASK_HOUR, currency="USD")
    plan = make_plan(m, 2.0, "queue_time_s.p95 < 30", max_runners=4, duration_s=600, seeds=2)
    for p in plan.predictions:
        assert p.cost_per_hour == pytest.approx(p.runners * TASK_HOUR)
        assert p.cost_per_job == pytest.approx(p.runners * TASK_HOUR / 120)  # 2 jobs/min = 120 jobs/hour


def test_without_a_price_the_cost_is_null_and_the_plan_says_why(tmp_path: Path):
    m = measured_from_run(fake_run(tmp_path, "p-a", [30.0, 32.0, 35.0, 31.0]))
    assert m.task_hour is None and "no task price" in (m.price_note or "")
    plan = make_plan(m, 1.0, max_runners=2, duration_s=600, seeds=2, modes=(False,))
    assert all(p.cost_per_hour is None and p.cost_per_job is None for p in plan.predictions)


def test_plan_cli_shows_the_cost_of_the_recommended_runner_count(tmp_path: Path, capsys):
    run = _priced(fake_run(tmp_path, "p-a", [30.0, 32.0, 35.0, 31.0]))
    m = measured_from_run(run)
    assert m.task_hour == TASK_HOUR and "us-east-1 X86_64" in (m.price_note or "")
    args = ["plan", "--from", str(run), "--arrival", "1", "--max-runners", "3", "--seeds", "3"]
    assert main([*args, "--duration", "600"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("recommended persistent"))
    n = int(line.split(": ", 1)[1].split()[0])
    assert f"({n * TASK_HOUR:.4f} USD/hour, {n * TASK_HOUR / 60:.6f} USD per job)" in line
    header = next(x for x in out.splitlines() if x.lstrip().startswith("runners"))
    assert "USD/hour" in header and "cost: the task price of the source run: us-east-1 X86_64" in out
    assert main([*args, "--duration", "600", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["measured"]["task_hour"] == TASK_HOUR
    first = doc["predictions"][0]
    assert first["cost_per_hour"] == pytest.approx(first["runners"] * TASK_HOUR)

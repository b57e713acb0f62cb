"""suite history over run directories written by the report itself (suite.report.writer.write_reports over
analysed raw files): each row equals its run's result.json figures, `--baseline` is the newest PASS, the
trends are those of rows made from result.json as the sqlite index made them, and a deleted run directory
is gone from the next listing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from suite.analyze.result import with_thresholds
from suite.cli.main import main
from suite.decisions.compare.samples import load_run
from suite.decisions.history import NAMES, list_runs
from suite.decisions.trends import trends
from suite.gates.thresholds import evaluate_all
from suite.pipeline.analysis import analyze_run_dir
from suite.report.writer import write_reports
from suite.rundir.jsonio import write_json
from tests.helpers.synthetic_run import synthetic_run

PASS, FAIL = ("queue_time_s.p95 < 120",), ("queue_time_s.p95 < 1",)
RUNS = [  # (day, runners, jobs, thresholds): a sizing change at day 3, FAILs at days 2 and 5
    (1, 4, 45, PASS),
    (2, 4, 40, FAIL),
    (3, 6, 45, PASS),
    (4, 6, 30, PASS),
    (5, 6, 45, FAIL),
]


def _run(reports: Path, tmp: Path, day: int, runners: int, jobs: int, exprs: tuple[str, ...]) -> Path:
    """One synthetic capacity run, renamed to start on 2026-11-`day`, analysed and reported."""
    made, _ = synthetic_run(tmp / f"made{day}", n_jobs=jobs, runners=runners, exprs=exprs)
    run_dir = reports / f"capacity-202611{day:02d}T100000Z-{day:06x}"
    shutil.move(made, run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    write_json(run_dir / "manifest.json", manifest | {"test_run_id": run_dir.name})
    result = analyze_run_dir(run_dir)
    write_reports(run_dir, with_thresholds(result, evaluate_all(list(exprs), result)))
    return run_dir


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("history")
    reports = root / "reports"
    reports.mkdir()
    return reports, [_run(reports, root, *spec) for spec in RUNS]


def _figures(run_dir: Path) -> dict[str, Any]:
    """The history row of a run as the sqlite index made it from result.json (the failure rate:
    compare's, from its samples)."""
    r = json.loads((run_dir / "result.json").read_text())
    rate = load_run(run_dir).samples["failure_rate"]
    fleet, cost = r["fleet"], r.get("cost") or {}
    stamp = run_dir.name.split("-")[1]
    return {
        "test_run_id": r["test_run_id"],
        "path": str(run_dir),
        "profile": r["profile"],
        "environment": r["environment"],
        "started": f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}Z",
        "runners": fleet["runner_count"],
        "ephemeral": int(fleet["ephemeral"]),
        "task_cpu": fleet["task_cpu"],
        "task_memory": fleet["task_memory"],
        "scheduled": r["completeness"]["scheduled"],
        "workflows": r["workflows"]["dispatched"],
        "collected": r["workflows"]["collected"],
        "jobs": r["jobs"]["count"],
        "queue_p95": r["queue_time_s"]["p95"],
        "exec_p50": r["execution_time_s"]["p50"],
        "exec_p95": r["execution_time_s"]["p95"],
        "failure_rate": sum(rate) / len(rate) if rate else None,
        "cost_per_job": cost.get("per_job_usd"),
        "currency": (cost.get("prices") or {}).get("currency"),
        "cpu_architecture": fleet.get("cpu_architecture"),
        "concurrency_max": r["concurrency"]["max"],
        "utilization": r["runners"]["utilization"],
        "verdict": r["verdict"],
    }


def test_each_row_is_its_runs_result_json_figures(reports: tuple[Path, list[Path]]):
    root, dirs = reports
    rows = list_runs(root)
    assert [r["test_run_id"] for r in rows] == [d.name for d in reversed(dirs)]
    assert [r["verdict"] for r in rows] == ["fail", "pass", "pass", "fail", "pass"]
    expected = [_figures(d) for d in reversed(dirs)]
    assert rows == expected and all(tuple(r) == NAMES for r in rows)
    assert rows[0]["failure_rate"] == pytest.approx(1 / 45)  # job 3 fails in every synthetic run


def test_baseline_is_the_newest_pass_and_trends_are_as_before(
    reports: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
):
    root, dirs = reports
    assert main(["history", "--reports", str(root), "--profile", "capacity", "--baseline"]) == 0
    assert capsys.readouterr().out.strip() == str(dirs[3])  # day 5 failed: day 4 is the newest PASS
    data = trends(list_runs(root))
    assert data == trends([_figures(d) for d in dirs])
    (trend,) = data["profiles"]
    assert trend["baseline"] == dirs[3].name
    assert [bool(r["changes"]) for r in trend["runs"]] == [False, False, True, False, False]
    assert [r["kind"] for r in trend["runs"]] == ["pass", "fail", "pass", "pass", "fail"]


def test_a_deleted_run_directory_is_gone_from_history(reports: tuple[Path, list[Path]], tmp_path: Path):
    root, dirs = reports
    copy = tmp_path / "reports"
    shutil.copytree(root, copy)
    shutil.rmtree(copy / dirs[3].name)
    rows = list_runs(copy)
    assert [r["test_run_id"] for r in rows] == [d.name for d in reversed(dirs) if d != dirs[3]]
    assert [r["path"] for r in rows] == [str(copy / d.name) for d in reversed(dirs) if d != dirs[3]]
    base = next(r for r in rows if r["verdict"] == "pass")
    assert base["test_run_id"] == dirs[2].name

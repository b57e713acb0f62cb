"""suite history: every run directory under reports/ indexed in SQLite, listed with its verdict."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from suite.cli.main import main
from suite.decisions.history import DB_NAME, index_run, last_passing, list_runs, scan
from tests.helpers.decisions import fake_run


def _runs(reports: Path) -> list[Path]:
    return [
        fake_run(reports, "capacity-20261101T100000Z-aaaaaa", [60.0] * 6, verdict="pass", profile="capacity"),
        fake_run(reports, "capacity-20261102T100000Z-bbbbbb", [70.0] * 6, verdict="fail", profile="capacity"),
        fake_run(reports, "burst-20261103T100000Z-cccccc", [60.0] * 6, verdict="pass", profile="burst"),
    ]


def test_scan_indexes_every_run_lazily_and_follows_changes(tmp_path: Path):
    reports = tmp_path / "reports"
    dirs = _runs(reports)
    (reports / "README.md").parent.mkdir(exist_ok=True)
    (reports / "not-a-run").mkdir()
    assert scan(reports) == 3 and scan(reports) == 0  # already indexed: nothing re-read
    rows = list_runs(reports)
    assert [r["test_run_id"] for r in rows] == [d.name for d in reversed(dirs)]  # newest first
    assert rows[0]["started"] == "2026-11-03T10:00:00Z" and rows[1]["verdict"] == "fail"
    assert [r["profile"] for r in list_runs(reports, "capacity")] == ["capacity", "capacity"]
    # a re-reported run is re-read; a deleted one disappears
    result = json.loads((dirs[1] / "result.json").read_text())
    (dirs[1] / "result.json").write_text(json.dumps(result | {"verdict": "pass"}, default=list))
    import shutil

    shutil.rmtree(dirs[2])
    rows = list_runs(reports)
    assert [(r["test_run_id"], r["verdict"]) for r in rows] == [
        (dirs[1].name, "pass"),
        (dirs[0].name, "pass"),
    ]
    with sqlite3.connect(reports / DB_NAME) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (2,)


def test_index_run_and_baseline(tmp_path: Path):
    reports = tmp_path / "reports"
    dirs = _runs(reports)
    assert index_run(dirs[0]) and not index_run(reports / "missing")
    base = last_passing(reports, "capacity")
    assert base is not None and base["path"] == str(dirs[0])  # the newer capacity run failed
    assert last_passing(reports, "smoke") is None


def test_history_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    reports = tmp_path / "reports"
    dirs = _runs(reports)
    assert main(["history", "--reports", str(reports)]) == 0
    out = capsys.readouterr().out
    for d in dirs:
        assert d.name in out
    assert "verdict" in out and "fail" in out and "pass" in out and "queue p95" in out
    assert main(["history", "--reports", str(reports), "--profile", "burst", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["profile"] == "burst" and row["verdict"] == "pass" and row["exec_p50"] == 60.0
    assert main(["history", "--reports", str(reports), "--profile", "capacity", "--baseline"]) == 0
    assert capsys.readouterr().out.strip() == str(dirs[0])
    assert main(["history", "--reports", str(tmp_path / "empty")]) == 0
    assert "No runs indexed" in capsys.readouterr().out


def _with(run_dir: Path, **fields: object) -> None:
    path = run_dir / "result.json"
    result = json.loads(path.read_text())
    for dotted, value in fields.items():
        section, _, key = dotted.partition("__")
        if key:
            result.setdefault(section, {})[key] = value
        else:
            result[section] = value
    path.write_text(json.dumps(result, default=list))


def test_incomplete_runs_show_dispatched_of_scheduled_and_are_never_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    reports = tmp_path / "reports"
    dirs = _runs(reports)
    _with(dirs[0], completeness__scheduled=6)
    newer = fake_run(
        reports, "capacity-20261104T100000Z-dddddd", [60.0] * 6, verdict="incomplete", profile="capacity"
    )
    _with(newer, completeness__scheduled=45, workflows__dispatched=16, workflows__collected=16)
    never = fake_run(
        reports, "capacity-20261105T100000Z-eeeeee", [60.0] * 6, verdict="incomplete", profile="capacity"
    )
    _with(never, completeness__scheduled=45, workflows__dispatched=16, workflows__collected=None)
    rows = {r["test_run_id"]: r for r in list_runs(reports, "capacity")}
    assert (rows[newer.name]["workflows"], rows[newer.name]["scheduled"]) == (16, 45)
    base = last_passing(reports, "capacity")
    assert base is not None and base["path"] == str(dirs[0])  # the newer runs are incomplete / failed
    assert main(["history", "--reports", str(reports), "--profile", "capacity"]) == 0
    out = capsys.readouterr().out
    lines = {d.name: next(ln for ln in out.splitlines() if d.name in ln) for d in (dirs[0], newer, never)}
    assert " 6/6 " in lines[dirs[0].name]
    assert " 16/45 " in lines[newer.name] and lines[newer.name].rstrip().endswith("incomplete")
    assert " 16/45 (not collected) " in lines[never.name]
    assert "workflows: dispatched/scheduled" in out


def test_an_index_of_another_layout_is_rebuilt_from_the_run_directories(tmp_path: Path):
    reports = tmp_path / "reports"
    dirs = _runs(reports)
    reports.mkdir(exist_ok=True)
    with sqlite3.connect(reports / DB_NAME) as conn:  # an index written before `scheduled` existed
        conn.execute("CREATE TABLE runs (test_run_id TEXT PRIMARY KEY, path TEXT, result_mtime_ns INTEGER)")
        conn.execute("INSERT INTO runs VALUES ('gone', '/nowhere', 1)")
    rows = list_runs(reports)
    assert sorted(r["test_run_id"] for r in rows) == sorted(d.name for d in dirs)

"""suite history: every run directory under reports/, read from its run table through DuckDB, listed with
its verdict; no index to keep (a deleted run is gone, a re-reported one changed, at the next listing)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from suite.cli.main import main
from suite.decisions.history import last_passing, list_runs
from suite.rundir.tables import RUN, table_path
from tests.helpers.decisions import fake_run, write_run_table


def _runs(reports: Path) -> list[Path]:
    return [
        fake_run(reports, "capacity-20261101T100000Z-aaaaaa", [60.0] * 6, verdict="pass", profile="capacity"),
        fake_run(reports, "capacity-20261102T100000Z-bbbbbb", [70.0] * 6, verdict="fail", profile="capacity"),
        fake_run(reports, "burst-20261103T100000Z-cccccc", [60.0] * 6, verdict="pass", profile="burst"),
    ]


def _with(run_dir: Path, **fields: object) -> None:
    """result.json's fields changed (section__key for a nested one), and the run table rewritten from it
    as `suite report` would."""
    path = run_dir / "result.json"
    result = json.loads(path.read_text())
    for dotted, value in fields.items():
        section, _, key = dotted.partition("__")
        if key:
            result.setdefault(section, {})[key] = value
        else:
            result[section] = value
    path.write_text(json.dumps(result, default=list))
    write_run_table(run_dir)


def test_every_run_is_listed_newest_first_and_follows_changes(tmp_path: Path):
    reports = tmp_path / "reports"
    dirs = _runs(reports)
    (reports / "not-a-run").mkdir()
    (reports / "history.sqlite").write_bytes(b"an index from before: ignored")
    rows = list_runs(reports)
    assert [r["test_run_id"] for r in rows] == [d.name for d in reversed(dirs)]  # newest first
    assert rows[0]["started"] == "2026-11-03T10:00:00Z" and rows[1]["verdict"] == "fail"
    assert [r["path"] for r in rows] == [str(d) for d in reversed(dirs)]
    assert [r["profile"] for r in list_runs(reports, "capacity")] == ["capacity", "capacity"]
    assert [r["test_run_id"] for r in list_runs(reports, limit=2)] == [dirs[2].name, dirs[1].name]
    # a re-reported run reads as it is now; a deleted one is gone: there is no index to bring up to date
    _with(dirs[1], verdict="pass")
    shutil.rmtree(dirs[2])
    rows = list_runs(reports)
    assert [(r["test_run_id"], r["verdict"]) for r in rows] == [
        (dirs[1].name, "pass"),
        (dirs[0].name, "pass"),
    ]
    assert (reports / "history.sqlite").read_bytes() == b"an index from before: ignored"


def test_baseline_is_the_newest_passing_run_of_the_profile(tmp_path: Path):
    reports = tmp_path / "reports"
    dirs = _runs(reports)
    base = last_passing(reports, "capacity")
    assert base is not None and base["path"] == str(dirs[0])  # the newer capacity run failed
    assert last_passing(reports, "smoke") is None
    _with(dirs[1], verdict="pass")
    base = last_passing(reports, "capacity")
    assert base is not None and base["path"] == str(dirs[1])


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
    assert main(["history", "--reports", str(reports), "--profile", "smoke", "--baseline"]) == 1
    assert capsys.readouterr().out.strip() == f"No passing run of smoke in {reports}."
    assert main(["history", "--reports", str(tmp_path / "empty")]) == 0
    assert "No runs" in capsys.readouterr().out


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


def test_a_run_without_tables_is_left_out_with_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    reports = tmp_path / "reports"
    dirs = _runs(reports)
    shutil.rmtree(dirs[0] / "tables")  # a run directory written before the tables existed
    assert main(["history", "--reports", str(reports)]) == 0
    out, err = capsys.readouterr()
    assert dirs[0].name not in out and dirs[1].name in out and dirs[2].name in out
    assert err.splitlines() == [
        f"note: {dirs[0]}: no tables/run.parquet (written before the run tables); `suite report {dirs[0]}` "
        "builds them; it is left out of the history"
    ]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "a directory"])
def test_a_damaged_run_table_is_one_note_and_the_other_runs_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
):
    reports = tmp_path / "reports"
    dirs = _runs(reports)
    path = table_path(dirs[1], RUN)
    if damage == "garbage":
        path.write_bytes(b"PAR1 this is not a table \x00\xff" * 10)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:-9])
    else:
        path.unlink()
        path.mkdir()
    assert main(["history", "--reports", str(reports), "--json"]) == 0
    out, err = capsys.readouterr()
    assert [r["test_run_id"] for r in json.loads(out)] == [dirs[2].name, dirs[0].name]
    (note,) = err.splitlines()
    assert note.startswith(f"note: {path}: not a") and note.endswith(
        f"`suite report {dirs[1]}` rewrites it; its rows are left out"
    )
    assert "PAR1" not in note  # never the file's content


def test_a_run_table_from_before_a_column_reads_it_as_null(tmp_path: Path):
    import pyarrow.parquet as pq

    reports = tmp_path / "reports"
    dirs = _runs(reports)
    for d in dirs:  # every run directory written before `utilization` and `currency` were columns
        path = table_path(d, RUN)
        pq.write_table(pq.read_table(path).drop_columns(["utilization", "currency"]), path)
    rows = list_runs(reports)
    assert [r["utilization"] for r in rows] == [None] * 3 and rows[0]["verdict"] == "pass"


def test_a_run_id_without_a_stamp_starts_at_its_window(tmp_path: Path):
    reports = tmp_path / "reports"
    fake_run(reports, "base", [60.0] * 6, start=1_700_000_000.0)
    odd = fake_run(reports, "odd", [60.0] * 6, start=1_700_000_000.0)
    _with(odd, window__start="2023-11-14T22:13:21.250Z")  # as result.json holds it, to the millisecond
    rows = list_runs(reports)
    assert [(r["test_run_id"], r["started"]) for r in rows] == [
        ("odd", "2023-11-14T22:13:21.250Z"),
        ("base", "2023-11-14T22:13:20Z"),
    ]

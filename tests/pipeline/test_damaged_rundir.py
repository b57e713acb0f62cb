"""A damaged run directory: one error line naming the file (and line), exit 2, no traceback.

One real run directory is made per test session by a twin run on the stepped clock; each case copies
it, damages one file and runs the command that reads it (`suite report`, `suite collect`, `suite
compare`, `suite history`). The optional files (truth.json, raw/api.json; a damaged run table in the
history) are named in one note line and skipped: the command still reports what is intact
(docs/architecture.md: the run-directory contract).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from suite.cli.main import main
from tests.helpers.twin_runs import run_on_twin

PROFILE = (
    "workflow: runner_test\ninputs: {sleep_duration: 60}\n"
    "pattern: {type: step, start_rate_per_min: 2, increment_per_min: 2, step_duration_s: 60,"
    " max_rate_per_min: 4}\n"
    'thresholds: ["workflows.success_rate >= 1"]\n'
)

Damage = Callable[[Path], None]


@pytest.fixture(scope="session")
def twin_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run directory (a step profile on the twin, stepped clock): every file the suite reads back."""
    code, _, _, rd = run_on_twin(tmp_path_factory.mktemp("twin-run"), "damage", PROFILE)
    assert code == 0
    return rd


@pytest.fixture
def run_copy(twin_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "reports" / twin_run.name
    shutil.copytree(twin_run, copy)
    return copy


# ---- mutations -----------------------------------------------------------------------------------


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def set_field(name: str, key: str, value: Any, line: int = 2) -> Damage:
    """Row `line` (1-based) of a JSONL file with `key` set to value (deleted when value is DELETE)."""

    def damage(rd: Path) -> None:
        path = rd / name
        all_rows = rows(path)
        if value is DELETE:
            del all_rows[line - 1][key]
        else:
            all_rows[line - 1][key] = value
        path.write_text("".join(json.dumps(r) + "\n" for r in all_rows))

    return damage


DELETE = object()


def set_json(name: str, dotted: str, value: Any) -> Damage:
    def damage(rd: Path) -> None:
        path = rd / name
        obj = json.loads(path.read_text())
        *parents, last = dotted.split(".")
        node = obj
        for part in parents:
            node = node[part]
        node[last] = value
        path.write_text(json.dumps(obj))

    return damage


JOBS_TABLE = "tables/jobs.parquet"


def delete(name: str) -> Damage:
    def damage(rd: Path) -> None:
        (rd / name).unlink()

    return damage


def write_bytes(name: str, data: bytes) -> Damage:
    def damage(rd: Path) -> None:
        (rd / name).write_bytes(data)

    return damage


def truncate(name: str) -> Damage:
    """The file cut in the middle of its last line (JSONL) or in the middle (JSON)."""

    def damage(rd: Path) -> None:
        path = rd / name
        data = path.read_bytes()
        if name.endswith(".jsonl"):
            last = data.rstrip(b"\n").rfind(b"\n") + 1
            path.write_bytes(data[: last + (len(data) - last) // 2])
        else:
            path.write_bytes(data[: len(data) // 2])

    return damage


def non_utf8(name: str, line: int = 2) -> Damage:
    def damage(rd: Path) -> None:
        path = rd / name
        lines = path.read_bytes().split(b"\n")
        lines[line - 1] = lines[line - 1].replace(b'"', b'"\xff', 1)
        path.write_bytes(b"\n".join(lines))

    return damage


def replace_line(name: str, text: str, line: int = 2) -> Damage:
    def damage(rd: Path) -> None:
        path = rd / name
        lines = path.read_text().split("\n")
        lines[line - 1] = text
        path.write_text("\n".join(lines))

    return damage


def as_directory(name: str) -> Damage:
    def damage(rd: Path) -> None:
        path = rd / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        (path / "x").mkdir(parents=True)

    return damage


def as_file(name: str) -> Damage:
    def damage(rd: Path) -> None:
        shutil.rmtree(rd / name)
        (rd / name).write_text("not a directory")

    return damage


def inflight(**fields: Any) -> Damage:
    """A dispatch left in flight (a valid inflight.json), with `fields` changed."""

    def damage(rd: Path) -> None:
        row = rows(rd / "ledger.jsonl")[-1]
        pending = {**row, "attempt_sent_at": row["sent_at"], "failures": []} | fields
        (rd / "inflight.json").write_text(json.dumps({k: v for k, v in pending.items() if v is not DELETE}))

    return damage


# ---- the table: (case, damage, command, file named, line named or None) --------------------------

JSONL = ("ledger.jsonl", "raw/runs.jsonl", "raw/jobs.jsonl", "raw/metrics.jsonl", "raw/tasks.jsonl")
ROW_FILES = (*JSONL, "raw/runners.jsonl")

CASES: list[tuple[str, Damage, str, str, int | None]] = [
    *((f"non-utf8 {n}", non_utf8(n), "report", n, 2) for n in ROW_FILES),
    *((f"truncated {n}", truncate(n), "report", n, None) for n in ROW_FILES),
    *((f"array row {n}", replace_line(n, "[1, 2]"), "report", n, 2) for n in ROW_FILES),
    *((f"garbage line {n}", replace_line(n, "}{ garbage"), "report", n, 2) for n in ROW_FILES),
    (
        "ledger row without suite_id",
        set_field("ledger.jsonl", "suite_id", DELETE),
        "report",
        "ledger.jsonl",
        2,
    ),
    (
        "ledger bad scheduled_at",
        set_field("ledger.jsonl", "scheduled_at", "2026-02-30T25:00:00Z"),
        "report",
        "ledger.jsonl",
        2,
    ),
    ("ledger seq a string", set_field("ledger.jsonl", "seq", "2"), "report", "ledger.jsonl", 2),
    ("ledger status a float", set_field("ledger.jsonl", "status", 200.5), "report", "ledger.jsonl", 2),
    ("job id null", set_field("raw/jobs.jsonl", "id", None), "report", "raw/jobs.jsonl", 2),
    ("job run_id a string", set_field("raw/jobs.jsonl", "run_id", "abc"), "report", "raw/jobs.jsonl", 2),
    (
        "job bad started_at",
        set_field("raw/jobs.jsonl", "started_at", "yesterday"),
        "report",
        "raw/jobs.jsonl",
        2,
    ),
    ("job name a list", set_field("raw/jobs.jsonl", "name", ["a"]), "report", "raw/jobs.jsonl", 2),
    ("job id a boolean", set_field("raw/jobs.jsonl", "id", True), "report", "raw/jobs.jsonl", 2),
    ("run id an object", set_field("raw/runs.jsonl", "id", {"a": 1}), "report", "raw/runs.jsonl", 2),
    ("run created_at a number", set_field("raw/runs.jsonl", "created_at", 5), "report", "raw/runs.jsonl", 2),
    ("metric value high", set_field("raw/metrics.jsonl", "value", "high"), "report", "raw/metrics.jsonl", 2),
    (
        "metric without task_id",
        set_field("raw/metrics.jsonl", "task_id", DELETE),
        "report",
        "raw/metrics.jsonl",
        2,
    ),
    (
        "metric bad timestamp",
        set_field("raw/metrics.jsonl", "timestamp", "x"),
        "report",
        "raw/metrics.jsonl",
        2,
    ),
    ("task detail a string", set_field("raw/tasks.jsonl", "detail", "x"), "report", "raw/tasks.jsonl", 2),
    ("runners not a list", set_field("raw/runners.jsonl", "runners", 7), "report", "raw/runners.jsonl", 2),
    ("truncated manifest", truncate("manifest.json"), "report", "manifest.json", None),
    ("empty manifest", write_bytes("manifest.json", b""), "report", "manifest.json", None),
    ("non-utf8 manifest", write_bytes("manifest.json", b'{"a": "\xff"}'), "report", "manifest.json", 1),
    ("manifest an array", write_bytes("manifest.json", b"[]"), "report", "manifest.json", None),
    ("manifest a directory", as_directory("manifest.json"), "report", "manifest.json", None),
    ("manifest profile missing", set_json("manifest.json", "profile", None), "report", "manifest.json", None),
    (
        "manifest thresholds a string",
        set_json("manifest.json", "profile.thresholds", "x"),
        "report",
        "manifest.json",
        None,
    ),
    (
        "manifest pattern garbage",
        set_json("manifest.json", "profile.pattern", {"type": "zigzag"}),
        "report",
        "manifest.json",
        None,
    ),
    ("manifest bad ended_at", set_json("manifest.json", "ended_at", "soon"), "report", "manifest.json", None),
    (
        "manifest offset a string",
        set_json("manifest.json", "clock_offset_s", "2"),
        "report",
        "manifest.json",
        None,
    ),
    (
        "manifest runner_count a string",
        set_json("manifest.json", "fleet.runner_count", "4"),
        "report",
        "manifest.json",
        None,
    ),
    (
        "manifest speed negative",
        set_json("manifest.json", "clock.speed", -1),
        "report",
        "manifest.json",
        None,
    ),
    ("garbage schedule", write_bytes("schedule.json", b"\x00garbage"), "report", "schedule.json", None),
    ("truncated schedule", truncate("schedule.json"), "report", "schedule.json", None),
    (
        "schedule offsets a string",
        set_json("schedule.json", "offsets_s", "abc"),
        "report",
        "schedule.json",
        None,
    ),
    (
        "schedule offsets of strings",
        set_json("schedule.json", "offsets_s", ["1"]),
        "collect",
        "schedule.json",
        None,
    ),
    ("schedule without start", set_json("schedule.json", "start", None), "collect", "schedule.json", None),
    *((f"{n} a directory", as_directory(n), "report", n, None) for n in ("ledger.jsonl", "raw/jobs.jsonl")),
    ("schedule a directory", as_directory("schedule.json"), "report", "schedule.json", None),
    ("report.html a directory", as_directory("report.html"), "report", "report.html", None),
    ("summary.md a directory", as_directory("summary.md"), "report", "summary.md", None),
    ("jobs.csv a directory", as_directory("jobs.csv"), "report", "jobs.csv", None),
    # suite collect reads the small files and the ledger before it starts
    ("collect: truncated manifest", truncate("manifest.json"), "collect", "manifest.json", None),
    ("collect: garbage inflight", write_bytes("inflight.json", b"garbage"), "collect", "inflight.json", 1),
    ("collect: inflight without suite_id", inflight(suite_id=DELETE), "collect", "inflight.json", None),
    (
        "collect: inflight bad attempt_sent_at",
        inflight(attempt_sent_at="x"),
        "collect",
        "inflight.json",
        None,
    ),
    (
        "collect: ledger row without suite_id",
        set_field("ledger.jsonl", "suite_id", DELETE),
        "collect",
        "ledger.jsonl",
        2,
    ),
    ("collect: non-utf8 ledger", non_utf8("ledger.jsonl"), "collect", "ledger.jsonl", 2),
    (
        "collect: runners not a list",
        set_field("raw/runners.jsonl", "runners", 7),
        "collect",
        "raw/runners.jsonl",
        2,
    ),
    (
        "collect: garbage api_dispatch",
        write_bytes("raw/api_dispatch.json", b"{"),
        "collect",
        "raw/api_dispatch.json",
        1,
    ),
    (
        "collect: api_dispatch requests a string",
        set_json("raw/api_dispatch.json", "requests", "7"),
        "collect",
        "raw/api_dispatch.json",
        None,
    ),
    (
        "collect: api_dispatch per_endpoint a list",
        set_json("raw/api_dispatch.json", "per_endpoint", [1]),
        "collect",
        "raw/api_dispatch.json",
        None,
    ),
    # suite compare reads result.json, the manifest and raw/runs.jsonl
    ("compare: truncated result", truncate("result.json"), "compare", "result.json", None),
    ("compare: result an array", write_bytes("result.json", b"[1]"), "compare", "result.json", None),
    # suite plan reads the per-job rows from the job table (result.json v2 has none)
    ("plan: job table garbage", write_bytes(JOBS_TABLE, b"PAR1 garbage"), "plan", JOBS_TABLE, None),
    ("plan: job table missing", delete(JOBS_TABLE), "plan", JOBS_TABLE, None),
    (
        "compare: bad window.start",
        set_json("result.json", "window.start", "x"),
        "compare",
        "result.json",
        None,
    ),
    ("compare: truncated manifest", truncate("manifest.json"), "compare", "manifest.json", None),
    ("compare: run id a string", set_field("raw/runs.jsonl", "id", "x"), "compare", "raw/runs.jsonl", 2),
    ("compare: non-utf8 runs", non_utf8("raw/runs.jsonl"), "compare", "raw/runs.jsonl", 2),
]


def run_command(command: str, rd: Path, intact: Path) -> int:
    if command == "compare":  # the damaged run as the base, an intact one as the candidate
        return main(["compare", str(rd), str(intact)])
    if command == "plan":
        return main(["plan", "--from", str(rd), "--arrival", "1", "--max-runners", "2", "--seeds", "1"])
    return main([command, str(rd)])


@pytest.mark.parametrize(
    ("damage", "command", "named", "line"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_damaged_run_directory_is_one_error_line_exit_2(
    run_copy: Path,
    twin_run: Path,
    damage: Damage,
    command: str,
    named: str,
    line: int | None,
    capsys: pytest.CaptureFixture[str],
):
    damage(run_copy)
    code = run_command(command, run_copy, twin_run)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    where = f"{run_copy / named}" + (f":{line}:" if line is not None else "")
    assert where in lines[0], lines[0]
    assert lines[0].startswith("suite: error: ") and "Traceback" not in err
    assert "damaged" in lines[0] or "directory" in lines[0] or "file" in lines[0]


@pytest.mark.parametrize(
    ("damage", "named", "skipped"),
    [
        pytest.param(
            write_bytes("truth.json", b"\x00garbage"), "truth.json", "twin check", id="garbage truth"
        ),
        pytest.param(truncate("truth.json"), "truth.json", "twin check", id="truncated truth"),
        pytest.param(
            set_json("truth.json", "jobs", [{"job_id": "x"}]),
            "truth.json",
            "twin check",
            id="truth jobs wrong",
        ),
        pytest.param(write_bytes("raw/api.json", b"garbage"), "raw/api.json", "API cost", id="garbage api"),
        pytest.param(write_bytes("raw/api.json", b"[1, 2]"), "raw/api.json", "API cost", id="api an array"),
        pytest.param(as_directory("raw/api.json"), "raw/api.json", "API cost", id="api a directory"),
    ],
)
def test_a_damaged_optional_file_is_named_and_skipped(
    run_copy: Path, damage: Damage, named: str, skipped: str, capsys: pytest.CaptureFixture[str]
):
    damage(run_copy)
    code = main(["report", str(run_copy)])
    captured = capsys.readouterr()
    lines = captured.err.strip("\n").split("\n")
    assert code == 0, captured.err  # the run passed: its figures do not need the optional file
    assert len(lines) == 1 and lines[0].startswith(f"note: {run_copy / named}") and skipped in lines[0]
    result = json.loads((run_copy / "result.json").read_text())
    assert result["verdict"] == "pass" and result["jobs"]["count"] > 0
    if named == "truth.json":
        assert "twin check" not in captured.out
    else:
        assert result["api"] == {}


def test_an_intact_copy_reports_as_the_run_did(run_copy: Path, capsys: pytest.CaptureFixture[str]):
    """The checks accept every file a real run writes (the cases above damage one each)."""
    assert main(["report", str(run_copy)]) == 0
    out = capsys.readouterr()
    assert out.err == "" and "report equals truth.json job by job" in out.out


def test_history_leaves_out_a_damaged_run_table_and_lists_the_rest(
    twin_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    reports = tmp_path / "reports"
    good, bad = reports / twin_run.name, reports / (twin_run.name[:-6] + "000000")
    shutil.copytree(twin_run, good)
    shutil.copytree(twin_run, bad)
    truncate("tables/run.parquet")(bad)  # what history reads (result.json: compare's, not history's)
    code = main(["history", "--reports", str(reports)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.err.strip("\n").split("\n")
    note = f"note: {bad / 'tables' / 'run.parquet'}: not a readable Parquet file"
    assert len(lines) == 1 and lines[0].startswith(note) and f"`suite report {bad}`" in lines[0]
    assert good.name in captured.out and bad.name not in captured.out


def test_a_run_leaves_the_field_files_of_the_raw_files_its_report_parsed(twin_run: Path) -> None:
    """The report a run ends with parses the raw files and leaves their field files (raw/fields/), which
    every later report reads instead while they describe them (docs/architecture.md, Field files)."""
    fields = sorted(p.stem for p in (twin_run / "raw" / "fields").iterdir())
    assert fields == ["jobs", "jobs.steps", "ledger", "metrics", "runs"]

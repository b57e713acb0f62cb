"""suite compare samples the job table (tables/jobs.parquet, read as columns), never result.json's per_job:
the samples equal those of the same rows in memory; a missing or damaged table is one exit-2 line."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suite.analyze.fleet import clipped
from suite.cli.main import main
from suite.decisions.compare.core import compare_dirs
from suite.decisions.compare.job_table import job_table_columns
from suite.decisions.compare.samples import (
    _minutes,
    _per_minute_throughput,
    _per_minute_utilization,
    samples_from_result,
    samples_of,
)
from suite.rundir.tables import JOBS, table_path
from tests.helpers.decisions import fake_run, stamp, write_job_table

FAST = [60.0 + i % 5 for i in range(20)]
SLOW = [90.0 + i % 5 for i in range(20)]


def _plant_stale_per_job(run_dir: Path) -> None:
    path = run_dir / "result.json"
    result = json.loads(path.read_text())
    assert "per_job" not in result  # result.json v2 never holds per-job rows
    result["per_job"] = [{"id": 1, "queue_s": 10**6}]  # disagrees with the table, which decides
    path.write_text(json.dumps(result))


def test_compare_reads_the_job_table_not_result_json(tmp_path: Path):
    base, cand = fake_run(tmp_path, "p-a", FAST), fake_run(tmp_path, "p-b", SLOW)
    before = compare_dirs(base, cand).to_dict()
    assert before["verdict"] == "regression"
    for d in (base, cand):  # v1-shaped per_job rows planted in result.json: never read
        _plant_stale_per_job(d)
    assert compare_dirs(base, cand).to_dict() == before
    # per_job in result.json that disagrees with the table is not read: the table decides
    path = cand / "result.json"
    result = json.loads(path.read_text())
    result["per_job"] = json.loads((base / "result.json").read_text()).get("per_job", [])
    path.write_text(json.dumps(result))
    assert compare_dirs(base, cand).to_dict() == before


def test_no_job_table_says_suite_report_builds_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    base, cand = fake_run(tmp_path, "p-a", FAST), fake_run(tmp_path, "p-b", FAST)
    shutil.rmtree(cand / "tables")
    assert main(["compare", str(base), str(cand)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{cand}: no tables/jobs.parquet" in line and f"`suite report {cand}` builds it" in line


@pytest.mark.parametrize("damage", ["garbage", "wrong type", "no run_id"])
def test_a_damaged_job_table_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
):
    base, cand = fake_run(tmp_path, "p-a", FAST), fake_run(tmp_path, "p-b", FAST)
    path = table_path(cand, JOBS)
    table = pq.read_table(path)
    if damage == "garbage":
        path.write_bytes(b"PAR1 not a table \x00\xff" * 50)
    elif damage == "wrong type":
        at = table.schema.get_field_index("queue_s")
        pq.write_table(table.set_column(at, "queue_s", pa.array(["slow"] * table.num_rows)), path)
    else:
        at = table.schema.get_field_index("run_id")
        pq.write_table(table.set_column(at, "run_id", pa.nulls(table.num_rows, pa.int64())), path)
    assert main(["compare", str(base), str(cand)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"suite: error: {path}: ") and f"`suite report {cand}` rewrites it" in line
    assert "slow" not in line and "PAR1" not in line  # never the file's content


def test_an_older_job_table_without_a_column_reads_it_as_null(tmp_path: Path):
    run = fake_run(tmp_path, "p-a", FAST, cpu=[500.0] * len(FAST))
    path = table_path(run, JOBS)
    pq.write_table(pq.read_table(path).drop_columns(["cpu_mean"]), path)
    columns = job_table_columns(run)
    assert columns["cpu_mean"] == [None] * len(FAST) and columns["queue_s"] == [1.0] * len(FAST)


CONCLUSIONS = st.sampled_from(["success", "neutral", "failure", "timed_out", "cancelled", "skipped", None])
NUMBER = st.one_of(st.none(), st.floats(0, 1e5, allow_nan=False))
JOB = st.fixed_dictionaries(
    {
        "run_id": st.integers(1, 4),
        "conclusion": CONCLUSIONS,
        "created": st.integers(0, 3600),
        "started": st.one_of(st.none(), st.integers(0, 600)),
        "completed": st.one_of(st.none(), st.integers(0, 600)),
        "queue_s": NUMBER,
        "execution_s": NUMBER,
        "cpu_mean": NUMBER,
        "cpu_mean_pct": NUMBER,
        "memory_max": NUMBER,
        "memory_max_pct": NUMBER,
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(JOB, max_size=30))
def test_the_tables_samples_are_the_in_memory_results(tmp_path_factory: pytest.TempPathFactory, drawn: list):
    t0 = 1_790_000_000
    jobs: list[dict[str, Any]] = []
    for i, j in enumerate(drawn):
        created = t0 + j["created"]
        started = None if j["started"] is None else created + j["started"]
        completed = None if started is None or j["completed"] is None else started + j["completed"]
        times = {"created": created, "started": started, "completed": completed}
        jobs.append(j | {"id": i} | {k: None if v is None else stamp(v) for k, v in times.items()})
    end = t0 + 5000
    result = {"test_run_id": "r", "window": {"start": stamp(t0), "end": stamp(end)}}
    result["runners"] = {"configured": 2}
    run_dir = tmp_path_factory.mktemp("run")
    write_job_table(run_dir, result, jobs)
    run_created = {1: float(t0), 3: float(t0 + 10)}
    from_table = samples_of(job_table_columns(run_dir), result, run_created)
    assert from_table == samples_from_result(result | {"per_job": jobs}, run_created)


def _throughput_by_definition(completions: list[float], start: float, end: float) -> list[float]:
    """Each completion tested against each full minute (docs: [start + 60 i, start + 60 (i+1)))."""
    minutes = _minutes(start, end)
    full = [m for m in minutes if m[1] - m[0] >= 60.0] or minutes
    return [
        sum(lo <= t < hi or (hi == end and t == end) for t in completions) * 60.0 / (hi - lo)
        for lo, hi in full
    ]


def _utilization_by_definition(intervals: list[tuple[float, float]], start: float, end: float, n: int):
    """Every job's time clipped to every minute, summed exactly, over configured runners x the minute."""
    return [
        math.fsum(clipped(iv, (lo, hi)) for iv in intervals) / (n * (hi - lo))
        for lo, hi in _minutes(start, end)
    ]


SECONDS = st.floats(-200.0, 2000.0, allow_nan=False).map(lambda x: round(x, 3))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(SECONDS, SECONDS), max_size=40),
    st.sampled_from([0.0, 0.5, 1_790_000_000.0]),
    st.floats(0.001, 1900.0, allow_nan=False),
    st.integers(1, 5),
)
def test_per_minute_series_are_their_definitions(
    spans: list[tuple[float, float]], t0: float, length: float, runners: int
):
    start, end = t0, t0 + length
    intervals = [(t0 + a, t0 + b) for a, b in spans]
    completions = [c for _, c in intervals] + [end] * (len(spans) % 3)  # some exactly at the end
    assert _per_minute_throughput(completions, start, end) == _throughput_by_definition(
        completions, start, end
    )
    got = _per_minute_utilization(intervals, start, end, runners)
    assert got == _utilization_by_definition(intervals, start, end, runners)

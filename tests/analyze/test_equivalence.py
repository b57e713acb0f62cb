"""compute_result (columnar: tables, scope, vectorised joins) == the record-by-record oracle
(tests/helpers/analyze_reference.py: Job/Run/Dispatch objects and the per-job resource join) on random runs
with re-runs, duplicate rows, refused and retried dispatches, runs found by display_title only,
missing runs, stray jobs, jobs that never started or never ended, and gappy CloudWatch samples."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suite.analyze.columns import chunks
from suite.analyze.result import compute_result
from suite.analyze.rows import ColumnRows
from suite.analyze.tables import dispatch_table, jobs_table, runs_table
from suite.clock import iso, iso_ms
from suite.isotime import parse_column, stamp, stamp_column, ts
from suite.rundir.result_schema import PER_JOB_KEYS
from tests.helpers.analyze_records import jobs_from_raw, runs_from_raw
from tests.helpers.analyze_reference import reference_result
from tests.helpers.item_rows import item_rows

T0 = 1_800_000_000
TASKS = ["a" * 32, "b" * 32, "c" * 32]
METRICS = ("CpuUtilized", "CpuReserved", "MemoryUtilized", "MemoryReserved")
STEP = {
    "type": "step",
    "start_rate_per_min": 2,
    "increment_per_min": 2,
    "step_duration_s": 120,
    "max_rate_per_min": 6,
}


@st.composite
def raw_runs(draw):
    ledger, runs, jobs, metrics, tasks = [], [], [], [], []
    job_id = 500
    for w in range(draw(st.integers(0, 7))):
        suite_id = f"wf-{draw(st.integers(0, 5))}"  # a suite_id can repeat (retries, re-dispatches)
        at = T0 + draw(st.integers(0, 400)) + draw(st.sampled_from([0.0, 0.25, 0.5]))
        kind = draw(st.sampled_from(["ok", "ok", "ok", "refused", "retried", "no_id", "lost", "unscheduled"]))
        run_id = 1000 + w
        row = {
            "seq": w + 1,
            "suite_id": suite_id,
            "scheduled_at": None if kind == "unscheduled" else iso_ms(at),
            "sent_at": iso_ms(at + draw(st.sampled_from([0.0, 0.05, 0.4]))),
            "status": 200,
            "workflow_run_id": run_id,
            "error": None,
        }
        if kind in ("refused", "retried"):
            ledger.append(row | {"status": 500, "workflow_run_id": None, "error": "HTTP 500"})
        if kind != "refused":
            ledger.append(row | ({"workflow_run_id": None, "status": 204} if kind == "no_id" else {}))
        if kind in ("refused", "lost"):
            continue
        created = at + 2 + draw(st.integers(0, 3))
        attempts = draw(st.integers(1, 2))
        run = {
            "id": run_id,
            "display_title": suite_id,
            "name": draw(st.sampled_from(["wf", "other", None])),
            "path": draw(st.sampled_from([".github/workflows/a.yml", ".github/workflows/b.yml", None])),
            "status": draw(st.sampled_from(["completed", "completed", "in_progress"])),
            "conclusion": draw(st.sampled_from(["success", "success", "failure", None])),
            "created_at": iso(created),
            "updated_at": iso(created),
            "run_started_at": iso(created),
            "run_attempt": attempts,
        }
        if attempts == 2:
            runs.append(run | {"run_attempt": 1, "conclusion": "failure"})
        runs.append(run)
        for attempt in range(1, attempts + 1):
            for _ in range(draw(st.integers(0, 3))):
                job_id += 1
                shape = draw(st.sampled_from(["ran", "ran", "ran", "skipped", "queued", "running"]))
                start = created + draw(st.integers(0, 200))
                end = start + draw(st.integers(0, 300))
                runner = draw(st.sampled_from([*TASKS, None, "", "d" * 32]))
                job = {
                    "id": job_id,
                    "run_id": run_id,
                    "run_attempt": attempt,
                    "name": draw(st.sampled_from(["build", "test", "build / npm", "", None])),
                    "status": "queued" if shape == "queued" else "completed",
                    "conclusion": "skipped" if shape == "skipped" else draw(st.sampled_from(CONCLUSIONS)),
                    "created_at": iso(created),
                    "started_at": None if shape == "queued" else iso(start),
                    "completed_at": None if shape in ("queued", "running") else iso(end),
                    "runner_name": runner,
                    "labels": ["self-hosted"],
                    "steps": draw(raw_steps(start)),
                }
                if draw(st.booleans()) and draw(st.booleans()):
                    jobs.append(job | {"status": "in_progress", "completed_at": None})  # an earlier copy
                jobs.append(job)
    if draw(st.booleans()):
        jobs.append({"id": 99, "run_id": 4242, "name": "stray", "status": "completed", "created_at": iso(T0)})
    for task in TASKS:
        for metric in METRICS:
            for m in sorted(set(draw(st.lists(st.integers(0, 12), max_size=6)))):
                value = draw(st.sampled_from([0.0, 256.0, 512.5, 1024.0, None]))
                metrics.append(
                    {"task_id": task, "metric": metric, "timestamp": iso(T0 + 60 * m), "value": value}
                )
        if draw(st.booleans()):
            arn = f"arn:aws:ecs:eu-west-1:1:task/fleet/{task}"
            detail = {
                "taskArn": arn,
                "lastStatus": "RUNNING",
                "createdAt": iso(T0 - 90),
                "startedAt": iso(T0 - 20),
            }
            tasks.append({"time": iso(T0 - 20), "detail": detail})
    manifest = {
        "test_run_id": "eq",
        "profile": {"name": "eq", "pattern": draw(st.sampled_from([None, STEP, {"type": "steady"}]))},
        "fleet": {"runner_count": draw(st.sampled_from([None, 0, 3]))},
        "clock_offset_s": draw(st.sampled_from([None, 0.0, 1.5])),
        "clock": {"speed": draw(st.sampled_from([1.0, 60.0]))},
    }
    return manifest, ledger, runs, jobs, metrics, tasks


CONCLUSIONS = ["success", "success", "failure", "cancelled", "timed_out", None]


@st.composite
def raw_steps(draw, start):
    """A job's steps: numbers may repeat or be absent, stamps may be missing or out of order."""
    stamp = st.one_of(st.none(), st.integers(-5, 60).map(lambda s: iso(start + s)))
    step = st.fixed_dictionaries(
        {
            "name": st.sampled_from(["Set up job", "Run tests", "Run tests", "x"]),
            "number": st.sampled_from([1, 2, 3, None]),
            "conclusion": st.sampled_from([*CONCLUSIONS, "skipped"]),
            "started_at": stamp,
            "completed_at": stamp,
        }
    )
    return draw(st.lists(step, max_size=3))


def same(got, want, path="result"):
    """Equal, with floats equal to 1e-9 (a mean summed by numpy vs math.fsum)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), path
        for k in want:
            same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list | tuple):
        if isinstance(got, ColumnRows):  # per_job: the same rows, read from columns
            got = list(got)
        assert isinstance(got, type(want)) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            same(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and not (isinstance(got, bool) or got is None):
        assert type(got) is float, path
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9) or (math.isnan(got) and math.isnan(want)), path
    else:
        assert type(got) is type(want) and got == want, (path, got, want)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_runs())
def test_compute_result_equals_the_record_by_record_oracle(case):
    manifest, ledger, runs, jobs, metrics, tasks = case
    snapshots = [{"runners": [{"name": t} for t in TASKS]}]
    args = (manifest, ledger, runs, jobs, metrics, tasks, snapshots)
    want = reference_result(*args)
    # the rows as one-shot iterators, as `suite report` streams them
    got = compute_result(manifest, *(iter(rows) for rows in args[1:6]), snapshots)
    for key in (
        "timeline",
        "per_task",
        "per_runner",
        "dispatches",
    ):  # in-memory columns: numpy arrays, compared as rows
        got[key], want[key] = item_rows(got[key]), item_rows(want[key])
    same(got, want)
    assert all(tuple(row) == PER_JOB_KEYS for row in got["per_job"])


@settings(max_examples=150, deadline=None)
@given(raw_runs())
def test_tables_equal_the_record_parsers(case):
    _, ledger, runs, jobs, _, _ = case
    t = jobs_table(iter(jobs))
    want = jobs_from_raw(jobs)
    assert t.id.tolist() == [j.id for j in want]
    assert t.runner.objects().tolist() == [j.runner_name for j in want]
    assert t.name.objects().tolist() == [j.name for j in want]
    assert t.conclusion.objects().tolist() == [j.conclusion for j in want]
    for col, key in ((t.created, "created"), (t.started, "started"), (t.completed, "completed")):
        assert [None if x != x else x for x in col.tolist()] == [getattr(j, key) for j in want]
    r = runs_table(iter(runs))
    want_runs = runs_from_raw(runs)
    assert r.id.tolist() == [x.id for x in want_runs]
    assert r.suite_id.tolist() == [x.suite_id for x in want_runs]
    assert r.status.objects().tolist() == [x.status for x in want_runs]
    d = dispatch_table(iter(ledger))
    assert d.suite_id.tolist() == [row["suite_id"] for row in ledger]
    assert [None if x != x else x for x in d.scheduled.tolist()] == [
        ts(row["scheduled_at"]) for row in ledger
    ]


# values around the fast shapes: valid stamps, impossible dates, odd hours, other shapes, non-strings
stamp_values = st.one_of(
    st.integers(0, 4_102_444_800).map(iso),
    st.tuples(st.integers(0, 4_102_444_800), st.integers(0, 999)).map(lambda p: iso_ms(p[0] + p[1] / 1000)),
    st.sampled_from(
        [
            None,
            "",
            "2027-02-29T00:00:00Z",
            "2028-02-29T23:59:59Z",
            "2027-13-01T00:00:00Z",
            "2027-01-15T24:00:00Z",
            "2027-01-15T08:00:60Z",
            "0000-01-01T00:00:00Z",
            "2027-01-15T08:00:00+00:00",
            "2027-01-15T08:00:00.5Z",
            "2027-01-15T08:00:00.123456Z",
            "2027-01-15 08:00:00Z",
            "2027-01-15T08:00:00",
            "-027-01-15T08:00:00Z",
            "2027-01-15T08:00:00Zjunk",
            "２０２７-01-15T08:00:00Z",
        ]
    ),
)


def _ts_or_error(value):
    try:
        t = ts(value)
    except ValueError:
        return "error"
    return None if t is None else t


@settings(max_examples=300, deadline=None)
@given(st.lists(stamp_values, max_size=12))
def test_parse_column_equals_ts_value_by_value(values):
    want = [_ts_or_error(v) for v in values]
    if "error" in want:
        with pytest.raises(ValueError):
            parse_column(values)
        return
    got = parse_column(values).tolist()
    assert [None if x != x else x for x in got] == want


@given(st.lists(st.one_of(st.none(), st.integers(-100_000, 4_102_444_800), st.floats(0, 4e9)), max_size=12))
def test_stamp_column_equals_stamp(times):
    column = np.asarray([np.nan if t is None else t for t in times], dtype=float)
    assert stamp_column(column) == [None if t is None else stamp(float(t)) for t in times]


def test_chunks_missing_keys_and_required_keys():
    rows = [{"a": 1, "b": 2}, {"a": 3}] * 3000  # more than one chunk
    cols = [c for chunk in chunks(rows, ("a", "b")) for c in [chunk]]
    assert sum(len(c[0]) for c in cols) == 6000
    assert [v for c in cols for v in c[1]][:4] == [2, None, 2, None]
    with pytest.raises(KeyError):
        list(chunks(rows, ("a", "b"), required=("b",)))

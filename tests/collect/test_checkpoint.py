"""The collection's checkpoint files in raw/: what is read back is exactly what was appended whole, each
run once (the last entry wins), whatever byte a killed append stopped at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from suite.collect.checkpoint import JOBS_CHECKPOINT, RUNS_CHECKPOINT, Checkpoint


def run(run_id: int, status: str = "completed", **extra: Any) -> dict[str, Any]:
    return {"id": run_id, "display_title": f"t-{run_id}", "status": status, **extra}


def test_completed_runs_and_jobs_are_read_back_each_run_once(tmp_path: Path):
    cp = Checkpoint(tmp_path)
    assert cp.add_runs([run(1), run(2, "in_progress"), run(3)]) == 2  # a run not completed may change
    assert cp.add_runs([run(1), run(3)]) == 0  # already recorded as they are
    cp.add_jobs(1, [{"id": 10, "run_id": 1}])
    cp.add_jobs(1, [{"id": 10, "run_id": 1}, {"id": 11, "run_id": 1}])  # read again: the last wins
    again = Checkpoint(tmp_path)
    assert [r["id"] for r in again.completed_runs()] == [1, 3]
    assert again.jobs_of(1) == [{"id": 10, "run_id": 1}, {"id": 11, "run_id": 1}]
    assert again.jobs_of(3) is None
    assert again.summary() == "2 completed runs, the jobs of 1"


def test_an_absent_checkpoint_is_empty(tmp_path: Path):
    cp = Checkpoint(tmp_path / "nowhere")
    assert cp.completed_runs() == [] and cp.jobs_of(1) is None


def test_damaged_lines_are_read_again_not_trusted(tmp_path: Path):
    (tmp_path / RUNS_CHECKPOINT).write_bytes(
        b"not json\n"
        + b'{"id": "1", "display_title": "t-1", "status": "completed"}\n'  # an id that is not an int
        + b"\xff\xfe\n"
        + json.dumps(run(2)).encode()
        + b"\n"
        + b'{"id": 3, "display_ti'  # torn
    )
    (tmp_path / JOBS_CHECKPOINT).write_bytes(b'{"run_id": 2, "jobs": [1]}\n{"run_id": 2, "jobs": []}\n')
    cp = Checkpoint(tmp_path)
    assert [r["id"] for r in cp.completed_runs()] == [2]
    assert cp.jobs_of(2) == []
    cp.add_runs([run(3)])  # after a torn line: appended as a whole line of its own
    assert [r["id"] for r in Checkpoint(tmp_path).completed_runs()] == [2, 3]


@settings(max_examples=60, deadline=None)
@given(
    entries=st.lists(
        st.tuples(st.integers(1, 6), st.lists(st.integers(1, 99), max_size=3)), min_size=1, max_size=8
    ),
    cut=st.floats(0, 1),
)
def test_a_killed_append_loses_only_its_own_entry_and_never_duplicates(
    tmp_path_factory: Any, entries: list[tuple[int, list[int]]], cut: float
):
    raw = tmp_path_factory.mktemp("raw")
    cp = Checkpoint(raw)
    lines: list[tuple[int, int]] = []  # (byte offset where each entry ends, its run id)
    for run_id, job_ids in entries:
        cp.add_jobs(run_id, [{"id": j} for j in job_ids])
        lines.append(((raw / JOBS_CHECKPOINT).stat().st_size, run_id))
    data = (raw / JOBS_CHECKPOINT).read_bytes()
    size = int(len(data) * cut)
    (raw / JOBS_CHECKPOINT).write_bytes(data[:size])  # killed: the file ends at any byte
    whole = [i for i, (end, _) in enumerate(lines) if end <= size]
    expected: dict[int, list[dict[str, Any]]] = {}
    for i in whole:
        run_id, job_ids = entries[i]
        expected[run_id] = [{"id": j} for j in job_ids]
    back = Checkpoint(raw)
    assert {r: back.jobs_of(r) for r in range(1, 7) if back.jobs_of(r) is not None} == expected
    back.add_jobs(7, [{"id": 1}])  # the next append after the cut is read back whole
    assert Checkpoint(raw).jobs_of(7) == [{"id": 1}]

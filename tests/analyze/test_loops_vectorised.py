"""Each per-row loop the analysis replaced by a vectorised or batched form (issue 18: the analysis at a
million jobs) against the loop itself (tests/helpers/loops_reference.py): equal, bit for bit, over
generated inputs (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import Any
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.analyze import samples as samples_mod
from suite.analyze import steps as steps_mod
from suite.analyze.columns import Cat, first_sight_codes
from suite.analyze.cost import Jobs, _by_runner_then_interval, task_seconds
from suite.analyze.item_columns import dispatch_columns
from suite.analyze.resources import SampleArrays
from suite.analyze.scope import first_scheduled, not_dispatched, scope
from suite.analyze.segmented import running_max_before, sequential_sums
from suite.analyze.steps import StepTap, _sorted_keys, step_columns, step_figures
from suite.analyze.tables import DispatchTable, _optional_ints, runs_table
from suite.analyze.tasks import Task
from tests.helpers.loops_reference import (
    accepted_rows_loop,
    dispatch_columns_loop,
    not_dispatched_loop,
    running_max_before_loop,
    sequential_sums_loop,
    step_figures_loop,
    tap_by_job,
    task_seconds_loop,
)

STAMPS = [None, "2027-01-15T08:00:00Z", "2027-01-15T08:00:07Z", "2027-01-15T08:01:00Z"]
step_dicts = st.fixed_dictionaries(
    {
        "number": st.one_of(st.none(), st.integers(1, 4)),
        "name": st.sampled_from(["Set up job", "Run tests", ""]),
        "conclusion": st.sampled_from([None, "success", "failure", "cancelled", "skipped"]),
        "started_at": st.sampled_from(STAMPS),
        "completed_at": st.sampled_from(STAMPS),
    }
)
job_rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.one_of(st.integers(1, 6), st.just("7")),  # a repeated id, and one not an int
            "name": st.sampled_from(["build", "lint"]),
            "conclusion": st.sampled_from([None, "success", "failure", "timed_out", "skipped"]),
        },
        optional={"steps": st.one_of(st.none(), st.lists(step_dicts, max_size=3))},
    ),
    max_size=300,  # more than a batch of StepTap's, so batches mix rows with and without steps
)


def _visible(by_job: dict[int, list[Any]]) -> dict[int, list[Any]]:
    return {k: v for k, v in by_job.items() if v}  # an id without steps is as good as absent


@settings(max_examples=150, deadline=None)
@given(job_rows, st.sampled_from([1, 3, 128]))
def test_the_batched_step_tap_records_what_the_row_by_row_loop_did(rows, batch):
    old = steps_mod.BATCH
    steps_mod.BATCH = batch
    try:
        tap = StepTap()
        assert list(tap.rows(rows)) == rows  # every row passes, in order, unchanged
    finally:
        steps_mod.BATCH = old
    assert _visible(tap.by_job) == _visible(tap_by_job(rows))


@settings(max_examples=150, deadline=None)
@given(job_rows)
def test_step_figures_over_flat_columns_equal_the_loop_over_every_jobs_steps(rows):
    # each job id once, its last copy (as jobs_table keeps it)
    kept = list({r["id"]: r for r in rows if type(r["id"]) is int}.values())
    ids, names, conclusions = (
        [r["id"] for r in kept],
        [r["name"] for r in kept],
        [r["conclusion"] for r in kept],
    )
    by_job = tap_by_job(rows)
    reasons: dict[str, str] = {}
    out = step_figures(ids, names, conclusions, step_columns(by_job), reasons)
    loop_reasons: dict[str, str] = {}
    assert out == step_figures_loop(ids, names, conclusions, by_job, loop_reasons)
    assert list(reasons.items()) == list(loop_reasons.items())  # the same reasons, in the same order
    # the steps of these jobs only, by job in ids' order rather than the file's: the same section and
    # reasons (the figures read the steps where they are, ordered by job where order matters)
    in_order = step_columns({i: by_job[i] for i in ids if i in by_job})
    again: dict[str, str] = {}
    assert step_figures(ids, names, conclusions, in_order, again) == out
    assert list(again.items()) == list(reasons.items())
    # the steps of a job not among these (99, before and after theirs) are left out of every figure
    some = next(iter(by_job.values()), [])
    others = step_columns({99: some, **by_job, 98: some})
    besides: dict[str, str] = {}
    assert step_figures(ids, names, conclusions, others, besides) == out
    assert list(besides.items()) == list(reasons.items())


finite = st.floats(-1e3, 1e3, allow_nan=False).map(lambda x: round(x, 3))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(finite, max_size=40), max_size=8))
def test_the_segmented_running_max_and_sums_equal_the_loops(segments):
    values = np.asarray([v for s in segments for v in s], float)
    starts = np.asarray(np.cumsum([0] + [len(s) for s in segments])[:-1], np.int64)
    floor = np.asarray([float(len(s)) for s in segments])
    assert running_max_before(values, starts, floor).tolist() == running_max_before_loop(
        values.tolist(), starts.tolist(), floor.tolist()
    )
    assert sequential_sums(values, starts).tolist() == sequential_sums_loop(values.tolist(), starts.tolist())


@st.composite
def task_fleets(draw):
    """Tasks (one id possibly twice, one never seen on a job) and jobs on runners named after them (or
    none, or ""), up to 80 on one runner so a task's intervals are summed both ways (segmented.LONG)."""
    names = [f"t{k}" for k in range(draw(st.integers(1, 4)))]
    tasks = []
    for name in names + draw(st.lists(st.sampled_from(names), max_size=1)):
        created = draw(finite)
        started = draw(st.one_of(st.none(), finite))
        stopped = draw(st.one_of(st.none(), finite))
        tasks.append(Task(name, None if draw(st.integers(0, 9)) == 0 else created, started, stopped, None))
    jobs = draw(
        st.lists(
            st.tuples(st.sampled_from([*names, "", None, "other"]), finite, st.floats(0, 200), st.booleans()),
            max_size=80,
        )
    )
    w0 = draw(finite)
    return tasks, jobs, (w0, w0 + draw(st.floats(0.5, 2000)))


@settings(max_examples=300, deadline=None)
@given(task_fleets())
def test_task_seconds_over_every_task_at_once_equals_the_loop_per_task(case):
    tasks, rows, window = case
    busy = np.asarray([r[3] for r in rows], bool)
    start = np.asarray([r[1] if r[3] else np.nan for r in rows], float)
    end = np.asarray([r[1] + round(r[2], 3) if r[3] else np.nan for r in rows], float)
    runners = [r[0] for r in rows]
    listed = Jobs(["j"] * len(rows), runners, busy, start, end)
    expected = task_seconds_loop(tasks, listed, window)
    assert task_seconds(tasks, listed, window) == expected
    as_columns = Jobs(Cat.of(["j"] * len(rows)), Cat.of(runners), busy, start, end)
    assert task_seconds(tasks, as_columns, window) == expected


@st.composite
def ledgers(draw):
    """Ledger tables: suite_ids repeated (retries), statuses 2xx, refused or none, stamps or none."""
    n = draw(st.integers(0, 40))
    ids = [draw(st.sampled_from(["a", "b", "c", "d", "e"])) for _ in range(n)]
    status = [draw(st.sampled_from([200.0, 204.0, 500.0, 422.0, np.nan])) for _ in range(n)]
    scheduled = [draw(st.sampled_from([np.nan, 10.0, 20.5, 30.0])) for _ in range(n)]
    return DispatchTable(
        np.asarray(ids, dtype=object).reshape(-1),
        np.asarray(scheduled, float),
        np.asarray(scheduled, float) + 0.5,
        np.asarray(status, float),
        np.full(n, -1, np.int64),
        np.zeros(n, bool),
        np.full(n, None, dtype=object),
    )


@settings(max_examples=300, deadline=None)
@given(ledgers())
def test_scope_over_suite_id_codes_equals_the_dicts_keyed_by_suite_id(ledger):
    sc = scope(ledger, runs_table([]))
    assert sc.accepted.tolist() == accepted_rows_loop(ledger)
    expected = first_scheduled(ledger, ledger.suite_id[sc.accepted])  # the dict form, keyed by suite_id
    assert np.array_equal(sc.first_scheduled(ledger), expected, equal_nan=True)
    dropped = [(d["suite_id"], d["status"]) for d in not_dispatched(ledger, sc)]
    expected_dropped = not_dispatched_loop(ledger, sc.accepted.tolist())
    status = [None if np.isnan(ledger.status[r]) else int(ledger.status[r]) for _, r in expected_dropped]
    assert dropped == [(s, code) for (s, _), code in zip(expected_dropped, status, strict=True)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 3)), max_size=30), st.booleans()
)
def test_the_runner_order_equals_the_lexsort(rows, presorted):
    if presorted:  # as the jobs come: by start, so a stable sort by runner is often enough
        rows = sorted(rows, key=lambda r: r[1])
    code = np.asarray([r[0] for r in rows], np.int64)
    a = np.asarray([float(r[1]) for r in rows])
    b = a + np.asarray([float(r[2]) for r in rows])
    got = _by_runner_then_interval(code, a, b, 4)
    assert got.tolist() == np.lexsort((b, a, code)).tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 40).flatmap(
        lambda n: st.tuples(
            *(
                st.lists(st.integers(lo, hi), min_size=n, max_size=n)
                for lo, hi in ((0, 3), (0, 1), (-(2**62), 2**62), (0, 5), (0, 9))
            ),
            st.booleans(),
        )
    )
)
def test_steps_sorted_by_one_packed_key_as_by_lexsort(columns):
    """_sorted_keys packs the keys into one int64 when their ranges allow, else lexsorts: the same stable
    order, and the same group changes (every key but the last, which only orders within a group),
    either way (the third key's range decides which path is taken)."""
    *lists, narrow = columns
    keys = [np.asarray(v, np.int64) for v in lists]
    if narrow:  # small numbers: the packed path
        keys[2] = keys[2] % 7 - 3
    keys[1] = keys[1].astype(bool)
    by_key, changed = _sorted_keys(*keys)
    want = np.lexsort(keys[::-1]) if keys[0].size else np.empty(0, np.int64)
    assert by_key.tolist() == want.tolist()
    groups = list(zip(*(k[want].tolist() for k in keys[:-1]), strict=True))
    assert changed.tolist() == [a != b for a, b in pairwise(groups)]


@settings(max_examples=300, deadline=None)
@given(
    ledgers(), st.lists(st.sampled_from([np.nan, 11.0, 21.0, 31.0]), min_size=40, max_size=40), st.booleans()
)
def test_dispatch_columns_over_codes_equal_the_loop_per_ledger_row(ledger, sent, with_none):
    ids = ledger.suite_id.copy()
    if with_none and ids.size:
        ids[::3] = None  # a row without a suite_id belongs to none
    sends = np.asarray(sent[: ids.size], float)
    want = dispatch_columns_loop(ids.tolist(), ledger.scheduled.tolist(), sends.tolist())
    for code in (None, scope(replace(ledger, suite_id=ids), runs_table([])).code):
        got = dispatch_columns(ids, ledger.scheduled, sends, code)
        assert got["suite_id"] == want["suite_id"]
        cols = np.column_stack([got["scheduled"], got["sent"], got["last_sent"]]).reshape(-1, 3)
        assert np.array_equal(cols, np.asarray(want["columns"], float).reshape(-1, 3), equal_nan=True)


@st.composite
def sample_grids(draw):
    """SampleArrays whose metrics are sampled at the same (task, instant)s, or not (a metric missing an
    instant, one instant twice, an absent metric)."""
    pairs = sorted(set(draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 6)), max_size=12))))
    metrics = draw(
        st.lists(st.sampled_from([m for m, _ in samples_mod.USAGE]), min_size=1, max_size=4, unique=True)
    )
    columns = {}
    for m in metrics:
        rows = list(pairs)
        if rows and draw(st.booleans()):
            rows = sorted([*rows, rows[draw(st.integers(0, len(rows) - 1))]])  # one instant twice
        if rows and draw(st.booleans()):
            rows.pop(draw(st.integers(0, len(rows) - 1)))
        values = [float(draw(st.integers(0, 9))) for _ in rows]
        columns[m] = (
            np.asarray([r[0] for r in rows], np.int64),
            np.asarray([float(r[1]) for r in rows]),
            np.asarray(values, float),
        )
    times = np.unique(np.asarray([float(t) for _, t in pairs]))
    return SampleArrays({"t-0": 0, "t-1": 1, "t-2": 2}, columns, times, frozenset({"t-1"}))


@settings(max_examples=300, deadline=None)
@given(sample_grids())
def test_task_usage_of_metrics_on_one_grid_equals_the_sorted_pivot(arrays):
    got = samples_mod.task_usage(arrays)
    with patch.object(samples_mod, "_one_grid", lambda parts: False):
        want = samples_mod.task_usage(arrays)
    assert list(got) == list(want)
    for key in want:
        assert np.array_equal(
            np.asarray(got[key]), np.asarray(want[key]), equal_nan=want[key].dtype != object
        )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "", "é"]) | st.text(max_size=3), max_size=30), st.booleans())
def test_first_sight_codes_number_the_values_in_order_of_first_sight(
    values: list[str], distinct: bool
) -> None:
    """Each value's code is its index among the distinct values in order of first sight, and the count is
    theirs: the same for values all distinct (numbered by position, no lookup) and with repeats."""
    if distinct:
        values = list(dict.fromkeys(values))
    codes, count = first_sight_codes(values)
    order = list(dict.fromkeys(values))
    assert codes.tolist() == [order.index(v) for v in values]
    assert count == len(order) and codes.dtype == np.int64


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.none()
        | st.integers(-(2**53) - 2, 2**53 + 2)
        | st.sampled_from([True, 7.5, 2**53 + 1, 2**62 + 1, -(2**63), "12", "1e3"])
        | st.integers(-5, 5),
        max_size=20,
    )
)
def test_optional_ints_are_int_of_each_value_or_minus_one(values: list[Any]) -> None:
    """A ledger column with null (status, workflow_run_id): per value int(v) or -1, and whether it is
    there; integers and None converted at once when that is exact, anything else one by one."""
    try:
        want = [-1 if v is None else int(v) for v in values]
    except ValueError:  # int("1e3"): the same error, not a number made up
        with pytest.raises(ValueError):
            _optional_ints(values)
        return
    got, has = _optional_ints(values)
    assert got.tolist() == want
    assert has.tolist() == [v is not None for v in values]

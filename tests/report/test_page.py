"""The one page (suite.report.page): its data carries result.json's figures exactly, and it embeds safely."""

import json
import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suite.isotime import stamp
from suite.report import task_series
from suite.report.page import FIGURES, page_data, page_html
from suite.rundir.result_schema import value_at
from tests.helpers.synthetic_run import synthetic_run


def _embedded(html: str) -> object:
    m = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert m is not None
    return json.loads(m.group(1))


def test_page_data_figures_are_result_values(tmp_path) -> None:
    _, result = synthetic_run(tmp_path)
    data = page_data(result)
    assert [f["path"] for f in data["figures"]] == [p for p, _, _ in FIGURES]
    for f in data["figures"]:
        assert f["value"] == value_at(result, f["path"])
    assert data["figures"][1]["value"] == 45  # jobs.count of the synthetic capacity run
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_page_html_embeds_data_that_cannot_end_its_script() -> None:
    data = {"schema": 1, "test_run_id": "</script><script>alert(1)</script>", "figures": []}
    html = page_html(data)
    assert _embedded(html) == data
    assert "</script><script>alert(1)" not in html


# --- the series: series.py's, as JSON ----------------------------------------------------------------


def _rows(run_dir, name):
    from suite.rundir.jsonio import read_jsonl

    return list(read_jsonl(run_dir / name))


def test_page_series_are_series_py_s(tmp_path) -> None:
    from suite.report import series as S
    from suite.report.page_series import BAR_KINDS

    run_dir, result = synthetic_run(tmp_path)
    ledger, tasks = _rows(run_dir, "ledger.jsonl"), _rows(run_dir, "raw/tasks.jsonl")
    metrics = _rows(run_dir, "raw/metrics.jsonl")
    sr = page_data(result, ledger, tasks, metrics)["series"]
    conc, wait = S.concurrency_steps(result), S.waiting_steps(result)
    assert (sr["concurrency"]["t"], sr["concurrency"]["v"]) == (conc.t, conc.v)
    assert (sr["waiting"]["t"], sr["waiting"]["v"]) == (wait.t, wait.v)
    assert sr["configured"] == result["runners"]["configured"] == 4
    q = S.queue_points(result, ledger)
    assert (sr["queue"]["x"], sr["queue"]["github"], sr["queue"]["from_schedule"]) == (
        q.dispatched,
        q.github,
        q.from_schedule,
    )
    assert sr["queue"]["x_is_dispatch"] is True and len(sr["queue"]["x"]) == 45
    th = S.throughput_bins(result)
    assert (sr["throughput"]["starts"], sr["throughput"]["completed"]) == (th.starts, th.completed)
    assert sum(sr["throughput"]["started"]) == 45
    g = S.gantt(result, tasks)
    bars = sorted(zip(sr["gantt"]["lane"], sr["gantt"]["s"], sr["gantt"]["e"], sr["gantt"]["k"], strict=True))
    want = sorted(
        [(i, a, b, 0) for i, ln in enumerate(g.lanes) for a, b in ln.cold]
        + [(i, a, b, 1) for i, ln in enumerate(g.lanes) for a, b in ln.idle]
        + [
            (i, a, b, BAR_KINDS.index(k))
            for i, ln in enumerate(g.lanes)
            for k, v in ln.jobs.items()
            for a, b in v
        ]
    )
    assert bars == want and sr["gantt"]["lanes"] == len(g.lanes)
    assert sum(k >= 2 for k in sr["gantt"]["k"]) == g.jobs_drawn == 45
    tm = S.task_metrics(metrics)
    cpu = sr["resources"]["cpu"]
    assert sr["resources"]["samples"] == tm.samples > 0
    assert {
        n: list(zip(t, v, strict=True)) for n, t, v in zip(cpu["tasks"], cpu["t"], cpu["v"], strict=True)
    } == {n: list(p) for n, p in tm.series["CpuUtilized"].items()}


def test_dispatch_progress_counts_first_sends_and_lateness() -> None:
    from suite.clock import iso
    from suite.report.page_series import dispatch

    ledger = [
        {"suite_id": "a", "scheduled_at": "2026-11-15T10:00:00.000Z", "sent_at": "2026-11-15T10:00:00.500Z"},
        {"suite_id": "b", "scheduled_at": "2026-11-15T10:00:10.000Z", "sent_at": None},  # failed attempt
        {"suite_id": "b", "scheduled_at": "2026-11-15T10:00:10.000Z", "sent_at": "2026-11-15T10:00:14.000Z"},
        {"suite_id": "c", "scheduled_at": "2026-11-15T10:00:20.000Z", "sent_at": None},  # never sent
    ]
    d = dispatch({"clock_offset_s": 1.0}, ledger)
    t0 = 1794736800.0
    assert d["scheduled"] == {"t": [t0 + 1, t0 + 11, t0 + 21], "n": [1, 2, 3]}  # on GitHub's clock
    assert d["sent"] == {"t": [t0 + 1.5, t0 + 15], "n": [1, 2]}
    assert d["lag_t"] == [t0 + 1, t0 + 11] and d["lag_s"] == [0.5, 4.0]
    assert d["counts"] == {"scheduled": 3, "sent": 2, "not_sent": 1} and d["stride"] == 1
    rows = [{"suite_id": i, "scheduled_at": iso(t0 + i), "sent_at": iso(t0 + i + 0.5)} for i in range(50)]
    big = dispatch({}, rows, max_points=20, max_curve=20)
    assert big["stride"] == 3 and len(big["lag_t"]) == 17 and big["counts"]["sent"] == 50
    # the curve: every 3rd dispatch and the last, each point exact
    assert big["scheduled"]["n"] == [*range(1, 50, 3), 50]
    assert big["scheduled"]["t"] == [t0 + n - 1 for n in big["scheduled"]["n"]]


def test_stages_shade_saturation_steps_and_the_spike() -> None:
    from suite.report.page_series import stages

    sat = {
        "stages": [
            {
                "stage": 1,
                "start": "2026-11-15T10:00:00Z",
                "end": "2026-11-15T10:05:00Z",
                "target_rate_per_min": 2,
            },
            {
                "stage": 2,
                "start": "2026-11-15T10:05:00Z",
                "end": "2026-11-15T10:10:00Z",
                "target_rate_per_min": 4.5,
            },
        ]
    }
    t0 = 1794736800.0
    assert stages({"saturation": sat}) == [
        {"label": "stage 1 · 2/min", "start": t0, "end": t0 + 300},
        {"label": "stage 2 · 4.5/min", "start": t0 + 300, "end": t0 + 600},
    ]
    spike = {
        "window": {"start": "2026-11-15T10:00:00Z", "end": "2026-11-15T10:30:00Z"},
        "recovery": {"surge_start": "2026-11-15T10:10:00Z", "surge_end": "2026-11-15T10:12:00Z"},
    }
    assert [(s["label"], s["start"] - t0, s["end"] - t0) for s in stages(spike)] == [
        ("baseline", 0, 600),
        ("surge", 600, 720),
        ("after the surge", 720, 1800),
    ]
    assert stages({"recovery": None, "saturation": None}) == []


def test_thresholds_carry_abort_on_fail_where_said() -> None:
    result = {
        "thresholds": [
            {
                "expr": "queue_time_s.p95 < 60",
                "status": "fail",
                "value": 75.5,
                "ok": False,
                "reason": None,
                "abort_on_fail": True,
            },
            {"expr": "jobs.count > 1", "status": "pass", "value": 3, "ok": True, "reason": None},
        ]
    }
    th = page_data(result)["thresholds"]
    assert [(t["expr"], t["status"], t["value"], t["abort_on_fail"]) for t in th] == [
        ("queue_time_s.p95 < 60", "fail", 75.5, True),
        ("jobs.count > 1", "pass", 3, None),  # not said: null, never a default false
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=40))
def test_any_name_round_trips_through_the_embedded_json(name: str) -> None:
    data = {"schema": 1, "test_run_id": name, "profile": name + "</script>", "figures": [], "status": None}
    html = page_html(data)
    assert _embedded(html) == data
    body = html.split('id="page-data">', 1)[1]
    assert body.index("</script>") == len(body.split("</script>", 1)[0])  # its own end, not the name's
    assert "</script" not in body.split("</script>", 1)[0]


def test_the_page_never_carries_nan(tmp_path) -> None:
    import math

    import pytest

    _, result = synthetic_run(tmp_path)
    data = page_data(result)
    text = json.dumps(data, allow_nan=False)  # raises on NaN or infinity
    assert "NaN" not in text and "Infinity" not in text
    with pytest.raises(ValueError):
        page_html(data | {"status": {"eta_real_s": math.nan}})  # a NaN is refused, not written


def test_the_dispatch_and_queue_charts_from_the_analysis_equal_those_from_the_ledger(tmp_path):
    """The report draws them from the result's in-memory `dispatches` (the ledger read once, by the
    analysis); the live page from the ledger's rows: the same series, exactly, retries and refusals too."""
    from suite.report import page_series as P
    from suite.rundir.jsonio import read_jsonl

    run_dir, result = synthetic_run(tmp_path)
    ledger = read_jsonl(run_dir / "ledger.jsonl")
    assert ledger and len(result["dispatches"]["suite_id"]) == len({r["suite_id"] for r in ledger})
    assert P.dispatch(result) == P.dispatch(result, ledger)
    assert P.queue(result) == P.queue(result, ledger)
    assert P.queue(result)["x_is_dispatch"] and P.dispatch(result)["counts"]["sent"] > 0


def test_retries_keep_the_first_send_and_the_queue_takes_the_last():
    from suite.analyze.item_columns import dispatch_columns
    from suite.report import series as S

    nan = float("nan")
    ids = np.array(["a", "a", "a", "b"], dtype=object)
    cols = dispatch_columns(ids, np.array([10.0, 11.0, 12.0, nan]), np.array([nan, 20.0, 30.0, 40.0]))
    rows = [
        {"suite_id": s, "scheduled_at": stamp(a), "sent_at": stamp(b)}
        for s, a, b in (("a", 10, None), ("a", 11, 20), ("a", 12, 30), ("b", None, 40))
    ]
    want = {"a": (10.0, 20.0, 30.0), "b": (None, 40.0, 40.0)}
    assert S.sends({"dispatches": cols}) == want == S.sends({}, rows)


TIMES = st.sampled_from([0.0, 1.0, 1.5, 2.0, 60.0, float("nan")])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(TIMES, st.floats(-5, 5)), max_size=40),
    st.integers(1, 7),
    st.booleans(),
)
def test_a_tasks_points_every_stride_th_are_those_of_the_sorted_points(
    points: list[tuple[float, float]], stride: int, ordered: bool
) -> None:
    """The resources chart takes a task's points as they are when their times increase (the task-usage
    table's rows), else sorts them: either way sorted(points)[::stride]."""
    if ordered:
        points = sorted({t: (t, v) for t, v in points if t == t}.values())
    t, v = np.array([p[0] for p in points], float), np.array([p[1] for p in points], float)
    got = task_series._every(t, v, stride)
    want = sorted(zip(t.tolist(), v.tolist(), strict=True))[::stride]
    assert [(repr(a), repr(b)) for a, b in got] == [(repr(a), repr(b)) for a, b in want]

"""The trends across runs (suite.decisions.trends), a pure function of history rows: order, sizing
changes, baselines, the regression rule and nulls as gaps, held to docs/architecture.md's definitions;
and the history columns they read, from each run's run table (written from result.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.decisions.compare.samples import samples_from_result
from suite.decisions.history import list_runs
from suite.decisions.trends import FIGURES, profile_trend, sizing_changes, started_epoch, trends, worse
from suite.report.tables import failure_rate, run_columns
from suite.rundir.column_rows import Coded
from tests.decisions.trend_runs import LARGE, SMALL, five_runs

FIG = {f.key: f for f in FIGURES}


def row(day: int, verdict: str | None = "pass", profile: str = "p", **over: Any) -> dict[str, Any]:
    base = {
        "test_run_id": f"{profile}-202611{day:02d}T100000Z-{day:06x}",
        "path": f"/r/{day}",
        "profile": profile,
        "started": f"2026-11-{day:02d}T10:00:00Z",
        "verdict": verdict,
        "runners": 4,
        "ephemeral": 1,
        "task_cpu": 1024,
        "task_memory": 2048,
        "cpu_architecture": "X86_64",
        "queue_p95": 2.0,
        "exec_p50": 60.0,
        "exec_p95": 65.0,
        "failure_rate": 0.0,
        "cost_per_job": 0.01,
        "currency": "USD",
    }
    return base | over


def test_five_runs_with_a_sizing_change_in_the_middle():
    rows = [row(1), row(2), row(3, task_cpu=2048, task_memory=4096, exec_p50=40.0)]
    rows += [row(4, "fail", task_cpu=2048, task_memory=4096, exec_p50=50.0)]
    rows += [row(5, "incomplete", task_cpu=2048, task_memory=4096, exec_p50=99.0)]
    trend = profile_trend(list(reversed(rows)))  # any order in: time order out
    runs = trend["runs"]
    assert [r["t"] for r in runs] == sorted(r["t"] for r in runs)
    assert [bool(r["changes"]) for r in runs] == [False, False, True, False, False]
    assert runs[2]["changes"] == [
        {"field": "task_cpu", "label": "task CPU", "before": 1024, "after": 2048},
        {"field": "task_memory", "label": "task memory", "before": 2048, "after": 4096},
    ]
    # every PASS run is a baseline; the newest is the profile's (what `suite history --baseline` picks)
    assert [r["is_baseline"] for r in runs] == [True, True, True, False, False]
    assert trend["baseline"] == rows[2]["test_run_id"]
    assert [r["baseline_before"] for r in runs] == [None, *(rows[i]["test_run_id"] for i in (0, 1, 2, 2))]
    # run 4: its verdict, and execution p50 50 s against 40 s (25% and 10 s over: worse)
    assert [(g["figure"], g["value"], g["base"]) for g in runs[3]["regressions"]] == [
        ("verdict", "fail", None),
        ("exec_p50", 50.0, 40.0),
    ]
    # run 5 is incomplete: drawn, never judged (99 s would be worse) and never a baseline
    assert runs[4]["kind"] == "incomplete" and runs[4]["regressions"] == []
    assert [r["regressions"] for r in runs[:3]] == [[], [], []]  # 60 s after 60 s; 40 s is better


def test_incomplete_inconclusive_and_failed_runs_are_never_the_baseline():
    rows = [row(1, "fail"), row(2, "inconclusive"), row(3, "incomplete"), row(4, None), row(5, "weird")]
    trend = profile_trend(rows)
    assert trend["baseline"] is None
    assert all(not r["is_baseline"] and r["baseline_before"] is None for r in trend["runs"])
    assert [r["kind"] for r in trend["runs"]] == ["fail", "inconclusive", "incomplete", "unknown", "unknown"]
    # a FAIL verdict is flagged with no baseline to compare with; nothing else is
    assert [len(r["regressions"]) for r in trend["runs"]] == [1, 0, 0, 0, 0]


def test_an_inconclusive_run_is_judged_on_its_figures():
    trend = profile_trend([row(1), row(2, "inconclusive", queue_p95=10.0)])
    assert [g["figure"] for g in trend["runs"][1]["regressions"]] == ["queue_p95"]


@pytest.mark.parametrize(
    ("key", "base", "value", "flagged"),
    [
        ("exec_p50", 60.0, 63.0, True),  # 5% of 60 s = 3 s
        ("exec_p50", 60.0, 62.9, False),
        ("queue_p95", 10.0, 11.0, True),  # 5% is 0.5 s: the 1 s resolution decides
        ("queue_p95", 10.0, 10.9, False),
        ("failure_rate", 0.0, 0.01, True),  # 0.01: the rate's resolution
        ("failure_rate", 0.0, 0.009, False),
        ("failure_rate", 0.5, 0.52, False),  # 5% of 0.5 = 0.025
        ("cost_per_job", 0.01, 0.0105, True),
        ("cost_per_job", 0.0, 0.0, False),  # no worsening at all
        ("exec_p95", None, 100.0, False),  # a null on either side is not judged
        ("exec_p95", 60.0, None, False),
    ],
)
def test_the_regression_rule_at_its_bounds(key: str, base: float | None, value: float | None, flagged: bool):
    assert worse(value, base, FIG[key]) is flagged
    trend = profile_trend([row(1, **{key: base}), row(2, **{key: value})])
    assert [g["figure"] for g in trend["runs"][1]["regressions"]] == ([key] if flagged else [])


@given(
    base=st.floats(0, 1e6, allow_nan=False),
    value=st.floats(0, 1e6, allow_nan=False),
    key=st.sampled_from([f.key for f in FIGURES]),
)
def test_worse_is_exactly_the_documented_rule(base: float, value: float, key: str):
    f = FIG[key]
    expected = value - base > 0 and value - base >= max(0.05 * base, f.resolution)
    assert worse(value, base, f) is expected


def test_the_baseline_in_force_is_the_newest_pass_before_the_run():
    rows = [
        row(1, exec_p50=100.0),
        row(2, exec_p50=50.0),
        row(3, "fail", exec_p50=60.0),
        row(4, exec_p50=52.0),
    ]
    runs = profile_trend(rows)["runs"]
    # run 3 is judged against run 2 (50 s), not run 1 (100 s): 60 s is worse; run 4's 52 s is not (< 5%)
    assert [g["figure"] for g in runs[2]["regressions"]] == ["verdict", "exec_p50"]
    assert runs[3]["baseline_before"] == rows[1]["test_run_id"] and runs[3]["regressions"] == []


def test_nulls_stay_nulls_never_zero():
    rows = [row(1), row(2, exec_p95=None, cost_per_job=None, failure_rate=None), row(3, exec_p95=90.0)]
    runs = profile_trend(rows)["runs"]
    assert runs[1]["values"] == {
        "queue_p95": 2.0,
        "exec_p50": 60.0,
        "exec_p95": None,
        "failure_rate": None,
        "cost_per_job": None,
    }
    assert runs[1]["regressions"] == []
    # run 3 is judged against run 2, the baseline in force, whose exec p95 is null: not judged
    assert runs[2]["baseline_before"] == rows[1]["test_run_id"] and runs[2]["regressions"] == []
    assert '"exec_p95": null' in json.dumps(runs[1]["values"])


def test_an_unknown_sizing_value_is_not_a_change():
    assert sizing_changes(row(1, runners=None), row(2, runners=8)) == []
    assert sizing_changes(row(1, cpu_architecture=None), row(2, cpu_architecture="ARM64")) == []
    changes = sizing_changes(row(1, ephemeral=1), row(2, ephemeral=0, cpu_architecture="ARM64"))
    assert [(c["field"], c["before"], c["after"]) for c in changes] == [
        ("ephemeral", 1, 0),
        ("cpu_architecture", "X86_64", "ARM64"),
    ]


@given(st.permutations(range(1, 7)))
def test_the_trend_does_not_depend_on_the_rows_order(order: list[int]):
    rows = [row(d, "pass" if d % 3 else "fail", runners=d // 3 + 1, exec_p50=50.0 + d) for d in range(1, 7)]
    assert profile_trend([rows[i - 1] for i in order]) == profile_trend(rows)


def test_profiles_apart_and_runs_without_a_start_time_unplaced():
    rows = [row(1, profile="b"), row(2, profile="a"), row(3, profile="a", started=None), row(4, profile="a")]
    rows.append(row(5, profile=None))  # type: ignore[arg-type]
    data = trends(rows)
    assert [p["profile"] for p in data["profiles"]] == ["a", "b", None]
    a = data["profiles"][0]
    assert [r["test_run_id"] for r in a["runs"]] == [rows[1]["test_run_id"], rows[3]["test_run_id"]]
    assert a["unplaced"] == [rows[2]["test_run_id"]]
    assert started_epoch("2026-11-01T10:00:00Z") == 1793527200.0 and started_epoch("not a time") is None


def test_failure_rate_is_compares_rate():
    """The run table's job_failure_rate (what history and the trends read) is `suite compare`'s rate."""
    ends = ("success", "neutral", "failure", "timed_out", "skipped", None)
    rate = samples_from_result({"per_job": [{"conclusion": c, "run_id": 1} for c in ends]}, {})[
        "failure_rate"
    ]
    assert run_columns({}, {}, ends)["job_failure_rate"] == [2 / 4] == [sum(rate) / len(rate)]
    assert run_columns({}, {}, ["skipped"])["job_failure_rate"] == [None]  # no job ended: null, never 0
    assert run_columns({}, {}, [])["job_failure_rate"] == [None]


@given(
    st.lists(st.sampled_from(["success", "neutral", "failure", "timed_out", "cancelled", "skipped", None]))
)
def test_failure_rate_counted_by_code_is_the_rate_of_the_values(ends: list[str | None]):
    """The analysis keeps conclusions coded (suite.rundir.column_rows.Coded): counted by code, the rate
    is the one of the values, job by job."""
    words = np.empty(len(set(ends)), dtype=object)
    words[:] = list(dict.fromkeys(ends))
    codes = np.array([list(words).index(c) for c in ends], dtype=np.int64)
    coded = Coded(words[codes], np.ndarray.tolist, codes, words)
    assert failure_rate(coded) == failure_rate(ends) == run_columns({}, {}, ends)["job_failure_rate"][0]


def test_history_indexes_what_the_trends_draw(tmp_path: Path):
    reports = tmp_path / "reports"
    dirs = five_runs(reports)
    rows = {r["test_run_id"]: r for r in list_runs(reports)}
    first, second, fourth = (rows[dirs[i].name] for i in (0, 1, 3))
    assert (first["task_cpu"], first["cpu_architecture"], first["ephemeral"]) == (1024, "X86_64", 1)
    assert (first["exec_p95"], first["cost_per_job"], first["currency"]) == (65.0, 0.01, "USD")
    assert second["cost_per_job"] is None and second["currency"] is None  # no cost: null, not 0
    assert fourth["failure_rate"] == pytest.approx(1 / 6) and (fourth["task_cpu"], fourth["task_memory"]) == (
        LARGE["task_cpu"],
        LARGE["task_memory"],
    )
    assert SMALL["task_cpu"] != LARGE["task_cpu"]
    trend = trends(list(rows.values()))["profiles"][0]
    assert [bool(r["changes"]) for r in trend["runs"]] == [False, False, True, False, False]

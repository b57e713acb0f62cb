"""Thresholds on one job name or one workflow (suite.gates.selectors through suite.gates.thresholds)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.analyze.result import compute_result
from suite.gates.selectors import split
from suite.gates.thresholds import evaluate, problem
from suite.gates.verdict import threshold_status
from tools.bench import Synthetic

RESULT = compute_result(**Synthetic(jobs=2000, runners=6, seed=11).inputs())
NPM_P95 = RESULT["by_job_name"]["build / npm"]["execution_time_s"]["p95"]


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return RESULT


def test_names_are_quoted_either_way_and_escapes_are_json():
    a = split('jobs["build / npm"].execution_time_s.p95')
    b = split("jobs['build / npm'].execution_time_s.p95")
    assert a == b and a is not None and (a.name, a.field) == ("build / npm", "execution_time_s.p95")
    odd = split('jobs["say \\"hi\\" \\\\ < 3"].jobs.count')
    assert odd is not None and odd.name == 'say "hi" \\ < 3'
    assert problem('jobs["say \\"hi\\" < 3"].jobs.count >= 1') is None  # an operator inside the name
    wf = split('workflows["a.yml"].runs')
    assert split("jobs.count") is None and wf is not None and wf.kind.section == "by_workflow"


@given(
    st.one_of(st.integers(0, 3200).map(lambda i: i / 8), st.just(NPM_P95)),
    st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
)
def test_a_job_name_threshold_is_the_comparison_of_its_figure(limit, op):
    r = RESULT
    expr = f'jobs["build / npm"].execution_time_s.p95 {op} {limit!r}'
    value = NPM_P95
    want = {"<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit}
    want |= {"==": value == limit, "!=": value != limit}
    row = evaluate(expr, r)
    assert row == {"expr": expr, "value": value, "ok": want[op], "reason": None} | {
        "sampled": 'jobs["build / npm"].execution_time_s.p95',
        "samples": r["by_job_name"]["build / npm"]["execution_time_s"]["count"],
        "needs": 20,
    }


def test_a_name_the_run_does_not_have_fails_with_the_names_it_has(result):
    row = evaluate("jobs['Diagnostic'].queue_time_s.p95 < 60", result)
    assert row["ok"] is False and row["value"] is None
    assert row["reason"] == (
        'jobs["Diagnostic"]: no job named "Diagnostic" in this run (did you mean "diagnostic"?); job names: '
        + ", ".join(f'"{n}"' for n in result["by_job_name"])
    )
    assert threshold_status(row) == ("fail", row["reason"])  # a definite fail, not inconclusive
    row = evaluate('workflows["runner_test.yml"].total_time_s.p95 < 60', result)
    assert row["ok"] is False and 'workflow names: "bench.yml"' in row["reason"]
    assert threshold_status(row)[0] == "fail"


def test_a_null_figure_of_a_name_is_inconclusive_with_its_reason(result):
    r = result | {
        "by_job_name": {"late": {"queue_time_s": {"p95": None}}},
        "reasons": {'jobs["late"].queue_time_s': 'no job named "late" started'},
    }
    row = evaluate('jobs["late"].queue_time_s.p95 < 60', r)
    assert row["reason"] == 'jobs["late"].queue_time_s.p95 is null (no job named "late" started)'
    assert row["ok"] is False and "absent" not in row
    assert threshold_status(row) == ("inconclusive", row["reason"])
    old = {k: v for k, v in result.items() if k != "by_job_name"}  # a result.json from before the section
    assert "suite report DIR" in evaluate('jobs["report"].queue_time_s.p95 < 60', old)["reason"]


def test_workflow_figures_read_by_workflow(result):
    wf = result["by_workflow"]["bench.yml"]
    row = evaluate(f'workflows["bench.yml"].total_time_s.p50 == {wf["total_time_s"]["p50"]!r}', result)
    assert row["ok"] is True
    assert evaluate(f'workflows["bench.yml"].runs == {wf["runs"]}', result)["ok"] is True

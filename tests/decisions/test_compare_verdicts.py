"""suite compare's verdict: the gated metrics, BETTER / NO REGRESSION / REGRESSION / INCONCLUSIVE, exit codes,
both fleets' sizing printed first, the failure rate, headroom, INCOMPLETE runs refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.cli.main import main
from suite.decisions.compare.core import Comparison, GateResult, MetricComparison, compare_dirs
from suite.decisions.compare.render import markdown, terminal
from suite.decisions.compare.stats import fisher_p, rate_ci
from suite.errors import UsageError
from suite.gates.compare import parse_gate
from suite.gates.metrics import GATED_BY_DEFAULT, METRICS
from tests.helpers.decisions import fake_run, set_job_columns

BASE = [60.0 + i % 5 for i in range(20)]
SMALL = {"runner_count": 4, "ephemeral": True, "task_cpu": 1024, "task_memory": 2048}
BIG = {"runner_count": 4, "ephemeral": True, "task_cpu": 2048, "task_memory": 4096}


def test_gated_by_default_are_the_times_and_the_failure_rate():
    assert GATED_BY_DEFAULT == ("queue_time_s", "execution_time_s", "total_time_s", "failure_rate")
    reported = {m.key for m in METRICS} - set(GATED_BY_DEFAULT)
    assert {"cpu_mean", "memory_max", "cpu_mean_pct", "memory_max_pct", "utilization"} <= reported


def test_faster_upsize_is_better_exit_0_although_cpu_and_memory_grow(tmp_path: Path, capsys):
    # 1 vCPU -> 2 vCPU: jobs 25% faster, twice the CPU units used (same share of the task)
    a = fake_run(tmp_path, "p-a", BASE, cpu=[600.0 + i for i in range(20)], fleet=SMALL)
    faster = [0.75 * x for x in BASE]
    b = fake_run(tmp_path, "p-b", faster, cpu=[1200.0 + 2 * i for i in range(20)], fleet=BIG)
    c = compare_dirs(a, b)
    assert c.metric("execution_time_s").verdict == "better"
    assert c.metric("cpu_mean").verdict == "worse" and not c.metric("cpu_mean").gated  # reported, not gated
    assert c.verdict == "better" and not c.failed and not c.regression
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    # the sizing comes first, with the differences marked
    assert out.index("fleet sizing") < out.index("execution time") < out.index("verdict: BETTER")
    cpu_line = next(line for line in out.splitlines() if line.startswith("task CPU"))
    assert "1024 CPU units (1 vCPU)" in cpu_line and "2048 CPU units (2 vCPU)" in cpu_line
    assert cpu_line.endswith("DIFFERS")
    assert not next(line for line in out.splitlines() if line.startswith("runners")).endswith("DIFFERS")
    assert "the two fleets DIFFER: task CPU" in out
    assert main(["compare", str(a), str(b), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdict"] == "better" and doc["regression"] is False
    assert doc["sizing"]["differences"] == ["task_cpu", "task_memory"]
    assert doc["sizing"]["base"]["task_cpu"] == 1024 and doc["sizing"]["candidate"]["task_cpu"] == 2048
    assert doc["sizing"]["base"]["image"] is None  # the manifest does not say: unknown, not assumed
    assert doc["gated"] == list(GATED_BY_DEFAULT)
    assert any(r.startswith("execution time: better") for r in doc["verdict_reasons"])
    md = markdown(c)
    assert md.index("| fleet sizing") < md.index("| metric") and "**Verdict: BETTER**" in md


def test_same_sizing_says_so(tmp_path: Path):
    a, b = fake_run(tmp_path, "p-a", BASE), fake_run(tmp_path, "p-b", BASE)
    c = compare_dirs(a, b)
    assert c.verdict == "no regression" and "the two fleets have the same sizing" in terminal(c)


def test_the_image_is_shown_when_the_manifest_has_it(tmp_path: Path):
    img = "ghcr.io/actions/actions-runner:2.321.0"
    a = fake_run(tmp_path, "p-a", BASE, fleet={**SMALL, "runner_image": img})
    b = fake_run(tmp_path, "p-b", BASE, fleet={**SMALL, "runner_image": img.replace("321", "322")})
    c = compare_dirs(a, b)
    out = terminal(c)
    image = next(line for line in out.splitlines() if line.startswith("image"))
    assert img in image and image.endswith("DIFFERS")
    assert c.to_dict()["sizing"]["differences"] == ["image"]
    assert "the two fleets DIFFER: image" in out


def test_headroom_is_compared_as_a_share_of_the_task(tmp_path: Path):
    a = fake_run(tmp_path, "p-a", BASE, fleet=SMALL)
    b = fake_run(tmp_path, "p-b", BASE, fleet=BIG)
    for d, pct in ((a, 60.0), (b, 30.0)):  # the same CPU units: half the share of a task twice the size
        n = len(BASE)  # in the job table, where compare reads them (result.json's per_job left as it was)
        set_job_columns(
            d, cpu_mean=[614.4 + i for i in range(n)], cpu_mean_pct=[pct + i / 10 for i in range(n)]
        )
    c = compare_dirs(a, b)
    assert c.metric("cpu_mean").verdict == "~"
    share = c.metric("cpu_mean_pct")
    assert share.verdict == "better" and share.change_pct == pytest.approx(-50.0, abs=1)
    assert not share.gated and c.verdict == "no regression"


def test_slower_candidate_is_a_regression_and_the_reverse_better(tmp_path: Path):
    a, b = fake_run(tmp_path, "p-a", BASE), fake_run(tmp_path, "p-b", [1.3 * x for x in BASE])
    assert compare_dirs(a, b).verdict == "regression"
    assert compare_dirs(b, a).verdict == "better"


def test_two_three_job_runs_are_inconclusive_exit_1(tmp_path: Path, capsys):
    a, b = fake_run(tmp_path, "p-a", [10.0, 11.0, 12.0]), fake_run(tmp_path, "p-b", [10.0, 11.0, 12.0])
    c = compare_dirs(a, b)
    assert c.verdict == "inconclusive" and c.failed and not c.regression
    assert main(["compare", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert out.rstrip().endswith("verdict: INCONCLUSIVE")
    assert "execution time: inconclusive (too few samples: need >= 6 per run, have 3 (base) and 3" in out
    # a gate on a metric with too few samples cannot be judged either
    g = compare_dirs(a, b, ["execution_time_s.p95 +10%"])
    assert [x.status for x in g.gates] == ["inconclusive"] and g.verdict == "inconclusive"
    assert main(["compare", str(a), str(b), "--gate", "execution_time_s.p95 +10%"]) == 1
    assert "INCONCLUSIVE execution_time_s.p95 +10%" in capsys.readouterr().out


def test_failure_rate_is_gated_by_fisher(tmp_path: Path):
    a = fake_run(tmp_path, "p-a", BASE)
    b = fake_run(tmp_path, "p-b", BASE, failed=10)  # 0/20 -> 10/20 jobs failed
    fr = compare_dirs(a, b).metric("failure_rate")
    assert (fr.base_median, fr.cand_median, fr.statistic) == (0.0, 0.5, "rate")
    assert fr.p_value == pytest.approx(fisher_p([0.0] * 20, [1.0] * 10 + [0.0] * 10))
    assert fr.verdict == "worse" and compare_dirs(a, b).verdict == "regression"
    one = fake_run(tmp_path, "p-c", BASE, failed=1)  # 1 of 20: not significant
    assert compare_dirs(a, one).metric("failure_rate").verdict == "~"
    assert compare_dirs(a, one).verdict == "no regression"
    assert parse_gate("failure_rate.mean +0.1%").metric == "failure_rate"
    with pytest.raises(UsageError, match="gate its mean"):
        parse_gate("failure_rate.p95 +1%")
    gated = compare_dirs(a, b, ["failure_rate.mean +0.05"])
    assert gated.gates[0].status == "fail" and gated.verdict == "regression"


def test_rate_ci_is_clopper_pearson():
    rate, low, high = rate_ci([0.0] * 20)
    assert rate == 0.0 and low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 20))


def test_an_incomplete_run_is_refused_unless_forced(tmp_path: Path, capsys):
    a = fake_run(tmp_path, "p-a", BASE)
    b = fake_run(tmp_path, "p-b", BASE, verdict="incomplete")
    with pytest.raises(UsageError, match=rf"candidate run {b} is INCOMPLETE.*suite collect {b}"):
        compare_dirs(a, b)
    assert main(["compare", str(a), str(b)]) == 2
    assert main(["compare", str(a), str(b), "--force"]) == 0
    assert "the candidate run p-b is INCOMPLETE" in capsys.readouterr().out


VERDICT = st.sampled_from(["better", "worse", "~", "inconclusive"])


@given(
    st.lists(st.tuples(VERDICT, st.booleans()), min_size=1, max_size=8),
    st.lists(st.sampled_from(["ok", "fail", "inconclusive"]), max_size=4),
)
def test_the_verdict_rule(rows: list[tuple[str, bool]], gates: list[str]):
    metrics = [
        MetricComparison(f"m{i}", f"m{i}", "s", True, gated, "median", 6, 6, verdict=v)
        for i, (v, gated) in enumerate(rows)
    ]
    c = Comparison("a", "b", "p", False, metrics)
    c.gates = [GateResult(f"g{i}", 1.0, 1.0, 1.0, s == "ok", "", s) for i, s in enumerate(gates)]
    gated = [v for v, is_gated in rows if is_gated]
    if gates:
        failed, undecided = "fail" in gates, "inconclusive" in gates
    else:
        failed, undecided = "worse" in gated, "inconclusive" in gated
    expected = (
        "regression"
        if failed
        else "inconclusive"
        if undecided
        else "better"
        if "better" in gated
        else "no regression"
    )
    assert c.verdict == expected
    assert c.failed == (expected in ("regression", "inconclusive"))

"""suite compare: exact statistics, the verdict rule, gates, exit codes, output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suite.cli.main import main
from suite.decisions.compare.core import compare_dirs
from suite.decisions.compare.stats import holm, mann_whitney_p, median_ci
from suite.errors import UsageError
from suite.gates.compare import parse_gate
from tests.helpers.decisions import fake_run


def test_median_ci_is_the_order_statistic_interval():
    ci = median_ci([6, 1, 5, 2, 4, 3])  # n = 6: [x(1), x(6)], coverage 1 - 2/64
    assert (ci.median, ci.low, ci.high) == (3.5, 1, 6)
    assert ci.coverage == pytest.approx(1 - 2 / 64)
    ci20 = median_ci(range(1, 21))  # n = 20: k = 6 (2 P(B <= 5) = 0.041; k = 7 would give 0.115)
    assert (ci20.low, ci20.high) == (6, 15)
    assert ci20.coverage == pytest.approx(1 - 2 * 21700 / 2**20)
    small = median_ci([1, 2, 3, 4, 5])
    assert small.median == 3 and small.low is None and small.coverage is None


def test_mann_whitney_and_holm():
    assert mann_whitney_p([1] * 6, [1] * 6) == 1.0
    assert mann_whitney_p(range(1, 7), range(7, 13)) == pytest.approx(2 / 924)  # exact: 2 / C(12, 6)
    assert holm([0.01, 0.04, 0.03, None]) == pytest.approx([0.03, 0.06, 0.06, None])


def test_gate_parsing():
    g = parse_gate("execution_time_s.p50 +10%")
    assert (g.metric, g.stat, g.sign, g.amount, g.relative) == ("execution_time_s", "p50", 1, 10.0, True)
    assert g.limit(50) == pytest.approx(55) and g.exceeded(50, 56) and not g.exceeded(50, 55)
    t = parse_gate("throughput_per_min.p50 -5%")
    assert t.exceeded(2.0, 1.8) and not t.exceeded(2.0, 1.95)
    assert parse_gate("queue_time_s.p95 +30s").limit(10) == 40
    for bad in ("execution_time_s.p50 10%", "nope.p50 +1%", "queue_time_s.p42 +1%"):
        with pytest.raises(UsageError):
            parse_gate(bad)


def _runs(tmp_path: Path, base: list[float], cand: list[float], **kw):
    return fake_run(tmp_path, "p-a", base, **kw), fake_run(tmp_path, "p-b", cand, **kw)


def test_identical_runs_are_not_different(tmp_path: Path):
    a, b = _runs(tmp_path, [60, 61, 62, 63, 64, 65, 66, 67], [60, 61, 62, 63, 64, 65, 66, 67])
    c = compare_dirs(a, b)
    assert c.metric("execution_time_s").verdict == "~"
    assert c.metric("execution_time_s").p_value == 1.0
    assert c.metric("cpu_mean").verdict == "inconclusive"  # no samples at all
    assert not c.regression


def test_slower_candidate_is_worse_and_a_regression(tmp_path: Path):
    base = [60.0 + i % 5 for i in range(20)]
    a, b = _runs(tmp_path, base, [1.2 * x for x in base])
    c = compare_dirs(a, b)
    ex = c.metric("execution_time_s")
    assert ex.verdict == "worse" and ex.p_adjusted is not None and ex.p_adjusted < 0.05
    assert ex.change_pct == pytest.approx(20.0)
    assert c.regression and c.verdict == "regression"
    better = compare_dirs(b, a).metric("execution_time_s")
    assert better.verdict == "better"


def test_significant_but_tiny_change_is_not_a_verdict(tmp_path: Path):
    base = [100.0] * 10 + [101.0] * 10
    a, b = _runs(tmp_path, base, [x + 2 for x in base])  # p tiny, but +2% < 5%
    ex = compare_dirs(a, b).metric("execution_time_s")
    assert ex.p_adjusted is not None and ex.p_adjusted < 0.05
    assert ex.verdict == "~" and "<" in ex.reason


def test_too_few_samples_is_inconclusive_with_how_many_are_needed(tmp_path: Path):
    a, b = _runs(tmp_path, [60, 61, 62], [90, 91, 92])
    ex = compare_dirs(a, b).metric("execution_time_s")
    assert ex.verdict == "inconclusive"
    assert "need >= 6 per run, have 3 (base) and 3 (candidate)" in ex.reason


def test_gates_decide_the_regression_when_given(tmp_path: Path):
    base = [60.0 + i % 5 for i in range(20)]
    a, b = _runs(tmp_path, base, [1.08 * x for x in base])  # 8% slower: worse, but within a 10% gate
    assert compare_dirs(a, b).regression
    c = compare_dirs(a, b, ["execution_time_s.p50 +10%"])
    assert not c.regression and c.gates[0].ok
    c = compare_dirs(a, b, ["execution_time_s.p50 +5%"])
    assert c.regression and not c.gates[0].ok


def test_cli_exit_codes_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    base = [60.0 + i % 5 for i in range(20)]
    a, b = _runs(tmp_path, base, base)
    slow = fake_run(tmp_path, "p-slow", [1.2 * x for x in base])
    other = fake_run(tmp_path, "q-a", base, profile="q")
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "execution time" in out and "verdict: NO REGRESSION" in out
    assert main(["compare", str(a), str(slow), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "suite.compare/v1" and doc["regression"] is True
    assert {m["metric"]: m["verdict"] for m in doc["metrics"]}["execution_time_s"] == "worse"
    assert main(["compare", str(a), str(slow), "--markdown", "--gate", "execution_time_s.p50 +25%"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("## Compare") and "| metric" in md and "**Verdict: NO REGRESSION**" in md
    assert main(["compare", str(a), str(other)]) == 2
    assert "different profiles" in capsys.readouterr().err
    assert main(["compare", str(a), str(other), "--force"]) == 0
    assert main(["compare", str(a), str(tmp_path / "nope")]) == 2
    assert main(["compare", str(a), str(b), "--gate", "bogus"]) == 2


def test_profile_gates_are_read_from_the_manifest(tmp_path: Path):
    base = [60.0 + i % 5 for i in range(20)]
    a, b = _runs(tmp_path, base, [1.08 * x for x in base])
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["profile"]["compare_gates"] = ["execution_time_s.p50 +10%"]
    (b / "manifest.json").write_text(json.dumps(manifest))
    c = compare_dirs(a, b)
    assert [g.expr for g in c.gates] == ["execution_time_s.p50 +10%"] and not c.regression


def test_profiles_that_differ_everywhere_give_one_short_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Four fields that differ once made a 314-character line; the differences are clipped."""
    base = [60.0 + i % 5 for i in range(20)]
    a, b = _runs(tmp_path, base, base)
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["profile"] |= {
        "workflow": "runner_test_with_a_long_name",
        "inputs": {"sleep_duration": 10, "job_count": 1, "payload": "x" * 80},
        "pattern": {"count": 3, "repeat": 1, "every_s": 30, "shape": "y" * 80},
        "seed": 12345,
    }
    (b / "manifest.json").write_text(json.dumps(manifest))
    assert main(["compare", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) <= 300, err
    assert "different profiles (workflow: " in err and err.rstrip().endswith("or pass --force")

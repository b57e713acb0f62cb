"""tools/bench.py: the synthetic run is analysable and self-consistent (a small N; `make bench` runs 1M)."""

from suite.analyze.result import compute_result
from tools.bench import Synthetic, main


def test_synthetic_run_analyses_consistently():
    syn = Synthetic(jobs=3000, runners=8, seed=3)
    r = compute_result(**syn.inputs())
    assert r["concurrency"]["max"] <= 8  # first-come first-served on 8 runners
    assert r["runners"]["configured"] == 8 and r["runners"]["observed"] == 8
    assert r["workflows"]["missing"] == []
    assert r["jobs"]["count"] == 3000  # the latest attempt's jobs; superseded attempt-1 jobs are not counted
    assert len(r["workflows"]["not_dispatched"]) == syn.workflows // 1000
    assert r["jobs"]["skipped"] > 0 and r["jobs"]["ran"] == r["execution_time_s"]["count"]
    assert r["resources"]["jobs_with_samples"] > 0
    assert r["saturation"]["pattern"] == "step" and r["saturation"]["stages"]
    assert r["little_law"]["relative_error"] < 0.05


def test_bench_main_reports_and_passes_for_a_small_run(capsys):
    assert main(["--jobs", "2000", "--runners", "5", "--max-seconds", "600"]) == 0
    out = capsys.readouterr().out
    assert "analysis" in out and "peak RSS" in out and "PASS" in out

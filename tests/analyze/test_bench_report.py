"""tools/bench_report.py: `suite report` beside its DuckDB reference, both shapes, at a small N (`make
bench-report` runs 1M). The reference must compute the same figures as result.json, or it proves nothing."""

from __future__ import annotations

import itertools
import json
import math
import re
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import duckdb
import pytest

from tools.bench import Synthetic
from tools.bench_measure import Measured
from tools.bench_report import CHECKED, compare, main, typical
from tools.bench_shapes import GITHUB_RUN_OBJECT_BYTES, real_jobs, real_runs

LINE = re.compile(
    r"^bench-report (compact|real): ([\d,]+) jobs \| suite report (\d+\.\d\d) s, peak ([\d,]+) MiB \| "
    r"reference (\d+\.\d\d) s, peak ([\d,]+) MiB \| ratio (\d+\.\d\d)x \(target <= 1000x\) \| "
    r"result\.json (\d+\.\d\d) MiB \| raw ([\d,]+) MiB \| (PASS|FAIL)( \(.*\))?$"
)


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    base = tmp_path_factory.mktemp("bench-report")
    loose = ["--max-ratio", "1000", "--max-mib", "100000", "--max-result-mib", "1000"]

    out = StringIO()
    with redirect_stdout(out):
        code = main(
            ["--jobs", "2000", "--runners", "20", "--dir", str(base), "--keep", "--repeat", "2", *loose]
        )
    return code, out.getvalue(), base


def test_reference_figures_equal_result_json_for_both_shapes(bench_run):
    code, out, base = bench_run
    assert "MISMATCH" not in out, out
    assert code == 0, out  # loose targets: only a figure that differs can fail this run
    for shape in ("compact", "real"):
        result = json.loads((base / shape / "result.json").read_text())
        assert result["jobs"]["count"] == 2000
        ref = f"SELECT count(*), max(queue_s) FROM '{base / shape / 'reference_jobs.parquet'}'"
        count, max_queue = duckdb.connect().execute(ref).fetchone()
        assert count == 2000 and max_queue == result["queue_time_s"]["max"]
        labels = ", ".join(label for label, _, _ in CHECKED)
        assert f"bench-report {shape}: figures equal: {labels}" in out


def test_one_line_per_shape_in_the_documented_format(bench_run):
    _, out, base = bench_run
    lines = [line for line in out.splitlines() if LINE.match(line)]
    assert [LINE.match(line).group(1) for line in lines] == ["compact", "real"]
    for line in lines:
        m = LINE.match(line)
        assert m.group(2) == "2,000" and m.group(10) == "PASS"
        suite_s, ref_s, ratio = float(m.group(3)), float(m.group(5)), float(m.group(7))
        # both times are printed rounded to 0.01 s: the ratio of the rounded ones is off by that much
        rounding = ratio * (0.006 / suite_s + 0.006 / ref_s)
        assert ratio == pytest.approx(suite_s / ref_s, abs=0.01 + 0.01 * ratio + rounding)
        size = (base / m.group(1) / "result.json").stat().st_size / 2**20
        assert float(m.group(8)) == pytest.approx(size, abs=0.005)
        assert int(m.group(4).replace(",", "")) > 0 and int(m.group(6).replace(",", "")) > 0


def test_reference_per_job_figures_equal_the_job_table(bench_run):
    """Job by job, the reference's CloudWatch join gives the suite's per-job CPU and memory."""
    _, _, base = bench_run
    cols = ("queue_s", "execution_s", "samples", "cpu_max", "cpu_mean_pct", "memory_max", "memory_mean_pct")
    for shape in ("compact", "real"):
        d = base / shape
        sql = (
            f"SELECT {', '.join(f't.{c}, r.{c}' for c in cols)} FROM '{d / 'tables' / 'jobs.parquet'}' t "
            f"FULL JOIN '{d / 'reference_jobs.parquet'}' r ON t.job_id = r.id"
        )
        rows = duckdb.connect().execute(sql).fetchall()
        assert len(rows) == 2000
        with_samples = 0
        for row in rows:
            for ours, theirs in zip(row[0::2], row[1::2], strict=True):
                assert (ours is None) == (theirs is None), row
                if ours is not None:
                    assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9), row
            with_samples += row[6] is not None
        assert with_samples > 0  # the join is exercised, not only its nulls


def test_a_figure_that_differs_is_named():
    result = {"jobs": {"count": 10, "ran": 9}, "queue_time_s": {"p95": 4.0}, "concurrency": {"max": 3}}
    figures = {"jobs": 10, "ran": 9, "queue_time_s": {"p95": 4.5}, "concurrency_max": 3}
    diff = compare(result, figures)
    assert "queue p95: result.json 4.0, reference 4.5" in diff
    assert not any(d.startswith(("jobs:", "max concurrency")) for d in diff)
    assert compare(result, {**figures, "accepted_without_run_id": 2})[0].startswith("2 accepted dispatch")


def test_real_shape_keeps_every_compact_field_and_githubs_sizes():
    syn = Synthetic(jobs=300, runners=4, seed=5)
    runs = list(zip(syn.run_rows(), real_runs(syn.run_rows()), strict=True))
    for compact, text in runs:
        obj = json.loads(text)
        assert {k: obj[k] for k in compact} == compact
        assert obj["url"].endswith(f"/actions/runs/{compact['id']}")
        assert "head_commit" in obj and "repository" in obj and "head_repository" in obj
        assert abs(len(text) / GITHUB_RUN_OBJECT_BYTES - 1) < 0.05
    for compact, text in itertools.islice(zip(syn.job_rows(), real_jobs(syn.job_rows()), strict=True), 300):
        obj = json.loads(text)
        assert {k: obj[k] for k in compact} == compact
        assert obj["url"].endswith(f"/actions/jobs/{compact['id']}")
        if compact["runner_name"] is None:
            assert obj["steps"] == [] and obj["runner_group_name"] is None
        else:
            tests = obj["steps"][2]
            assert tests["conclusion"] == compact["conclusion"]
            assert (tests["started_at"], tests["completed_at"]) == (
                compact["started_at"],
                compact["completed_at"],
            )


def test_a_dir_already_holding_a_run_is_refused_and_left_alone(tmp_path, capsys):
    (tmp_path / "compact").mkdir()
    (tmp_path / "compact" / "mine").write_text("kept")
    with pytest.raises(SystemExit) as exit_:
        main(["--jobs", "10", "--dir", str(tmp_path)])
    assert exit_.value.code == 2
    assert "name an empty or new --dir" in capsys.readouterr().err
    assert (tmp_path / "compact" / "mine").read_text() == "kept"


def test_repeated_runs_are_each_printed_and_their_median_compared(bench_run):
    _, out, _ = bench_run
    for shape in ("compact", "real"):
        runs = re.findall(rf"^bench-report {shape}: run (\d) of 2: suite report ", out, re.M)
        assert runs == ["1", "2"]
        warm = re.findall(rf"^bench-report {shape}: warm-up (\d) of 1 \(untimed\): suite report ", out, re.M)
        assert warm == ["1"]  # the default: one untimed pair, printed, before the measured ones
        assert out.index(f"{shape}: warm-up 1 of 1") < out.index(f"{shape}: run 1 of 2")


def test_typical_is_the_median_wall_time_with_the_largest_peaks():
    def m(wall: float, tree: float, single: float) -> Measured:
        return Measured(wall, 1.0, tree, single, 0, "", "")

    got = typical([m(3.0, 10, 50), m(1.0, 70, 20), m(2.0, 30, 30)])
    assert (got.wall_s, got.tree_peak_mib, got.single_peak_mib, got.peak_mib) == (2.0, 70, 50, 70)
    assert typical([m(4.0, 1, 1), m(2.0, 1, 1)]).wall_s == 2.0  # an even count: the lower middle

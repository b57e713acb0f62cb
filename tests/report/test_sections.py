"""suite.report.sections: the one section model summary.md and report.html render."""

from html import escape

import numpy as np

from suite.pipeline.analysis import analyze_run_dir
from suite.report.html import report_html
from suite.report.markdown import summary_markdown
from suite.report.sections import TIMINGS, sections
from suite.rundir.result_schema import DIST_STATS
from tests.helpers.hand_made_run import write_fixture


def test_both_views_show_the_models_labels_and_null_reasons(tmp_path):
    result = analyze_run_dir(write_fixture(tmp_path))
    model = sections(result)
    assert list(model) == [
        "workflows", "jobs", "timings", "load", "runners", "resources", "thresholds", "reasons",
    ]  # fmt: skip
    md, html = summary_markdown(result), report_html(result)
    for key in ("load", "resources"):
        for row in next(iter(model[key].tables.values())).rows:
            label = row.cells[0].value
            assert label in md and escape(label) in html, label
    for section in model.values():
        assert f"## {section.title}" in md or (section.key == "reasons" and not result["reasons"])
    timings = model["timings"].tables["distributions"]
    assert [r.key for r in timings.rows] == list(TIMINGS)
    assert timings.headers == ("figure", *DIST_STATS)
    for path, why in result["reasons"].items():
        assert escape(why) in html and why in md, path


def test_a_null_distribution_carries_its_reason_in_every_cell(tmp_path):
    (tmp_path / "empty").mkdir()
    result = analyze_run_dir(tmp_path / "empty")
    row = sections(result)["timings"].tables["distributions"].pick(["queue_time_s"])[0]
    assert row.reason == "raw/jobs.jsonl absent: the jobs were never collected (suite collect)"
    assert all(c.value is None and c.reason == row.reason for c in row.cells[2:])
    assert row.cells[1].value == 0  # the count: 0 samples


def test_the_runner_listing_is_capped_and_says_where_the_rest_are(tmp_path):
    """per_runner (in memory; result.json holds none): summary.md lists the first 50, report.html the first
    100, and both say how many more there are and that tables/runners.parquet holds them all."""
    write_fixture(tmp_path)
    result = analyze_run_dir(tmp_path)
    n = 150
    names = [f"runner-{i:03d}" for i in range(n)]
    result["per_runner"] = {
        "runner_name": names,
        "jobs": np.ones(n, np.int64),
        "busy_s": np.full(n, 2.0),
        "utilization": np.full(n, np.nan),
    }
    md, html = summary_markdown(result), report_html(result)
    assert "runner-049" in md and "runner-050" not in md
    assert "… and 100 more runners (see tables/runners.parquet)." in md
    assert "runner-099" in html and "runner-100" not in html
    assert "Showing the first 100 of 150 runners; all of them are in tables/runners.parquet." in html
    section = sections(result)["runners"]
    assert len(section.tables["per_runner"].rows) == 100 and section.facts["runners_listed"] == n
    assert section.tables["per_runner"].rows[0].cells[3].value is None  # a NaN utilization: null

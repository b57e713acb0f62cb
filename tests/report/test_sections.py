"""suite.report.sections: the one section model summary.md and report.html render."""

from html import escape

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

"""The one page (suite.report.page): its data carries result.json's figures exactly, and it embeds safely."""

import json
import re

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

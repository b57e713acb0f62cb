"""report.html: self-contained, the page data of every chart embedded, null shown as a dash with a reason."""

import itertools
import json
import re
import time
from html import escape
from html.parser import HTMLParser

from suite.analyze.result import with_thresholds
from suite.clock import iso
from suite.gates.thresholds import evaluate_all
from suite.pipeline.analysis import analyze_run_dir
from suite.report import series, write_reports
from suite.report.html import DASH, MAX_JOB_ROWS, report_html
from suite.report.page import page_data
from tests.helpers.synthetic_run import T0, synthetic_run, t


class Assets(HTMLParser):
    """Every element, and every attribute that could load something."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.imgs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a)
        for key in ("src", "href", "srcset", "data", "poster", "action"):
            if a.get(key):
                self.urls.append(a[key])


def _data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found is not None, "report.html embeds no page data"
    return json.loads(found.group(1))


def test_report_html_is_self_contained_with_every_chart(tmp_path):
    run_dir, result = synthetic_run(tmp_path)
    write_reports(run_dir, result)
    html = (run_dir / "report.html").read_text()
    p = Assets()
    p.feed(html)
    assert {"link", "iframe", "object", "embed", "img"}.isdisjoint(p.tags)
    assert p.urls == []  # no src, href, ...: every script and style is inline
    assert "url(" not in html and "@import" not in html
    data = _data(html)
    assert set(data["series"]) >= {"concurrency", "waiting", "dispatch", "queue", "gantt", "throughput"}
    assert data["test_run_id"] == "capacity-20261115T100000Z-synth1" and data["verdict"] == "pass"
    assert [t["expr"] for t in data["thresholds"]] == ["queue_time_s.p95 < 120"]
    assert data["series"]["gantt"]["cold_starts"] == 49  # 4 initial tasks + 45 replacements
    assert not (run_dir / "charts").exists()  # no PNG any more: the page draws its charts


def test_null_figures_are_dashes_with_reasons_never_zero(tmp_path):
    run_dir, result = synthetic_run(tmp_path)
    write_reports(run_dir, result)
    html = (run_dir / "report.html").read_text()
    last = result["per_job"][-1]
    assert last["cpu_max"] is None and last["resource_reason"]
    row = next(r for r in html.split("<tr") if f">{last['id']}<" in r)
    assert row.count(DASH) >= 4  # CPU max, CPU %, mem MiB, mem %
    assert ">0<" not in row and ">0%<" not in row
    assert escape(last["resource_reason"]) in row

    empty = analyze_run_dir(tmp_path / "nothing")  # no run at all: every figure null
    gated = with_thresholds(empty, evaluate_all(["queue_time_s.p95 < 120"], empty))
    html = report_html(gated)
    (threshold,) = _data(html)["thresholds"]  # the page's thresholds table draws it
    assert threshold["status"] == "inconclusive" and threshold["value"] is None
    assert "queue_time_s.p95 is null" in threshold["reason"]
    assert 'class="banner"' in html  # never collected: the incomplete banner under the title
    assert (
        "raw/jobs.jsonl absent: the jobs were never collected" in html
    )  # the queue figures' reason, beside their dashes
    assert "Figures that could not be observed" in html
    cards = html.split('class="cards"')[1].split("</div></div>")
    queue_card = next(c for c in cards if "queue p50" in c)
    assert (
        DASH in queue_card
        and "raw/jobs.jsonl absent: the jobs were never collected" in queue_card
        and ">0" not in queue_card
    )


def test_empty_run_still_writes_the_page_with_empty_series(tmp_path):
    result = analyze_run_dir(tmp_path)
    write_reports(tmp_path, result)
    data = _data((tmp_path / "report.html").read_text())
    assert data["series"]["queue"]["x"] == [] and data["series"]["gantt"]["s"] == []
    assert data["series"]["dispatch"]["counts"] == {"scheduled": 0, "sent": 0, "not_sent": 0}


def test_suite_report_regenerates_everything_from_raw(tmp_path):
    from suite.pipeline.run import report

    run_dir, _ = synthetic_run(tmp_path)
    assert report(run_dir) == 0
    for name in ("result.json", "summary.md", "jobs.csv", "junit.xml", "report.html"):
        assert (run_dir / name).exists()
    html = (run_dir / "report.html").read_text()
    assert _data(html)["series"]["dispatch"]["counts"]["sent"] == 45  # read back from ledger.jsonl
    assert report(run_dir) == 0  # deterministic: the same raw data gives the same files
    assert (run_dir / "report.html").read_text() == html


def test_jobs_table_is_capped_and_says_so(tmp_path):
    _, result = synthetic_run(tmp_path, n_jobs=6)
    many = result | {"per_job": [result["per_job"][0] | {"id": k} for k in range(MAX_JOB_ROWS + 7)]}
    html = report_html(many)
    assert f"Showing the first {MAX_JOB_ROWS:,} of {MAX_JOB_ROWS + 7:,} jobs" in html and "jobs.csv" in html
    assert html.count('<tr class="bad">') + html.count("<tr>") >= MAX_JOB_ROWS


def test_gantt_lanes_show_cold_starts_per_slot(tmp_path):
    from suite.rundir.jsonio import read_jsonl

    run_dir, result = synthetic_run(tmp_path, n_jobs=12, runners=4)
    g = series.gantt(result, read_jsonl(run_dir / "raw" / "tasks.jsonl"))
    assert len(g.lanes) == 4  # ephemeral tasks one after another pack into the 4 runner slots
    assert g.jobs_drawn == g.jobs_total == 12
    assert g.cold_starts == 4 + 12  # the initial tasks and one replacement per job
    for lane in g.lanes:
        assert all(b - a == 60.0 for a, b in lane.cold)
        jobs = sorted(iv for ivs in lane.jobs.values() for iv in ivs)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(jobs))  # no overlap in a lane
    assert sum(len(v) for v in g.lanes[0].jobs.values()) >= 3
    assert "failure" in {k for lane in g.lanes for k, v in lane.jobs.items() if v}


def running(steps: list[tuple[float, int]]) -> dict[str, list]:
    """The in-memory `timeline` columns with these running levels (none waiting)."""
    return {"time": [s[0] for s in steps], "running": [s[1] for s in steps], "waiting": [0] * len(steps)}


def test_concurrency_downsampling_keeps_the_peaks():
    timeline = [(T0 + s, 1 + (s % 7 == 0) * 5) for s in range(0, 50_000)]
    result = {"window": {"start": t(0), "end": t(50_000)}, "timeline": running(timeline)}
    steps = series.concurrency_steps(result, max_points=1000)
    assert steps.binned and len(steps.t) == 1001
    assert max(steps.v) == 6 and min(steps.v) == 6  # every bin holds a peak of 6
    small = series.concurrency_steps(result | {"timeline": running(timeline[:50])})
    assert not small.binned and small.t[0] == T0 and small.t[-1] == T0 + 50_000


def test_big_run_renders_downsampled_and_fast(tmp_path):
    """30,000 jobs (synthetic result): every chart downsampled or sliced, and it says so."""
    n, per = 30_000, []
    for i in range(n):
        s = i * 2.0
        per.append(
            {
                "id": i,
                "suite_id": f"wf-{i}",
                "runner_name": f"{i % 50:032x}",
                "conclusion": "success",
                "created": iso(T0 + s),
                "started": iso(T0 + s + 1),
                "completed": iso(T0 + s + 91),
                "queue_s": 1.0,
                "queue_from_schedule_s": 2.0,
            }
        )
    timeline = [(T0 + 2 * i + 1, min(46, i + 1)) for i in range(n)]
    result = {
        "window": {"start": t(0), "end": t(2 * n + 91)},
        "timeline": running(timeline),
        "runners": {"configured": 50},
        "throughput": {"jobs_per_min": 30.0},
        "per_job": per,
    }
    start = time.process_time()
    data = page_data(result)
    elapsed = time.process_time() - start
    assert elapsed < 15.0, f"{elapsed:.1f} s"
    sr = data["series"]
    assert sr["queue"]["stride"] == 2 and len(sr["queue"]["x"]) == 15_000  # every 2nd job, and says so
    assert sr["gantt"]["lanes"] == series.MAX_LANES and sr["gantt"]["lanes_total"] == 50
    assert sr["gantt"]["sliced"] and sr["gantt"]["max_jobs"] == series.MAX_GANTT_JOBS < 30_000
    assert sr["throughput"]["width_s"] == 120.0  # 1,001 minutes: merged into 2-minute bars
    assert len(sr["throughput"]["starts"]) <= series.MAX_BARS
    assert len(json.dumps(data)) < 3_000_000  # bounded by the series' caps, not by the job count

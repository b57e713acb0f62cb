"""report.html and charts/*.png: self-contained, every chart present, null shown as a dash with a reason."""

import itertools
import re
import time
from html import escape
from html.parser import HTMLParser

from suite.analyze.result import with_thresholds
from suite.clock import iso
from suite.gates.thresholds import evaluate_all
from suite.pipeline.analysis import analyze_run_dir
from suite.report import series, write_reports
from suite.report.charts import render_charts
from suite.report.html import DASH, MAX_JOB_ROWS, report_html
from tests.helpers.synthetic_run import CHARTS, T0, synthetic_run, t


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


def test_report_html_is_self_contained_with_every_chart(tmp_path):
    run_dir, result = synthetic_run(tmp_path)
    write_reports(run_dir, result)
    html = (run_dir / "report.html").read_text()
    p = Assets()
    p.feed(html)
    assert {"script", "link", "iframe", "object", "embed"}.isdisjoint(p.tags)
    assert all(u.startswith("data:image/png;base64,") for u in p.urls), [u[:40] for u in p.urls]
    assert [i["alt"] for i in p.imgs] == [
        "Concurrency over time",
        "Queue time by dispatch time",
        "Runner timeline",
        "Throughput per minute",
        "CPU and memory per task over time",
    ]
    assert "url(" not in html and "@import" not in html
    for name in CHARTS:
        png = (run_dir / "charts" / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
        assert f'id="chart-{name}"' in html
    assert "capacity-20261115T100000Z-synth1" in html and ">PASS<" in html
    assert "queue_time_s.p95 &lt; 120" in html
    assert "49 cold start(s) shown" in html  # 4 initial tasks + 45 replacements


def test_render_time_of_a_45_job_run(tmp_path):
    run_dir, result = synthetic_run(tmp_path, n_jobs=45)
    write_reports(run_dir, result)  # warm: fonts and matplotlib's caches
    start = time.process_time()  # CPU time: a busy CI machine must not fail this
    write_reports(run_dir, result)
    elapsed = time.process_time() - start
    assert elapsed < 3.0, f"rendering a 45-job report took {elapsed:.2f} s of CPU"


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
    html = report_html(gated, render_charts(gated, [], [], []))
    assert ">INCONCLUSIVE<" in html  # the threshold: its figure is null
    assert 'class="badge incomplete">INCOMPLETE<' in html and 'class="banner"' in html  # never collected
    assert (
        "raw/jobs.jsonl absent: the jobs were never collected" in html
    )  # the queue figures' reason, beside their dashes
    assert "queue_time_s.p95 is null" in html  # the threshold's reason
    assert "Figures that could not be observed" in html
    cards = html.split('class="cards"')[1].split("</div></div>")
    queue_card = next(c for c in cards if "queue p50" in c)
    assert (
        DASH in queue_card
        and "raw/jobs.jsonl absent: the jobs were never collected" in queue_card
        and ">0" not in queue_card
    )


def test_empty_run_still_renders_every_chart_saying_why(tmp_path):
    result = analyze_run_dir(tmp_path)
    write_reports(tmp_path, result)
    for name in CHARTS:
        assert (tmp_path / "charts" / f"{name}.png").stat().st_size > 2000


def test_suite_report_regenerates_everything_from_raw(tmp_path):
    from suite.pipeline.run import report

    run_dir, _ = synthetic_run(tmp_path)
    assert report(run_dir) == 0
    for name in ("result.json", "summary.md", "jobs.csv", "junit.xml", "report.html"):
        assert (run_dir / name).exists()
    first = {n: (run_dir / "charts" / f"{n}.png").read_bytes() for n in CHARTS}
    html = (run_dir / "report.html").read_text()
    assert report(run_dir) == 0  # deterministic: the same raw data gives the same files
    assert {n: (run_dir / "charts" / f"{n}.png").read_bytes() for n in CHARTS} == first
    assert (run_dir / "report.html").read_text() == html


def test_jobs_table_is_capped_and_says_so(tmp_path):
    _, result = synthetic_run(tmp_path, n_jobs=6)
    many = result | {"per_job": [result["per_job"][0] | {"id": k} for k in range(MAX_JOB_ROWS + 7)]}
    html = report_html(many, [])
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


def test_concurrency_downsampling_keeps_the_peaks():
    timeline = [[iso(T0 + s), 1 + (s % 7 == 0) * 5] for s in range(0, 50_000)]
    result = {"window": {"start": t(0), "end": t(50_000)}, "concurrency": {"timeline": timeline}}
    steps = series.concurrency_steps(result, max_points=1000)
    assert steps.binned and len(steps.t) == 1001
    assert max(steps.v) == 6 and min(steps.v) == 6  # every bin holds a peak of 6
    small = series.concurrency_steps(result | {"concurrency": {"timeline": timeline[:50]}})
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
    timeline = [[iso(T0 + 2 * i + 1), min(46, i + 1)] for i in range(n)]
    result = {
        "window": {"start": t(0), "end": t(2 * n + 91)},
        "concurrency": {"timeline": timeline},
        "runners": {"configured": 50},
        "throughput": {"jobs_per_min": 30.0},
        "per_job": per,
    }
    start = time.process_time()
    charts = render_charts(result, [], [], [])
    elapsed = time.process_time() - start
    assert elapsed < 15.0, f"{elapsed:.1f} s"
    caption = {c.name: c.caption for c in charts}
    assert "Downsampled" in caption["queue_time"]
    assert "Showing 40 of 50 lanes" in caption["runner_timeline"]
    assert f"Showing {series.MAX_GANTT_JOBS // 2} of" not in caption["runner_timeline"]
    assert re.search(r"Showing \d+ of 30000 jobs \(the start of the run\)", caption["runner_timeline"])
    assert "per 2 minutes" in caption["throughput"]  # 1,001 minutes: merged into 2-minute bars

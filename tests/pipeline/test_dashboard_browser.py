"""The live dashboard in headless Chromium during a twin run (issue 17, done-when): the page's figures
change as the run goes, and at the end they are exactly result.json's.

The twin runs on a stepped clock this test holds: time moves only while the test sleeps on it, so the
page is read at known points of the run, never by racing the wall clock. The browser waits for the
page's own figures to change (Playwright's wait_for_function), with a generous real-time limit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from suite.clock import start_thread
from suite.fleet.environments import local_target
from suite.pipeline.dashboard import Dashboard
from suite.pipeline.run import run_profile
from suite.rundir.result_schema import value_at
from tests.helpers.browser import open_browser, requests_of
from tests.helpers.twin import start_twin

PROFILE = """\
workflow: runner_test
inputs: {sleep_duration: 60, job_count: 1, job_type: parallel}
pattern: {type: steady, rate_per_min: 2, duration_s: 600}
drain_timeout_s: 1800
thresholds: ["workflows.success_rate >= 1", "concurrency.max <= runners.configured"]
"""
WAIT_MS = 30_000  # real time for the page to show what the run did (it reads every 2 s)
FIGURES = (
    "() => Object.fromEntries([...document.querySelectorAll('[data-figure]')]"
    ".map(e => [e.dataset.figure, e.dataset.value]))"
)


def figures(page: Any) -> dict[str, Any]:
    return {path: json.loads(v) for path, v in page.evaluate(FIGURES).items()}


def test_the_dashboard_shows_the_run_as_it_goes_and_ends_on_result_json(tmp_path: Path) -> None:
    path = tmp_path / "steady.yaml"
    path.write_text(PROFILE)
    twin = start_twin(speed=60.0)
    twin.clock.sleep(95)  # every runner online; from here this thread is one of the clock's actors
    done: list[tuple[int, Path]] = []
    with Dashboard(0) as dashboard:
        run = start_thread(
            twin.clock,
            lambda: done.append(
                run_profile(
                    path,
                    "local",
                    tmp_path / "reports",
                    target=local_target(twin.state()),
                    dashboard=dashboard,
                )
            ),
            "run",
        )
        try:
            with open_browser() as browser:
                page = browser.new_page()
                asked = requests_of(page)
                page.goto(dashboard.url)
                # time holds still: the run waits for its first slots, the page shows what it has so far
                page.wait_for_function(
                    "() => document.querySelector('[data-figure=\"workflows.dispatched\"]')", timeout=WAIT_MS
                )
                seen = [figures(page)["workflows.dispatched"]]
                for _ in range(2):  # 5 minutes of the run's clock, twice: more is dispatched each time
                    twin.clock.sleep(300)
                    page.wait_for_function(
                        "v => JSON.parse(document.querySelector('[data-figure=\"workflows.dispatched\"]')"
                        ".dataset.value) !== v",
                        arg=seen[-1],
                        timeout=WAIT_MS,
                    )
                    seen.append(figures(page)["workflows.dispatched"])
                lanes_seen = page.evaluate(
                    "() => fetch('/data.json').then(r => r.json()).then(d => d.series.gantt.lanes)"
                )
                while run.is_alive():  # the rest of the run: its drain, collection and report
                    twin.clock.sleep(600)
                code, rd = done[0]
                result = json.loads((rd / "result.json").read_text())
                final = {p: value_at(result, p) for p in figures(page)}
                page.wait_for_function(
                    f"want => Object.entries(want).every(([p, v]) => "
                    f"JSON.stringify(JSON.parse(({FIGURES})()[p])) === JSON.stringify(v))",
                    arg=final,
                    timeout=WAIT_MS,
                )
                shown = figures(page)
                status = page.evaluate("() => fetch('/data.json').then(r => r.json()).then(d => d.status)")
        finally:
            while run.is_alive():
                twin.clock.sleep(600)
            twin.stop()
    assert code == 0 and len(shown) >= 9
    assert shown == {p: value_at(result, p) for p in shown}  # every figure on the page is result.json's
    assert seen[0] != seen[1] and seen[1] is not None and seen[2] is not None
    assert 0 < seen[1] < seen[2] <= result["workflows"]["dispatched"]  # it grew as the run dispatched
    assert status["stage"] == "done" and status["report"] == str(rd / "report.html")
    # the fleet's task events were read live: the page drew runner lanes mid-run, and the booting count is
    # observed (an ephemeral fleet's replacements for the last jobs' tasks may still be booting)
    assert isinstance(status["jobs"]["booting"], int) and 0 <= status["jobs"]["booting"] <= 4
    assert lanes_seen > 0
    assert all(url.startswith(dashboard.url) for url in asked), asked  # nothing from outside the run

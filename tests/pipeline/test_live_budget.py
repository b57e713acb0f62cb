"""The API budget of watching a run (issue 17, done-when): the stock `capacity` profile on a stepped twin
costs at most 2.5 counted requests per workflow, with the live dashboard open and read all along, and
without it: the same requests either way, since the page reads only what the live observer already
read (docs/architecture.md: Live dashboard)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx

from suite.dispatch.preflight import PROGRESS_POLL_S, progress_poll_s
from suite.fleet.environments import local_target
from suite.pipeline.dashboard import DATA_PATH, Dashboard
from suite.pipeline.run import run_profile
from suite.profiles.profile import load_profile
from tests.helpers.twin import start_twin

PROFILE = Path(__file__).resolve().parents[2] / "profiles" / "capacity.yaml"


def _capacity(tmp_path: Path, dashboard: Dashboard | None) -> dict[str, Any]:
    twin = start_twin(speed=120.0)
    try:
        code, rd = run_profile(
            PROFILE, "local", tmp_path / "reports", target=local_target(twin.state()), dashboard=dashboard
        )
    finally:
        twin.stop()
    assert code == 0
    api: dict[str, Any] = json.loads((rd / "result.json").read_text())["api"]
    return api


def test_capacity_costs_at_most_2_5_counted_requests_per_workflow_with_the_dashboard_open(tmp_path: Path):
    without = _capacity(tmp_path / "without", None)
    reads: list[int] = []
    stop = threading.Event()
    with Dashboard(0) as dashboard:

        def watch() -> None:  # a page open all along: it reads the data as often as it can
            with httpx.Client() as http:
                while not stop.is_set():
                    reads.append(http.get(dashboard.url.rstrip("/") + DATA_PATH).status_code)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            watched = _capacity(tmp_path / "with", dashboard)
        finally:
            stop.set()
            watcher.join(timeout=10)
    assert len(reads) > 10 and set(reads) == {200}
    for api in (without, watched):
        assert api["dispatched_workflows"] == 45
        assert api["per_workflow"] <= 2.5, api
        ends = api["per_endpoint"]
        # the floor: one dispatch and one jobs read per workflow (each run's jobs read once, at completion)
        assert ends["dispatch"]["counted"] == ends["list_jobs"]["requests"] == 45
        assert ends["list_runs"]["counted"] + ends["list_runners"]["counted"] <= 0.5 * 45
    assert watched["per_endpoint"] == without["per_endpoint"]  # the dashboard asked GitHub nothing


def test_the_poll_interval_is_derived_from_the_budget():
    profile = load_profile(PROFILE, "local")
    offsets = profile.schedule()
    poll = progress_poll_s(offsets[-1], len(offsets))
    # 45 workflows over 1760 s: 0.25 x 45 = 11 reads, 8 polls (each a runs page, the runners every 4th)
    assert poll == 220.0 and poll >= PROGRESS_POLL_S
    assert progress_poll_s(60.0, 3) == PROGRESS_POLL_S  # a small run: one poll a minute at most

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
from hypothesis import given
from hypothesis import strategies as st

from suite.dispatch.preflight import DRAIN_POLL_S, MAX_DRAIN_POLL_S, PROGRESS_POLL_S, progress_poll_s
from suite.fleet.environments import local_target
from suite.pipeline.dashboard import DATA_PATH, Dashboard
from suite.pipeline.observer import LiveObserver
from suite.pipeline.run import run_profile
from suite.profiles.profile import load_profile
from tests.helpers.twin import start_twin

PROFILES = Path(__file__).resolve().parents[2] / "profiles"
PROFILE = PROFILES / "capacity.yaml"


def _api(tmp_path: Path, dashboard: Dashboard | None, profile: Path = PROFILE) -> tuple[int, dict[str, Any]]:
    twin = start_twin(speed=120.0)
    try:
        twin.clock.sleep(95)  # every runner online (cold start <= 90 s), as after `suite deploy`
        code, rd = run_profile(
            profile, "local", tmp_path / "reports", target=local_target(twin.state()), dashboard=dashboard
        )
    finally:
        twin.stop()
    result = json.loads((rd / "result.json").read_text())
    return code, result["api"] | {"aborted": result["dispatch"]["aborted"]}


def _capacity(tmp_path: Path, dashboard: Dashboard | None) -> dict[str, Any]:
    code, api = _api(tmp_path, dashboard)
    assert code == 0
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


def test_an_abort_on_fail_profile_stays_within_the_budget_too(tmp_path: Path):
    """`stress` overloads the fleet until its abort_on_fail threshold stops the load: the abort check
    reads nothing of its own, and the long drain of the backlog polls less often (observer.drain_poll_s)."""
    code, api = _api(tmp_path, None, PROFILES / "stress.yaml")
    assert code == 1 and api["aborted"] is not None
    assert api["per_workflow"] <= 2.5, api
    ends = api["per_endpoint"]
    assert ends["dispatch"]["counted"] == ends["list_jobs"]["requests"] == api["dispatched_workflows"]


@given(
    completed=st.integers(0, 500),
    left=st.integers(0, 500),
    since=st.floats(0, 1e6, allow_nan=False),
)
def test_the_drain_polls_every_30_to_120_s_of_the_clock(completed: int, left: int, since: float) -> None:
    class Tracker:
        def outstanding(self) -> list[int]:
            return list(range(left))

    class Clock:
        speed = 1.0

        def now(self) -> float:
            return 1000.0 + since

    observer = LiveObserver.__new__(LiveObserver)
    observer.clock, observer.tracker, observer.slots = Clock(), Tracker(), [1000.0]  # type: ignore[assignment]
    poll = observer.drain_poll_s({"completed": completed})
    assert DRAIN_POLL_S <= poll <= MAX_DRAIN_POLL_S
    if completed and Clock().now() > 1000.0:  # half the time the runs left take at the rate seen so far
        elapsed = Clock().now() - 1000.0  # the clock's elapsed time, as the observer computes it
        assert poll == min(MAX_DRAIN_POLL_S, max(DRAIN_POLL_S, 0.5 * left * elapsed / completed))

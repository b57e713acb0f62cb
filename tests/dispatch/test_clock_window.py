"""The `created` window on GitHub's clock (suite.github.clock_offset): exact arithmetic, so a property.

Model: GitHub's clock = ours + o. An answer to a request sent at our a and read at our b ≥ a carries
`Date` = ⌊s + o⌋, stamped at some s in [a, b]; the sample is Date − b and the offset used is the samples'
lowest. A dispatch sent at our t is stamped created_at = ⌊c + o⌋ at some c ≥ t. The window must hold
every such run (never dispatched twice, never missing) and reach back no further than the margin plus
the `Date` error and the slowest answer (one listing page, not the repository's history)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.dispatch.dispatcher import DispatchPlan, run_dispatches
from suite.errors import EnvironmentFailure
from suite.github.clock_offset import (
    CLOCK_MARGIN_S,
    DATE_ERROR_S,
    check_offset,
    created_since,
    window_offset,
)
from suite.isotime import parse_iso
from suite.rundir.jsonio import JsonlAppender
from tests.helpers.clocks import FakeClock

EPOCH = st.floats(min_value=1.6e9, max_value=2.2e9, allow_nan=False)
OFFSET = st.floats(min_value=-86400.0, max_value=86400.0, allow_nan=False)
RTT = st.floats(min_value=0.0, max_value=30.0, allow_nan=False)  # a try's timeout is 30 s
FRACTION = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(
    t=EPOCH,
    o=OFFSET,
    samples=st.lists(st.tuples(EPOCH, RTT, FRACTION), min_size=1, max_size=9),
    after=st.floats(min_value=0.0, max_value=86400.0, allow_nan=False),
)
def test_the_window_holds_every_run_the_dispatch_created_and_reaches_back_only_the_margin(
    t: float, o: float, samples: list[tuple[float, float, float]], after: float
) -> None:
    measured = []
    for a, rtt, where in samples:
        b = a + rtt
        s = a + where * rtt  # when GitHub stamped Date, between send and receipt
        measured.append(float(int(s + o)) - b)
    bound = parse_iso(created_since(t, min(measured)))
    created_at = float(int(t + after + o))  # created at or after the send, GitHub's 1 s resolution
    assert created_at >= bound
    slowest = max(rtt for _, rtt, _ in samples)
    assert bound >= t + o - CLOCK_MARGIN_S - DATE_ERROR_S - slowest - 2.0


class Source:
    """An OffsetSource: the offsets its answers carry (median and lowest), set by its next request."""

    def __init__(self, offset: float | None, low: float | None = None, after_request: float | None = None):
        self.offset, self.low, self.after_request = offset, offset if low is None else low, after_request
        self.requests = 0

    def clock_offset_s(self) -> float | None:
        return self.offset

    def clock_offset_low_s(self) -> float | None:
        return self.low

    def rate_limit(self) -> dict[str, Any]:
        self.requests += 1
        self.offset = self.low = self.after_request
        return {}


def test_an_offset_not_yet_measured_is_measured_with_one_uncounted_request() -> None:
    src = Source(None, after_request=-900.4)
    assert window_offset(src) == -900.4 and src.requests == 1
    assert window_offset(src) == -900.4 and src.requests == 1  # known: nothing more asked


def test_no_date_header_is_named_exit_3_on_one_line() -> None:
    with pytest.raises(EnvironmentFailure) as err:
        window_offset(Source(None))
    assert err.value.exit_code == 3 and "\n" not in str(err.value)
    assert "no Date header" in str(err.value) and "HTTPS_PROXY" in str(err.value)


def test_windows_use_the_lowest_sample_and_the_median_is_named() -> None:
    src = Source(3600.0, low=3540.0)  # an hour off; one answer was a minute slow
    assert window_offset(src) == 3540.0 and check_offset(src) == 3600.0


class NoDateGitHub(Source):
    def __init__(self) -> None:
        super().__init__(None)
        self.dispatches = 0

    def dispatch(self, *args: object, **kwargs: object) -> Any:
        self.dispatches += 1
        raise AssertionError("dispatched without a clock")

    def find_run(self, display_title: str, created_since_iso: str) -> dict[str, Any] | None:
        return None


def test_nothing_is_dispatched_when_github_s_clock_cannot_be_measured(tmp_path: Any) -> None:
    gh = NoDateGitHub()
    plan = DispatchPlan("runner_test.yml", "main", {}, [0.0, 1.0], "t")
    clock = FakeClock(1_800_000_000.0)
    with JsonlAppender(tmp_path / "ledger.jsonl") as ledger, pytest.raises(EnvironmentFailure):
        run_dispatches(plan, gh, clock, ledger, clock.now())
    assert gh.dispatches == 0 and (tmp_path / "ledger.jsonl").read_text() == ""


class FailingSource(Source):
    """GET /rate_limit fails; its error answer may still have carried a Date."""

    def rate_limit(self) -> dict[str, Any]:
        self.requests += 1
        self.offset = self.low = self.after_request
        raise EnvironmentFailure("GitHub answered 502 to rate_limit after 5 tries")


def test_an_error_answer_s_date_is_enough_and_no_answer_is_that_failure() -> None:
    assert window_offset(FailingSource(None, after_request=12.0)) == 12.0
    with pytest.raises(EnvironmentFailure, match="502"):
        window_offset(FailingSource(None, after_request=None))

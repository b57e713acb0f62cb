"""GitHub's clock seen from ours: the measured offset, and the `created` bounds that use it.

offset = GitHub's time − our time, measured from GitHub's `Date` header (the median of the samples the
session keeps, suite.github.cost). GitHub stamps `created_at` on its own clock, so every `created>=`
filter the suite sends is a local instant moved onto GitHub's clock by the offset:

    created_since(t, offset) = ⌊t + offset − DATE_ERROR_S − CLOCK_MARGIN_S⌋   (ISO, 1 s resolution)

Why that covers every run created by a request sent at local time t (held by a property test):
a sample is `Date` − our time when the answer arrived, and `Date` is GitHub's time truncated to the
second when the answer was made, before it arrived; so with steady clocks every sample, and their
median, is at most the true offset (the error only widens the window). DATE_ERROR_S allows for a
`Date` stamped by a front end whose clock is a second ahead of the one stamping `created_at`;
CLOCK_MARGIN_S for GitHub's servers disagreeing among themselves and for drift since the samples.

A skew of any size is measured and corrected. What the margin cannot cover is a clock that moves
under us: samples that disagree by more than CLOCK_MARGIN_S (a clock stepped by NTP, or jumping), or
no sample at all (no `Date` header: a proxy stripping it). check_offset names either before the first
dispatch (EnvironmentFailure, exit 3), rather than match runs to dispatches on a guess.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from suite.clock import iso
from suite.errors import EnvironmentFailure, SuiteError

DATE_ERROR_S = 1.0  # `Date` has 1 s resolution
CLOCK_MARGIN_S = 60.0  # GitHub's servers among themselves, drift during a run, a slow answer
NAMED_SKEW_S = 5.0  # a measured offset beyond this is named in the log before the first dispatch


class OffsetSource(Protocol):
    def clock_offset_s(self) -> float | None: ...

    def clock_offset_spread_s(self) -> float | None: ...

    def rate_limit(self) -> dict[str, Any]: ...


def created_since(local_t: float, offset_s: float) -> str:
    """The `created>=` bound (GitHub's clock) that includes every run created by a request sent at
    local time `local_t` or later, given the measured `offset_s` (GitHub − local)."""
    return iso(math.floor(local_t + offset_s - DATE_ERROR_S - CLOCK_MARGIN_S))


def measured_offset(client: OffsetSource) -> float:
    """The client's measured offset; one uncounted request (GET /rate_limit) first when no answer has
    carried a `Date` header yet (any answer will do, an error too). Raises that request's SuiteError
    when it got no answer, EnvironmentFailure when the answers carry no `Date`."""
    offset = client.clock_offset_s()
    if offset is None:
        try:
            client.rate_limit()
        except SuiteError:  # an error answer carries a Date too; no answer at all is that failure
            if client.clock_offset_s() is None:
                raise
        offset = client.clock_offset_s()
    if offset is None:
        raise EnvironmentFailure(
            "GitHub's answers carry no Date header, so the offset between this machine's clock and "
            "GitHub's cannot be measured and runs cannot be matched to dispatches safely: check for a "
            "proxy (HTTPS_PROXY) that strips the Date header"
        )
    return offset


def check_offset(client: OffsetSource) -> float:
    """Before the first dispatch: the measured offset, once the samples are known to agree within the
    margin (clock_offset_spread_s). Raises EnvironmentFailure naming the clock problem when the offset
    cannot be measured or moves."""
    offset = measured_offset(client)
    spread_s = client.clock_offset_spread_s()
    if spread_s is not None and spread_s > CLOCK_MARGIN_S + DATE_ERROR_S:
        raise EnvironmentFailure(
            f"the offset between this machine's clock and GitHub's moved by {spread_s:.0f} s between "
            f"answers (more than the {CLOCK_MARGIN_S:.0f} s margin runs are matched with): a clock was "
            "stepped; let NTP settle (timedatectl / chronyc tracking) and run again"
        )
    return offset

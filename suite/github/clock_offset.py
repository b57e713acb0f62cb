"""GitHub's clock seen from ours: the measured offset, and the `created` bounds that use it.

offset = GitHub's time − our time, measured from GitHub's `Date` header on every answer (the session
keeps the samples, suite.github.cost). GitHub stamps `created_at` on its own clock, so every `created>=`
filter the suite sends is a local instant moved onto GitHub's clock by the offset:

    created_since(t, low) = ⌊t + low − DATE_ERROR_S − CLOCK_MARGIN_S⌋   (ISO, 1 s resolution)

with `low` the lowest sample kept. Why that covers every run created by a request sent at local time t
(held by a property test): a sample is `Date` − our time when the answer arrived, and `Date` is GitHub's
time truncated to the second when the answer was made, before it arrived; so no sample is above the
true offset (a slow answer only widens the window). The lowest, not the median: when our clock is
stepped forward mid-run (NTP), the offset drops and the first sample after the step carries it, where
a median would lag for half the samples. DATE_ERROR_S allows for a `Date` stamped by a front end whose
clock is a second ahead of the one stamping `created_at`; CLOCK_MARGIN_S for GitHub's servers
disagreeing among themselves and for drift since the last sample.

A skew of any size is measured and corrected (check_offset names one over NAMED_SKEW_S before the first
dispatch). What no margin covers is a clock that cannot be measured at all: no `Date` header (a proxy
stripping it). That stops the run before its first dispatch (EnvironmentFailure, exit 3), rather than
match runs to dispatches on a guess.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from suite.clock import iso
from suite.errors import EnvironmentFailure, SuiteError

DATE_ERROR_S = 1.0  # `Date` has 1 s resolution
CLOCK_MARGIN_S = 60.0  # GitHub's servers among themselves, drift since the last sample
NAMED_SKEW_S = 5.0  # a measured offset beyond this is named in the log before the first dispatch


class OffsetSource(Protocol):
    def clock_offset_s(self) -> float | None: ...

    def clock_offset_low_s(self) -> float | None: ...

    def rate_limit(self) -> dict[str, Any]: ...


def created_since(local_t: float, low_offset_s: float) -> str:
    """The `created>=` bound (GitHub's clock) that includes every run created by a request sent at
    local time `local_t` or later, given the lowest offset sample `low_offset_s` (GitHub − local)."""
    return iso(math.floor(local_t + low_offset_s - DATE_ERROR_S - CLOCK_MARGIN_S))


def window_offset(client: OffsetSource) -> float:
    """The offset `created` windows are built on: the client's lowest sample, after one uncounted
    request (GET /rate_limit) when no answer has carried a `Date` header yet (any answer will do, an
    error too). Raises that request's SuiteError when it got no answer, EnvironmentFailure when the
    answers carry no `Date`."""
    if client.clock_offset_low_s() is None:
        try:
            client.rate_limit()
        except SuiteError:  # an error answer carries a Date too; no answer at all is that failure
            if client.clock_offset_low_s() is None:
                raise
    low = client.clock_offset_low_s()
    if low is None:
        raise EnvironmentFailure(
            "GitHub's answers carry no Date header, so the offset between this machine's clock and "
            "GitHub's cannot be measured and runs cannot be matched to dispatches safely: check for a "
            "proxy (HTTPS_PROXY) that strips the Date header"
        )
    return low


def check_offset(client: OffsetSource) -> float:
    """Before the first dispatch: GitHub's clock measured (window_offset's errors otherwise); returns
    the offset to name (the samples' median, as the manifest records it)."""
    low = window_offset(client)
    offset = client.clock_offset_s()
    return low if offset is None else offset

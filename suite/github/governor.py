"""The rate-limit governor: GitHub's documented rules for integrators, applied to every request.

Rules (GitHub REST docs "Best practices for using the REST API" and "Rate limits for the REST API"):

- requests are serial: one in flight at a time (`Governor.serial()`);
- at least `min_mutation_interval_s` (1 s) between mutating requests (POST/PATCH/PUT/DELETE);
- a points budget per rolling minute (GET/HEAD/OPTIONS 1 point, anything else 5) kept at or below
  `points_per_minute` (800, under GitHub's 900);
- a rate-limited answer (403/429): honour `retry-after`; else, when `x-ratelimit-remaining` is 0, wait
  until `x-ratelimit-reset` (+1 s: the header has 1 s resolution); else wait at least 60 s, doubling on
  each further rate-limited answer; at most `rate_limit_tries` tries in all;
- idempotent GETs are retried on 5xx and connection errors: 1 s, 2 s, 4 s ... (capped at 60 s), at
  most `get_tries` tries in all.

The wait computations are pure functions; `Governor` only keeps the history and sleeps on the clock,
so the twin's virtual time applies to every wait.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from suite.clock import Clock, clock_lock

MUTATING = frozenset({"POST", "PATCH", "PUT", "DELETE"})
SECONDARY_WINDOW_S = 60.0
GET_POINTS = 1
MUTATION_POINTS = 5
NO_HINT_WAIT_S = 60.0
RESET_MARGIN_S = 1.0
MAX_RATE_LIMIT_WAIT_S = 3600.0 + RESET_MARGIN_S
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 60.0


@dataclass(frozen=True)
class GovernorConfig:
    min_mutation_interval_s: float = 1.0
    points_per_minute: int = 800  # GitHub's secondary limit is 900; keep a margin
    rate_limit_tries: int = 6  # tries in all for a request that keeps being rate limited
    get_tries: int = 5  # tries in all for an idempotent GET on 5xx / connection errors

    def __post_init__(self) -> None:
        if self.min_mutation_interval_s < 0:
            raise ValueError("min_mutation_interval_s must be >= 0")
        if self.points_per_minute < MUTATION_POINTS:
            raise ValueError(f"points_per_minute must be >= {MUTATION_POINTS}")
        if self.rate_limit_tries < 1 or self.get_tries < 1:
            raise ValueError("tries must be >= 1")


def points(method: str) -> int:
    """Secondary-limit points of one request: 1 for reads, 5 for mutations."""
    return MUTATION_POINTS if method.upper() in MUTATING else GET_POINTS


def header_float(headers: Mapping[str, str], name: str) -> float | None:
    """A numeric response header, or None when it is absent or not a number."""
    value = headers.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def rate_limit_wait_s(headers: Mapping[str, str], now: float, rate_limited_answers: int) -> float:
    """Seconds to wait after the `rate_limited_answers`-th (1-based) rate-limited answer in a row.

    retry-after wins; else remaining == 0 with a reset -> until reset + 1 s; else 60 s, 120 s, 240 s ...
    `headers` must be case-insensitive or lower-case (httpx.Headers is).
    """
    retry_after = header_float(headers, "retry-after")
    if retry_after is not None:
        return max(0.0, retry_after)
    reset = header_float(headers, "x-ratelimit-reset")
    if headers.get("x-ratelimit-remaining") == "0" and reset is not None:
        return min(MAX_RATE_LIMIT_WAIT_S, max(0.0, reset - now) + RESET_MARGIN_S)
    return NO_HINT_WAIT_S * 2.0 ** max(0, rate_limited_answers - 1)


def backoff_s(failures: int) -> float:
    """Wait after the `failures`-th (1-based) 5xx or connection error in a row: 1, 2, 4 ... <= 60 s."""
    return min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** max(0, failures - 1))


def mutation_wait_s(last_mutation_at: float | None, now: float, interval_s: float) -> float:
    """Seconds to wait before a mutating request so that it goes >= interval_s after the last one."""
    if last_mutation_at is None:
        return 0.0
    return max(0.0, last_mutation_at + interval_s - now)


def points_wait_s(
    history: list[tuple[float, int]], now: float, cost: int, budget: int, window_s: float = SECONDARY_WINDOW_S
) -> float:
    """Seconds to wait so that the points spent in the rolling window ending at the send time, plus
    `cost`, stay <= budget. `history` is (sent_at, points), oldest first."""
    live = [(t, p) for t, p in history if t > now - window_s]
    spent = sum(p for _, p in live)
    if spent + cost <= budget:
        return 0.0
    # drop the oldest entries until the rest plus this request fit; wait until the last dropped expires
    excess = spent + cost - budget
    for t, p in live:
        excess -= p
        if excess <= 0:
            return max(0.0, t + window_s - now)
    return window_s  # pragma: no cover - cost <= budget guarantees the loop returns


class Governor:
    """Serialises requests and spaces them by the rules above; counts the time it waits."""

    def __init__(self, clock: Clock, config: GovernorConfig | None = None) -> None:
        self.clock = clock
        self.config = config or GovernorConfig()
        self._serial = clock_lock(clock)  # a stepped clock's lock: its waiters let time move
        self._history: deque[tuple[float, int]] = deque()
        self._last_mutation: float | None = None
        self.waited_s = 0.0
        self.paced_s = 0.0  # part of waited_s spent on spacing / points (not on errors)
        self.last_wait_reason: str | None = None
        # told (seconds, reason) as each wait begins, so a long wait shows in the progress line
        self.on_wait: Callable[[float, str], None] | None = None

    @contextmanager
    def serial(self) -> Iterator[None]:
        with self._serial:
            yield

    def before_send(self, method: str) -> None:
        """Wait (on the clock) until `method` may be sent, then record it as sent."""
        cost = points(method)
        mutating = method.upper() in MUTATING
        while True:
            now = self.clock.now()
            while self._history and self._history[0][0] <= now - SECONDARY_WINDOW_S:
                self._history.popleft()
            wait = points_wait_s(list(self._history), now, cost, self.config.points_per_minute)
            reason = "points budget"
            if mutating:
                spacing = mutation_wait_s(self._last_mutation, now, self.config.min_mutation_interval_s)
                if spacing > wait:
                    wait, reason = spacing, "mutation spacing"
            if wait <= 0:
                break
            self.paced_s += wait
            self.wait(wait, reason)
        sent = self.clock.now()
        self._history.append((sent, cost))
        if mutating:
            self._last_mutation = sent

    def wait(self, seconds: float, reason: str) -> None:
        if seconds <= 0:
            return
        self.waited_s += seconds
        self.last_wait_reason = reason
        if self.on_wait is not None:
            self.on_wait(seconds, reason)
        self.clock.sleep(seconds)

    def points_last_minute(self) -> int:
        now = self.clock.now()
        return sum(p for t, p in self._history if t > now - SECONDARY_WINDOW_S)

"""GitHub's limits as the twin enforces them: the primary rate limit per token per (twin clock) hour, a
window that starts at a request's whole second and resets at `x-ratelimit-reset` exactly; the secondary
limits (points, content creation, concurrency)."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class PrimaryLimit:
    limit: int = 5000
    window_s: int = 3600
    _window_start: dict[str, float] = field(default_factory=dict)
    _used: dict[str, int] = field(default_factory=dict)
    # the x-ratelimit-reset (GitHub's clock) of each request answered 403 "API rate limit exceeded"
    refused_resets: list[int] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return len(self.refused_resets)

    def _roll(self, token: str, now: float) -> None:
        """A window starts at the whole second of the first request after the last one ended, so the
        reset it announces (a whole second, as GitHub's) is the instant it ends, not up to 1 s early."""
        start = self._window_start.get(token)
        if start is None or now >= start + self.window_s:
            self._window_start[token] = float(math.floor(now))
            self._used[token] = 0

    def take(self, token: str, now: float) -> bool:
        """Count one request; False when the token has no requests left in this window."""
        self._roll(token, now)
        if self._used[token] >= self.limit:
            return False
        self._used[token] += 1
        return True

    def headers(self, token: str, now: float) -> dict[str, str]:
        self._roll(token, now)
        used = self._used[token]
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(max(0, self.limit - used)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(int(self._window_start[token] + self.window_s)),
            "x-ratelimit-resource": "core",
        }

    def snapshot(self, token: str, now: float) -> dict[str, int]:
        h = self.headers(token, now)
        return {
            "limit": int(h["x-ratelimit-limit"]),
            "remaining": int(h["x-ratelimit-remaining"]),
            "reset": int(h["x-ratelimit-reset"]),
            "used": int(h["x-ratelimit-used"]),
        }


@dataclass(frozen=True)
class LimitsConfig:
    """GitHub's limits as the twin enforces them (GitHub REST docs, "Rate limits for the REST API").
    `enabled=False` turns off all of them but the primary limit's headers (it then never refuses)."""

    enabled: bool = True
    primary_per_hour: int = 5000  # requests per primary window
    primary_window_s: int = 3600  # GitHub's hour; shorter only in tests of a client's wait for the reset
    points_per_minute: int = 900  # secondary: GET/HEAD/OPTIONS 1 point, other methods 5
    content_per_minute: int = 80  # secondary: content-creating requests (workflow dispatches)
    content_per_hour: int = 500
    concurrent: int = 100

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LimitsConfig:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID."
)


@dataclass
class SecondaryLimits:
    """Points per rolling minute, content creation per minute and per hour, concurrent requests.

    Every request that reaches `check` is charged (even a refused one: GitHub counts them too).
    """

    config: LimitsConfig
    _points: deque[tuple[float, int]] = field(default_factory=deque)
    _content: deque[float] = field(default_factory=deque)
    in_flight: int = 0
    refused: int = 0

    def check(self, now: float, method: str, creates_content: bool) -> float | None:
        """None when the request may proceed, else seconds the client should wait (retry-after)."""
        while self._points and self._points[0][0] <= now - 60:
            self._points.popleft()
        while self._content and self._content[0] <= now - 3600:
            self._content.popleft()
        cost = 1 if method in ("GET", "HEAD", "OPTIONS") else 5
        spent = sum(p for _, p in self._points)
        self._points.append((now, cost))
        wait: float | None = None
        if spent + cost > self.config.points_per_minute:
            wait = self._points[0][0] + 60 - now
        if creates_content:
            last_minute = [t for t in self._content if t > now - 60]
            if len(last_minute) >= self.config.content_per_minute:
                wait = max(wait or 0.0, last_minute[0] + 60 - now)
            elif len(self._content) >= self.config.content_per_hour:
                wait = max(wait or 0.0, self._content[0] + 3600 - now)
            else:
                self._content.append(now)
        if wait is not None:
            self.refused += 1
            return max(1.0, float(math.ceil(wait)))
        return None

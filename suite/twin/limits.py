"""GitHub's primary rate limit as the twin enforces it: per token, per (virtual) hour."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PrimaryLimit:
    limit: int = 5000
    window_s: int = 3600
    _window_start: dict[str, float] = field(default_factory=dict)
    _used: dict[str, int] = field(default_factory=dict)

    def _roll(self, token: str, now: float) -> None:
        start = self._window_start.get(token)
        if start is None or now >= start + self.window_s:
            self._window_start[token] = now
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

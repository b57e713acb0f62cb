"""API cost figures for result.json's `api` section (written to raw/api.json; analysis passes it on):
the live counters of one client session, two sessions added up, the section itself."""

from __future__ import annotations

import statistics
import threading
from collections import deque
from typing import Any

import httpx

from suite.github.errors import parse_http_date
from suite.github.governor import Governor, header_float

ENDPOINTS = ("dispatch", "list_runs", "get_run", "list_jobs", "list_runners", "rate_limit")
# GET /rate_limit does not count against the primary rate limit (GitHub REST docs); an installation
# token is asked for with the App's JWT, which has its own limit (not the installation's).
UNCOUNTED_ENDPOINTS = frozenset({"rate_limit", "installation_token"})
MAX_OFFSET_SAMPLES = 1001
SUMMED = ("requests", "counted", "not_modified", "retries", "rate_limited", "connection_errors")
SUMMED_S = ("waited_s", "backoff_s", "paced_s")


def merge_stats(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two sessions' GitHubClient.api_stats() added up (dispatch session + a later `suite collect`)."""
    out: dict[str, Any] = {}
    for key in SUMMED:
        out[key] = int(a.get(key) or 0) + int(b.get(key) or 0)
    for key in SUMMED_S:
        out[key] = round(float(a.get(key) or 0) + float(b.get(key) or 0), 3)
    per_endpoint: dict[str, dict[str, int]] = {}
    for src in (a, b):
        for name, counts in (src.get("per_endpoint") or {}).items():
            dst = per_endpoint.setdefault(name, {})
            for k, v in counts.items():
                dst[k] = dst.get(k, 0) + int(v)
    out["per_endpoint"] = per_endpoint
    by_wf: dict[str, dict[str, int]] = {}
    for src in (a, b):
        for name, counts in (src.get("dispatches_by_workflow") or {}).items():
            dst = by_wf.setdefault(name, {})
            for k, v in counts.items():
                dst[k] = dst.get(k, 0) + int(v)
    out["dispatches_by_workflow"] = by_wf
    return out


def api_section(stats: dict[str, Any], dispatched_workflows: int) -> dict[str, Any]:
    """stats plus `dispatched_workflows` and `per_workflow` = counted requests / dispatched workflows
    (a number; None when nothing was dispatched)."""
    out = dict(stats)
    out["dispatched_workflows"] = dispatched_workflows
    counted = int(stats.get("counted") or 0)
    out["per_workflow"] = round(counted / dispatched_workflows, 3) if dispatched_workflows else None
    return out


class ApiCounters:
    """The counters behind GitHubClient.api_stats(), fed by the transport as answers arrive (thread-safe)."""

    def __init__(self, governor: Governor) -> None:
        self._governor = governor
        self._lock = threading.Lock()
        self._per_endpoint: dict[str, dict[str, int]] = {
            name: {"requests": 0, "counted": 0, "not_modified": 0} for name in ENDPOINTS
        }
        self._per_workflow: dict[str, dict[str, int]] = {}
        self._retries = 0
        self._rate_limited = 0
        self._connection_errors = 0
        self._backoff_s = 0.0
        self._offsets: deque[float] = deque(maxlen=MAX_OFFSET_SAMPLES)
        self._budget: dict[str, Any] | None = None

    def observe(self, endpoint: str, response: httpx.Response, now: float) -> None:
        """Count an answer, note its clock offset (`Date` − now) and its rate-limit headers."""
        date_header = parse_http_date(response.headers.get("date"))
        with self._lock:
            counts = self._per_endpoint.setdefault(endpoint, {"requests": 0, "counted": 0, "not_modified": 0})
            counts["requests"] += 1
            if response.status_code == 304:
                counts["not_modified"] += 1
            elif endpoint not in UNCOUNTED_ENDPOINTS:
                counts["counted"] += 1
            if date_header is not None:
                self._offsets.append(date_header - now)
            if "x-ratelimit-remaining" in response.headers:
                budget: dict[str, Any] = {}
                for name in ("limit", "remaining", "used", "reset"):
                    value = header_float(response.headers, f"x-ratelimit-{name}")
                    if value is not None:
                        budget[name] = int(value)
                budget["resource"] = response.headers.get("x-ratelimit-resource", "core")
                self._budget = budget

    def dispatched(self, workflow_file: str) -> None:
        with self._lock:
            counts = self._per_workflow.setdefault(workflow_file, {"dispatches": 0})
            counts["dispatches"] += 1

    def retried(self, waited_s: float) -> None:
        with self._lock:
            self._retries += 1
            self._backoff_s += waited_s

    def rate_limited(self) -> None:
        with self._lock:
            self._rate_limited += 1

    def connection_error(self) -> None:
        with self._lock:
            self._connection_errors += 1

    def stats(self) -> dict[str, Any]:
        """See GitHubClient.api_stats."""
        with self._lock:
            per_endpoint = {name: dict(c) for name, c in self._per_endpoint.items()}
            return {
                "requests": sum(c["requests"] for c in per_endpoint.values()),
                "counted": sum(c["counted"] for c in per_endpoint.values()),
                "not_modified": sum(c["not_modified"] for c in per_endpoint.values()),
                "retries": self._retries,
                "rate_limited": self._rate_limited,
                "connection_errors": self._connection_errors,
                "waited_s": round(self._governor.waited_s, 3),
                "backoff_s": round(self._backoff_s, 3),
                "paced_s": round(self._governor.paced_s, 3),
                "per_endpoint": per_endpoint,
                "dispatches_by_workflow": {name: dict(c) for name, c in self._per_workflow.items()},
            }

    def clock_offset_s(self) -> float | None:
        with self._lock:
            return statistics.median(self._offsets) if self._offsets else None

    def clock_offset_low_s(self) -> float | None:
        """The lowest offset sample kept (None before any)."""
        with self._lock:
            return min(self._offsets) if self._offsets else None

    def rate_budget(self) -> dict[str, Any] | None:
        with self._lock:
            return dict(self._budget) if self._budget is not None else None

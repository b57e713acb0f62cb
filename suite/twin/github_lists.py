"""What the twin's list endpoints share, as GitHub documents it: pagination (`per_page`, `page`) and the
filters of each list. Every filter GitHub documents for a list the twin serves works; a value it cannot
take is refused with 422, never ignored. A parameter GitHub does not document is ignored, as GitHub does.

`created` takes GitHub's search syntax for dates: `D`, `>D`, `>=D`, `<D`, `<=D`, `A..B` (either end
`*`), or `*`. A value is a bare date (`2026-11-22`: that whole UTC day) or a date and time to the
second (`2026-11-22T10:00:00Z`, or with an offset; without one, UTC: that one second). So `>D` is after
the whole of D, `<=D` up to its end, `A..B` from A's start to B's end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from suite.twin.fleet_model import SimRun
from suite.twin.github_objects import HEAD_BRANCH, HEAD_SHA, RUN_EVENT, check_suite_id

MAX_PER_PAGE = 100
MAX_FILTERED_RESULTS = 1000  # GitHub caps a filtered listing of runs at 1,000 results

# the `status` filter: a status or a conclusion (OpenAPI: "List workflow runs for a repository")
RUN_STATUSES = ("queued", "in_progress", "completed", "requested", "waiting", "pending")
RUN_CONCLUSIONS = (
    "success",
    "failure",
    "cancelled",
    "skipped",
    "neutral",
    "stale",
    "timed_out",
    "action_required",
)
JOB_FILTERS = ("latest", "all")


class FilterError(ValueError):
    """A filter's value the list cannot take (answered 422 with this message)."""


def page_of(items: list[Any], query: dict[str, str]) -> tuple[list[Any], int, int, int]:
    """(the page's items, page, per_page, last page) for GitHub's `per_page` (default 30, at most
    100) and `page` (from 1; past the last: empty)."""
    per_page = _integer(query, "per_page", 30, low=1)
    page = _integer(query, "page", 1, low=1)
    per_page = min(per_page, MAX_PER_PAGE)
    last = max(1, -(-len(items) // per_page))
    return items[(page - 1) * per_page : page * per_page], page, per_page, last


def _integer(query: dict[str, str], name: str, default: int, low: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,19}", raw):
        raise FilterError(f"{name} must be a whole number")
    return max(low, int(raw))


def boolean_param(query: dict[str, str], name: str) -> bool:
    raw = query.get(name, "false")
    if raw not in ("true", "false"):
        raise FilterError(f"{name} must be true or false")
    return raw == "true"


def run_filters(query: dict[str, str], owner: str, skew_s: float) -> tuple[Callable[[SimRun], bool], bool]:
    """(keep, filtered) for the list-runs filters in `query`: actor, branch, event, status, created,
    head_sha, check_suite_id (exclude_pull_requests is checked: the twin's runs have no pull requests).
    `owner`: the actor of every twin run; `skew_s`: `created` is compared on GitHub's clock."""
    keeps: list[Callable[[SimRun], bool]] = []
    boolean_param(query, "exclude_pull_requests")
    if "actor" in query:
        same_actor = query["actor"].lower() == owner.lower()  # logins are case-insensitive
        keeps.append(lambda r: same_actor)
    if "branch" in query:
        same_branch = query["branch"] == HEAD_BRANCH
        keeps.append(lambda r: same_branch)
    if "event" in query:
        same_event = query["event"] == RUN_EVENT
        keeps.append(lambda r: same_event)
    if "head_sha" in query:
        same_sha = query["head_sha"].lower() == HEAD_SHA
        keeps.append(lambda r: same_sha)
    if "check_suite_id" in query:
        suite = _integer(query, "check_suite_id", 0, low=0)
        keeps.append(lambda r: check_suite_id(r.id) == suite)
    if "status" in query:
        keeps.append(_status_filter(query["status"]))
    if "created" in query:
        keep_t = created_filter(query["created"])
        keeps.append(lambda r: keep_t(int(r.created + skew_s)))  # GitHub's clock, to the second
    return (lambda r: all(keep(r) for keep in keeps)), bool(keeps)


def _status_filter(status: str) -> Callable[[SimRun], bool]:
    if status in RUN_CONCLUSIONS:
        return lambda r: r.conclusion == status
    if status in RUN_STATUSES:
        return lambda r: r.status == status
    raise FilterError(f"status must be one of: {', '.join(RUN_STATUSES + RUN_CONCLUSIONS)}")


def job_filter(query: dict[str, str]) -> str:
    """`filter` of list-jobs: latest (the default) or all; the twin's runs have one attempt, so both
    list the same jobs."""
    value = query.get("filter", "latest")
    if value not in JOB_FILTERS:
        raise FilterError("filter must be one of: latest, all")
    return value


def created_filter(expr: str) -> Callable[[int], bool]:
    """GitHub's `created` qualifier as a test of a whole-second timestamp (see the module's doc)."""
    expr = expr.strip()
    if expr == "*":
        return lambda t: True
    if ".." in expr:
        lo, hi = expr.split("..", 1)
        start = _span(lo)[0] if lo != "*" else float("-inf")
        end = _span(hi)[1] if hi != "*" else float("inf")
        return lambda t: start <= t < end
    for op in (">=", "<=", ">", "<"):
        if expr.startswith(op):
            first, after = _span(expr[len(op) :])
            if op == ">=":
                return lambda t: t >= first
            if op == ">":
                return lambda t: t >= after
            if op == "<=":
                return lambda t: t < after
            return lambda t: t < first
    first, after = _span(expr)
    return lambda t: first <= t < after


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?")


def _span(value: str) -> tuple[float, float]:
    """[first, after) of a bare date (its UTC day) or a date and time (its second, or minute)."""
    try:
        if _DATE.fullmatch(value):
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
            return day, day + 86400
        match = _DATE_TIME.fullmatch(value)
        if match:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            t = when.timestamp()
            return t, t + (1 if match[1] else 60)
    except ValueError:
        pass
    raise FilterError("created must be a date (YYYY-MM-DD) or date-time, with >, >=, <, <= or a..b")

"""The state behind the twin's fake GitHub API (moto's "backend"): the fleet, the clock, the repository
and its workflow files, the credentials it accepts, its limits and faults, and the counters /_twin/info
reports."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

from suite.clock import Clock
from suite.twin.app_auth import AppConfig
from suite.twin.faults import Faults, FaultsConfig
from suite.twin.fleet import Fleet
from suite.twin.limits import LimitsConfig, PrimaryLimit, SecondaryLimits
from suite.twin.runner_registry import RunnerRegistry
from suite.twin.workflows import CATALOGUE, RepoWorkflows


class GitHubState:
    """What the handlers share: the fleet (behind a lock), the clock, the repo, the token."""

    def __init__(
        self,
        fleet: Fleet,
        clock: Clock,
        repo: str,
        token: str,
        limits: LimitsConfig | None = None,
        faults: FaultsConfig | None = None,
        app: AppConfig | None = None,
        skew_s: float = 0.0,
        workflows: RepoWorkflows = CATALOGUE,
    ) -> None:
        self.fleet = fleet
        self.clock = clock
        self.repo = repo
        self.workflows = workflows  # the repository's workflow files (listed, read, dispatched)
        self.token = token
        self.lock = threading.Lock()
        self.limits = limits or LimitsConfig()
        self.limit = PrimaryLimit(limit=self.limits.primary_per_hour, window_s=self.limits.primary_window_s)
        self.secondary = SecondaryLimits(self.limits)
        self.faults = Faults(faults or FaultsConfig())
        self.app = app
        self.skew_s = skew_s  # GitHub's clock − the twin's: its timestamps, Date and rate-limit reset
        self.scheme = "http"  # "https" when make_server is given a TLS context
        # the repository's workflows were created a day before the twin started (GitHub's clock): one
        # fixed instant, so a workflow's object, and the ETag of their list, does not change with time
        self.workflows_created = int(clock.now() + skew_s) - 86400
        self.installation_tokens: dict[str, float] = {}  # token -> expires at (virtual epoch s)
        self.runner_registry = RunnerRegistry()  # runners registered through generate-jitconfig
        self.in_flight = 0
        self.requests = 0
        self.last_request_wall = 0.0
        self.extra_info: Callable[[], dict[str, Any]] = dict

    def rate_headers(self, key: str, now: float) -> dict[str, str]:
        """The primary limit's `x-ratelimit-*` headers, the reset on GitHub's clock."""
        headers = self.limit.headers(key, now)
        headers["x-ratelimit-reset"] = str(math.ceil(int(headers["x-ratelimit-reset"]) + self.skew_s))
        return headers

    def limit_key(self, token: str | None) -> str | None:
        """Whose primary rate limit a token draws on (None: not a valid credential at `now`).
        The twin's own token is a user's; installation tokens share their installation's limit."""
        if token is not None and token == self.token:
            return self.token
        expires = self.installation_tokens.get(token or "")
        if self.app is not None and expires is not None and expires > self.clock.now():
            return f"installation:{self.app.installation_id}"
        return None

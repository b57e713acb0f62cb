"""GitHub's self-hosted runners of the fleet: list (repository or organization scope) and remove the
offline ones the fleet registered (an ECS task stopped before its runner could deregister).

A runner is the fleet's when its name is an ECS task id (32 hex) and it carries all the fleet's labels.
Requests go through the suite's one GitHub client (suite.github.client), its governor included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from suite.clock import Clock
from suite.errors import EnvironmentFailure
from suite.github.client import GitHubClient, GitHubError, scope_path
from suite.github.redact import REDACTED

TASK_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class RunnerRemoval:
    removed: list[str]
    failed: list[str]


class RunnerAdmin:
    def __init__(
        self,
        api_url: str,
        repository: str,
        token: str,
        *,
        scope: str = "repo",
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._path = scope_path(repository, scope)
        self._client = GitHubClient(
            api_url, repository, token, runner_scope=scope, transport=transport, clock=clock
        )

    def __repr__(self) -> str:
        return f"RunnerAdmin({self._path!r}, token={REDACTED})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RunnerAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def list_runners(self) -> list[dict[str, Any]]:
        try:
            return self._client.list_runners()
        except GitHubError as exc:
            raise EnvironmentFailure(
                f"GitHub answered {exc.status} listing the runners of {self._path} "
                "(the token needs admin rights: Administration read)"
            ) from None

    def remove_offline(self, labels: list[str]) -> RunnerRemoval:
        """Delete offline runners named after an ECS task id that carry all of `labels`."""
        need = {lb.lower() for lb in labels}
        result = RunnerRemoval([], [])
        for runner in self.list_runners():
            names = {str(lb.get("name", "")).lower() for lb in runner.get("labels", [])}
            name = str(runner.get("name", ""))
            if runner.get("status") != "offline" or not TASK_ID.match(name) or not need <= names:
                continue
            try:
                self._client.remove_runner(int(runner["id"]))
            except GitHubError:
                result.failed.append(name)
            else:
                result.removed.append(name)
        return result

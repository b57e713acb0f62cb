"""GitHub's self-hosted runners of the fleet: list (repository or organization scope) and remove the
offline ones the fleet registered (an ECS task stopped before its runner could deregister).

A runner is the fleet's when its name is an ECS task id (32 hex) and it carries all the fleet's labels.
The token goes only into the Authorization header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from suite import __version__
from suite.errors import EnvironmentFailure

TASK_ID = re.compile(r"^[0-9a-f]{32}$")


def scope_path(repository: str, scope: str = "repo") -> str:
    return f"orgs/{repository}" if scope == "org" else f"repos/{repository}"


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
    ) -> None:
        self._path = scope_path(repository, scope)
        self._http = httpx.Client(
            base_url=api_url.rstrip("/") + "/",
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": f"runner-suite/{__version__}",
            },
            transport=transport,
            timeout=30,
        )

    def __repr__(self) -> str:
        return f"RunnerAdmin({self._path!r}, token=<redacted>)"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RunnerAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def list_runners(self) -> list[dict[str, Any]]:
        runners: list[dict[str, Any]] = []
        url: str | None = f"{self._path}/actions/runners?per_page=100"
        while url:
            response = self._http.get(url)
            if response.status_code != 200:
                raise EnvironmentFailure(
                    f"GitHub answered {response.status_code} listing the runners of {self._path} "
                    "(the token needs admin rights: Administration read)"
                )
            runners.extend(response.json().get("runners", []))
            url = response.links.get("next", {}).get("url")
        return runners

    def remove_offline(self, labels: list[str]) -> RunnerRemoval:
        """Delete offline runners named after an ECS task id that carry all of `labels`."""
        need = {lb.lower() for lb in labels}
        result = RunnerRemoval([], [])
        for runner in self.list_runners():
            names = {str(lb.get("name", "")).lower() for lb in runner.get("labels", [])}
            name = str(runner.get("name", ""))
            if runner.get("status") != "offline" or not TASK_ID.match(name) or not need <= names:
                continue
            response = self._http.delete(f"{self._path}/actions/runners/{runner['id']}")
            (result.removed if response.status_code in (204, 404) else result.failed).append(name)
        return result

"""The self-hosted runners registered with the twin through GitHub's registration endpoints (a
just-in-time configuration, suite.twin.github_runners), apart from the simulated fleet's runners.

A registered runner is offline until its runner process opens a session with the credential of its
JIT configuration (the twin's stand-in for the Actions service's runner login), online while the
session is open, and removed when it finishes its one job or closes its session (single use), or when
a client with the repository's token deletes it. Tests wait on `changed` (a Condition), never on a
fixed sleep.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# runner ids of registered runners start here, apart from the simulated fleet's (1, 2, ...)
RUNNER_ID_BASE = 1_000_000
# the labels GitHub gives every self-hosted runner itself ("read-only"); the others are "custom"
DEFAULT_LABELS = frozenset({"self-hosted", "linux", "x64", "arm64", "windows", "macos", "x86", "arm"})


@dataclass
class Registered:
    """One registered runner: what generate-jitconfig was asked for, and its session."""

    id: int
    name: str
    labels: tuple[str, ...]
    runner_group_id: int
    work_folder: str
    credential: str  # the runner's own credential, inside its JIT configuration only
    ephemeral: bool = True
    session: bool = False
    busy: bool = False
    job: str | None = None  # a command a test assigned, handed out once by the message endpoint

    def to_object(self) -> dict[str, Any]:
        """As GitHub lists a self-hosted runner."""
        return {
            "id": self.id,
            "name": self.name,
            "os": "Linux" if self.session else "unknown",
            "status": "online" if self.session else "offline",
            "busy": self.busy,
            "ephemeral": self.ephemeral,
            "runner_group_id": self.runner_group_id,
            "labels": [
                {
                    "id": i + 1,
                    "name": label,
                    "type": "read-only" if label.lower() in DEFAULT_LABELS else "custom",
                }
                for i, label in enumerate(self.labels)
            ],
        }


class RunnerRegistry:
    """The registered runners and the registration / remove tokens issued (token -> expiry)."""

    def __init__(self) -> None:
        self.runners: dict[int, Registered] = {}
        self.tokens: dict[str, float] = {}
        self.removed: list[str] = []  # names, in the order they were removed (what the tests read)
        self.changed = threading.Condition()
        self._next_id = RUNNER_ID_BASE + 1

    def next_id(self) -> int:
        rid = self._next_id
        self._next_id += 1
        return rid

    def by_name(self, name: str) -> Registered | None:
        return next((r for r in self.runners.values() if r.name.lower() == name.lower()), None)

    def add(self, runner: Registered) -> None:
        with self.changed:
            self.runners[runner.id] = runner
            self.changed.notify_all()

    def update(self, runner: Registered, **fields: Any) -> None:
        with self.changed:
            for key, value in fields.items():
                setattr(runner, key, value)
            self.changed.notify_all()

    def remove(self, runner_id: int) -> None:
        with self.changed:
            runner = self.runners.pop(runner_id, None)
            if runner is not None:
                self.removed.append(runner.name)
            self.changed.notify_all()

    def objects(self) -> list[dict[str, Any]]:
        with self.changed:
            return [r.to_object() for r in self.runners.values()]

    def assign_job(self, name: str, command: str) -> None:
        """Give the runner called `name` a job (a bash command its runner process runs once)."""
        with self.changed:
            runner = self.by_name(name)
            if runner is None:
                raise KeyError(name)
            runner.job = command
            self.changed.notify_all()

    def wait_until(self, holds: Callable[[RunnerRegistry], bool], timeout_s: float) -> bool:
        """Block until `holds(self)` is true (re-checked at every change) or `timeout_s` passes."""
        with self.changed:
            return self.changed.wait_for(lambda: holds(self), timeout=timeout_s)

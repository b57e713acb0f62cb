"""A validated profile: what it dispatches, how, and its JSON form (manifest.json's ``profile``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from suite.gates.thresholds import Threshold
from suite.profiles.inputs import WorkflowInputs
from suite.schedule.arrivals import (
    Pattern,
    PoissonPattern,
    build_schedule,
    expected_workflows,
    schedule_duration_s,
)

SCHEMA_VERSION = 1
DEFAULT_SEED = 0
DEFAULT_DRAIN_TIMEOUT_S = 1800.0
DEFAULT_MAX_WORKFLOWS = 1000


@dataclass(frozen=True)
class Profile:
    """One validated profile, with one environment's overrides (if any) applied."""

    name: str
    path: Path
    workflow: Literal["runner_test", "k8s_like", "runner_workload"]
    inputs: WorkflowInputs
    pattern: Pattern
    purpose: str = ""
    description: str = ""
    seed: int = DEFAULT_SEED
    drain_timeout_s: float = DEFAULT_DRAIN_TIMEOUT_S
    max_workflows: int = DEFAULT_MAX_WORKFLOWS
    thresholds: tuple[str, ...] = ()  # the expressions, in file order
    abort_on_fail: tuple[str, ...] = ()  # those of them that stop the run's load once they fail
    compare_gates: tuple[str, ...] = ()  # `suite compare` regression gates, e.g. "queue_time_s.p95 +30s"
    environment: str | None = None  # the environment this was loaded for (None: the base profile)
    environments: tuple[str, ...] = ()  # every environment the file declares overrides for

    @property
    def workflow_file(self) -> str:
        """The workflow's file name in the target repository's .github/workflows/."""
        return f"{self.workflow}.yml"

    @property
    def jobs_per_workflow(self) -> int:
        return self.inputs.jobs_per_workflow

    @property
    def threshold_specs(self) -> tuple[Threshold, ...]:
        return tuple(Threshold(e, e in self.abort_on_fail) for e in self.thresholds)

    @property
    def expected_workflows(self) -> int:
        """Workflows this profile dispatches (exact; for poisson, with this profile's seed)."""
        if isinstance(self.pattern, PoissonPattern):
            return len(self.schedule())
        return expected_workflows(self.pattern)

    @property
    def expected_jobs(self) -> int:
        return self.expected_workflows * self.jobs_per_workflow

    @property
    def duration_s(self) -> float:
        """Length of the dispatch window (suite.schedule.arrivals.schedule_duration_s)."""
        return schedule_duration_s(self.pattern)

    def schedule(self) -> list[float]:
        """Arrival offsets in seconds from the start of the run."""
        return build_schedule(self.pattern, self.seed)

    def dispatch_inputs(self, suite_id: str) -> dict[str, str]:
        """The workflow_dispatch ``inputs`` object for one dispatch."""
        return {**self.inputs.dispatch_inputs(), "suite_id": suite_id}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for manifest.json ("profile as loaded"); profile_from_dict reads it back."""
        return {
            "schema": SCHEMA_VERSION,
            "name": self.name,
            "path": str(self.path),
            "environment": self.environment,
            "environments": list(self.environments),
            "purpose": self.purpose,
            "description": self.description,
            "workflow": self.workflow,
            "workflow_file": self.workflow_file,
            "inputs": self.inputs.to_dict(),
            "pattern": self.pattern.to_dict(),
            "seed": self.seed,
            "drain_timeout_s": self.drain_timeout_s,
            "max_workflows": self.max_workflows,
            "thresholds": [t.to_data() for t in self.threshold_specs],
            "compare_gates": list(self.compare_gates),
            "expected_workflows": self.expected_workflows,
            "jobs_per_workflow": self.jobs_per_workflow,
            "duration_s": self.duration_s,
        }

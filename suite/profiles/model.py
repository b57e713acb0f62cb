"""A validated profile: what it dispatches, how, and its JSON form (manifest.json's ``profile``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from suite.gates.thresholds import Threshold
from suite.profiles.inputs import CustomInputs, WorkflowInputs
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
JOBS_UNKNOWN = (
    "not known before the run: the suite does not ship this workflow, so the jobs of each run are "
    "learned from what GitHub lists"
)


@dataclass(frozen=True)
class Profile:
    """One validated profile, with one environment's overrides (if any) applied."""

    name: str
    path: Path
    # a shipped workflow's name (runner_test, k8s_like, runner_workload) or any workflow file name (ci.yml)
    workflow: str
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
    # where the profile's values came from, for errors found after loading (a workflow's inputs are
    # checked at preflight): the file as errors name it, and the line of each field path
    # ("workflow", "inputs", "inputs.<name>"); 0 / absent when not read from a file
    source: str = field(default="", compare=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    @property
    def workflow_file(self) -> str:
        """The workflow's file name in the target repository's .github/workflows/."""
        return self.workflow if self.workflow.endswith((".yml", ".yaml")) else f"{self.workflow}.yml"

    @property
    def custom(self) -> bool:
        """A workflow the suite does not ship: its inputs are checked at preflight, its jobs learned."""
        return isinstance(self.inputs, CustomInputs)

    @property
    def jobs_per_workflow(self) -> int | None:
        """Jobs of one run, from the shipped workflow file and the inputs; None for a custom workflow
        (JOBS_UNKNOWN): GitHub's job listing is the only record of them."""
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
    def expected_jobs(self) -> int | None:
        per_run = self.jobs_per_workflow
        return None if per_run is None else self.expected_workflows * per_run

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
            **({"jobs_per_workflow_reason": JOBS_UNKNOWN} if self.jobs_per_workflow is None else {}),
            "duration_s": self.duration_s,
        }

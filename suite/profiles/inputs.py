"""The inputs a profile sends to each workflow it can dispatch, one dataclass per workflow.

A workflow the suite ships (workflows/*.yml): its names, defaults, options and ranges are those of
the workflow files (suite.workflows), checked when the profile loads. Any other workflow of the target
repository (``CustomInputs``): the values as the profile gives them, checked at preflight against the
inputs the workflow declares there (suite.profiles.byo). ``suite_id`` is not among them: the suite
sets it on every dispatch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Literal

from suite.workflows import Input, Workflow, dispatchable

SUITE_ID = "suite_id"


def _workflow(name: str) -> Workflow:
    workflow = dispatchable().get(f"{name}.yml")
    if workflow is None:
        raise KeyError(f"workflows/{name}.yml: not in the workflow catalogue (or not dispatchable)")
    return workflow


def _default(workflow: str, name: str) -> Any:
    return _workflow(workflow).input(name).default


class _InputsMapping(Mapping[str, int | str]):
    """Read-only mapping view of an inputs dataclass: ``inputs["sleep_duration"]``, ``inputs.items()``."""

    workflow: ClassVar[str]
    input_names: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def specs(cls) -> tuple[Input, ...]:
        """The workflow file's declaration of each input, in ``input_names`` order."""
        workflow = _workflow(cls.workflow)
        return tuple(workflow.input(name) for name in cls.input_names)

    def __getitem__(self, key: str) -> int | str:
        if key not in self.input_names:
            raise KeyError(key)
        value: int | str = getattr(self, key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.input_names)

    def __len__(self) -> int:
        return len(self.input_names)

    def to_dict(self) -> dict[str, int | str]:
        """JSON-ready values, in field order."""
        data: dict[str, int | str] = asdict(self)  # type: ignore[call-overload]  # subclasses are dataclasses
        return data

    def dispatch_inputs(self) -> dict[str, str]:
        """The workflow_dispatch ``inputs`` object, without ``suite_id``."""
        return {name: str(getattr(self, name)) for name in self.input_names}


@dataclass(frozen=True)
class RunnerTestInputs(_InputsMapping):
    """Inputs of workflows/runner_test.yml: ``job_count`` jobs that each sleep ``sleep_duration``."""

    sleep_duration: int = _default("runner_test", "sleep_duration")
    job_count: int = _default("runner_test", "job_count")
    job_type: Literal["parallel", "sequential"] = _default("runner_test", "job_type")

    workflow: ClassVar[str] = "runner_test"
    input_names: ClassVar[tuple[str, ...]] = ("sleep_duration", "job_count", "job_type")
    JOB: ClassVar[str] = _workflow("runner_test").run_jobs()[0].name  # the matrix job

    @property
    def jobs_per_workflow(self) -> int | None:
        return self.job_count

    @property
    def job_names(self) -> tuple[str, ...]:
        """Job names as GitHub lists them (a matrix job is named ``run (<index>)``)."""
        return tuple(f"{self.JOB} ({i})" for i in range(1, self.job_count + 1))


@dataclass(frozen=True)
class K8sLikeInputs(_InputsMapping):
    """Inputs of workflows/k8s_like.yml: diagnostic -> build / npm, build / sonar -> report.

    build / npm and build / sonar do fixed work, then sleep ``sleep_duration``; diagnostic and report
    do a little fixed work.
    """

    sleep_duration: int = _default("k8s_like", "sleep_duration")

    workflow: ClassVar[str] = "k8s_like"
    input_names: ClassVar[tuple[str, ...]] = ("sleep_duration",)
    JOBS: ClassVar[tuple[str, ...]] = tuple(j.name for j in _workflow("k8s_like").run_jobs())

    @property
    def jobs_per_workflow(self) -> int | None:
        return len(self.JOBS)

    @property
    def job_names(self) -> tuple[str, ...]:
        return self.JOBS


Scalar = str | int | float | bool


@dataclass(frozen=True)
class CustomInputs(Mapping[str, Scalar]):
    """Inputs of a workflow the suite does not ship, in the profile's order, as the profile gives them.

    Checked at preflight against what the workflow declares (suite.profiles.byo); which jobs a run
    has is not known before GitHub lists them, so ``jobs_per_workflow`` and ``job_names`` are None.
    """

    given: tuple[tuple[str, Scalar], ...] = ()  # (name, value) in the profile's order

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.given)

    def __getitem__(self, key: str) -> Scalar:
        for name, value in self.given:
            if name == key:
                return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.input_names)

    def __len__(self) -> int:
        return len(self.given)

    def to_dict(self) -> dict[str, Scalar]:
        return dict(self.given)

    def dispatch_inputs(self) -> dict[str, str]:
        """The workflow_dispatch ``inputs`` object, without ``suite_id`` (GitHub takes strings)."""
        return {name: as_input_text(value) for name, value in self.given}

    @property
    def jobs_per_workflow(self) -> int | None:
        return None  # learned from the jobs GitHub lists

    @property
    def job_names(self) -> tuple[str, ...] | None:
        return None


def as_input_text(value: Scalar) -> str:
    """A value as a workflow_dispatch input carries it: booleans as GitHub writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class RunnerWorkloadInputs(_InputsMapping):
    """Inputs of workflows/runner_workload.yml: one job "work" doing a preset's (or custom) fixed work."""

    preset: str = _default("runner_workload", "preset")
    cpu_threads: int = _default("runner_workload", "cpu_threads")
    cpu_units: int = _default("runner_workload", "cpu_units")
    memory_mib: int = _default("runner_workload", "memory_mib")
    memory_hold_s: int = _default("runner_workload", "memory_hold_s")
    disk_mib: int = _default("runner_workload", "disk_mib")
    network_mib: int = _default("runner_workload", "network_mib")
    sleep_s: int = _default("runner_workload", "sleep_s")

    workflow: ClassVar[str] = "runner_workload"
    input_names: ClassVar[tuple[str, ...]] = (
        "preset",
        "cpu_threads",
        "cpu_units",
        "memory_mib",
        "memory_hold_s",
        "disk_mib",
        "network_mib",
        "sleep_s",
    )
    JOBS: ClassVar[tuple[str, ...]] = tuple(j.name for j in _workflow("runner_workload").run_jobs())

    @property
    def jobs_per_workflow(self) -> int:
        return len(self.JOBS)

    @property
    def job_names(self) -> tuple[str, ...]:
        return self.JOBS


WorkflowInputs = RunnerTestInputs | K8sLikeInputs | RunnerWorkloadInputs | CustomInputs
INPUT_TYPES: dict[str, type[RunnerTestInputs] | type[K8sLikeInputs] | type[RunnerWorkloadInputs]] = {
    "runner_test": RunnerTestInputs,
    "k8s_like": K8sLikeInputs,
    "runner_workload": RunnerWorkloadInputs,
}
WORKFLOWS: tuple[str, ...] = tuple(INPUT_TYPES)  # the shipped workflows a profile names by name
JOB_TYPES: tuple[str, ...] = _workflow("runner_test").input("job_type").options


def shipped(workflow: str) -> str | None:
    """The INPUT_TYPES key of a workflow the suite ships (``runner_test`` or ``runner_test.yml``)."""
    name = workflow[: -len(".yml")] if workflow.endswith(".yml") else workflow
    return name if name in INPUT_TYPES else None

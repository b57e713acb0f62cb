"""The inputs a profile sends to each workflow it can dispatch, one dataclass per workflow."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import ClassVar, Literal

JOB_TYPES: tuple[str, ...] = ("parallel", "sequential")


class _InputsMapping(Mapping[str, int | str]):
    """Read-only mapping view of an inputs dataclass: ``inputs["sleep_duration"]``, ``inputs.items()``."""

    input_names: ClassVar[tuple[str, ...]] = ()

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


@dataclass(frozen=True)
class RunnerTestInputs(_InputsMapping):
    """Inputs of workflows/runner_test.yml: ``job_count`` jobs that each sleep ``sleep_duration``."""

    sleep_duration: int = 60
    job_count: int = 1
    job_type: Literal["parallel", "sequential"] = "parallel"

    workflow: ClassVar[str] = "runner_test"
    input_names: ClassVar[tuple[str, ...]] = ("sleep_duration", "job_count", "job_type")

    @property
    def jobs_per_workflow(self) -> int:
        return self.job_count

    @property
    def job_names(self) -> tuple[str, ...]:
        """Job names as GitHub lists them (a matrix job is named ``run (<index>)``)."""
        return tuple(f"run ({i})" for i in range(1, self.job_count + 1))

    def dispatch_inputs(self) -> dict[str, str]:
        return {
            "sleep_duration": str(self.sleep_duration),
            "job_count": str(self.job_count),
            "job_type": self.job_type,
        }


@dataclass(frozen=True)
class K8sLikeInputs(_InputsMapping):
    """Inputs of workflows/k8s_like.yml: diagnostic -> build / npm, build / sonar -> report.

    build / npm and build / sonar sleep ``sleep_duration``; diagnostic and report sleep a quarter of
    it (at least 1 s).
    """

    sleep_duration: int = 60

    workflow: ClassVar[str] = "k8s_like"
    input_names: ClassVar[tuple[str, ...]] = ("sleep_duration",)
    JOBS: ClassVar[tuple[str, ...]] = ("diagnostic", "build / npm", "build / sonar", "report")

    @property
    def jobs_per_workflow(self) -> int:
        return len(self.JOBS)

    @property
    def job_names(self) -> tuple[str, ...]:
        return self.JOBS

    def dispatch_inputs(self) -> dict[str, str]:
        return {"sleep_duration": str(self.sleep_duration)}


WorkflowInputs = RunnerTestInputs | K8sLikeInputs
INPUT_TYPES: dict[str, type[RunnerTestInputs] | type[K8sLikeInputs]] = {
    "runner_test": RunnerTestInputs,
    "k8s_like": K8sLikeInputs,
}

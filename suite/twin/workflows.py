"""The twin's workflows: what a dispatch turns into (jobs, their names and dependencies).

They mirror workflows/*.yml, the real GitHub Actions files users copy into their test repository.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobSpec:
    key: str  # unique within the run
    name: str  # as GitHub names it, e.g. "build / npm" for a reusable-workflow job
    sleep_s: int
    needs: tuple[str, ...] = ()  # created when these have finished
    after: str | None = None  # matrix max-parallel 1: created with the run, eligible after this one


@dataclass(frozen=True)
class InputSpec:
    name: str
    kind: str  # number | choice | string
    required: bool
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


class InputError(ValueError):
    """A dispatch whose inputs the workflow does not accept (GitHub answers 422)."""


@dataclass(frozen=True)
class WorkflowDef:
    id: int
    file: str  # e.g. runner_test.yml
    name: str
    inputs: tuple[InputSpec, ...]

    @property
    def path(self) -> str:
        return f".github/workflows/{self.file}"

    def validate_inputs(self, inputs: dict[str, object]) -> dict[str, str]:
        known = {i.name: i for i in self.inputs}
        if len(inputs) > 25:
            raise InputError("you may only define up to 25 `inputs` for a `workflow_dispatch` event")
        for key in inputs:
            if key not in known:
                raise InputError(f"Unexpected inputs provided: [{key!r}]")
        out: dict[str, str] = {}
        for spec in self.inputs:
            if spec.name not in inputs:
                if spec.required:
                    raise InputError(f"Required input '{spec.name}' not provided")
                continue
            value = str(inputs[spec.name])
            if spec.kind == "number":
                try:
                    num = int(float(value))
                except ValueError as exc:
                    raise InputError(f"Input '{spec.name}' must be a number, got {value!r}") from exc
                if (spec.minimum is not None and num < spec.minimum) or (
                    spec.maximum is not None and num > spec.maximum
                ):
                    raise InputError(f"Input '{spec.name}' must be in {spec.minimum}..{spec.maximum}")
            if spec.kind == "choice" and value not in spec.choices:
                raise InputError(
                    f"Provided value '{value}' for input '{spec.name}' not in the list of allowed values"
                )
            out[spec.name] = value
        return out

    def jobs(self, inputs: dict[str, str]) -> list[JobSpec]:
        sleep = int(float(inputs.get("sleep_duration", "60")))
        if self.file == "runner_test.yml":
            count = int(float(inputs.get("job_count", "1")))
            sequential = inputs.get("job_type", "parallel") == "sequential"
            specs = []
            for i in range(1, count + 1):
                after = f"run-{i - 1}" if sequential and i > 1 else None
                specs.append(JobSpec(f"run-{i}", f"run ({i})", sleep, after=after))  # a matrix job
            return specs
        # k8s_like: diagnostic, then a reusable-workflow call `build` (npm, sonar), then report
        short = max(1, sleep // 4)
        return [
            JobSpec("diagnostic", "diagnostic", short),
            JobSpec("build/npm", "build / npm", sleep, needs=("diagnostic",)),
            JobSpec("build/sonar", "build / sonar", sleep, needs=("diagnostic",)),
            JobSpec("report", "report", short, needs=("build/npm", "build/sonar")),
        ]


_SUITE_ID = InputSpec("suite_id", "string", True)
_SLEEP = InputSpec("sleep_duration", "number", False, minimum=0, maximum=3600)

WORKFLOWS: dict[str, WorkflowDef] = {
    "runner_test.yml": WorkflowDef(
        id=161335,
        file="runner_test.yml",
        name="runner_test",
        inputs=(
            _SLEEP,
            InputSpec("job_count", "number", False, minimum=1, maximum=20),
            InputSpec("job_type", "choice", False, choices=("parallel", "sequential")),
            _SUITE_ID,
        ),
    ),
    "k8s_like.yml": WorkflowDef(id=161336, file="k8s_like.yml", name="k8s_like", inputs=(_SLEEP, _SUITE_ID)),
}


# Listed by GET .../actions/workflows like any workflow file, but only `workflow_call`: k8s_like.yml calls
# it, a dispatch of it is refused (422)
REUSABLE: dict[str, WorkflowDef] = {
    "build_reusable.yml": WorkflowDef(id=161337, file="build_reusable.yml", name="build_reusable", inputs=()),
}
LISTED: dict[str, WorkflowDef] = {**WORKFLOWS, **REUSABLE}


def find_workflow(workflow_id: str) -> WorkflowDef | None:
    """GitHub accepts the file name or the numeric id (any listed workflow, reusable ones included)."""
    if workflow_id in LISTED:
        return LISTED[workflow_id]
    for wf in LISTED.values():
        if str(wf.id) == workflow_id:
            return wf
    return None

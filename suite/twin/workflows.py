"""The twin's workflows: what a dispatch turns into (jobs, their names, dependencies and steps).

The files, their inputs, their jobs and their steps are the workflow catalogue's (suite.workflows, read
from workflows/*.yml); the twin adds only what GitHub gives each one (a numeric id). What each step does
is read from its `env` and `run` by suite.workload's convention, with `${{ inputs.X }}` and
`${{ matrix.X }}` evaluated for this dispatch; the fleet model (suite.twin.job_model) times it.

Each twin serves its own repository (:class:`RepoWorkflows`): the catalogue's files, plus the files of
a folder of the user's workflows (``TwinConfig.workflows_dir``, ``suite deploy --workflows DIR``), as
GitHub serves a repository's .github/workflows/: listed, readable through the contents API, and
dispatchable by file name or id. A folder's file of a catalogue file's name replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from suite.errors import UsageError
from suite.profiles.userfile import display_path
from suite.workflows import WORKFLOWS_DIR, Input, RunJob, Workflow, as_text, catalogue, parse_workflow
from suite.workload import Work, evaluate, step_work


@dataclass(frozen=True)
class StepSpec:
    name: str  # as written (GitHub's step name)
    work: Work


@dataclass(frozen=True)
class JobSpec:
    key: str  # unique within the run
    name: str  # as GitHub names it, e.g. "build / npm" for a reusable-workflow job
    steps: tuple[StepSpec, ...] = ()
    needs: tuple[str, ...] = ()  # created when these have finished
    after: str | None = None  # matrix max-parallel 1: created with the run, eligible after this one

    @property
    def sleep_s(self) -> float:
        """The seconds its steps sleep, in all."""
        return sum(s.work.sleep_s for s in self.steps)


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
    run_jobs: tuple[RunJob, ...] = field(default=(), repr=False)  # the catalogue's jobs of one run
    defaults: tuple[tuple[str, str], ...] = ()  # each input's default, as the text an expression sees

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
        """The jobs of one run of these (validated) inputs, each with its steps' work.

        A matrix job is runner_test.yml's: `job_count` jobs "<name> (i)" with `matrix.index` = i, one at
        a time when `job_type` is sequential."""
        given = {**dict(self.defaults), **inputs}
        specs: list[JobSpec] = []
        for job in self.run_jobs:
            context = _call_inputs(job, given)
            if job.matrix:
                count = int(float(given.get("job_count", "1") or 1))
                sequential = given.get("job_type", "parallel") == "sequential"
                for i in range(1, count + 1):
                    after = f"{job.name}-{i - 1}" if sequential and i > 1 else None
                    steps = _steps(job, {"inputs": context, "matrix": {"index": str(i)}})
                    specs.append(JobSpec(f"{job.name}-{i}", f"{job.name} ({i})", steps, after=after))
                continue
            needs = tuple(_key(n) for n in job.needs)
            specs.append(JobSpec(_key(job.name), job.name, _steps(job, {"inputs": context}), needs=needs))
        return specs


def _call_inputs(job: RunJob, inputs: dict[str, str]) -> dict[str, str]:
    """The `inputs` a job's steps see: the dispatch's, or through each reusable-workflow call the
    callee's defaults overridden by the caller's `with` (evaluated in the caller's inputs)."""
    for call in job.calls:
        inputs = {**dict(call.defaults), **{k: evaluate(v, {"inputs": inputs}) for k, v in call.with_}}
    return inputs


def _steps(job: RunJob, context: dict[str, dict[str, str]]) -> tuple[StepSpec, ...]:
    env = dict(job.env)
    return tuple(StepSpec(step.name, step_work(step, context, env)) for step in job.steps)


# the ids the twin gives the catalogue's files (GitHub numbers them in the order they were added)
IDS = {
    "runner_test.yml": 161335,
    "k8s_like.yml": 161336,
    "build_reusable.yml": 161337,
    "runner_workload.yml": 161338,
}


def _key(name: str) -> str:
    """A job's key in the run: its name without spaces around a called workflow's "/"."""
    return name.replace(" / ", "/")


def _spec(spec: Input) -> InputSpec:
    return InputSpec(spec.name, spec.type, spec.must_be_sent, spec.options, spec.minimum, spec.maximum)


def definition(id_: int, wf: Workflow, workflows: Mapping[str, Workflow] | None = None) -> WorkflowDef:
    """The twin's definition of a workflow file (the files it calls from `workflows`, default the
    catalogue): any workflow_dispatch file, the catalogue's or a user's."""
    defaults = tuple(
        (i.name, as_text(i.default)) for i in (*wf.inputs, *wf.call_inputs) if i.default is not None
    )
    inputs = tuple(_spec(i) for i in wf.inputs)
    return WorkflowDef(id_, wf.file, wf.name, inputs, wf.run_jobs(workflows), defaults)


@dataclass(frozen=True)
class RepoWorkflows:
    """One twin repository's workflow files: each file's text (the contents API), its parse, and its
    definition (GET .../actions/workflows, dispatches), in id order."""

    texts: Mapping[str, str]
    parsed: Mapping[str, Workflow]
    listed: Mapping[str, WorkflowDef]

    @property
    def dispatchable(self) -> dict[str, WorkflowDef]:
        return {f: wf for f, wf in self.listed.items() if self.parsed[f].dispatchable}

    def find(self, workflow_id: str) -> WorkflowDef | None:
        """GitHub accepts the file name or the numeric id (any listed workflow, reusable ones included)."""
        if workflow_id in self.listed:
            return self.listed[workflow_id]
        for wf in self.listed.values():
            if str(wf.id) == workflow_id:
                return wf
        return None


def repo_workflows(folder: Path | None = None) -> RepoWorkflows:
    """The catalogue's files, plus (replacing any of the same name) every ``*.yml`` / ``*.yaml`` of
    `folder`. A file that does not parse, or calls a workflow the repository lacks, is a UsageError."""
    files = {f.name: f for f in sorted(WORKFLOWS_DIR.glob("*.yml"))}
    if folder is not None:
        if not folder.is_dir():
            raise UsageError(f"{folder}: not a folder of workflow files; give the folder that holds them")
        files.update({f.name: f for f in sorted(folder.iterdir()) if f.suffix in (".yml", ".yaml")})
    texts = {name: _read(path) for name, path in files.items()}
    parsed = {name: _parse(files[name], text) for name, text in texts.items()}
    new = (f for f in sorted(parsed) if f not in IDS)  # any other file: the next ids
    ids = {**IDS, **{f: max(IDS.values()) + i for i, f in enumerate(new, 1)}}
    listed: dict[str, WorkflowDef] = {}
    for name in sorted(parsed, key=ids.__getitem__):
        try:
            definition_ = definition(ids[name], parsed[name], parsed)
        except KeyError:
            raise UsageError(
                f"{name} calls a workflow that is not among the repository's files; add the called file "
                "to the folder (the twin reads `uses: ./.github/workflows/<file>`)"
            ) from None
        if files[name].parent != WORKFLOWS_DIR:  # a description's "(lo-hi)" is the catalogue's own rule:
            unranged = tuple(replace(i, minimum=None, maximum=None) for i in definition_.inputs)
            definition_ = replace(definition_, inputs=unranged)  # GitHub enforces no range
        listed[name] = definition_
    return RepoWorkflows(texts, parsed, listed)


def _parse(path: Path, text: str) -> Workflow:
    if path.parent == WORKFLOWS_DIR:
        return parse_workflow(path.name, text)  # the catalogue's own file: its error says restore it
    try:
        return parse_workflow(path.name, text)
    except UsageError as exc:
        line = str(exc).split(":", 2)[1] if str(exc).count(":") >= 2 else ""
        at = f":{line}" if line.isdigit() else ""
        raise UsageError(
            f"{display_path(path)}{at}: not a workflow the twin can read (not YAML, or not shaped like a "
            "workflow); fix the file or take it out of the folder"
        ) from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the workflow file ({type(exc).__name__})") from None


# The catalogue's repository: what the fleet model (suite sim, suite plan) runs, and any twin without
# a folder of its own
CATALOGUE = repo_workflows()
LISTED: Mapping[str, WorkflowDef] = CATALOGUE.listed
WORKFLOWS: dict[str, WorkflowDef] = {f: wf for f, wf in LISTED.items() if catalogue()[f].dispatchable}
# Listed by GET .../actions/workflows like any workflow file, but only `workflow_call`: k8s_like.yml calls
# it, a dispatch of it is refused (422)
REUSABLE: dict[str, WorkflowDef] = {f: wf for f, wf in LISTED.items() if f not in WORKFLOWS}
find_workflow = CATALOGUE.find

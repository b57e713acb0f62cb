"""The workflow catalogue: the GitHub Actions files in workflows/ that users copy into their repository.

Read from the YAML files themselves, so the profiles (which inputs a dispatch may send, their types,
defaults, options and ranges), the twin (which jobs a run has and what each needs) and doctor (which
files a repository must hold) follow the real files. The folder is found next to the ``suite``
package: the repository root of a clone (the editable install imports ``suite`` from there).

A number input's range is the ``(lo-hi)`` its description states, e.g. "Seconds each job sleeps
(0-3600)": GitHub does not enforce one, the workflow's scripts rely on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from suite.errors import UsageError

WORKFLOWS_DIR = Path(__file__).resolve().parent.parent / "workflows"
_RANGE = re.compile(r"\((-?\d+)-(-?\d+)\)")


@dataclass(frozen=True)
class Input:
    name: str
    type: str  # number | choice | string | boolean | environment
    required: bool
    default: Any = None
    options: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    @property
    def must_be_sent(self) -> bool:
        """A dispatch without it is refused: required and without a default."""
        return self.required and self.default is None


@dataclass(frozen=True)
class Step:
    """One `steps:` entry as written: its name (GitHub's default for a `run` step: "Run <first line>"),
    its `env` values (expressions unevaluated) and its `run` script (empty for a `uses` step)."""

    name: str
    env: tuple[tuple[str, str], ...] = ()
    run: str = ""


@dataclass(frozen=True)
class Call:
    """A reusable workflow's call: the caller's `with` values (expressions in the caller's context) and
    the callee's `workflow_call` input defaults."""

    with_: tuple[tuple[str, str], ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Job:
    id: str
    needs: tuple[str, ...] = ()  # job ids
    uses: str | None = None  # the file name of the reusable workflow it calls
    matrix: bool = False  # a matrix job: GitHub names its jobs "<id> (<value>)"
    steps: tuple[Step, ...] = ()
    with_: tuple[tuple[str, str], ...] = ()  # a `uses` job's `with` values
    docker: tuple[str, ...] = ()  # what needs a Docker daemon: "container:", "services:", "uses: docker://"
    runs_on: tuple[str, ...] = ()  # the labels as written (an expression stays one label)

    @property
    def github_hosted(self) -> bool:
        """`runs-on` names only GitHub-hosted images (ubuntu-*, windows-*, macos-*): not the fleet's."""
        return bool(self.runs_on) and all(label.startswith(_HOSTED) for label in self.runs_on)


_HOSTED = ("ubuntu-", "windows-", "macos-")


@dataclass(frozen=True)
class RunJob:
    """A job as GitHub lists it in a run: a called workflow's jobs are named "<caller> / <callee>"."""

    name: str
    needs: tuple[str, ...]  # names of run jobs
    matrix: bool = False
    steps: tuple[Step, ...] = ()
    calls: tuple[Call, ...] = ()  # the reusable-workflow calls it sits in, outermost first
    env: tuple[tuple[str, str], ...] = ()  # the workflow-level `env` of the file it is written in


@dataclass(frozen=True)
class Workflow:
    file: str  # e.g. runner_test.yml
    name: str
    dispatchable: bool  # on: workflow_dispatch
    reusable: bool  # on: workflow_call
    inputs: tuple[Input, ...]  # workflow_dispatch inputs, in file order
    jobs: tuple[Job, ...]  # in file order
    run_name: str | None = None  # `run-name:` as written (GitHub titles each run with it, else `name`)
    env: tuple[tuple[str, str], ...] = ()  # the workflow-level `env`
    call_inputs: tuple[Input, ...] = ()  # workflow_call inputs, in file order

    def input(self, name: str) -> Input:
        for spec in self.inputs:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.file} has no input {name!r}")

    def run_jobs(self, workflows: Mapping[str, Workflow] | None = None) -> tuple[RunJob, ...]:
        """The jobs of one run, called workflows expanded (from ``workflows``, default the catalogue),
        in file order."""
        workflows = catalogue() if workflows is None else workflows
        names: dict[str, list[str]] = {}
        inner: dict[str, tuple[RunJob, ...]] = {}
        for job in self.jobs:
            if job.uses is None:
                names[job.id] = [job.id]
                continue
            called = workflows[job.uses]
            call = Call(job.with_, tuple((i.name, as_text(i.default)) for i in called.call_inputs))
            inner[job.id] = tuple(
                RunJob(
                    f"{job.id} / {j.name}",
                    tuple(f"{job.id} / {n}" for n in j.needs),
                    j.matrix,
                    j.steps,
                    (call, *j.calls),
                    j.env,
                )
                for j in called.run_jobs(workflows)
            )
            names[job.id] = [j.name for j in inner[job.id]]
        out: list[RunJob] = []
        for job in self.jobs:
            upstream = tuple(n for need in job.needs for n in names[need])
            if job.id in inner:
                out += [
                    RunJob(j.name, (*upstream, *j.needs), j.matrix, j.steps, j.calls, j.env)
                    for j in inner[job.id]
                ]
            else:
                out.append(RunJob(job.id, upstream, job.matrix, job.steps, env=self.env))
        return tuple(out)


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def as_text(value: Any) -> str:
    """A YAML scalar as the text an expression sees (GitHub's `true`/`false` for booleans)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pairs(mapping: Any) -> tuple[tuple[str, str], ...]:
    """A mapping's entries as text; a whole-mapping expression (`env: ${{ ... }}`) is not read."""
    return tuple((str(k), as_text(v)) for k, v in mapping.items()) if isinstance(mapping, dict) else ()


def _step(n: int, spec: dict[str, Any]) -> Step:
    run = str(spec.get("run") or "")
    default = f"Run {run.strip().splitlines()[0]}" if run.strip() else f"Run {spec.get('uses') or n}"
    return Step(name=str(spec.get("name") or default), env=_pairs(spec.get("env")), run=run)


def _docker(job: dict[str, Any]) -> tuple[str, ...]:
    """What in a job needs a Docker daemon on its runner: a job `container`, `services`, a step that runs
    a `docker://` image (a repository's Docker action is not visible in the file)."""
    found = [f"{key}:" for key in ("container", "services") if job.get(key)]
    steps = [s for s in job.get("steps") or () if isinstance(s, dict)]
    if any(str(s.get("uses", "")).startswith("docker://") for s in steps):
        found.append("uses: docker://")
    return tuple(found)


def _input(name: str, spec: dict[str, Any]) -> Input:
    match = _RANGE.search(str(spec.get("description") or ""))
    return Input(
        name=name,
        type=str(spec.get("type") or "string"),
        required=bool(spec.get("required", False)),
        default=spec.get("default"),
        options=_as_tuple(spec.get("options")),
        minimum=int(match[1]) if match else None,
        maximum=int(match[2]) if match else None,
    )


def parse_workflow(file: str, text: str) -> Workflow:
    """One workflow file's catalogue entry (YAML 1.1 reads the bare key ``on`` as True).

    A file that is not valid YAML, or not shaped like a workflow, is one UsageError naming it (these
    files are the repository's own: the fix is to restore them)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{file}{at}: not valid YAML; restore the file from the repository") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{file}: not a workflow (expected a mapping)")
    try:
        return _workflow(file, doc)
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        raise UsageError(
            f"{file}: not shaped like a workflow ({type(exc).__name__}); restore the file from the repository"
        ) from None


def _workflow(file: str, doc: dict[Any, Any]) -> Workflow:
    on = doc.get("on", doc.get(True)) or {}
    events = {on: None} if isinstance(on, str) else dict.fromkeys(on) if isinstance(on, list) else on
    dispatch = events.get("workflow_dispatch") or {}
    jobs = tuple(
        Job(
            id=str(job_id),
            needs=_as_tuple(job.get("needs")),
            uses=Path(job["uses"]).name if "uses" in job else None,
            matrix="matrix" in (job.get("strategy") or {}),
            steps=tuple(_step(n, step) for n, step in enumerate(job.get("steps") or (), 1)),
            with_=_pairs(job.get("with")),
            docker=_docker(job),
            runs_on=_as_tuple(job.get("runs-on")) if not isinstance(job.get("runs-on"), dict) else (),
        )
        for job_id, job in (doc.get("jobs") or {}).items()
    )
    call = events.get("workflow_call") or {}
    return Workflow(
        file=file,
        name=str(doc.get("name") or Path(file).stem),
        dispatchable="workflow_dispatch" in events,
        reusable="workflow_call" in events,
        inputs=tuple(_input(str(k), v or {}) for k, v in (dispatch.get("inputs") or {}).items()),
        jobs=jobs,
        run_name=str(doc["run-name"]) if doc.get("run-name") is not None else None,
        env=_pairs(doc.get("env")),
        call_inputs=tuple(_input(str(k), v or {}) for k, v in (call.get("inputs") or {}).items()),
    )


@cache
def catalogue(folder: Path = WORKFLOWS_DIR) -> dict[str, Workflow]:
    """Every ``*.yml`` in the folder by file name, sorted."""
    files = sorted(folder.glob("*.yml")) if folder.is_dir() else []
    if not files:
        raise UsageError(f"{folder}: no workflow files; the suite reads its workflow catalogue from there")
    return {f.name: parse_workflow(f.name, _text(f)) for f in files}


def _text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{file}: cannot read the workflow file ({type(exc).__name__}); restore it"
        ) from None


def dispatchable() -> dict[str, Workflow]:
    """The workflows a run can dispatch, by file name."""
    return {k: w for k, w in catalogue().items() if w.dispatchable}


def called_only() -> dict[str, Workflow]:
    """The reusable workflows only another workflow calls (a dispatch of one is refused), by file name."""
    return {k: w for k, w in catalogue().items() if not w.dispatchable}


def catalogue_files() -> tuple[str, ...]:
    """Every file a target repository needs: the dispatchable ones, then the ones they call."""
    return (*sorted(dispatchable()), *sorted(called_only()))

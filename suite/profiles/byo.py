"""Bring your own workflow: a profile's inputs against the inputs the workflow declares (pure).

A profile may name any workflow_dispatch workflow of the target repository. The suite cannot know its
inputs when the profile loads (the file is in that repository, not in workflows/), so the preflight of
`suite run` (suite.dispatch.preflight) and `suite doctor --profile` read the file through the API and
hold the profile to it here. Every problem is one UsageError at the PROFILE's file:line (the line of
the input, else of ``inputs:``, else of ``workflow:``), what the workflow declares, and the fix:

- an input the workflow does not declare (did-you-mean), a required input (no default) not given, a
  choice value not among its options, a value of the wrong type (number: a number; boolean: true or
  false; string, choice, environment: any scalar, sent as text);
- a workflow without ``workflow_dispatch`` (the suite cannot dispatch it);
- a workflow without a ``suite_id`` input, or whose ``run-name`` is not ``${{ inputs.suite_id }}``: the
  suite sends suite_id with every dispatch (GitHub refuses an input the workflow does not declare) and
  finds the run a dispatch created by its title when GitHub returns no run id (older GitHub Enterprise
  Server), after a lost answer and while it follows the runs (suite.dispatch.reconcile,
  suite.collect.runs): without that run-name no run of the test would be found, so it is an error.

Values from the repository's file (its input names, options) are quoted bounded (yamlpos.brief), a
handful at most.
"""

from __future__ import annotations

import difflib
import re
from typing import NoReturn

from suite.errors import UsageError
from suite.profiles.inputs import SUITE_ID, CustomInputs, Scalar
from suite.profiles.model import Profile
from suite.profiles.yamlpos import brief, where
from suite.workflows import Input, Workflow

RUN_NAME_RE = re.compile(r"^\s*\$\{\{\s*(?:inputs|github\.event\.inputs)\.suite_id\s*\}\}\s*$")
RUN_NAME = "run-name: ${{ inputs.suite_id }}"
SUITE_ID_INPUT = "suite_id: {required: true, type: string}"
MAX_LISTED = 8  # declared names an error lists


def fail(profile: Profile, field: str, message: str) -> NoReturn:
    """A UsageError at the profile's line for `field` (else `inputs`, else `workflow`)."""
    line = 0
    for key in (field, "inputs", "workflow"):
        line = profile.lines.get(key, 0)
        if line:
            break
    applied = profile.environment is not None and profile.environment in profile.environments
    suffix = f" (with environment '{profile.environment}' applied)" if applied else ""
    raise UsageError(f"{where(profile.source or str(profile.path), line)}: {field}: {message}{suffix}")


def run_name_is_suite_id(workflow: Workflow) -> bool:
    """The workflow titles its runs with the dispatch's suite_id."""
    return workflow.run_name is not None and RUN_NAME_RE.match(workflow.run_name) is not None


def check_workflow(profile: Profile, workflow: Workflow, repo: str) -> None:
    """Raise a UsageError when `profile` cannot dispatch `workflow` (as read from `repo`) as it says."""
    file = f".github/workflows/{workflow.file} in {repo}"
    if not workflow.dispatchable:
        fail(
            profile,
            "workflow",
            f"{file} has no workflow_dispatch trigger, so the suite cannot dispatch it; add "
            "`on: workflow_dispatch` (with its inputs) to the file on the default branch",
        )
    declared = {spec.name: spec for spec in workflow.inputs}
    if SUITE_ID not in declared:
        fail(
            profile,
            "workflow",
            f"{file} declares no {SUITE_ID} input: the suite sends one with every dispatch and finds the "
            f"run by it; add `{SUITE_ID_INPUT}` to its workflow_dispatch inputs and `{RUN_NAME}`",
        )
    if not run_name_is_suite_id(workflow):
        has = "has no run-name" if workflow.run_name is None else "has another run-name"
        fail(
            profile,
            "workflow",
            f"{file} {has}: the suite finds the run each dispatch created by its title; add `{RUN_NAME}` "
            "at the top level of the file",
        )
    inputs = profile.inputs
    if not isinstance(inputs, CustomInputs):
        return  # a shipped workflow's inputs were checked against workflows/ when the profile loaded
    for name, value in inputs.given:
        spec = declared.get(name)
        if spec is None:
            fail(profile, f"inputs.{name}", _unknown(name, workflow, file))
        problem = _value_problem(spec, value)
        if problem:
            fail(profile, f"inputs.{name}", f"{problem} ({file} declares it type: {spec.type})")
    for spec in workflow.inputs:
        if spec.name != SUITE_ID and spec.must_be_sent and spec.name not in inputs:
            fail(
                profile,
                "inputs",
                f"{file} requires input {brief(spec.name)} (required, no default); add it to the profile's "
                "inputs",
            )


def _unknown(name: str, workflow: Workflow, file: str) -> str:
    names = [spec.name for spec in workflow.inputs if spec.name != SUITE_ID]
    listed = ", ".join(brief(n, 40) for n in names[:MAX_LISTED]) or "none besides suite_id"
    if len(names) > MAX_LISTED:
        listed += f" and {len(names) - MAX_LISTED} more"
    msg = f"{file} declares no input {brief(name)}; it declares: {listed}"
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        msg += f" (did you mean {brief(close[0], 40)}?)"
    return msg


def _value_problem(spec: Input, value: Scalar) -> str | None:
    """What is wrong with `value` for the declared input, or None."""
    if spec.type == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"must be a number, got {_show(value)}"
    if spec.type == "boolean" and not isinstance(value, bool):
        return f"must be true or false, got {_show(value)}"
    if spec.type == "choice":
        text = "true" if value is True else "false" if value is False else str(value)
        if text not in spec.options:
            options = ", ".join(brief(o, 40) for o in spec.options[:MAX_LISTED])
            more = f" and {len(spec.options) - MAX_LISTED} more" if len(spec.options) > MAX_LISTED else ""
            return f"must be one of {options}{more}, got {_show(value)}"
    return None


def _show(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return brief(value)

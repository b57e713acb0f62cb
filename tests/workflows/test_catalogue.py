"""The workflow catalogue (suite.workflows) is read from workflows/*.yml, and everything that needs the
workflows follows it: profile inputs, the twin's workflows and jobs, doctor's file list."""

from __future__ import annotations

from pathlib import Path

import pytest

from suite.errors import UsageError
from suite.fleet.doctor import CATALOGUE_WORKFLOWS
from suite.profiles.inputs import JOB_TYPES, WORKFLOWS, K8sLikeInputs, RunnerTestInputs
from suite.profiles.profile import parse_profile
from suite.twin import workflows as twin
from suite.workflows import (
    WORKFLOWS_DIR,
    Call,
    Input,
    RunJob,
    Step,
    called_only,
    catalogue,
    catalogue_files,
    dispatchable,
    parse_workflow,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_catalogue_is_the_files_in_workflows() -> None:
    assert WORKFLOWS_DIR == ROOT / "workflows"
    assert list(catalogue()) == sorted(p.name for p in (ROOT / "workflows").glob("*.yml"))
    assert list(dispatchable()) == ["k8s_like.yml", "runner_test.yml", "runner_workload.yml"]
    assert list(called_only()) == ["build_reusable.yml"]
    assert catalogue()["build_reusable.yml"].reusable and not catalogue()["build_reusable.yml"].inputs


def test_runner_test_inputs_as_declared() -> None:
    wf = catalogue()["runner_test.yml"]
    assert wf.inputs == (
        Input("sleep_duration", "number", True, 60, (), 0, 3600),
        Input("job_count", "number", True, 1, (), 1, 20),
        Input("job_type", "choice", True, "parallel", ("parallel", "sequential")),
        Input("suite_id", "string", True),
    )
    assert [i.name for i in wf.inputs if i.must_be_sent] == ["suite_id"]


def test_run_jobs_expand_called_workflows_and_their_needs() -> None:
    jobs = catalogue()["k8s_like.yml"].run_jobs()
    assert [(j.name, j.needs, j.matrix) for j in jobs] == [
        ("diagnostic", (), False),
        ("build / npm", ("diagnostic",), False),
        ("build / sonar", ("diagnostic",), False),
        ("report", ("build / npm", "build / sonar"), False),
    ]
    # a called workflow's jobs carry the call: the caller's `with` and the callee's input defaults
    npm = jobs[1]
    assert npm.calls == (
        Call(
            (("sleep_duration", "${{ inputs.sleep_duration }}"), ("suite_id", "${{ inputs.suite_id }}")),
            (("sleep_duration", ""), ("suite_id", "")),
        ),
    )
    assert [s.name for s in npm.steps] == ["npm build", "npm test", "Sleep"]
    assert [(j.name, j.matrix) for j in catalogue()["runner_test.yml"].run_jobs()] == [("run", True)]


def test_profiles_follow_the_catalogue() -> None:
    assert {f"{w}.yml" for w in WORKFLOWS} == set(dispatchable())
    for cls in (RunnerTestInputs, K8sLikeInputs):
        wf = dispatchable()[f"{cls.workflow}.yml"]
        assert {i.name for i in wf.inputs} == {*cls.input_names, "suite_id"}
        assert cls().to_dict() == {i.name: i.default for i in cls.specs()}
    assert catalogue()["runner_test.yml"].input("job_type").options == JOB_TYPES
    assert tuple(j.name for j in catalogue()["k8s_like.yml"].run_jobs()) == K8sLikeInputs.JOBS
    assert RunnerTestInputs(job_count=2).job_names == ("run (1)", "run (2)")
    # the range a workflow's description states is the range a profile may ask for
    text = "workflow: runner_test\npattern: {type: burst, count: 1}\ninputs: {job_count: 21}\n"
    with pytest.raises(UsageError, match=r"x.yaml:3: inputs.job_count: must be an integer 1..20, got 21"):
        parse_profile(text, path="x.yaml")


def test_the_twin_and_doctor_follow_the_catalogue() -> None:
    assert list(twin.WORKFLOWS) == ["runner_test.yml", "k8s_like.yml", "runner_workload.yml"]
    assert list(twin.REUSABLE) == ["build_reusable.yml"]
    assert [w.id for w in twin.LISTED.values()] == [161335, 161336, 161337, 161338]
    assert catalogue_files() == CATALOGUE_WORKFLOWS
    assert catalogue_files() == (
        "k8s_like.yml",
        "runner_test.yml",
        "runner_workload.yml",
        "build_reusable.yml",
    )
    jobs = twin.WORKFLOWS["k8s_like.yml"].jobs({"sleep_duration": "60"})
    assert [(j.key, j.name, j.sleep_s, j.needs) for j in jobs] == [
        ("diagnostic", "diagnostic", 0, ()),
        ("build/npm", "build / npm", 60, ("diagnostic",)),  # through the call's `with`
        ("build/sonar", "build / sonar", 60, ("diagnostic",)),
        ("report", "report", 0, ("build/npm", "build/sonar")),
    ]
    npm = {s.name: s.work for s in jobs[1].steps}
    assert (npm["npm build"].threads, npm["npm build"].cpu_units) == (2, 10)
    assert (npm["npm test"].memory_mib, npm["npm test"].hold_s) == (512, 5)
    runs = twin.WORKFLOWS["runner_test.yml"].jobs({"job_count": "3", "job_type": "sequential"})
    assert [(j.key, j.name, j.after) for j in runs] == [
        ("run-1", "run (1)", None),
        ("run-2", "run (2)", "run-1"),
        ("run-3", "run (3)", "run-2"),
    ]


def test_an_edited_file_changes_the_catalogue_entry() -> None:
    text = (ROOT / "workflows" / "runner_test.yml").read_text(encoding="utf-8")
    wider = parse_workflow("runner_test.yml", text.replace("(1-20)", "(1-30)"))
    assert wider.input("job_count").maximum == 30
    called = parse_workflow("x.yml", "name: x\non: [workflow_call]\njobs: {a: {}, b: {needs: a}}\n")
    assert (called.dispatchable, called.reusable, called.inputs) == (False, True, ())
    assert called.run_jobs() == (RunJob("a", ()), RunJob("b", ("a",)))
    steps = parse_workflow(
        "s.yml",
        "on: workflow_dispatch\njobs: {a: {steps: [{run: 'make all\n'}, {uses: x/y@v1, env: '${{ e }}'}]}}\n",
    )
    assert steps.jobs[0].steps == (Step("Run make all", (), "make all "), Step("Run x/y@v1", (), ""))
    assert parse_workflow("y.yml", "on: workflow_dispatch\njobs: {}\n").dispatchable
    with pytest.raises(UsageError, match="no workflow files"):
        catalogue(ROOT / "no-such-folder")

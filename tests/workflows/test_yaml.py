"""The test workflows users copy into their repository: structure, inputs, jobs, needs and labels.

They must agree with suite.profiles.profile: the inputs a profile sends, and the job names the analysis
expects to find in every run (K8sLikeInputs.JOBS, RunnerTestInputs.job_names).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from suite.errors import UsageError
from suite.profiles.inputs import RunnerWorkloadInputs
from suite.profiles.profile import K8sLikeInputs, RunnerTestInputs, parse_profile

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
LABELS = ["self-hosted", "ecs-fargate"]
RUN_NAME = "${{ inputs.suite_id }}"
REUSABLE = "./.github/workflows/build_reusable.yml"


def load(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    # YAML 1.1 reads the bare key `on` as True; GitHub reads it as "on".
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def dispatch_inputs(doc: dict[str, Any]) -> dict[str, Any]:
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert isinstance(inputs, dict)
    return inputs


def all_steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize(
    "name", ["runner_test.yml", "k8s_like.yml", "build_reusable.yml", "runner_workload.yml"]
)
def test_common_shape(name: str) -> None:
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    assert text.startswith("# "), "each workflow starts with a comment saying what it is for"
    assert "\t" not in text
    doc = load(name)
    assert doc["name"] == name.removesuffix(".yml")
    assert doc["permissions"] == {"contents": "read"}
    for job_id, job in doc["jobs"].items():
        if "uses" in job:
            continue
        assert job["runs-on"] == LABELS, job_id
        assert job["timeout-minutes"] > 60, f"{job_id}: sleep_duration can be 3600 s"
        assert job["steps"], job_id
    for step in all_steps(doc):
        # inputs reach shell scripts through env, never spliced into the script text
        assert "${{" not in step["run"], step


def test_runner_test_inputs_match_the_profile_schema() -> None:
    doc = load("runner_test.yml")
    assert doc["run-name"] == RUN_NAME
    assert list(doc["on"]) == ["workflow_dispatch"]
    inputs = dispatch_inputs(doc)
    assert set(inputs) == {*RunnerTestInputs.input_names, "suite_id"}
    assert len(inputs) <= 25
    assert inputs["sleep_duration"]["type"] == "number"
    assert inputs["job_count"]["type"] == "number"
    assert inputs["job_type"]["type"] == "choice"
    assert inputs["job_type"]["options"] == ["parallel", "sequential"]
    assert inputs["suite_id"]["type"] == "string"
    assert inputs["suite_id"]["required"] is True
    defaults = RunnerTestInputs()
    for key in RunnerTestInputs.input_names:
        assert inputs[key]["default"] == getattr(defaults, key), key
    assert "1-20" in inputs["job_count"]["description"]


def matrix_lookup(expr: str) -> tuple[dict[str, list[int]], str]:
    m = re.fullmatch(r"\$\{\{ fromJSON\('(?P<json>[^']*)'\)\[(?P<key>[^\]]*)\] \}\}", expr.strip())
    assert m, expr
    return json.loads(m["json"]), m["key"]


def test_runner_test_makes_job_count_jobs() -> None:
    job = load("runner_test.yml")["jobs"]
    assert list(job) == ["run"]
    strategy = job["run"]["strategy"]
    assert strategy["fail-fast"] is False
    assert strategy["max-parallel"] == "${{ inputs.job_type == 'sequential' && 1 || 20 }}"
    lookup, key = matrix_lookup(strategy["matrix"]["index"])
    assert key == "format('{0}', inputs.job_count)"
    assert set(lookup) == {str(n) for n in range(1, 21)}
    for n in range(1, 21):
        assert lookup[str(n)] == list(range(1, n + 1))
        # GitHub names matrix jobs "<job id> (<value>)": what the suite expects to collect
        names = tuple(f"run ({i})" for i in lookup[str(n)])
        assert names == RunnerTestInputs(job_count=n).job_names


def test_runner_test_sleeps_for_sleep_duration() -> None:
    steps = load("runner_test.yml")["jobs"]["run"]["steps"]
    sleep = [s for s in steps if s["name"] == "Sleep"]
    assert len(sleep) == 1
    assert sleep[0]["env"]["SLEEP_S"] == "${{ inputs.sleep_duration }}"
    assert 'sleep "${SLEEP_S}"' in sleep[0]["run"]


def test_k8s_like_structure() -> None:
    doc = load("k8s_like.yml")
    assert doc["run-name"] == RUN_NAME
    inputs = dispatch_inputs(doc)
    assert set(inputs) == {*K8sLikeInputs.input_names, "suite_id"}
    assert inputs["sleep_duration"]["type"] == "number"
    assert inputs["sleep_duration"]["default"] == K8sLikeInputs().sleep_duration
    assert inputs["suite_id"] == {**inputs["suite_id"], "type": "string", "required": True}
    jobs = doc["jobs"]
    assert list(jobs) == ["diagnostic", "build", "report"]
    assert "needs" not in jobs["diagnostic"]
    assert jobs["build"]["needs"] == "diagnostic"
    assert jobs["build"]["uses"] == REUSABLE
    assert jobs["build"]["with"]["sleep_duration"] == "${{ inputs.sleep_duration }}"
    assert jobs["report"]["needs"] == "build"


def test_build_reusable_structure() -> None:
    doc = load("build_reusable.yml")
    call = doc["on"]["workflow_call"]
    assert list(doc["on"]) == ["workflow_call"]
    assert call["inputs"]["sleep_duration"] == {
        **call["inputs"]["sleep_duration"],
        "type": "number",
        "required": True,
    }
    assert list(doc["jobs"]) == ["npm", "sonar"]
    for job in doc["jobs"].values():
        assert "needs" not in job  # npm and sonar run side by side
    # everything the caller passes is declared
    caller = load("k8s_like.yml")["jobs"]["build"]["with"]
    assert set(caller) <= set(call["inputs"])
    required = {k for k, v in call["inputs"].items() if v.get("required")}
    assert required <= set(caller)


def expanded_jobs(name: str) -> dict[str, set[str]]:
    """Job names as GitHub lists them in a run (reusable jobs as 'caller / callee'), with their needs."""
    out: dict[str, set[str]] = {}
    jobs = load(name)["jobs"]
    expanded_ids: dict[str, list[str]] = {}
    for job_id, job in jobs.items():
        if "uses" in job:
            callee = load(Path(job["uses"]).name)["jobs"]
            expanded_ids[job_id] = [f"{job_id} / {c}" for c in callee]
        else:
            expanded_ids[job_id] = [job_id]
    for job_id, job in jobs.items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        upstream = {n for need in needs for n in expanded_ids[need]}
        for expanded in expanded_ids[job_id]:
            out[expanded] = upstream
    return out


def test_k8s_like_run_has_the_four_jobs_the_suite_expects() -> None:
    graph = expanded_jobs("k8s_like.yml")
    assert tuple(graph) == K8sLikeInputs.JOBS == ("diagnostic", "build / npm", "build / sonar", "report")
    assert K8sLikeInputs().jobs_per_workflow == 4
    assert graph == {
        "diagnostic": set(),
        "build / npm": {"diagnostic"},
        "build / sonar": {"diagnostic"},
        "report": {"build / npm", "build / sonar"},
    }


def test_k8s_like_work_and_sleeps() -> None:
    """build / npm and build / sonar do fixed work, then sleep sleep_duration; diagnostic and report do
    a little fixed work; every work variable the twin reads is a literal in the step's env."""
    jobs = {**load("k8s_like.yml")["jobs"], **load("build_reusable.yml")["jobs"]}
    for job_id, job in jobs.items():
        if "uses" in job:
            continue
        sleeps = [s for s in job["steps"] if "SLEEP_S" in s.get("env", {})]
        work = [s for s in job["steps"] if any(k.startswith("WORK_") for k in s.get("env", {}))]
        assert work, job_id
        for step in work:
            assert all(isinstance(v, int) for k, v in step["env"].items() if k.startswith("WORK_")), step
        if job_id in ("npm", "sonar"):
            assert len(sleeps) == 1 and sleeps[0]["env"]["SLEEP_S"] == "${{ inputs.sleep_duration }}"
            assert 'sleep "${SLEEP_S}"' in sleeps[0]["run"]
        else:
            assert sleeps == [], job_id


def test_runner_workload_inputs_match_the_profile_schema() -> None:
    doc = load("runner_workload.yml")
    assert doc["run-name"] == RUN_NAME and list(doc["on"]) == ["workflow_dispatch"]
    inputs = dispatch_inputs(doc)
    assert set(inputs) == {*RunnerWorkloadInputs.input_names, "suite_id"} and len(inputs) <= 25
    assert inputs["preset"]["options"] == ["light", "build", "memory-heavy", "custom"]
    defaults = RunnerWorkloadInputs()
    for key in RunnerWorkloadInputs.input_names:
        assert inputs[key]["default"] == getattr(defaults, key), key
        if inputs[key]["type"] == "number":
            assert re.search(r"\(\d+-\d+\)", inputs[key]["description"]), key  # the range profiles check
    names = [s["name"] for s in doc["jobs"]["work"]["steps"]]
    assert names == ["Identify", "CPU work", "Memory work", "Disk work", "Network work", "Sleep"]
    assert RunnerWorkloadInputs().job_names == ("work",) and RunnerWorkloadInputs().jobs_per_workflow == 1


def test_a_runner_workload_profile_is_checked_against_the_workflows_inputs() -> None:
    head = "workflow: runner_workload\npattern: {type: burst, count: 1}\n"
    ok = parse_profile(head + "inputs: {preset: custom, cpu_threads: 4}\n", path="w.yaml")
    assert ok.inputs.dispatch_inputs()["cpu_threads"] == "4" and ok.jobs_per_workflow == 1
    with pytest.raises(UsageError, match=r"w.yaml:3: inputs.preset: .*light, build, memory-heavy, custom"):
        parse_profile(head + "inputs: {preset: huge}\n", path="w.yaml")
    with pytest.raises(UsageError, match=r"w.yaml:3: inputs.cpu_threads: must be an integer 1..16, got 17"):
        parse_profile(head + "inputs: {cpu_threads: 17}\n", path="w.yaml")

"""Bring your own workflow: a profile naming a workflow the suite does not ship (suite.profiles.byo).

Loading keeps the inputs as given, with the line of each; the check against the workflow's declared
inputs (at preflight and in doctor) is one UsageError at the profile's file:line for each rule of the
module's docstring. The workflows here are parsed with suite.workflows.parse_workflow, as preflight
parses the file it reads from the repository.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.errors import UsageError
from suite.profiles.byo import check_workflow
from suite.profiles.inputs import CustomInputs, RunnerTestInputs
from suite.profiles.model import JOBS_UNKNOWN
from suite.profiles.profile import load_profile, profile_from_dict
from suite.workflows import Workflow, parse_workflow

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "byo"
REPO = "octo/app"

PROFILE = """\
# BYO: a custom workflow
workflow: ci.yml
inputs:
  flavour: release
  shards: 4
  sleep_duration: 45
pattern: {type: burst, count: 3}
environments:
  local:
    inputs: {flavour: debug}
"""


def write(tmp_path: Path, text: str, name: str = "byo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def workflow(text: str, file: str = "ci.yml") -> Workflow:
    return parse_workflow(file, textwrap.dedent(text))


CI = parse_workflow("ci.yml", (FIXTURE / "workflows" / "ci.yml").read_text(encoding="utf-8"))


def error(profile_path: Path, wf: Workflow, environment: str | None = None) -> str:
    with pytest.raises(UsageError) as exc:
        check_workflow(load_profile(profile_path, environment), wf, REPO)
    return str(exc.value)


def test_a_custom_workflow_loads_with_its_inputs_and_their_lines(tmp_path: Path) -> None:
    p = load_profile(write(tmp_path, PROFILE))
    assert p.custom and p.workflow == p.workflow_file == "ci.yml"
    assert isinstance(p.inputs, CustomInputs)
    assert p.inputs.to_dict() == {"flavour": "release", "shards": 4, "sleep_duration": 45}
    assert p.dispatch_inputs("s-1") == {
        "flavour": "release",
        "shards": "4",
        "sleep_duration": "45",
        "suite_id": "s-1",
    }
    assert p.lines == {
        "workflow": 2,
        "inputs": 3,
        "inputs.flavour": 4,
        "inputs.shards": 5,
        "inputs.sleep_duration": 6,
    }
    assert p.source.endswith("byo.yaml")
    # the job count is learned from GitHub, never declared
    assert p.jobs_per_workflow is None and p.expected_jobs is None and p.expected_workflows == 3
    data = json.loads(json.dumps(p.to_dict()))
    assert data["jobs_per_workflow"] is None and data["jobs_per_workflow_reason"] == JOBS_UNKNOWN
    assert profile_from_dict(data) == p
    # an environment's override keeps its own line
    local = load_profile(write(tmp_path, PROFILE), "local")
    assert local.inputs["flavour"] == "debug" and local.lines["inputs.flavour"] == 10


def test_shipped_workflows_load_as_before(tmp_path: Path) -> None:
    for name in ("runner_test", "runner_test.yml"):
        p = load_profile(
            write(
                tmp_path, f"workflow: {name}\ninputs: {{job_count: 2}}\npattern: {{type: burst, count: 1}}\n"
            )
        )
        assert not p.custom and isinstance(p.inputs, RunnerTestInputs)
        assert p.workflow_file == "runner_test.yml" and p.jobs_per_workflow == 2 and p.expected_jobs == 2


def test_booleans_are_sent_as_github_writes_them() -> None:
    assert CustomInputs((("dry", True), ("fast", False), ("n", 1.5))).dispatch_inputs() == {
        "dry": "true",
        "fast": "false",
        "n": "1.5",
    }


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("workflow: ci\n", 1, "workflow: must be one of runner_test, k8s_like"),
        ("workflow: ../ci.yml\n", 1, "got '../ci.yml'"),
        ("workflow: ci.yml\ninputs: [a, b]\n", 2, "inputs: must be a mapping of input name to value"),
        ("workflow: ci.yml\ninputs:\n  x: [1]\n", 3, "inputs.x: must be a string, a number or true/false"),
        ("workflow: ci.yml\ninputs:\n  x: null\n", 3, "inputs.x: must be a string, a number or true/false"),
        ("workflow: ci.yml\ninputs:\n  suite_id: a\n", 3, "is set by the suite on every dispatch"),
        (
            "workflow: ci.yml\ninputs:\n" + "".join(f"  i{n}: 1\n" for n in range(25)),
            2,
            "25 inputs; at most 24",
        ),
    ],
)
def test_shape_errors_at_load(tmp_path: Path, body: str, line: int, needle: str) -> None:
    path = write(tmp_path, body + "pattern: {type: burst, count: 1}\n")
    with pytest.raises(UsageError) as exc:
        load_profile(path)
    assert f"byo.yaml:{line}: " in str(exc.value) and needle in str(exc.value)


def test_the_fixture_profile_matches_the_fixture_workflow() -> None:
    check_workflow(load_profile(FIXTURE / "byo.yaml"), CI, REPO)  # no error


def test_a_misspelt_input_is_its_line_with_did_you_mean(tmp_path: Path) -> None:
    msg = error(write(tmp_path, PROFILE.replace("  shards: 4", "  shard: 4")), CI)
    assert "byo.yaml:5: inputs.shard: " in msg
    assert "declares no input 'shard'" in msg and "(did you mean 'shards'?)" in msg
    assert "it declares: 'flavour', 'shards', 'sleep_duration' (" in msg  # what it declares, suite_id aside


@pytest.mark.parametrize(
    ("replace", "line", "needle"),
    [
        (
            ("flavour: release", "flavour: fast"),
            4,
            "inputs.flavour: must be one of 'debug', 'release', got 'fast'",
        ),
        (("shards: 4", "shards: four"), 5, "inputs.shards: must be a number, got 'four'"),
        (("shards: 4", "shards: true"), 5, "inputs.shards: must be a number, got true"),
        (
            ("  flavour: release\n", ""),
            3,
            "inputs: .github/workflows/ci.yml in octo/app requires input 'flavour'",
        ),
    ],
)
def test_each_input_rule_is_a_profile_line(
    tmp_path: Path, replace: tuple[str, str], line: int, needle: str
) -> None:
    msg = error(write(tmp_path, PROFILE.replace(*replace)), CI)
    assert f"byo.yaml:{line}: " in msg and needle in msg, msg


def test_a_required_input_with_no_inputs_key_points_at_the_workflow_line(tmp_path: Path) -> None:
    msg = error(write(tmp_path, "workflow: ci.yml\npattern: {type: burst, count: 1}\n"), CI)
    assert "byo.yaml:1: inputs: " in msg and "requires input 'flavour'" in msg


def test_an_environment_override_names_the_environment(tmp_path: Path) -> None:
    msg = error(write(tmp_path, PROFILE.replace("{flavour: debug}", "{flavour: dbg}")), CI, "local")
    assert "byo.yaml:10: inputs.flavour: must be one of 'debug', 'release', got 'dbg'" in msg
    assert msg.endswith("(with environment 'local' applied)")


BOOLEAN = """\
name: b
run-name: ${{ inputs.suite_id }}
on:
  workflow_dispatch:
    inputs:
      suite_id: {type: string, required: true}
      dry: {type: boolean, default: false}
      note: {type: string}
jobs:
  a: {runs-on: x, steps: [{run: "true"}]}
"""


def test_boolean_and_string_types(tmp_path: Path) -> None:
    wf = workflow(BOOLEAN)
    ok = write(tmp_path, "workflow: ci.yml\ninputs: {dry: true, note: 3}\npattern: {type: burst, count: 1}\n")
    check_workflow(load_profile(ok), wf, REPO)  # a string input takes any scalar
    bad = write(tmp_path, "workflow: ci.yml\ninputs: {dry: 'yes'}\npattern: {type: burst, count: 1}\n")
    assert "byo.yaml:2: inputs.dry: must be true or false, got 'yes'" in error(bad, wf)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (BOOLEAN.replace("  workflow_dispatch:", "  workflow_call:"), "has no workflow_dispatch trigger"),
        (
            BOOLEAN.replace("      suite_id: {type: string, required: true}\n", ""),
            "declares no suite_id input",
        ),
        (BOOLEAN.replace("run-name: ${{ inputs.suite_id }}\n", ""), "has no run-name"),
        (BOOLEAN.replace("${{ inputs.suite_id }}", "build ${{ inputs.suite_id }}"), "has another run-name"),
    ],
)
def test_what_the_suite_needs_of_any_workflow(tmp_path: Path, text: str, needle: str) -> None:
    path = write(tmp_path, "# x\nworkflow: ci.yml\npattern: {type: burst, count: 1}\n")
    msg = error(path, workflow(text))
    assert "byo.yaml:2: workflow: .github/workflows/ci.yml in octo/app " in msg and needle in msg
    assert "run-name: ${{ inputs.suite_id }}" in msg or "workflow_dispatch" in msg  # the fix
    assert "build ${{" not in msg  # the repository's text is not echoed


def test_github_event_inputs_form_of_the_run_name_is_accepted(tmp_path: Path) -> None:
    wf = workflow(BOOLEAN.replace("${{ inputs.suite_id }}", "${{github.event.inputs.suite_id}}"))
    check_workflow(
        load_profile(write(tmp_path, "workflow: ci.yml\npattern: {type: burst, count: 1}\n")), wf, REPO
    )


DECLARED = {"suite_id", "flavour", "shards", "sleep_duration"}
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=20).filter(
    lambda n: n not in DECLARED
)


@settings(max_examples=60, deadline=None)
@given(extra=NAMES, at=st.integers(0, 3))
def test_any_undeclared_input_is_refused_at_its_own_line(
    tmp_path_factory: pytest.TempPathFactory, extra: str, at: int
) -> None:
    given_inputs = ["flavour: debug", "shards: 1", "sleep_duration: 2"]
    given_inputs.insert(at, f"'{extra}': 1")  # quoted: YAML 1.1 reads a bare no as false
    body = "workflow: ci.yml\ninputs:\n" + "".join(f"  {i}\n" for i in given_inputs)
    path = write(tmp_path_factory.mktemp("p"), body + "pattern: {type: burst, count: 1}\n")
    with pytest.raises(UsageError) as exc:
        check_workflow(load_profile(path), CI, REPO)
    assert (
        f"byo.yaml:{3 + at}: inputs.{extra}: .github/workflows/ci.yml in octo/app declares no input"
        in str(exc.value)
    )


def test_suite_profiles_shows_the_job_count_as_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from suite.cli.profiles import describe, profiles_command

    p = load_profile(FIXTURE / "byo.yaml")
    text = describe(p)
    assert text.startswith("6 workflows of ci.yml (jobs learned from GitHub; its inputs are checked against")
    assert text.endswith("counted GitHub requests (estimated at one jobs page per run)")
    (tmp_path / "byo.yaml").write_text((FIXTURE / "byo.yaml").read_text())
    (tmp_path / "rt.yaml").write_text(
        "workflow: runner_test\ninputs: {job_count: 2}\npattern: {type: burst, count: 3}\n"
    )
    assert profiles_command("list", None, tmp_path) == 0
    rows = {
        line.split()[0]: line.split()
        for line in capsys.readouterr().out.splitlines()
        if line[:3] in ("byo", "rt ")
    }
    byo, rt = rows["byo"], rows["rt"]
    at = len(byo) - 1 - byo[::-1].index("ci.yml")  # the workflow column (the purpose names it too)
    assert byo[at + 1 : at + 3] == ["6", "?"]  # 6 workflows, jobs unknown
    assert rt[rt.index("runner_test") + 1 : rt.index("runner_test") + 3] == ["3", "6"]  # 3 x 2 jobs

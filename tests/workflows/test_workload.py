"""suite.workload: the convention a step's env follows to say what work it does (docs/architecture.md,
"The twin's job model"), and the twin's jobs of a user-shaped workflow built from it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from suite.twin.workflows import definition
from suite.workflows import Step, parse_workflow
from suite.workload import Work, evaluate, parse_presets, step_work

TABLE = """
preset  WORK_THREADS WORK_CPU_UNITS SLEEP_S
small   1            2              3
big     4            50
"""


def test_expressions_take_inputs_and_matrix_values_and_nothing_else() -> None:
    ctx = {"inputs": {"n": "5"}, "matrix": {"index": "2"}}
    assert evaluate("${{ inputs.n }}", ctx) == "5"
    assert evaluate("${{matrix.index}}-${{ inputs.n }}", ctx) == "2-5"
    assert evaluate("${{ inputs.missing }}", ctx) == ""
    assert evaluate("${{ github.token }}", ctx) == ""  # any other expression: empty, never a guess
    assert evaluate("plain", ctx) == "plain"


def test_presets_are_read_by_their_header() -> None:
    assert parse_presets(TABLE) == {
        "small": {"WORK_THREADS": "1", "WORK_CPU_UNITS": "2", "SLEEP_S": "3"},
        "big": {"WORK_THREADS": "4", "WORK_CPU_UNITS": "50"},
    }
    assert parse_presets("") == {}


def test_a_step_reads_its_env_its_preset_or_a_literal_sleep() -> None:
    env = {"PRESETS": TABLE}
    cpu = Step("c", (("WORK_PRESET", "${{ inputs.p }}"), ("WORK_THREADS", "9"), ("WORK_CPU_UNITS", "9")))
    assert step_work(cpu, {"inputs": {"p": "small"}}, env) == Work(cpu_units=2, threads=1, declared=True)
    assert step_work(cpu, {"inputs": {"p": "custom"}}, env) == Work(cpu_units=9, threads=9, declared=True)
    # a preset that leaves a variable out: 0, as the workflow's script would fail to read it
    sleep = Step("s", (("WORK_PRESET", "big"), ("SLEEP_S", "7")))
    assert step_work(sleep, {}, env) == Work(declared=True)
    literal = Step("l", (("PAUSE", "${{ inputs.t }}"),), 'echo hi\nsleep 4\nsleep "${PAUSE}"\n')
    assert step_work(literal, {"inputs": {"t": "6"}}, {}).sleep_s == 10
    unknown = Step("u", (("FOO", "1"),), "npm ci\n")
    assert not step_work(unknown, {}, {}).recognised
    bad = Step("b", (("WORK_CPU_UNITS", "lots"), ("WORK_MEMORY_MIB", "-5"), ("SLEEP_S", "nan")))
    assert step_work(bad, {}, {}) == Work(declared=True)  # not a non-negative number: no work


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False), st.integers(1, 64))
def test_numbers_pass_through_exactly(units: float, threads: int) -> None:
    step = Step("c", (("WORK_CPU_UNITS", repr(units)), ("WORK_THREADS", str(threads))))
    work = step_work(step, {}, {})
    assert (work.cpu_units, work.threads) == (units, threads)


USER_WORKFLOW = """
name: mine
on:
  workflow_dispatch:
    inputs:
      seconds: {type: number, default: 12, description: "x (0-100)"}
      units: {type: number, default: 3}
jobs:
  lint:
    runs-on: [self-hosted]
    steps:
      - uses: actions/checkout@v4
      - name: Lint
        env: {WORK_CPU_UNITS: "${{ inputs.units }}", WORK_THREADS: 2}
        run: make lint
  build:
    needs: lint
    uses: ./.github/workflows/called.yml
    with: {pause: "${{ inputs.seconds }}"}
"""
CALLED = """
on:
  workflow_call:
    inputs:
      pause: {type: number, default: 1}
      size: {type: number, default: 64}
jobs:
  compile:
    runs-on: [self-hosted]
    steps:
      - name: Wait
        run: sleep ${{ inputs.pause }}
      - name: Write
        env: {WORK_DISK_MIB: "${{ inputs.size }}", SLEEP_S: "${{ inputs.pause }}"}
        run: ./write.sh
"""


def test_a_user_workflows_jobs_carry_their_steps_work_through_a_call() -> None:
    workflows = {
        "mine.yml": parse_workflow("mine.yml", USER_WORKFLOW),
        "called.yml": parse_workflow("c", CALLED),
    }
    twin = definition(1, workflows["mine.yml"], workflows)
    jobs = twin.jobs({"units": "4"})
    assert [(j.name, j.needs) for j in jobs] == [("lint", ()), ("build / compile", ("lint",))]
    lint = {s.name: s.work for s in jobs[0].steps}
    assert not lint["Run actions/checkout@v4"].recognised
    assert (lint["Lint"].cpu_units, lint["Lint"].threads) == (4, 2)
    compile_ = {s.name: s.work for s in jobs[1].steps}
    # `run: sleep ${{ inputs.pause }}` is not the convention (the script text holds an expression): no sleep
    assert not compile_["Wait"].recognised
    # the call's `with` (the dispatch's default seconds: 12) over the callee's defaults (size: 64)
    assert (compile_["Write"].disk_mib, compile_["Write"].sleep_s) == (64, 12)

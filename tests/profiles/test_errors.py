"""Malformed profiles: exactly one UsageError each, naming file:line, the field and what is allowed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from suite.errors import UsageError
from suite.profiles.profile import (
    load_profile,
    parse_profile,
)

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ROOT / "profiles"


def write(tmp_path: Path, text: str, name: str = "prof.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# --- malformed profiles: exactly one UsageError, naming file:line and the field -------------------
#
# Each case marks the line the error must point at with "#!". Missing-key errors point at the line of
# the mapping that lacks the key.

OK_INPUTS = "inputs:\n  sleep_duration: 60\n  job_count: 1\n  job_type: parallel\n"
OK_PATTERN = "pattern:\n  type: steady\n  rate_per_min: 1.5\n  duration_s: 600\n"


def prof(*parts: str) -> str:
    return "# Test: a malformed profile\n" + "".join(textwrap.dedent(p).lstrip("\n") for p in parts)


MALFORMED: list[tuple[str, str, str]] = [
    # (id, field the message must name, profile text)
    (
        "rate-not-number",
        "pattern.rate_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: steady
          rate_per_min: fast  #!
          duration_s: 600
        """),
    ),
    (
        "rate-zero",
        "pattern.rate_per_min",
        prof("""
        workflow: runner_test
        pattern: {type: steady, rate_per_min: 0, duration_s: 600}  #!
        """),
    ),
    (
        "rate-negative",
        "pattern.rate_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: poisson
          rate_per_min: -2  #!
          duration_s: 600
        """),
    ),
    (
        "rate-nan",
        "pattern.rate_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: steady
          rate_per_min: .nan  #!
          duration_s: 600
        """),
    ),
    (
        "rate-bool",
        "pattern.rate_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: steady
          rate_per_min: yes  #!
          duration_s: 600
        """),
    ),
    (
        "duration-zero",
        "pattern.duration_s",
        prof("""
        workflow: runner_test
        pattern:
          type: steady
          rate_per_min: 1
          duration_s: 0  #!
        """),
    ),
    (
        "duration-over-a-week",
        "pattern.duration_s",
        prof("""
        workflow: runner_test
        pattern:
          type: poisson
          rate_per_min: 0.01
          duration_s: 999999999  #!
        """),
    ),
    (
        "job-count-21",
        "inputs.job_count",
        prof(
            """
        workflow: runner_test
        inputs:
          sleep_duration: 60
          job_count: 21  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "job-count-zero",
        "inputs.job_count",
        prof(
            """
        workflow: runner_test
        inputs: {job_count: 0}  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "job-count-fraction",
        "inputs.job_count",
        prof(
            """
        workflow: runner_test
        inputs:
          job_count: 2.5  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "sleep-too-long",
        "inputs.sleep_duration",
        prof(
            """
        workflow: runner_test
        inputs:
          sleep_duration: 3601  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "sleep-string",
        "inputs.sleep_duration",
        prof(
            """
        workflow: k8s_like
        inputs:
          sleep_duration: "60"  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "job-type-unknown",
        "inputs.job_type",
        prof(
            """
        workflow: runner_test
        inputs:
          job_type: random  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "suite-id-is-not-an-input",
        "inputs.suite_id",
        prof(
            """
        workflow: runner_test
        inputs:
          sleep_duration: 60
          suite_id: abc  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "k8s-like-has-no-job-count",
        "inputs.job_count",
        prof(
            """
        workflow: k8s_like
        inputs:
          sleep_duration: 60
          job_count: 2  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "inputs-is-a-list",
        "inputs",
        prof(
            """
        workflow: runner_test
        inputs: [60, 1]  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "workflow-unknown",
        "workflow",
        prof(
            """
        workflow: runner  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "workflow-missing",
        "workflow",
        prof(
            """
        name: nowf  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "pattern-missing",
        "pattern",
        prof(
            """
        workflow: runner_test  #!
        """,
            OK_INPUTS,
        ),
    ),
    (
        "pattern-is-a-string",
        "pattern",
        prof("""
        workflow: runner_test
        pattern: steady  #!
        """),
    ),
    (
        "pattern-type-missing",
        "pattern.type",
        prof("""
        workflow: runner_test
        pattern:  #!
          rate_per_min: 1
          duration_s: 60
        """),
    ),
    (
        "pattern-type-unknown",
        "pattern.type",
        prof("""
        workflow: runner_test
        pattern:
          type: sine  #!
          rate_per_min: 1
        """),
    ),
    (
        "pattern-unknown-key",
        "pattern.rate",
        prof("""
        workflow: runner_test
        pattern:
          type: steady
          rate: 1  #!
          duration_s: 60
        """),
    ),
    (
        "pattern-key-of-another-type",
        "pattern.count",
        prof("""
        workflow: runner_test
        pattern:
          type: steady
          rate_per_min: 1
          duration_s: 600
          count: 3  #!
        """),
    ),
    (
        "steady-missing-duration",
        "pattern.duration_s",
        prof("""
        workflow: runner_test
        pattern:  #!
          type: steady
          rate_per_min: 1
        """),
    ),
    (
        "unknown-top-level-key",
        "rate_per_min",
        prof(
            """
        workflow: runner_test
        rate_per_min: 3  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "ramp-no-stages",
        "pattern.stages",
        prof("""
        workflow: runner_test
        pattern:
          type: ramp
          stages: []  #!
        """),
    ),
    (
        "ramp-stages-not-a-list",
        "pattern.stages",
        prof("""
        workflow: runner_test
        pattern:
          type: ramp
          stages: {duration_s: 60, target_rate_per_min: 1}  #!
        """),
    ),
    (
        "ramp-stage-missing-target",
        "pattern.stages[1].target_rate_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: ramp
          stages:
            - {duration_s: 300, target_rate_per_min: 2}
            - duration_s: 300  #!
        """),
    ),
    (
        "ramp-stage-negative-duration",
        "pattern.stages[0].duration_s",
        prof("""
        workflow: runner_test
        pattern:
          type: ramp
          stages:
            - duration_s: -300  #!
              target_rate_per_min: 2
        """),
    ),
    (
        "ramp-negative-start",
        "pattern.start_rate_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: ramp
          start_rate_per_min: -1  #!
          stages: [{duration_s: 300, target_rate_per_min: 2}]
        """),
    ),
    (
        "step-max-below-start",
        "pattern.max_rate_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: step
          start_rate_per_min: 5
          increment_per_min: 1
          step_duration_s: 60
          max_rate_per_min: 3  #!
        """),
    ),
    (
        "step-zero-increment",
        "pattern.increment_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: step
          start_rate_per_min: 1
          increment_per_min: 0  #!
          step_duration_s: 60
          max_rate_per_min: 3
        """),
    ),
    (
        "step-too-many-steps",
        "pattern.increment_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: step
          start_rate_per_min: 0
          increment_per_min: 0.0001  #!
          step_duration_s: 1
          max_rate_per_min: 1
        """),
    ),
    (
        "spike-not-above-baseline",
        "pattern.spike_rate_per_min",
        prof("""
        workflow: runner_test
        pattern:
          type: spike
          baseline_rate_per_min: 5
          spike_rate_per_min: 5  #!
          baseline_s: 60
          spike_s: 60
          recovery_s: 60
        """),
    ),
    (
        "spike-zero-length",
        "pattern.spike_s",
        prof("""
        workflow: runner_test
        pattern:
          type: spike
          baseline_rate_per_min: 1
          spike_rate_per_min: 5
          baseline_s: 60
          spike_s: 0  #!
          recovery_s: 60
        """),
    ),
    (
        "burst-count-zero",
        "pattern.count",
        prof("""
        workflow: runner_test
        pattern:
          type: burst
          count: 0  #!
        """),
    ),
    (
        "burst-count-too-big",
        "pattern.count",
        prof("""
        workflow: runner_test
        pattern:
          type: burst
          count: 10001  #!
        """),
    ),
    (
        "burst-repeat-without-every",
        "pattern.every_s",
        prof("""
        workflow: runner_test
        pattern:  #!
          type: burst
          count: 3
          repeat: 4
        """),
    ),
    (
        "schedule-over-max-workflows",
        "max_workflows",
        prof("""
        workflow: runner_test
        pattern:  #!
          type: steady
          rate_per_min: 10
          duration_s: 3600
        max_workflows: 100
        """),
    ),
    (
        "burst-over-default-max-workflows",
        "max_workflows",
        prof("""
        workflow: runner_test
        pattern: {type: burst, count: 2000}  #!
        """),
    ),
    (
        "poisson-over-max-workflows",
        "max_workflows",
        prof("""
        workflow: runner_test
        pattern:  #!
          type: poisson
          rate_per_min: 10
          duration_s: 600
        max_workflows: 50
        """),
    ),
    (
        "schedule-with-no-workflows",
        "pattern",
        prof("""
        workflow: runner_test
        pattern:  #!
          type: steady
          rate_per_min: 0.5
          duration_s: 60
        """),
    ),
    (
        "max-workflows-zero",
        "max_workflows",
        prof(
            """
        workflow: runner_test
        max_workflows: 0  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "seed-not-integer",
        "seed",
        prof(
            """
        workflow: runner_test
        seed: abc  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "drain-negative",
        "drain_timeout_s",
        prof(
            """
        workflow: runner_test
        drain_timeout_s: -5  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "compare-gate-unknown-metric",
        "compare_gates[0]",
        prof(
            """
        workflow: runner_test
        compare_gates:
          - "wait_time_s.p50 +10%"  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "compare-gate-no-limit",
        "compare_gates[0]",
        prof(
            """
        workflow: runner_test
        compare_gates:
          - "execution_time_s.p50 < 60"  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "thresholds-not-a-list",
        "thresholds",
        prof(
            """
        workflow: runner_test
        thresholds: "queue_time_s.p95 < 120"  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "threshold-empty",
        "thresholds[1]",
        prof(
            """
        workflow: runner_test
        thresholds:
          - "queue_time_s.p95 < 120"
          - ""  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "threshold-not-a-string",
        "thresholds[0]",
        prof(
            """
        workflow: runner_test
        thresholds:
          - {queue_time_s.p95: 120}  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "name-bad",
        "name",
        prof(
            """
        name: My Profile  #!
        workflow: runner_test
        """,
            OK_PATTERN,
        ),
    ),
    (
        "description-not-string",
        "description",
        prof(
            """
        description: 12  #!
        workflow: runner_test
        """,
            OK_PATTERN,
        ),
    ),
    (
        "duplicate-key",
        "workflow",
        prof(
            """
        workflow: runner_test
        workflow: k8s_like  #!
        """,
            OK_PATTERN,
        ),
    ),
    (
        "non-string-key",
        "pattern",
        prof("""
        workflow: runner_test
        pattern:
          type: burst
          count: 1
          3: x  #!
        """),
    ),
    (
        "env-unknown-key",
        "environments.local.workflow",
        prof(
            """
        workflow: runner_test
        """,
            OK_PATTERN,
            """
        environments:
          local:
            workflow: k8s_like  #!
        """,
        ),
    ),
    (
        "env-bad-rate",
        "environments.local.pattern.rate_per_min",
        prof(
            """
        workflow: runner_test
        """,
            OK_PATTERN,
            """
        environments:
          local:
            pattern:
              rate_per_min: 0  #!
        """,
        ),
    ),
    (
        "env-bad-job-count",
        "environments.aws.inputs.job_count",
        prof(
            """
        workflow: runner_test
        """,
            OK_PATTERN,
            """
        environments:
          aws: {inputs: {job_count: 50}}  #!
        """,
        ),
    ),
    (
        "env-new-type-incomplete",
        "environments.local.pattern.count",
        prof(
            """
        workflow: runner_test
        """,
            OK_PATTERN,
            """
        environments:
          local:
            pattern: {type: burst}  #!
        """,
        ),
    ),
    (
        "env-bad-name",
        "environments.Prod!",
        prof(
            """
        workflow: runner_test
        """,
            OK_PATTERN,
            """
        environments:
          Prod!: {}  #!
        """,
        ),
    ),
    (
        "environments-not-a-mapping",
        "environments",
        prof(
            """
        workflow: runner_test
        environments: [local]  #!
        """,
            OK_PATTERN,
        ),
    ),
    ("document-is-a-list", "document", "# Test: a list\n- workflow: runner_test  #!\n"),
    *(
        (
            f"threshold-{case}",
            field,
            prof(
                """
        workflow: runner_test
        """,
                OK_PATTERN,
                "thresholds:\n  - workflows.success_rate >= 0.99\n" + entry,
            ),
        )
        for case, field, entry in [
            ("no-operator", "queue_time_s.p95 120", '  - "queue_time_s.p95 120"  #!\n'),
            ("bad-operator", "=<", '  - "queue_time_s.p95 =< 120"  #!\n'),
            ("two-comparisons", "expected `<field> <op>", '  - "1 < queue_time_s.p95 < 120"  #!\n'),
            ("unknown-top-field", "queue_seconds.p95", '  - "queue_seconds.p95 < 120"  #!\n'),
            ("unknown-second-field", "did you mean 'queue_time_s.p99'", '  - "queue_time_s.p96 < 120"  #!\n'),
            ("unknown-right-field", "runners.count", '  - "concurrency.max <= runners.count"  #!\n'),
            ("distribution-without-figure", "is a distribution", '  - "queue_time_s < 120"  #!\n'),
            ("typo-success-rate", "workflows.sucess_rate", '  - "workflows.sucess_rate >= 0.99"  #!\n'),
            ("list-field", "workflows.missing", '  - "workflows.missing == 0"  #!\n'),
            ("duplicate", "listed twice", '  - "workflows.success_rate >= 0.99"  #!\n'),
            ("mapping-without-expr", "thresholds[1].expr", "  - {abort_on_fail: true}  #!\n"),
            (
                "mapping-unknown-key",
                "thresholds[1].abort_on_failure",
                '  - {expr: "queue_time_s.p95 < 1", abort_on_failure: true}  #!\n',
            ),
            (
                "abort-not-bool",
                "thresholds[1].abort_on_fail",
                '  - {expr: "queue_time_s.p95 < 1", abort_on_fail: "yes"}  #!\n',
            ),
            (
                "mapping-bad-expr",
                "thresholds[1].expr",
                '  - expr: "queue_time_s.p95 < soon"  #!\n    abort_on_fail: true\n',
            ),
            (
                "job-name-unknown-field",
                "did you mean 'execution_time_s.p99'",
                """  - 'jobs["build / npm"].execution_time_s.p59 < 300'  #!\n""",
            ),
            (
                "job-name-distribution",
                'jobs["build / npm"].queue_time_s is a distribution',
                """  - 'jobs["build / npm"].queue_time_s < 300'  #!\n""",
            ),
            (
                "job-name-unclosed-bracket",
                "expected `<field> <op>",
                """  - 'jobs["build / npm".execution_time_s.p95 < 300'  #!\n""",
            ),
            (
                "job-name-bad-escape",
                "not a valid JSON string",
                """  - 'jobs["C:\\qa"].execution_time_s.p95 < 300'  #!\n""",
            ),
            (
                "job-name-dotted",
                'name one job as jobs["build / npm"]',
                '  - "by_job_name.diagnostic.execution_time_s.p95 < 300"  #!\n',
            ),
            (
                "workflow-unknown-field",
                "is not a field of one workflow",
                """  - 'workflows["k8s_like.yml"].run >= 10'  #!\n""",
            ),
        ]
    ),
]


def marked_line(text: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if "#!" in line]
    assert len(lines) == 1, "each case marks exactly one line"
    return lines[0]


@pytest.mark.parametrize(("field", "text"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_profile_gives_one_clear_error(tmp_path: Path, field: str, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_profile(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{marked_line(text)}: "), message
    assert field in message, message
    assert "\n" not in message
    assert info.value.exit_code == 2


def test_enough_malformed_cases() -> None:
    assert len(MALFORMED) >= 30
    assert sum(c[0].startswith("threshold") for c in MALFORMED) >= 10
    assert len({c[0] for c in MALFORMED}) == len(MALFORMED)


def test_error_messages_read_well(tmp_path: Path) -> None:
    def error(text: str) -> str:
        path = tmp_path / "x.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        with pytest.raises(UsageError) as info:
            load_profile(path)
        return str(info.value).removeprefix(f"{path}:")

    assert (
        error(
            """
        workflow: runner_test
        pattern:
          type: steady
          rate_per_min: fast
          duration_s: 60
        """
        )
        == "4: pattern.rate_per_min: must be a number > 0 and <= 10000 (per minute), got 'fast'"
    )
    assert error(
        """
        workflow: runner_test
        pattern: {type: steady, rat_per_min: 1, duration_s: 60}
        """
    ) == (
        "2: pattern.rat_per_min: unknown key for pattern type steady; allowed: type, rate_per_min, "
        "duration_s (did you mean 'rate_per_min'?)"
    )
    assert (
        error(
            """
        workflow: runner_test
        inputs: {job_count: 21}
        pattern: {type: burst, count: 1}
        """
        )
        == "2: inputs.job_count: must be an integer 1..20, got 21"
    )
    assert error(
        """
        workflow: runner_test
        wokflow: x
        """
    ) == (
        "2: wokflow: unknown key; allowed: name, description, workflow, inputs, pattern, seed, "
        "drain_timeout_s, max_workflows, environments, thresholds, compare_gates (did you mean 'workflow'?)"
    )
    assert "missing; required for pattern type burst" in error(
        "workflow: runner_test\npattern: {type: burst}\n"
    )
    assert "more than max_workflows (10, line 3)" in error(
        "workflow: runner_test\npattern: {type: burst, count: 11}\nmax_workflows: 10\n"
    )


# --- bad YAML and bad bytes: file:line too -------------------------------------------------------

BAD_SYNTAX: list[tuple[str, str, int]] = [
    ("tab-indent", "workflow: runner_test\npattern:\n\ttype: steady\n", 3),
    ("unclosed-flow", "workflow: runner_test\npattern: {type: steady, rate_per_min: 1\nseed: 1\n", 3),
    ("bad-dedent", "workflow: runner_test\npattern:\n    type: burst\n  count: 1\n", 4),
    ("colon-in-value", "workflow: runner_test\nname: a: b\n", 2),
    ("unclosed-quote", 'workflow: runner_test\nname: "abc\n', 3),
    ("two-documents", "workflow: runner_test\n---\nworkflow: k8s_like\n", 2),
    ("undefined-alias", "workflow: runner_test\npattern: *nope\n", 2),
]


@pytest.mark.parametrize(("text", "line"), [c[1:] for c in BAD_SYNTAX], ids=[c[0] for c in BAD_SYNTAX])
def test_bad_yaml_names_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "syntax.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_profile(path)
    assert str(info.value).startswith(f"{path}:{line}: invalid YAML: "), str(info.value)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"empty.yaml:1: document: empty profile"):
        load_profile(path)


def test_bad_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bytes.yaml"
    path.write_bytes(b"workflow: runner_test\nname: caf\xe9\n")
    with pytest.raises(UsageError, match=r"bytes.yaml:2: not valid UTF-8"):
        load_profile(path)


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match="document too large"):
        load_profile(path)


def test_environment_error_from_base_value_says_which_environment(tmp_path: Path) -> None:
    text = """
    workflow: runner_test
    pattern:
      type: step
      start_rate_per_min: 5
      increment_per_min: 1
      step_duration_s: 60
      max_rate_per_min: 8
    environments:
      local:
        pattern: {start_rate_per_min: 10}
    """
    with pytest.raises(UsageError) as info:
        load_profile(write(tmp_path, text))
    assert str(info.value) == (
        f"{tmp_path / 'prof.yaml'}:7: pattern.max_rate_per_min: must be >= start_rate_per_min (10), got 8 "
        "(with environment 'local' applied)"
    )


def test_parse_profile_uses_the_given_source() -> None:
    with pytest.raises(UsageError, match=r"^inline:2: pattern: "):
        parse_profile("workflow: runner_test\npattern: 3\n", path="x.yaml", source="inline")

"""suite.yaml `existing:` (suite.fleet.existing): a fleet on any platform, ECS optional. Every mistake is
one error naming file:line and the fix, exit 2 from the CLI, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.cli.main import main
from suite.errors import UsageError
from suite.fleet.environments import NO_CLOUDWATCH, NO_CLUSTER, NO_CLUSTER_TASKS, NO_TASK_EVENTS
from suite.fleet.existing import KNOWN, existing_config
from suite.fleet.targets import existing_target


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "suite.yaml"
    monkeypatch.setenv("SUITE_CONFIG", str(path))
    monkeypatch.setenv("GITHUB_TOKEN", "user-token")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    return path


def test_a_fleet_on_any_platform_needs_only_the_repository(config: Path) -> None:
    config.write_text("existing:\n  repo: my-org/my-repo\n  runner_labels: [self-hosted, openshift]\n")
    cfg = existing_config()
    assert (cfg.cluster, cfg.service, cfg.runner_count, cfg.task_events_log_group) == (None, None, None, None)
    target = existing_target(cfg)
    assert target.cluster is None and target.service is None
    assert target.fleet["region"] is None and target.fleet["cloudwatch"] is None  # no AWS in its record
    assert target.fleet["labels"] == ["self-hosted", "openshift"] and target.fleet["runner_count"] is None
    assert target.not_collected() == {"metrics": NO_CLUSTER, "tasks": NO_CLUSTER_TASKS}


def test_an_ecs_fleet_collects_what_it_has(config: Path) -> None:
    config.write_text("existing:\n  repo: o/r\n  cluster: ci\n  service: runners\n  runner_count: 3\n")
    target = existing_target()
    assert (target.cluster, target.service, target.region) == ("ci", "runners", "eu-central-1")
    assert target.fleet["runner_count"] == 3
    assert target.not_collected() == {"tasks": NO_TASK_EVENTS}  # no task-event log group configured
    config.write_text(
        "existing:\n  repo: o/r\n  cluster: ci\n  service: runners\n  cloudwatch: false\n"
        "  task_events_log_group: /aws/events/ecs/ci\n"
    )
    assert existing_target().not_collected() == {"metrics": NO_CLOUDWATCH}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("aws: {}\n", "suite.yaml:1: --env existing needs an `existing:` section, e.g."),
        ("existing: [o/r]\n", "suite.yaml:1: `existing:` must be a mapping"),
        ("existing:\n  runner_count: 4\n", "suite.yaml:1: existing.repo is required"),
        ("existing:\n  repo: x\n", "suite.yaml:2: existing.repo must be 'owner/name', got 'x'"),
        ("existing:\n  repo: o/r\n  runers: 4\n", "suite.yaml:3: existing.runers: unknown key (did you mean"),
        (
            "existing:\n  repo: o/r\n  cluster: ci\n",
            "suite.yaml:3: existing.cluster is set but existing.service is not: the ECS join needs both; "
            "set service, or remove cluster to measure the fleet GitHub-side only",
        ),
        (
            "existing:\n  repo: o/r\n  task_events_log_group: /g\n",
            "suite.yaml:3: existing.task_events_log_group is about the ECS cluster, but no cluster is "
            "configured: set cluster and service (a fleet on ECS), or remove task_events_log_group",
        ),
        (
            "existing:\n  repo: o/r\n  runner_count: 0\n",
            "suite.yaml:3: existing.runner_count must be a whole",
        ),
        ("existing:\n  repo: o/r\n  runner_count: four\n", "suite.yaml:3: existing.runner_count must be"),
        ("existing:\n  repo: o/r\n  runner_labels: self-hosted\n", "suite.yaml:3: existing.runner_labels"),
        (
            "existing:\n  repo: o/r\n  ephemeral: maybe\n",
            "suite.yaml:3: existing.ephemeral must be true or false",
        ),
        (
            "existing:\n  repo: o/r\n  github_api_url: api.github.com\n",
            "suite.yaml:3: existing.github_api_url",
        ),
        ("existing:\n  repo: o/r\n  repo: o/s\n", "suite.yaml:3: existing.repo: duplicate key"),
        ("existing:\n  repo: [o/r\n", "suite.yaml:3: invalid YAML"),
    ],
)
def test_each_mistake_is_one_error_at_its_line(config: Path, text: str, message: str) -> None:
    config.write_text(text)
    with pytest.raises(UsageError) as caught:
        existing_config()
    assert str(caught.value).startswith(f"{config.parent}/{message}"), str(caught.value)


def test_a_missing_file_says_how_to_write_one(config: Path) -> None:
    with pytest.raises(UsageError, match=r"suite.yaml, which does not exist: create it with `existing: "):
        existing_config()


@given(
    before=st.lists(st.sampled_from(["runner_count: 2", "ephemeral: true", "task_cpu: 1024"]), unique=True),
    after=st.lists(st.sampled_from(["runner_labels: [self-hosted]", "task_memory: 2048"]), unique=True),
    typo=st.sampled_from(["clustr", "runner_cout", "labels", "repository"]),
)
def test_an_unknown_key_is_reported_at_its_own_line(
    tmp_path_factory: pytest.TempPathFactory, before: list[str], after: list[str], typo: str
) -> None:
    config = tmp_path_factory.getbasetemp() / "suite-typo.yaml"  # rewritten for every example
    lines = [
        "existing:",
        "  repo: o/r",
        *(f"  {x}" for x in before),
        f"  {typo}: 1",
        *(f"  {x}" for x in after),
    ]
    config.write_text("\n".join(lines) + "\n")
    with pytest.raises(UsageError) as caught:
        existing_config(config)
    assert str(caught.value).startswith(f"{config}:{3 + len(before)}: existing.{typo}: unknown key (")
    assert typo not in KNOWN


@pytest.mark.parametrize("command", [["status", "--env", "existing"], ["doctor", "--env", "existing"]])
def test_the_cli_gives_exit_2_and_one_line_without_a_traceback(
    config: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    config.write_text("existing:\n  repo: o/r\n  service: runners\n")
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"suite: error: {config}:3: existing.service is set but existing.cluster is not")
    assert "Traceback" not in err


def test_run_with_a_bad_config_exits_2_before_dispatching(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text("existing:\n  repo: o/r\n  cloudwatch: yes please\n")
    profile = tmp_path / "p.yaml"
    profile.write_text("workflow: runner_test\npattern: {type: burst, count: 1}\n")
    reports = tmp_path / "reports"
    assert main(["run", str(profile), "--env", "existing", "--reports", str(reports)]) == 2
    assert f"{config}:3: existing.cloudwatch is about the ECS cluster" in capsys.readouterr().err
    assert not reports.exists()  # nothing was started

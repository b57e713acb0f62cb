"""`suite doctor` against in-process twins (real HTTP on loopback, moto for AWS): a healthy fleet passes
every check; each thing a run needs, taken away, fails or warns its own check with how to fix it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from moto import mock_aws

from suite.fleet import doctor as doctor_module
from suite.fleet.clients import aws_client, github_client
from suite.fleet.doctor import (
    AWS_CHECKS,
    FAIL,
    GITHUB_CHECKS,
    OK,
    WARN,
    Check,
    aws_checks,
    doctor,
    github_checks,
    render,
)
from suite.fleet.environments import Target, local_target
from suite.twin.service import Twin
from tests.helpers.twin import start_twin


@pytest.fixture
def online() -> Iterator[Twin]:
    twin = start_twin(speed=300.0)
    try:
        started = twin.clock.now()
        twin.clock.sleep(130)  # every runner online (cold start <= 90 s) and minute 120's metrics made
        assert twin.aws.flushed_until >= started + 125  # ... and sent to moto before the sleep ended
        yield twin
    finally:
        twin.stop()


def checks_for(target: Target, **kw: object) -> dict[str, Check]:
    with github_client(target) as client:
        found = github_checks(client, target, **kw)  # type: ignore[arg-type]
    found += aws_checks(target, lambda service: aws_client(target, service))
    return {c.name: c for c in found}


def test_a_healthy_twin_passes_every_check(online: Twin):
    checks = checks_for(local_target(online.state()))
    assert list(checks) == [
        "GitHub credential",
        "GitHub clock",
        "workflows",
        "runners",
        "AWS credentials",
        "Container Insights",
        "task events",
    ]
    assert {c.status for c in checks.values()} == {OK}, checks
    assert "REST budget" in checks["GitHub credential"].detail
    assert (
        checks["runners"].detail.startswith("4 runners online")
        and "of 4 configured" in checks["runners"].detail
    )
    assert checks["Container Insights"].detail == "enhanced: task metrics for 4 tasks of runner-suite-twin"
    assert checks["workflows"].detail == (
        "runner-suite/twin-target: k8s_like.yml, runner_test.yml, runner_workload.yml, build_reusable.yml "
        "present and active"
    )
    text = render("local", list(checks.values()))
    assert text.endswith("ready to run") and "To fix" not in text


def test_a_bad_token_fails_the_credential_and_is_never_printed(online: Twin, monkeypatch, capsys):
    bad = "ghp_" + "x" * 36
    target = dataclasses.replace(local_target(online.state()), token=bad)
    monkeypatch.setattr(doctor_module, "resolve_target", lambda env, **kw: target)
    assert doctor("local") == 3
    out = capsys.readouterr().out
    assert "✗  GitHub credential" in out and "401" in out
    assert "To fix:" in out and "GITHUB_TOKEN" in out and "1 check(s) failed, 3 not checked" in out
    assert bad not in out


def test_a_missing_workflow_is_named_with_where_to_copy_it(online: Twin):
    target = local_target(online.state())
    check = checks_for(target, workflow_files=("runner_test.yml", "nightly.yml"))["workflows"]
    assert check.status == FAIL
    assert check.detail == "runner-suite/twin-target: missing: nightly.yml"
    assert ".github/workflows/ of runner-suite/twin-target" in check.fix


def test_no_runner_online_yet_fails_the_runners_check():
    twin = start_twin(speed=300.0, cold_start_s=(3000, 3000))  # nobody online for 3000 virtual seconds
    try:
        check = checks_for(local_target(twin.state()))["runners"]
    finally:
        twin.stop()
    assert check.status == FAIL and check.detail.startswith("0 runners online")
    assert "suite deploy" in check.fix


def test_a_cluster_without_container_insights_or_task_events_is_reported(online: Twin):
    target = dataclasses.replace(
        local_target(online.state()), cluster="elsewhere", task_events_log_group="/aws/events/ecs/elsewhere"
    )
    checks = checks_for(target)
    ci, events = checks["Container Insights"], checks["task events"]
    assert ci.status == FAIL and "would be null" in ci.detail and "container_insights" in ci.fix
    assert events.status == WARN and events.detail.startswith(
        "log group /aws/events/ecs/elsewhere does not exist"
    )


def test_standard_container_insights_is_recognised_by_its_performance_log():
    twin = start_twin(speed=300.0, container_insights="standard")
    try:
        twin.clock.sleep(95)
        check = checks_for(local_target(twin.state()))["Container Insights"]
    finally:
        twin.stop()
    assert check.status == OK and check.detail.startswith("standard: per-task CPU and memory are read from")


def lines(out: str) -> dict[str, tuple[str, str]]:
    """The checklist's rows: name -> (mark, detail)."""
    rows = {}
    for line in out.splitlines():
        mark, _, rest = line.partition("  ")
        if mark in ("✓", "!", "✗"):
            for name in ("fleet", *GITHUB_CHECKS, *AWS_CHECKS):
                if rest.startswith(name + "  "):
                    rows[name] = (mark, rest[len(name) :].strip())
    return rows


EVERY_CHECK = ["fleet", *GITHUB_CHECKS, *AWS_CHECKS]


def test_nothing_deployed_locally_still_prints_the_whole_checklist(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SUITE_STATE_DIR", str(tmp_path))  # no twin's state file: nothing deployed
    assert doctor("local") == 3
    out = capsys.readouterr().out
    rows = lines(out)
    assert list(rows) == EVERY_CHECK, out
    assert rows["fleet"] == ("✗", "no local twin is deployed")
    assert rows["AWS credentials"][0] == "✓"  # the twin needs none
    for name in (*GITHUB_CHECKS, "Container Insights", "task events"):
        assert rows[name] == ("✗", "not checked until the fleet check passes")
    assert "To fix:\n  fleet: `suite deploy` (make deploy) starts a twin" in out
    assert out.rstrip().endswith("1 check(s) failed, 6 not checked: a run would not work as it should")


def no_github_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither a token nor a GitHub App in the environment."""
    for name in (
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "GITHUB_APP_ID",
        "GITHUB_APP_PRIVATE_KEY_FILE",
        "GITHUB_APP_INSTALLATION_ID",
    ):
        monkeypatch.delenv(name, raising=False)


@mock_aws
def test_no_fleet_and_no_token_prints_the_whole_checklist(tmp_path, monkeypatch, capsys):
    """--env aws with nothing deployed from here and no GitHub credential: every check, each with what to do
    (the AWS credential is checked all the same: moto answers as the AWS account)."""
    monkeypatch.setenv("SUITE_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("SUITE_CONFIG", str(tmp_path / "suite.yaml"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    no_github_credential(monkeypatch)
    assert doctor("aws") == 3
    out = capsys.readouterr().out
    rows = lines(out)
    assert list(rows) == EVERY_CHECK, out
    assert rows["fleet"][0] == "✗" and "suite deploy --env aws" in rows["fleet"][1]
    assert rows["GitHub credential"] == (
        "✗",
        "none in the environment (GITHUB_TOKEN, GH_TOKEN or GITHUB_APP_*)",
    )
    assert rows["AWS credentials"] == ("✓", "account 123456789012 as arn:aws:sts::123456789012:user/moto")
    for name in ("GitHub clock", "workflows", "runners", "Container Insights", "task events"):
        assert rows[name] == ("✗", "not checked until the fleet check passes")
    fixes = out[out.index("To fix:") :]
    assert "fleet: `suite deploy --env aws`" in fixes and "GitHub credential: set GITHUB_TOKEN" in fixes


def test_a_deployed_fleet_without_a_token_checks_all_it_can(online: Twin, tmp_path, monkeypatch, capsys):
    """A fleet but no credential: the GitHub checks wait for it; the AWS checks run."""
    target = dataclasses.replace(
        local_target(online.state()), environment="existing", aws_endpoint=online.aws.endpoint
    )
    monkeypatch.setattr(doctor_module, "resolve_target", lambda env, **kw: target)
    no_github_credential(monkeypatch)
    assert doctor("existing") == 3
    rows = lines(capsys.readouterr().out)
    assert list(rows) == EVERY_CHECK
    assert rows["fleet"] == ("✓", "existing fleet: 4 runners configured (1024 CPU units / 2048 MiB)")
    assert rows["GitHub credential"][0] == "✗"
    for name in ("GitHub clock", "workflows", "runners"):
        assert rows[name] == ("✗", "not checked until the GitHub credential check passes")
    assert rows["Container Insights"][0] == "✓" and rows["task events"][0] == "✓"

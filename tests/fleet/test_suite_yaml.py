"""suite.yaml read as input: every field type-checked where it is read, every error one line naming
file:line (hypothesis throws any plain value at every aws: and existing: key)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suite.errors import UsageError
from suite.fleet.config import REGION_RE, aws_config, load_config
from suite.fleet.existing import KNOWN, existing_config

REAL_REGIONS = (
    "us-east-1", "us-west-2", "eu-west-1", "eu-central-2", "ap-southeast-4", "ap-northeast-3",
    "ca-central-1", "sa-east-1", "me-south-1", "af-south-1", "il-central-1", "us-gov-west-1",
    "cn-northwest-1", "us-isob-east-1", "mx-central-1",
)  # fmt: skip
AWS_KEYS = (
    "fleet_name", "region", "tfvars", "terraform_dir", "ready_timeout_s", "backend_config",
    "dispatch_repository", "github_repository", "runner_count", "task_cpu", "task_memory", "ephemeral",
)  # fmt: skip
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["eu_west_1", "EU-WEST-1", "o/r", "a" * 2000, "1vcpu.tfvars", "/dev/null", ".", "x\ny"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(), max_size=2),
)


@pytest.mark.parametrize("region", REAL_REGIONS)
def test_every_real_region_name_is_accepted(region: str):
    assert REGION_RE.match(region)


@pytest.mark.parametrize("region", ["eu_west_1", "EU-WEST-1", "eu-west", "euwest1", "eu-west-1 ", "", "-1"])
def test_region_lookalikes_are_refused(region: str):
    assert not REGION_RE.match(region)


def _one_line_or_config(read: Callable[[Path], object], path: Path) -> None:
    try:
        read(path)
    except UsageError as exc:
        message = str(exc)
        assert len(message.splitlines()) == 1 and len(message) <= 400, message
        assert "a" * 100 not in message  # unbounded values are not quoted


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(AWS_KEYS), VALUES, max_size=4))
def test_any_aws_section_loads_or_is_one_line(tmp_path: Path, section: dict[str, object]):
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump({"aws": section}))
    _one_line_or_config(lambda p: aws_config(p), path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(KNOWN), VALUES, max_size=5))
def test_any_existing_section_loads_or_is_one_line(tmp_path: Path, section: dict[str, object]):
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump({"existing": {"repo": "o/r", **section}}))
    _one_line_or_config(existing_config, path)


def test_suite_yaml_is_read_as_plain_data(tmp_path: Path):
    path = tmp_path / "suite.yaml"
    path.write_text("aws:\n  github_repository: o/r\n  note: 2024-02-30\n  ready_timeout_s: 1e3\n")
    assert load_config(path)["aws"] == {
        "github_repository": "o/r",
        "note": "2024-02-30",
        "ready_timeout_s": 1000.0,
    }
    path.write_text("aws:\n  region: !!python/name:os.system\n")
    with pytest.raises(UsageError, match=r"suite.yaml:2: aws.region: the tag !!python/name:os.system is not"):
        load_config(path)
    path.write_text("aws: &a\n  x: *a\n")
    with pytest.raises(UsageError, match=r"suite.yaml:2: aws.x: recursive alias"):
        load_config(path)


def test_missing_suite_yaml_is_empty_and_a_fifo_is_refused(tmp_path: Path):
    assert load_config(tmp_path / "absent.yaml") == {}
    os.mkfifo(tmp_path / "fifo.yaml")
    with pytest.raises(UsageError, match=r"fifo.yaml: not a regular file"):
        load_config(tmp_path / "fifo.yaml")


def test_a_suite_config_path_too_long_is_one_line(tmp_path: Path):
    for read in (load_config, existing_config):
        with pytest.raises(UsageError, match="name too long for a file system"):
            read(tmp_path / ("s" * 300 + ".yaml"))

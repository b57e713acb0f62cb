"""suite.yaml: how to reach the real fleet.

    aws:                      # --env aws: the Terraform fleet in terraform/
      github_repository: my-org/my-repo   # 'owner/name' (runner_scope: repo) or 'org' (runner_scope: org)
      fleet_name: runner-suite            # the suite:fleet tag value; destroy refuses any other state
      region: us-east-1                   # default: $AWS_REGION, then $AWS_DEFAULT_REGION, then us-east-1
      tfvars: terraform/sizings/1vcpu-2gb.tfvars   # optional sizing file (--tfvars overrides)
      runner_count: 4                     # any terraform/variables.tf variable may be set here
      ready_timeout_s: 900

    existing:                 # --env existing: a fleet you already run; no Terraform
      repo: my-org/my-repo    # (its keys and their checks: suite.fleet.existing)

The file is `suite.yaml` in the working directory, or $SUITE_CONFIG.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from suite.errors import UsageError
from suite.fleet import sizing

FLEET_TAG_KEY = "suite:fleet"  # terraform/main.tf local.fleet_tag_key
DEFAULT_FLEET_NAME = "runner-suite"
DEFAULT_REGION = "us-east-1"
DEFAULT_TERRAFORM_DIR = Path("terraform")
DEFAULT_GITHUB_API_URL = "https://api.github.com"
_FLEET_NAME = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")
# suite.yaml keys under aws: that are the suite's own, not Terraform variables
_AWS_SUITE_KEYS = {"tfvars", "terraform_dir", "ready_timeout_s", "backend_config", "dispatch_repository"}


def config_path() -> Path:
    return Path(os.environ.get("SUITE_CONFIG", "suite.yaml"))


def default_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The parsed suite.yaml ({} when the file does not exist)."""
    path = path or config_path()
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping with `aws:` and/or `existing:` sections")
    return data


def _section(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    section = data.get(name) or {}
    if not isinstance(section, dict):
        raise UsageError(f"{path}: `{name}:` must be a mapping")
    return section


def _str(section: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = section.get(key, default)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise UsageError(f"{where}.{key} is required")
    if not isinstance(value, str):
        raise UsageError(f"{where}.{key} must be a string, got {value!r}")
    return value.strip()


@dataclass
class AwsConfig:
    """`aws:` in suite.yaml: the Terraform fleet."""

    fleet_name: str
    region: str
    terraform_dir: Path
    tfvars: Path | None
    variables: dict[str, Any]  # Terraform variables set in suite.yaml (besides fleet_name and region)
    overrides: dict[str, Any] = field(default_factory=dict)  # from the command line: win over tfvars
    ready_timeout_s: float = 900.0
    backend_config: Path | None = None
    dispatch_repository: str | None = None  # organization scope: where `suite run` dispatches

    def base_variables(self) -> dict[str, Any]:
        """suite.yaml's variables: the first var file, so a --tfvars sizing file overrides them."""
        return {**self.variables, "fleet_name": self.fleet_name, "region": self.region}


def aws_config(
    path: Path | None = None, *, tfvars: Path | None = None, overrides: dict[str, Any] | None = None
) -> AwsConfig:
    """The aws environment's configuration: suite.yaml `aws:`, then --tfvars, then CLI overrides."""
    path = path or config_path()
    section = dict(_section(load_config(path), "aws", path))
    where = f"{path}: aws"
    fleet_name = _str(section, "fleet_name", where, DEFAULT_FLEET_NAME)
    if not _FLEET_NAME.match(fleet_name):
        raise UsageError(
            f"{where}.fleet_name {fleet_name!r}: 3-32 lower-case letters, digits and dashes, starting with "
            "a letter"
        )
    region = _str(section, "region", where, default_region())
    tf_dir = Path(
        os.environ.get("SUITE_TERRAFORM_DIR") or section.get("terraform_dir") or DEFAULT_TERRAFORM_DIR
    )
    tfvars_path = tfvars or (Path(section["tfvars"]) if section.get("tfvars") else None)
    if tfvars_path is not None and not tfvars_path.is_file():
        raise UsageError(f"tfvars file {tfvars_path} does not exist")
    backend = section.get("backend_config") or os.environ.get("SUITE_TF_BACKEND_CONFIG")
    timeout = section.get("ready_timeout_s", 900)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise UsageError(f"{where}.ready_timeout_s must be a positive number of seconds")
    variables = {
        k: v for k, v in section.items() if k not in _AWS_SUITE_KEYS and k not in {"fleet_name", "region"}
    }
    cli = {k: v for k, v in (overrides or {}).items() if v is not None}
    merged = {**variables, **cli}
    cpu, mem = merged.get("task_cpu"), merged.get("task_memory")
    if isinstance(cpu, int) and isinstance(mem, int) and (problem := sizing.describe_invalid(cpu, mem)):
        raise UsageError(problem)
    return AwsConfig(
        fleet_name=fleet_name,
        region=region,
        terraform_dir=tf_dir,
        tfvars=tfvars_path,
        variables=variables,
        overrides=cli,
        ready_timeout_s=float(timeout),
        backend_config=Path(backend) if backend else None,
        dispatch_repository=section.get("dispatch_repository"),
    )

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

Every field is type-checked where it is read (region format included); every error is one line naming
file:line and how to fix it (exit 2). The file is read as plain data by the suite's one YAML reader
(suite.profiles.userfile): a directory, FIFO, non-UTF-8 or oversized suite.yaml is an error too.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from suite.errors import UsageError
from suite.fleet import sizing
from suite.profiles.userfile import check_file, display_path, load_yaml_file
from suite.profiles.yamlpos import Node, brief, to_data, where

FLEET_TAG_KEY = "suite:fleet"  # terraform/main.tf local.fleet_tag_key
DEFAULT_FLEET_NAME = "runner-suite"
DEFAULT_REGION = "us-east-1"
DEFAULT_TERRAFORM_DIR = Path("terraform")
DEFAULT_GITHUB_API_URL = "https://api.github.com"
_FLEET_NAME = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")  # us-east-1, us-gov-west-1, ap-southeast-2
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]{1,100}(/[A-Za-z0-9_.-]{1,100})?$")  # owner/name, or an org
MAX_READY_TIMEOUT_S = 7 * 24 * 3600
# suite.yaml keys under aws: that are the suite's own, not Terraform variables
_AWS_SUITE_KEYS = {"tfvars", "terraform_dir", "ready_timeout_s", "backend_config", "dispatch_repository"}


def config_path() -> Path:
    return Path(os.environ.get("SUITE_CONFIG", "suite.yaml"))


def default_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def check_region(region: str, where_: str) -> str:
    """An AWS region name (``eu-west-1``), else a UsageError naming ``where_``."""
    if not REGION_RE.match(region):
        raise UsageError(
            f"{where_}: {brief(region)} is not an AWS region name; write it like eu-west-1 (dashes, "
            "lower case)"
        )
    return region


def config_exists(path: Path) -> bool:
    """False only when nothing is there; any other problem (a name too long, a loop) is the reader's
    to report (Path.exists raises on ENAMETOOLONG)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def load_config_node(path: Path | None = None) -> Node | None:
    """suite.yaml's document with lines (None when the file does not exist or is empty)."""
    path = path or config_path()
    if not config_exists(path):
        return None
    root, _ = load_yaml_file(path, "configuration file (suite.yaml)")
    if root is not None and not root.is_mapping:
        raise UsageError(
            f"{where(display_path(path), root.line)}: expected a mapping with `aws:` and/or `existing:` "
            "sections"
        )
    return root


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The parsed suite.yaml ({} when the file does not exist)."""
    root = load_config_node(path)
    data: dict[str, Any] = {} if root is None else to_data(root)
    return data


class _Fields:
    """One suite.yaml section's entries with their lines: each read type-checks its value."""

    def __init__(self, path: Path, root: Node | None, name: str) -> None:
        self.source = display_path(path)
        self.name = name
        node = None if root is None else root.value.get(name)
        self.line = 0 if node is None else node.line
        if node is not None and node.value is not None and not node.is_mapping:
            raise UsageError(
                f"{where(self.source, node.line)}: `{name}:` must be a mapping of keys to values"
            )
        self.entries: dict[str, Node] = {} if node is None or node.value is None else node.value

    def fail(self, key: str, message: str) -> UsageError:
        entry = self.entries.get(key)
        line = entry.line if entry is not None else self.line
        return UsageError(f"{where(self.source, line)}: {self.name}.{key}: {message}")

    def get(self, key: str) -> Any:
        entry = self.entries.get(key)
        return None if entry is None else entry.value

    def text(self, key: str, fix: str) -> str | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > 1000:
            raise self.fail(key, f"must be a non-empty string ({fix}), got {_shown(value)}")
        return value.strip()

    def seconds(self, key: str, default: float, maximum: float) -> float:
        value = self.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(key, f"must be a number of seconds, got {_shown(value)}")
        if not 0 < value <= maximum:
            raise self.fail(key, f"must be > 0 and <= {maximum:g} seconds, got {value:g}")
        return float(value)

    def whole(self, key: str, lo: int, hi: int) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.fail(key, f"must be a whole number {lo}..{hi}, got {_shown(value)}")
        return value

    def flag(self, key: str) -> bool | None:
        value = self.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {_shown(value)}")
        return value


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return brief(value)


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
    f = _Fields(path, load_config_node(path), "aws")
    fleet_name = f.text("fleet_name", "the suite:fleet tag value") or DEFAULT_FLEET_NAME
    if not _FLEET_NAME.match(fleet_name):
        raise f.fail(
            "fleet_name",
            f"{brief(fleet_name)}: 3-32 lower-case letters, digits and dashes, starting with a letter",
        )
    region = f.text("region", "an AWS region, e.g. eu-west-1")
    if region is not None:
        check_region(region, f"{where(f.source, f.entries['region'].line)}: aws.region")
    else:
        region = check_region(default_region(), "$AWS_REGION / $AWS_DEFAULT_REGION")
    for key in ("github_repository", "dispatch_repository"):
        repo = f.text(key, "owner/name")
        if repo is not None and not _REPOSITORY.match(repo):
            raise f.fail(key, f"must be 'owner/name' (or an organization), got {brief(repo)}")
    f.whole("runner_count", 0, 100)  # terraform/variables.tf's bounds, checked before Terraform runs
    for key in ("task_cpu", "task_memory"):
        f.whole(key, 1, 1_000_000)
    f.flag("ephemeral")
    tf_dir_text = os.environ.get("SUITE_TERRAFORM_DIR") or f.text("terraform_dir", "a directory")
    tf_dir = Path(tf_dir_text) if tf_dir_text else DEFAULT_TERRAFORM_DIR
    tfvars_text = f.text("tfvars", "a Terraform variables file, e.g. terraform/sizings/1vcpu-2gb.tfvars")
    tfvars_path = tfvars or (Path(tfvars_text) if tfvars_text else None)
    if tfvars_path is not None:
        check_file(tfvars_path, "tfvars file")
    backend = f.text("backend_config", "a Terraform backend file") or os.environ.get(
        "SUITE_TF_BACKEND_CONFIG"
    )
    timeout = f.seconds("ready_timeout_s", 900.0, MAX_READY_TIMEOUT_S)
    variables = {
        k: to_data(v)
        for k, v in f.entries.items()
        if k not in _AWS_SUITE_KEYS and k not in {"fleet_name", "region"}
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
        ready_timeout_s=timeout,
        backend_config=Path(backend) if backend else None,
        dispatch_repository=f.text("dispatch_repository", "owner/name"),
    )

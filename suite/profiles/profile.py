"""Profiles: what a test does, as a YAML file a team reviews in a pull request (schema v1).

``load_profile(path, environment)`` reads and validates one file; ``list_profiles(folder)`` reads them
all. Every problem is one :class:`~suite.errors.UsageError` (exit 2) whose message reads
``file:line: field.path: what is wrong, what is allowed``, e.g.::

    profiles/x.yaml:7: pattern.rate_per_min: must be a number > 0 and <= 10000, got 'fast'

Schema v1 (every key but ``workflow`` and ``pattern`` is optional; unknown keys are errors)::

    # Capacity: <purpose, one line>          <- the first comment line is the profile's purpose
    name: capacity             # [a-z0-9_-]+ (at most 64), default: the file stem
    description: "..."         # default: the top comment block
    workflow: runner_test      # runner_test | k8s_like | runner_workload (shipped), or any
                               #   workflow_dispatch file of the target repository's
                               #   .github/workflows/, e.g. ci.yml
    inputs: {...}              # the workflow file's inputs (suite.workflows), e.g. runner_test:
                               #   sleep_duration 0..3600, job_count 1..20, job_type parallel|sequential;
                               #   a workflow the suite does not ship: checked at preflight against the
                               #   inputs the repository's file declares (suite.profiles.byo)
    pattern: {type: steady, ...}   # suite.schedule.patterns: one class per type, with its keys
    seed: 0                    # integer; only poisson uses it
    drain_timeout_s: 1800      # wait this long after the last dispatch for runs to finish
    max_workflows: 1000        # safety cap: a schedule with more workflows is an error
    environments:              # per-environment overrides of inputs / pattern / drain_timeout_s
      local: {pattern: {rate_per_min: 6}}
    thresholds:                # suite.gates.thresholds: expressions over result.json fields, checked here
      - "queue_time_s.p95 < 120"
      - {expr: "queue_time_s.p95 < 300", abort_on_fail: true}   # stop adding load once it fails
    compare_gates:             # suite.gates.compare: how much worse a candidate run may be than its base
      - "execution_time_s.p50 +10%"

Overrides are merged key by key into the base profile (a pattern override that changes ``type``
replaces the whole pattern). The base profile and every environment are validated on every load, so
a profile that loads at all is valid everywhere. ``suite_id`` is not a profile input: the suite sets
it on every dispatch. The schedule (and so its size) is computed at load time: a poisson pattern is
checked with its actual seed.

The package: :mod:`~suite.profiles.model` (the Profile), :mod:`~suite.profiles.inputs` (one dataclass
per workflow), :mod:`~suite.profiles.byo` (a custom workflow's inputs against what it declares),
:mod:`~suite.profiles.schema` (each key's validation), :mod:`~suite.profiles.checker` (generic checks
with file:line and did-you-mean), :mod:`~suite.profiles.yamlpos` (YAML with lines).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from suite.errors import UsageError
from suite.profiles.inputs import (
    JOB_TYPES,
    WORKFLOWS,
    CustomInputs,
    K8sLikeInputs,
    RunnerTestInputs,
    WorkflowInputs,
)
from suite.profiles.model import Profile
from suite.profiles.schema import MAX_NAME_CHARS, NAME_RE, PATTERN_KEYS, TOP_KEYS, ProfileChecker
from suite.profiles.userfile import check_directory, display_path, read_text
from suite.profiles.yamlpos import Node, from_data, load_yaml, where

# --- public API ------------------------------------------------------------------------------


def load_profile(path: Path | str, environment: str | None = None) -> Profile:
    """Load and validate one profile file; apply ``environment``'s overrides when it declares any.

    An environment the file has no overrides for gets the base profile (with ``environment`` set).
    """
    return _load(Path(path), environment)[0]


def parse_profile(
    text: str, *, path: Path | str, environment: str | None = None, source: str | None = None
) -> Profile:
    """Validate profile text; ``path`` names the file (its stem is the default name)."""
    return _parse(text, Path(path), environment, source)[0]


def list_profiles(folder: Path | str, environment: str | None = None) -> list[Profile]:
    """Every ``*.yaml`` / ``*.yml`` profile in ``folder``, sorted by name; names must be unique."""
    folder = Path(folder)
    check_directory(folder, "profiles folder")
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    seen: dict[str, Profile] = {}
    for file in files:
        profile, name_line = _load(file, environment)
        if profile.name in seen:
            raise UsageError(
                f"{where(str(file), name_line)}: name: '{profile.name}' is already the name of "
                f"{seen[profile.name].path}; profile names must be unique"
            )
        seen[profile.name] = profile
    return sorted(seen.values(), key=lambda p: p.name)


def resolve_profile(ref: str, folder: Path | str = "profiles", environment: str | None = None) -> Profile:
    """A profile by file path (``profiles/capacity.yaml``) or by name (``capacity``).

    A path must end in .yaml or .yml (``suite run ../../etc/passwd`` is refused before the file is
    read); a name must be a profile name ([a-z0-9_-], at most MAX_NAME_CHARS characters).
    """
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml"):
        return load_profile(candidate, environment)
    if not NAME_RE.match(ref) or len(ref) > MAX_NAME_CHARS:
        raise UsageError(
            f"{display_path(ref)}: not a profile: give a .yaml or .yml profile file, or a profile name "
            f"from {display_path(folder)}/ ([a-z0-9_-], at most {MAX_NAME_CHARS} characters)"
        )
    folder = Path(folder)
    for suffix in (".yaml", ".yml"):
        file = folder / f"{ref}{suffix}"
        if file.is_file():
            profile = load_profile(file, environment)
            if profile.name == ref:
                return profile
    profiles = list_profiles(folder, environment) if folder.is_dir() else []
    for profile in profiles:
        if profile.name == ref:
            return profile
    available = ", ".join(p.name for p in profiles) or "none"
    raise UsageError(f"unknown profile '{ref}'; profiles in {display_path(folder)}: {available}")


def profile_from_dict(data: Mapping[str, Any], source: str = "manifest.json") -> Profile:
    """Rebuild a :class:`Profile` from :meth:`Profile.to_dict` output (validated the same way)."""
    schema_keys = {
        k: v for k, v in data.items() if k in TOP_KEYS and k not in ("environments", "description")
    }
    root = from_data(schema_keys)
    checker = ProfileChecker(source)
    top = checker.mapping(root, TOP_KEYS, required=("workflow", "pattern"))
    profile = checker.profile(
        top,
        path=Path(str(data.get("path") or data.get("name") or "profile")),
        purpose=str(data.get("purpose") or ""),
        description=str(data.get("description") or ""),
        environments=tuple(str(e) for e in data.get("environments") or ()),
    )
    env = data.get("environment")
    return _with_environment(profile, None if env is None else str(env))


# --- loading ---------------------------------------------------------------------------------


def _load(path: Path, environment: str | None) -> tuple[Profile, int]:
    return _parse(read_text(path, "profile file"), path, environment, display_path(path))


def _parse(text: str, path: Path, environment: str | None, source: str | None) -> tuple[Profile, int]:
    source = source or display_path(path)
    root = load_yaml(text, source)
    checker = ProfileChecker(source)
    if root is None:
        checker.fail(1, "", f"empty profile; expected a mapping with keys {', '.join(TOP_KEYS)}")
    top = checker.mapping(root, TOP_KEYS, required=("workflow", "pattern"))
    purpose, comment = _top_comment(text)
    envs = checker.environments(top.get("environments"))
    base = checker.profile(top, path=path, purpose=purpose, description=comment, environments=tuple(envs))
    chosen = _with_environment(base, environment)
    for env_name, env_node in envs.items():
        merged = _apply_environment(top, env_node)
        env_profile = ProfileChecker(source, env_name).profile(
            merged, path=path, purpose=purpose, description=comment, environments=tuple(envs)
        )
        if env_name == environment:
            chosen = _with_environment(env_profile, env_name)
    name_node = top.get("name")
    return chosen, name_node.line if name_node is not None else 1


def _with_environment(profile: Profile, environment: str | None) -> Profile:
    return replace(profile, environment=environment)


def _top_comment(text: str) -> tuple[str, str]:
    """(purpose, description): the first comment line, and the whole top comment block."""
    lines: list[str] = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped:
            if lines:
                break
            continue
        if stripped == "---" and not lines:
            continue
        if not stripped.startswith("#"):
            break
        body = stripped.lstrip("#").strip()
        if body:
            lines.append(body)
    purpose = lines[0] if lines else ""
    return purpose, " ".join(lines)


def _pattern_type(node: Node) -> Any:
    if node.is_mapping and "type" in node.value:
        return node.value["type"].value
    return None


def _merge(base: Node, override: Node) -> Node:
    if override.value is None:
        return base
    if base.is_mapping and override.is_mapping:
        merged = dict(base.value)
        for key, value in override.value.items():
            merged[key] = _merge(base.value[key], value) if key in base.value else value
        return Node(merged, override.line, override.path)
    return override


def _apply_environment(top: dict[str, Node], env: dict[str, Node]) -> dict[str, Node]:
    out = dict(top)
    for key, override in env.items():
        base = top.get(key)
        if base is None:
            out[key] = override
        elif key == "pattern" and _pattern_type(override) not in (None, _pattern_type(base)):
            out[key] = override  # a different pattern type: replace, do not mix keys
        else:
            out[key] = _merge(base, override)
    return out


__all__ = [
    "JOB_TYPES",
    "PATTERN_KEYS",
    "TOP_KEYS",
    "WORKFLOWS",
    "CustomInputs",
    "K8sLikeInputs",
    "Profile",
    "RunnerTestInputs",
    "WorkflowInputs",
    "list_profiles",
    "load_profile",
    "parse_profile",
    "profile_from_dict",
    "resolve_profile",
]

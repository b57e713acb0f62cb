"""Profiles: what a test does, as a YAML file a team reviews in a pull request (schema v1).

``load_profile(path, environment)`` reads and validates one file; ``list_profiles(folder)`` reads them
all. Every problem is one :class:`~suite.errors.UsageError` (exit 2) whose message reads
``file:line: field.path: what is wrong, what is allowed``, e.g.::

    profiles/x.yaml:7: pattern.rate_per_min: must be a number > 0 and <= 10000, got 'fast'

Schema v1 (every key but ``workflow`` and ``pattern`` is optional; unknown keys are errors)::

    # Capacity: <purpose, one line>          <- the first comment line is the profile's purpose
    name: capacity             # [a-z0-9_-]+, default: the file stem
    description: "..."         # default: the top comment block
    workflow: runner_test      # runner_test | k8s_like
    inputs: {...}              # runner_test: sleep_duration 0..3600, job_count 1..20,
                               #   job_type parallel|sequential; k8s_like: sleep_duration
    pattern: {type: steady, ...}   # see suite.schedule.arrivals for every type and its keys
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
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Literal, NoReturn

from suite.errors import UsageError
from suite.gates.thresholds import EXAMPLE as THRESHOLD_EXAMPLE
from suite.gates.thresholds import Threshold
from suite.gates.thresholds import problem as threshold_problem
from suite.profiles.yamlpos import Node, decode, from_data, load_yaml, where
from suite.schedule.arrivals import (
    PATTERN_TYPES,
    BurstPattern,
    Pattern,
    PoissonPattern,
    RampPattern,
    RampStage,
    SpikePattern,
    SteadyPattern,
    StepPattern,
    build_schedule,
    expected_workflows,
    schedule_duration_s,
    step_count,
)

SCHEMA_VERSION = 1

NAME_RE = re.compile(r"^[a-z0-9_-]+$")
WORKFLOWS: tuple[str, ...] = ("runner_test", "k8s_like")
JOB_TYPES: tuple[str, ...] = ("parallel", "sequential")

MAX_DURATION_S = 7 * 24 * 3600  # one week: any longer dispatch window is a typo
MAX_RATE_PER_MIN = 10_000.0
MAX_SLEEP_S = 3600
MAX_JOB_COUNT = 20
MAX_RAMP_STAGES = 100
MAX_STEPS = 1000
MAX_BURST_COUNT = 10_000
MAX_MAX_WORKFLOWS = 100_000
DEFAULT_SEED = 0
DEFAULT_DRAIN_TIMEOUT_S = 1800.0
DEFAULT_MAX_WORKFLOWS = 1000

TOP_KEYS: tuple[str, ...] = (
    "name",
    "description",
    "workflow",
    "inputs",
    "pattern",
    "seed",
    "drain_timeout_s",
    "max_workflows",
    "environments",
    "thresholds",
    "compare_gates",
)
ENVIRONMENT_KEYS: tuple[str, ...] = ("inputs", "pattern", "drain_timeout_s")

# pattern type -> (required keys, optional keys); "type" is always required.
PATTERN_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "steady": (("rate_per_min", "duration_s"), ()),
    "poisson": (("rate_per_min", "duration_s"), ()),
    "burst": (("count",), ("repeat", "every_s")),
    "ramp": (("stages",), ("start_rate_per_min",)),
    "spike": (("baseline_rate_per_min", "spike_rate_per_min", "baseline_s", "spike_s", "recovery_s"), ()),
    "step": (("start_rate_per_min", "increment_per_min", "step_duration_s", "max_rate_per_min"), ()),
}
RAMP_STAGE_KEYS: tuple[str, ...] = ("duration_s", "target_rate_per_min")
THRESHOLD_KEYS: tuple[str, ...] = ("expr", "abort_on_fail")


# --- the workflows a profile can dispatch (must match workflows/*.yml) --------------------------


class _InputsMapping(Mapping[str, int | str]):
    """Read-only mapping view of an inputs dataclass: ``inputs["sleep_duration"]``, ``inputs.items()``."""

    input_names: ClassVar[tuple[str, ...]] = ()

    def __getitem__(self, key: str) -> int | str:
        if key not in self.input_names:
            raise KeyError(key)
        value: int | str = getattr(self, key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.input_names)

    def __len__(self) -> int:
        return len(self.input_names)


@dataclass(frozen=True)
class RunnerTestInputs(_InputsMapping):
    """Inputs of workflows/runner_test.yml: ``job_count`` jobs that each sleep ``sleep_duration``."""

    sleep_duration: int = 60
    job_count: int = 1
    job_type: Literal["parallel", "sequential"] = "parallel"

    workflow: ClassVar[str] = "runner_test"
    input_names: ClassVar[tuple[str, ...]] = ("sleep_duration", "job_count", "job_type")

    @property
    def jobs_per_workflow(self) -> int:
        return self.job_count

    @property
    def job_names(self) -> tuple[str, ...]:
        """Job names as GitHub lists them (a matrix job is named ``run (<index>)``)."""
        return tuple(f"run ({i})" for i in range(1, self.job_count + 1))

    def dispatch_inputs(self) -> dict[str, str]:
        return {
            "sleep_duration": str(self.sleep_duration),
            "job_count": str(self.job_count),
            "job_type": self.job_type,
        }


@dataclass(frozen=True)
class K8sLikeInputs(_InputsMapping):
    """Inputs of workflows/k8s_like.yml: diagnostic -> build / npm, build / sonar -> report.

    build / npm and build / sonar sleep ``sleep_duration``; diagnostic and report sleep a quarter of
    it (at least 1 s).
    """

    sleep_duration: int = 60

    workflow: ClassVar[str] = "k8s_like"
    input_names: ClassVar[tuple[str, ...]] = ("sleep_duration",)
    JOBS: ClassVar[tuple[str, ...]] = ("diagnostic", "build / npm", "build / sonar", "report")

    @property
    def jobs_per_workflow(self) -> int:
        return len(self.JOBS)

    @property
    def job_names(self) -> tuple[str, ...]:
        return self.JOBS

    def dispatch_inputs(self) -> dict[str, str]:
        return {"sleep_duration": str(self.sleep_duration)}


WorkflowInputs = RunnerTestInputs | K8sLikeInputs
_INPUT_TYPES: dict[str, type[RunnerTestInputs] | type[K8sLikeInputs]] = {
    "runner_test": RunnerTestInputs,
    "k8s_like": K8sLikeInputs,
}


# --- the profile -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """One validated profile, with one environment's overrides (if any) applied."""

    name: str
    path: Path
    workflow: Literal["runner_test", "k8s_like"]
    inputs: WorkflowInputs
    pattern: Pattern
    purpose: str = ""
    description: str = ""
    seed: int = DEFAULT_SEED
    drain_timeout_s: float = DEFAULT_DRAIN_TIMEOUT_S
    max_workflows: int = DEFAULT_MAX_WORKFLOWS
    thresholds: tuple[str, ...] = ()  # the expressions, in file order
    abort_on_fail: tuple[str, ...] = ()  # those of them that stop the run's load once they fail
    compare_gates: tuple[str, ...] = ()  # `suite compare` regression gates, e.g. "queue_time_s.p95 +30s"
    environment: str | None = None  # the environment this was loaded for (None: the base profile)
    environments: tuple[str, ...] = ()  # every environment the file declares overrides for

    @property
    def workflow_file(self) -> str:
        """The workflow's file name in the target repository's .github/workflows/."""
        return f"{self.workflow}.yml"

    @property
    def jobs_per_workflow(self) -> int:
        return self.inputs.jobs_per_workflow

    @property
    def threshold_specs(self) -> tuple[Threshold, ...]:
        return tuple(Threshold(e, e in self.abort_on_fail) for e in self.thresholds)

    @property
    def expected_workflows(self) -> int:
        """Workflows this profile dispatches (exact; for poisson, with this profile's seed)."""
        if isinstance(self.pattern, PoissonPattern):
            return len(self.schedule())
        return expected_workflows(self.pattern)

    @property
    def expected_jobs(self) -> int:
        return self.expected_workflows * self.jobs_per_workflow

    @property
    def duration_s(self) -> float:
        """Length of the dispatch window (suite.schedule.arrivals.schedule_duration_s)."""
        return schedule_duration_s(self.pattern)

    def schedule(self) -> list[float]:
        """Arrival offsets in seconds from the start of the run."""
        return build_schedule(self.pattern, self.seed)

    def dispatch_inputs(self, suite_id: str) -> dict[str, str]:
        """The workflow_dispatch ``inputs`` object for one dispatch."""
        return {**self.inputs.dispatch_inputs(), "suite_id": suite_id}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for manifest.json ("profile as loaded"); profile_from_dict reads it back."""
        pattern = asdict(self.pattern)
        if isinstance(self.pattern, RampPattern):
            pattern["stages"] = [asdict(s) for s in self.pattern.stages]
        return {
            "schema": SCHEMA_VERSION,
            "name": self.name,
            "path": str(self.path),
            "environment": self.environment,
            "environments": list(self.environments),
            "purpose": self.purpose,
            "description": self.description,
            "workflow": self.workflow,
            "workflow_file": self.workflow_file,
            "inputs": asdict(self.inputs),
            "pattern": pattern,
            "seed": self.seed,
            "drain_timeout_s": self.drain_timeout_s,
            "max_workflows": self.max_workflows,
            "thresholds": [t.to_data() for t in self.threshold_specs],
            "compare_gates": list(self.compare_gates),
            "expected_workflows": self.expected_workflows,
            "jobs_per_workflow": self.jobs_per_workflow,
            "duration_s": self.duration_s,
        }


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
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a profiles folder (no such directory)")
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
    """A profile by file path (``profiles/capacity.yaml``) or by name (``capacity``)."""
    candidate = Path(ref)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        return load_profile(candidate, environment)
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
    raise UsageError(f"unknown profile '{ref}'; profiles in {folder}: {available}")


def profile_from_dict(data: Mapping[str, Any], source: str = "manifest.json") -> Profile:
    """Rebuild a :class:`Profile` from :meth:`Profile.to_dict` output (validated the same way)."""
    schema_keys = {
        k: v for k, v in data.items() if k in TOP_KEYS and k not in ("environments", "description")
    }
    root = from_data(schema_keys)
    checker = _Checker(source)
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
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{source}: no such profile file") from None
    except OSError as exc:
        raise UsageError(f"{source}: cannot read profile: {exc.strerror or exc}") from None
    return _parse(decode(data, source), path, environment, source)


def _parse(text: str, path: Path, environment: str | None, source: str | None) -> tuple[Profile, int]:
    source = source or str(path)
    root = load_yaml(text, source)
    checker = _Checker(source)
    if root is None:
        checker.fail(1, "", f"empty profile; expected a mapping with keys {', '.join(TOP_KEYS)}")
    top = checker.mapping(root, TOP_KEYS, required=("workflow", "pattern"))
    purpose, comment = _top_comment(text)
    envs = checker.environments(top.get("environments"))
    base = checker.profile(top, path=path, purpose=purpose, description=comment, environments=tuple(envs))
    chosen = _with_environment(base, environment)
    for env_name, env_node in envs.items():
        merged = _apply_environment(top, env_node)
        env_profile = _Checker(source, env_name).profile(
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


# --- validation ------------------------------------------------------------------------------


_REQUIRED_HINTS = {
    "workflow": f"one of {', '.join(WORKFLOWS)}",
    "pattern": f"a mapping with a 'type' ({', '.join(PATTERN_TYPES)}) and its keys",
}


def _show(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


class _Checker:
    """Validates Node trees; every failure is one UsageError naming file:line and field path."""

    def __init__(self, source: str, environment: str | None = None) -> None:
        self.source = source
        self.environment = environment

    def fail(self, line: int, path: str, message: str) -> NoReturn:
        suffix = ""
        if self.environment is not None and not path.startswith("environments."):
            suffix = f" (with environment '{self.environment}' applied)"
        raise UsageError(f"{where(self.source, line)}: {path or 'document'}: {message}{suffix}")

    # generic shapes

    def mapping(
        self,
        node: Node,
        allowed: Sequence[str],
        required: Sequence[str] = (),
        what: str = "",
        *,
        null_ok: bool = False,
    ) -> dict[str, Node]:
        if node.value is None and null_ok:
            return {}
        if not node.is_mapping:
            self.fail(
                node.line,
                node.path,
                f"must be a mapping with keys {', '.join(allowed)}, got {_show(node.value)}",
            )
        for key, child in node.value.items():
            if key not in allowed:
                msg = f"unknown key{what}; allowed: {', '.join(allowed)}"
                close = difflib.get_close_matches(key, allowed, n=1)
                if close:
                    msg += f" (did you mean '{close[0]}'?)"
                self.fail(child.line, child.path, msg)
        for key in required:
            if key not in node.value:
                hint = _REQUIRED_HINTS.get(key)
                self.fail(
                    node.line,
                    node.child_path(key),
                    f"missing; required{what}" + (f": {hint}" if hint else ""),
                )
        mapping: dict[str, Node] = node.value
        return mapping

    def number(
        self,
        node: Node,
        *,
        minimum: float = 0.0,
        exclusive: bool = True,
        maximum: float | None = None,
        unit: str = "",
    ) -> float:
        desc = f"a number {'>' if exclusive else '>='} {_fmt(minimum)}"
        if maximum is not None:
            desc += f" and <= {_fmt(maximum)}"
        desc += unit
        v = node.value
        ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        if ok:
            ok = (v > minimum if exclusive else v >= minimum) and (maximum is None or v <= maximum)
        if not ok:
            self.fail(node.line, node.path, f"must be {desc}, got {_show(v)}")
        return float(v)

    def rate(self, node: Node, *, allow_zero: bool = False) -> float:
        return self.number(node, exclusive=not allow_zero, maximum=MAX_RATE_PER_MIN, unit=" (per minute)")

    def seconds(self, node: Node, *, allow_zero: bool = False) -> float:
        return self.number(node, exclusive=not allow_zero, maximum=MAX_DURATION_S, unit=" (seconds)")

    def integer(self, node: Node, lo: int | None = None, hi: int | None = None) -> int:
        v = node.value
        ok = isinstance(v, int) and not isinstance(v, bool)
        if ok and ((lo is not None and v < lo) or (hi is not None and v > hi)):
            ok = False
        if not ok:
            if lo is not None and hi is not None:
                desc = f"an integer {lo}..{hi}"
            elif lo is not None:
                desc = f"an integer >= {lo}"
            else:
                desc = "an integer"
            self.fail(node.line, node.path, f"must be {desc}, got {_show(v)}")
        return int(v)

    def choice(self, node: Node, options: Sequence[str]) -> str:
        if not isinstance(node.value, str) or node.value not in options:
            self.fail(node.line, node.path, f"must be one of {', '.join(options)}, got {_show(node.value)}")
        value: str = node.value
        return value

    def string(self, node: Node, *, example: str = "") -> str:
        if not isinstance(node.value, str) or not node.value.strip():
            hint = f" such as {example!r}" if example else ""
            self.fail(node.line, node.path, f"must be a non-empty string{hint}, got {_show(node.value)}")
        value: str = node.value
        return value.strip()

    # the schema

    def environments(self, node: Node | None) -> dict[str, dict[str, Node]]:
        if node is None:
            return {}
        envs = self.mapping_of_names(node)
        out: dict[str, dict[str, Node]] = {}
        for name, env in envs.items():
            if not NAME_RE.match(name):
                self.fail(env.line, env.path, "environment names must match [a-z0-9_-]+")
            out[name] = self.mapping(env, ENVIRONMENT_KEYS, what=" in an environment override", null_ok=True)
        return out

    def mapping_of_names(self, node: Node) -> dict[str, Node]:
        if node.value is None:
            return {}
        if not node.is_mapping:
            self.fail(
                node.line,
                node.path,
                f"must be a mapping of environment name to overrides of {', '.join(ENVIRONMENT_KEYS)}, "
                f"got {_show(node.value)}",
            )
        mapping: dict[str, Node] = node.value
        return mapping

    def profile(
        self,
        top: dict[str, Node],
        *,
        path: Path,
        purpose: str,
        description: str,
        environments: tuple[str, ...],
    ) -> Profile:
        name_node = top.get("name")
        if name_node is not None:
            name = self.string(name_node)
            if not NAME_RE.match(name):
                self.fail(name_node.line, "name", f"must match [a-z0-9_-]+, got {name!r}")
        else:
            name = path.stem
            if not NAME_RE.match(name):
                self.fail(
                    1,
                    "name",
                    f"the file name {path.stem!r} is not a valid profile name ([a-z0-9_-]+); "
                    "rename the file or add a 'name:' key",
                )
        if "description" in top:
            description = self.string(top["description"])
        workflow = self.choice(top["workflow"], WORKFLOWS)
        inputs = self.inputs(top.get("inputs"), workflow)
        seed = self.integer(top["seed"]) if "seed" in top else DEFAULT_SEED
        drain = self.seconds(top["drain_timeout_s"]) if "drain_timeout_s" in top else DEFAULT_DRAIN_TIMEOUT_S
        max_node = top.get("max_workflows")
        max_workflows = (
            self.integer(max_node, 1, MAX_MAX_WORKFLOWS) if max_node is not None else DEFAULT_MAX_WORKFLOWS
        )
        pattern_node = top["pattern"]
        pattern = self.pattern(pattern_node)
        self.check_size(pattern, pattern_node, seed, max_workflows, max_node)
        thresholds = self.thresholds(top.get("thresholds"))
        gates = self.compare_gates(top.get("compare_gates"))
        return Profile(
            name=name,
            path=path,
            workflow=workflow,  # type: ignore[arg-type]  # checked against WORKFLOWS
            inputs=inputs,
            pattern=pattern,
            purpose=purpose,
            description=description,
            seed=seed,
            drain_timeout_s=drain,
            max_workflows=max_workflows,
            thresholds=tuple(t.expr for t in thresholds),
            abort_on_fail=tuple(t.expr for t in thresholds if t.abort_on_fail),
            compare_gates=gates,
            environments=environments,
        )

    def inputs(self, node: Node | None, workflow: str) -> WorkflowInputs:
        cls = _INPUT_TYPES[workflow]
        if node is None:
            return cls()
        if node.is_mapping and "suite_id" in node.value:
            child = node.value["suite_id"]
            self.fail(
                child.line, child.path, "is set by the suite on every dispatch; remove it from the profile"
            )
        values = self.mapping(node, cls.input_names, what=f" for workflow {workflow}", null_ok=True)
        sleep = self.integer(values["sleep_duration"], 0, MAX_SLEEP_S) if "sleep_duration" in values else 60
        if cls is K8sLikeInputs:
            return K8sLikeInputs(sleep_duration=sleep)
        job_count = self.integer(values["job_count"], 1, MAX_JOB_COUNT) if "job_count" in values else 1
        job_type = self.choice(values["job_type"], JOB_TYPES) if "job_type" in values else "parallel"
        return RunnerTestInputs(
            sleep_duration=sleep,
            job_count=job_count,
            job_type=job_type,  # type: ignore[arg-type]  # checked against JOB_TYPES
        )

    def pattern(self, node: Node) -> Pattern:
        if not node.is_mapping:
            self.fail(
                node.line,
                node.path,
                f"must be a mapping with a 'type' ({', '.join(PATTERN_TYPES)}) and its keys, "
                f"got {_show(node.value)}",
            )
        if "type" not in node.value:
            self.fail(
                node.line, node.child_path("type"), f"missing; required, one of {', '.join(PATTERN_TYPES)}"
            )
        kind = self.choice(node.value["type"], PATTERN_TYPES)
        required, optional = PATTERN_KEYS[kind]
        v = self.mapping(node, ("type", *required, *optional), required, f" for pattern type {kind}")
        if kind in ("steady", "poisson"):
            cls = SteadyPattern if kind == "steady" else PoissonPattern
            return cls(rate_per_min=self.rate(v["rate_per_min"]), duration_s=self.seconds(v["duration_s"]))
        if kind == "burst":
            return self.burst(node, v)
        if kind == "ramp":
            return self.ramp(node, v)
        if kind == "spike":
            baseline = self.rate(v["baseline_rate_per_min"], allow_zero=True)
            spike = self.rate(v["spike_rate_per_min"])
            if spike <= baseline:
                n = v["spike_rate_per_min"]
                self.fail(
                    n.line, n.path, f"must be > baseline_rate_per_min ({_fmt(baseline)}), got {_fmt(spike)}"
                )
            return SpikePattern(
                baseline_rate_per_min=baseline,
                spike_rate_per_min=spike,
                baseline_s=self.seconds(v["baseline_s"], allow_zero=True),
                spike_s=self.seconds(v["spike_s"]),
                recovery_s=self.seconds(v["recovery_s"], allow_zero=True),
            )
        start = self.rate(v["start_rate_per_min"], allow_zero=True)
        increment = self.rate(v["increment_per_min"])
        step_s = self.seconds(v["step_duration_s"])
        top = self.rate(v["max_rate_per_min"])
        if top < start:
            n = v["max_rate_per_min"]
            self.fail(n.line, n.path, f"must be >= start_rate_per_min ({_fmt(start)}), got {_fmt(top)}")
        step = StepPattern(start, increment, step_s, top)
        steps = step_count(step)
        if steps > MAX_STEPS:
            n = v["increment_per_min"]
            self.fail(
                n.line,
                n.path,
                f"makes {steps} steps from {_fmt(start)} to {_fmt(top)} per minute; at most {MAX_STEPS} "
                "steps are allowed, use a larger increment",
            )
        return step

    def burst(self, node: Node, v: dict[str, Node]) -> BurstPattern:
        count = self.integer(v["count"], 1, MAX_BURST_COUNT)
        repeat = self.integer(v["repeat"], 1, MAX_BURST_COUNT) if "repeat" in v else 1
        every_node = v.get("every_s")
        # every_s: null is "not given" (Profile.to_dict writes it so for a single burst)
        every = self.seconds(every_node) if every_node is not None and every_node.value is not None else None
        if repeat > 1 and every is None:
            self.fail(
                node.line,
                node.child_path("every_s"),
                f"missing; required when repeat > 1 (got repeat {repeat}): seconds between bursts, > 0",
            )
        return BurstPattern(count=count, repeat=repeat, every_s=every)

    def ramp(self, node: Node, v: dict[str, Node]) -> RampPattern:
        start = self.rate(v["start_rate_per_min"], allow_zero=True) if "start_rate_per_min" in v else 0.0
        stages_node = v["stages"]
        if not stages_node.is_list or not stages_node.value or len(stages_node.value) > MAX_RAMP_STAGES:
            self.fail(
                stages_node.line,
                stages_node.path,
                f"must be a list of 1..{MAX_RAMP_STAGES} stages, each "
                f"{{duration_s, target_rate_per_min}}, got "
                + (f"{len(stages_node.value)} stages" if stages_node.is_list else _show(stages_node.value)),
            )
        stages: list[RampStage] = []
        for item in stages_node.value:
            s = self.mapping(item, RAMP_STAGE_KEYS, RAMP_STAGE_KEYS, " in a ramp stage")
            stages.append(
                RampStage(
                    duration_s=self.seconds(s["duration_s"]),
                    target_rate_per_min=self.rate(s["target_rate_per_min"], allow_zero=True),
                )
            )
        return RampPattern(stages=tuple(stages), start_rate_per_min=start)

    def check_size(
        self, pattern: Pattern, node: Node, seed: int, max_workflows: int, max_node: Node | None
    ) -> None:
        duration = schedule_duration_s(pattern)
        if duration > MAX_DURATION_S:
            self.fail(
                node.line, node.path, f"lasts {duration:g} s; at most {MAX_DURATION_S} s (7 days) is allowed"
            )
        cap = f"max_workflows ({max_workflows}" + (
            f", line {max_node.line})" if max_node else ", the default)"
        )
        n = expected_workflows(pattern)
        poisson = isinstance(pattern, PoissonPattern)
        if n > max_workflows:
            size = f"is expected to schedule about {n}" if poisson else f"schedules {n}"
            self.fail(
                node.line,
                node.path,
                f"{size} workflows, more than {cap}; lower the rate or duration, or raise max_workflows",
            )
        if poisson:
            actual = len(build_schedule(pattern, seed))
            if actual > max_workflows:
                self.fail(
                    node.line,
                    node.path,
                    f"schedules {actual} workflows with seed {seed}, more than {cap}; "
                    "lower the rate or duration, change the seed, or raise max_workflows",
                )
            n = actual
        if n == 0:
            detail = f" with seed {seed}" if poisson else ""
            self.fail(
                node.line,
                node.path,
                f"schedules no workflows{detail} (the rate over the duration adds up to less than one); "
                "raise the rate or the duration",
            )

    def thresholds(self, node: Node | None) -> tuple[Threshold, ...]:
        if node is None or node.value is None:
            return ()
        if not node.is_list:
            self.fail(
                node.line,
                node.path,
                f"must be a list of expressions such as '{THRESHOLD_EXAMPLE}' or mappings "
                f"{{expr, abort_on_fail}}, got {_show(node.value)}",
            )
        out: list[Threshold] = []
        for item in node.value:
            abort = False
            expr_node = item
            if item.is_mapping:
                keys = self.mapping(item, THRESHOLD_KEYS, ("expr",), " in a threshold")
                expr_node = keys["expr"]
                flag = keys.get("abort_on_fail")
                if flag is not None:
                    if not isinstance(flag.value, bool):
                        self.fail(flag.line, flag.path, f"must be true or false, got {_show(flag.value)}")
                    abort = flag.value
            expr = self.string(expr_node, example=THRESHOLD_EXAMPLE)
            why = threshold_problem(expr)
            if why:
                self.fail(expr_node.line, expr_node.path, why)
            if any(t.expr == expr for t in out):
                self.fail(expr_node.line, expr_node.path, f"{expr!r} is listed twice")
            out.append(Threshold(expr, abort))
        return tuple(out)

    def compare_gates(self, node: Node | None) -> tuple[str, ...]:
        from suite.gates.compare import parse_gate

        if node is None or node.value is None:
            return ()
        example = "execution_time_s.p50 +10%"
        if not node.is_list:
            self.fail(
                node.line, node.path, f"must be a list of gates such as '{example}', got {_show(node.value)}"
            )
        out: list[str] = []
        for item in node.value:
            expr = self.string(item, example=example)
            try:
                parse_gate(expr)
            except UsageError as exc:
                self.fail(item.line, item.path, str(exc))
            if expr.strip() in out:
                self.fail(item.line, item.path, f"{expr!r} is listed twice")
            out.append(expr.strip())
        return tuple(out)


__all__ = [
    "JOB_TYPES",
    "PATTERN_KEYS",
    "TOP_KEYS",
    "WORKFLOWS",
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

"""The profile schema (v1, see suite.profiles.profile): each key's validation, on a YAML node tree."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from suite.errors import UsageError
from suite.gates.compare import parse_gate
from suite.gates.thresholds import EXAMPLE as THRESHOLD_EXAMPLE
from suite.gates.thresholds import Threshold
from suite.gates.thresholds import problem as threshold_problem
from suite.profiles.checker import MAX_DURATION_S, MAX_STRING_CHARS, Checker, NodeFields, show
from suite.profiles.inputs import INPUT_TYPES, WORKFLOWS, CustomInputs, Scalar, WorkflowInputs, shipped
from suite.profiles.model import DEFAULT_DRAIN_TIMEOUT_S, DEFAULT_MAX_WORKFLOWS, DEFAULT_SEED, Profile
from suite.profiles.yamlpos import Node, brief
from suite.schedule.arrivals import (
    PATTERN_TYPES,
    PATTERNS,
    Pattern,
    PoissonPattern,
    build_schedule,
    expected_workflows,
    schedule_duration_s,
)

NAME_RE = re.compile(r"^[a-z0-9_-]+$")
# a workflow file of .github/workflows/ (GitHub reads no subfolder there); at most MAX_FILE_CHARS
WORKFLOW_FILE_RE = re.compile(r"^[A-Za-z0-9_.-]+\.ya?ml$")
MAX_FILE_CHARS = 100
MAX_CUSTOM_INPUTS = 24  # GitHub takes 25 inputs per dispatch; the suite sends suite_id
WORKFLOW_HINT = (
    f"one of {', '.join(WORKFLOWS)} (shipped with the suite) or the file name of a workflow_dispatch "
    "workflow in the target repository's .github/workflows/, such as 'ci.yml'"
)
MAX_NAME_CHARS = 64  # the name starts the run directory's name (suite.rundir.paths)
MAX_MAX_WORKFLOWS = 100_000
MAX_SEED = 2**63 - 1
MAX_DESCRIPTION_CHARS = 5_000
MAX_THRESHOLDS = 1_000  # and compare gates: a profile states tens; each is evaluated in every report

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
    kind: (cls.REQUIRED, cls.OPTIONAL) for kind, cls in PATTERNS.items()
}
THRESHOLD_KEYS: tuple[str, ...] = ("expr", "abort_on_fail")


class ProfileChecker(Checker):
    """Checks one profile's keys; ``environment`` names the overrides applied (for the error message)."""

    required_hints: ClassVar[Mapping[str, str]] = {
        "workflow": WORKFLOW_HINT,
        "pattern": f"a mapping with a 'type' ({', '.join(PATTERN_TYPES)}) and its keys",
    }

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
                f"got {show(node.value)}",
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
            if not NAME_RE.match(name) or len(name) > MAX_NAME_CHARS:
                self.fail(
                    name_node.line,
                    "name",
                    f"must match [a-z0-9_-]+ and be at most {MAX_NAME_CHARS} characters, got {brief(name)}",
                )
        else:
            name = path.stem
            if not NAME_RE.match(name) or len(name) > MAX_NAME_CHARS:
                self.fail(
                    1,
                    "name",
                    f"the file name {brief(path.stem)} is not a valid profile name ([a-z0-9_-]+, at most "
                    f"{MAX_NAME_CHARS} characters); rename the file or add a 'name:' key",
                )
        if "description" in top:
            description = self.string(top["description"], max_chars=MAX_DESCRIPTION_CHARS)
        workflow = self.workflow(top["workflow"])
        inputs = self.inputs(top.get("inputs"), workflow)
        seed = self.integer(top["seed"], -MAX_SEED, MAX_SEED) if "seed" in top else DEFAULT_SEED
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
            workflow=workflow,
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
            source=self.source,
            lines=_lines(top),
        )

    def workflow(self, node: Node) -> str:
        """A shipped workflow's name, or a workflow file name (checked against the repository at
        preflight: suite.profiles.byo)."""
        v = node.value
        if isinstance(v, str) and (
            v in WORKFLOWS or (WORKFLOW_FILE_RE.match(v) and len(v) <= MAX_FILE_CHARS)
        ):
            return v
        self.fail(node.line, node.path, f"must be {WORKFLOW_HINT}, got {show(v)}")

    def inputs(self, node: Node | None, workflow: str) -> WorkflowInputs:
        name = shipped(workflow)
        if node is not None and node.is_mapping and "suite_id" in node.value:
            child = node.value["suite_id"]
            self.fail(
                child.line, child.path, "is set by the suite on every dispatch; remove it from the profile"
            )
        if name is None:
            return self.custom_inputs(node)
        cls = INPUT_TYPES[name]
        if node is None:
            return cls()
        values = self.mapping(node, cls.input_names, what=f" for workflow {workflow}", null_ok=True)
        given: dict[str, int | str] = {}
        for spec in cls.specs():  # as the workflow file declares it: type, range, options
            if spec.name not in values:
                continue
            if spec.type == "choice":
                given[spec.name] = self.choice(values[spec.name], spec.options)
            else:
                given[spec.name] = self.integer(values[spec.name], spec.minimum, spec.maximum)
        return cls(**given)  # type: ignore[arg-type]  # checked against the workflow file

    def custom_inputs(self, node: Node | None) -> CustomInputs:
        """A custom workflow's inputs: their shape only (names and values are checked at preflight
        against what the workflow declares)."""
        if node is None or node.value is None:
            return CustomInputs()
        if not node.is_mapping:
            self.fail(
                node.line, node.path, f"must be a mapping of input name to value, got {show(node.value)}"
            )
        if len(node.value) > MAX_CUSTOM_INPUTS:
            self.fail(
                node.line,
                node.path,
                f"{len(node.value)} inputs; at most {MAX_CUSTOM_INPUTS} (GitHub takes 25 per dispatch and "
                "the suite sends suite_id)",
            )
        values: list[tuple[str, Scalar]] = []
        for key, child in node.value.items():
            v = child.value
            if not isinstance(v, str | int | float | bool) or (isinstance(v, float) and not math.isfinite(v)):
                self.fail(
                    child.line,
                    child.path,
                    f"must be a string, a number or true/false (a workflow_dispatch input), got {show(v)}",
                )
            if isinstance(v, str) and len(v) > MAX_STRING_CHARS:
                self.fail(
                    child.line, child.path, f"{len(v)} characters; at most {MAX_STRING_CHARS} are allowed"
                )
            values.append((key, v))
        return CustomInputs(tuple(values))

    def pattern(self, node: Node) -> Pattern:
        if not node.is_mapping:
            self.fail(
                node.line,
                node.path,
                f"must be a mapping with a 'type' ({', '.join(PATTERN_TYPES)}) and its keys, "
                f"got {show(node.value)}",
            )
        if "type" not in node.value:
            self.fail(
                node.line, node.child_path("type"), f"missing; required, one of {', '.join(PATTERN_TYPES)}"
            )
        kind = self.choice(node.value["type"], PATTERN_TYPES)
        cls = PATTERNS[kind]
        v = self.mapping(
            node, ("type", *cls.REQUIRED, *cls.OPTIONAL), cls.REQUIRED, f" for pattern type {kind}"
        )
        return cls.read(NodeFields(self, node, v))

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
                f"{{expr, abort_on_fail}}, got {show(node.value)}",
            )
        self.at_most(node, MAX_THRESHOLDS, "thresholds")
        out: list[Threshold] = []
        seen: set[str] = set()  # duplicates found in linear time
        for item in node.value:
            abort = False
            expr_node = item
            if item.is_mapping:
                keys = self.mapping(item, THRESHOLD_KEYS, ("expr",), " in a threshold")
                expr_node = keys["expr"]
                flag = keys.get("abort_on_fail")
                if flag is not None:
                    if not isinstance(flag.value, bool):
                        self.fail(flag.line, flag.path, f"must be true or false, got {show(flag.value)}")
                    abort = flag.value
            expr = self.string(expr_node, example=THRESHOLD_EXAMPLE)
            why = threshold_problem(expr)
            if why:
                self.fail(expr_node.line, expr_node.path, why)
            if expr in seen:
                self.fail(expr_node.line, expr_node.path, f"{brief(expr)} is listed twice")
            seen.add(expr)
            out.append(Threshold(expr, abort))
        return tuple(out)

    def at_most(self, node: Node, limit: int, what: str) -> None:
        if len(node.value) > limit:
            self.fail(node.line, node.path, f"{len(node.value)} {what}; at most {limit} are allowed")

    def compare_gates(self, node: Node | None) -> tuple[str, ...]:
        if node is None or node.value is None:
            return ()
        example = "execution_time_s.p50 +10%"
        if not node.is_list:
            self.fail(
                node.line, node.path, f"must be a list of gates such as '{example}', got {show(node.value)}"
            )
        self.at_most(node, MAX_THRESHOLDS, "compare gates")
        out: list[str] = []
        seen: set[str] = set()
        for item in node.value:
            expr = self.string(item, example=example)
            try:
                parse_gate(expr)
            except UsageError as exc:
                self.fail(item.line, item.path, str(exc))
            if expr.strip() in seen:
                self.fail(item.line, item.path, f"{brief(expr)} is listed twice")
            seen.add(expr.strip())
            out.append(expr.strip())
        return tuple(out)


def _lines(top: dict[str, Node]) -> dict[str, int]:
    """The line of `workflow`, `inputs` and each input: what a preflight error points at."""
    lines: dict[str, int] = {key: top[key].line for key in ("workflow", "inputs") if key in top}
    inputs = top.get("inputs")
    if inputs is not None and inputs.is_mapping:
        lines.update({f"inputs.{name}": child.line for name, child in inputs.value.items()})
    return lines

"""terraform/ against the hashicorp/aws provider's own schema, offline.

The schema of every resource and data source type the module uses was cut out of the provider's CDK
bindings by tools/extract_provider_schema.py, once per end of the provider constraint (the fixtures
carry their version). Every argument and block of terraform/*.tf is checked against both: unknown
names, missing required ones, a block written as an argument or the reverse, a repeated single block,
and literal values of the wrong type. Values the schema cannot judge are checked against what the AWS
API accepts: the cluster's containerInsights setting, evaluated by the embedded Terraform for every
value the container_insights variable allows, must be enhanced, enabled or disabled.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from suite.fleet import sizing
from suite.fleet.terraform import Terraform
from tests.helpers.terraform_schema import (
    SCHEMAS,
    TF,
    check_module,
    load_module,
    load_schema,
    type_error,
    unquote,
)

# What ECS's UpdateClusterSettings/CreateCluster accept for the containerInsights setting.
CONTAINER_INSIGHTS_VALUES = {"enhanced", "enabled", "disabled"}
# The line as it was before issue 16: the variable's "standard" went straight to ECS.
BROKEN_SETTING = "value = var.container_insights"
FIXED_SETTING = "value = local.container_insights_setting"


# ---------------------------------------------------------------- the fixtures and the constraint


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def test_schema_fixtures_cover_both_ends_of_the_provider_constraint() -> None:
    versions = (TF / "versions.tf").read_text(encoding="utf-8")
    constraint = re.search(r'version = ">= ([\d.]+), < ([\d.]+)"', versions)
    assert constraint, "the hashicorp/aws constraint must have a lower and an upper bound"
    low, high = _version(constraint[1]), _version(constraint[2])
    found = sorted(_version(load_schema(p)["version"]) for p in SCHEMAS)
    assert len(found) >= 2
    assert all(low <= v < high for v in found), (found, constraint[0])
    assert found[0][: len(low)] == low  # the lowest version allowed is one of those checked
    for path in SCHEMAS:
        schema = load_schema(path)
        assert schema["provider"] == "registry.terraform.io/hashicorp/aws"
        assert path.name == f"aws_provider_schema_{'.'.join(schema['version'].split('.')[:2])}.json"
        assert "provider-aws@" in schema["source"]


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.stem)
def test_every_argument_and_block_matches_the_provider_schema(path: Path) -> None:
    assert check_module(TF, load_schema(path)) == []


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.stem)
def test_every_taggable_resource_is_tagged_per_the_schema(path: Path) -> None:
    schema = load_schema(path)
    untagged = [
        f"{unquote(t)}.{unquote(n)}"
        for _, doc in load_module(TF)
        for block in doc.get("resource", [])
        for t, named in block.items()
        for n, body in named.items()
        if "tags" in schema["resources"][unquote(t)]["attributes"] and "tags" not in body
    ]
    assert untagged == []


@given(st.integers() | st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_literal_fits_number_and_string_only(number: float) -> None:
    assert type_error(number, "number") is None and type_error(number, "string") is None
    for want in ("bool", "list(string)", "map(string)"):
        assert type_error(number, want) is not None


@given(st.text(max_size=20))
def test_a_string_literal_fits_number_or_bool_only_when_it_reads_as_one(text: str) -> None:
    literal = f'"{text}"'
    numeric = re.fullmatch(r"-?\d+(\.\d+)?", text) is not None
    assert (type_error(literal, "number") is None) == numeric
    assert (type_error(literal, "bool") is None) == (text in ("true", "false"))
    assert type_error(literal, "string") is None and type_error(literal, "list(string)") is not None
    assert type_error("${" + text + "}", "number") is None  # an expression is Terraform's to judge


# The checker fails on what it must catch: each mutation of a copy of terraform/ is one known mistake.
MUTATIONS = [
    # (file, text, replacement, the problem reported)
    (
        "ecs.tf",
        "  name = local.cluster_name\n",
        "  name = local.cluster_name\n  capacity = 2\n",
        "unknown argument",
    ),
    (
        "ecs.tf",
        '  family                   = "${var.fleet_name}-runner"\n',
        "",
        "required 'family' is missing",
    ),
    (
        "ecs.tf",
        "  runtime_platform {\n",
        "  runtime_platform = {\n",
        "runtime_platform is a block, written as an argument",
    ),
    (
        "ecs.tf",
        "  enable_ecs_managed_tags = true\n",
        '  enable_ecs_managed_tags = "yes"\n',
        "a bool is expected",
    ),
    (
        "ecs.tf",
        "  desired_count    = var.runner_count\n",
        '  desired_count    = "four"\n',
        "a number is expected",
    ),
    (
        "network.tf",
        "cidr_block           = var.vpc_cidr\n",
        "cidr_block           = [var.vpc_cidr]\n",
        "a list literal",
    ),
    (
        "logs.tf",
        "= aws_cloudwatch_log_group.task_events.arn\n",
        "= aws_cloudwatch_log_group.task_events.arns\n",
        "no attribute 'arns'",
    ),
    ("network.tf", "available.zone_ids)", "available.zones_ids)", "no attribute 'zones_ids'"),
    (
        "ecs.tf",
        "aws_iam_role.task.arn",
        "aws_iam_role.tasks.arn",
        "no resource aws_iam_role.tasks is declared",
    ),
    (
        "logs.tf",
        'resource "aws_cloudwatch_log_resource_policy"',
        'resource "aws_cloudwatch_log_resource_policies"',
        "no such type",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "problem"), MUTATIONS, ids=[m[3] for m in MUTATIONS])
def test_the_check_catches_each_kind_of_mistake(
    tmp_path: Path, file: str, old: str, new: str, problem: str
) -> None:
    module = tmp_path / "terraform"
    shutil.copytree(TF, module, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    text = (module / file).read_text(encoding="utf-8")
    assert old in text, f"the mutation no longer applies to {file}: update MUTATIONS"
    (module / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    for path in SCHEMAS:
        problems = check_module(module, load_schema(path))
        assert any(problem in p for p in problems), problems


def test_a_repeated_single_block_is_caught(tmp_path: Path) -> None:
    """runtime_platform may appear at most once (the bindings type it as one struct, not a list)."""
    module = tmp_path / "terraform"
    shutil.copytree(TF, module, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    ecs = module / "ecs.tf"
    block = '  runtime_platform {\n    operating_system_family = "LINUX"\n'
    ecs.write_text(
        ecs.read_text(encoding="utf-8").replace(block, block.replace("{", "{}\n  runtime_platform {", 1))
    )
    problems = check_module(module, load_schema(SCHEMAS[-1]))
    assert any("runtime_platform may appear once, appears 2 times" in p for p in problems), problems


# ---------------------------------------------------------------- containerInsights, evaluated for real


def _expression(value: Any) -> str:
    text = str(value)
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def container_insights_settings(module: Path, work: Path) -> dict[str, str]:
    """{container_insights variable value: what the cluster's containerInsights setting receives}, for
    every value the variable's validation allows, computed by the embedded Terraform from the module's
    own expression (the setting's value and the locals it uses, with variables.tf: no provider)."""
    docs = load_module(module)
    cluster = next(
        body
        for _, doc in docs
        for block in doc.get("resource", [])
        for t, named in block.items()
        if unquote(t) == "aws_ecs_cluster"
        for body in named.values()
    )
    setting = next(s for s in cluster["setting"] if unquote(s["name"]) == "containerInsights")
    expr = _expression(setting["value"])
    all_locals = {k: v for _, doc in docs for lb in doc.get("locals", []) for k, v in lb.items()}
    needed: dict[str, str] = {}
    todo = re.findall(r"local\.(\w+)", expr)
    while todo:
        name = todo.pop()
        if name not in needed:
            needed[name] = _expression(all_locals[name])
            todo += re.findall(r"local\.(\w+)", needed[name])
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(module / "variables.tf", work / "variables.tf")
    lines = [
        "locals {",
        *(f"  {k} = {v}" for k, v in needed.items()),
        "}",
        'output "setting" {',
        f"  value = {expr}",
        "}",
    ]
    (work / "check.tf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    variables = (module / "variables.tf").read_text(encoding="utf-8")
    allowed = re.search(r"contains\(\[([^\]]*)\], var\.container_insights\)", variables)
    assert allowed, "variables.tf: container_insights has no contains([...]) validation"
    tf = Terraform(work, progress=lambda _: None)
    tf.init()
    out: dict[str, str] = {}
    for mode in re.findall(r'"([^"]+)"', allowed[1]):
        tf.variables = {"github_repository": "o/r", "container_insights": mode}
        tf.plan()
        tf.apply()
        out[mode] = str(tf.output()["setting"])
    return out


def bad_settings(settings: dict[str, str]) -> dict[str, str]:
    return {mode: value for mode, value in settings.items() if value not in CONTAINER_INSIGHTS_VALUES}


def test_container_insights_setting_is_a_value_ecs_accepts(tmp_path: Path) -> None:
    settings = container_insights_settings(TF, tmp_path / "check")
    assert settings == {"enhanced": "enhanced", "standard": "enabled"}
    assert bad_settings(settings) == {}


def test_the_pre_fix_container_insights_line_is_caught(tmp_path: Path) -> None:
    """The mapping before issue 16 handed "standard" straight to ECS, which refuses it at apply."""
    module = tmp_path / "terraform"
    shutil.copytree(TF, module, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    ecs = module / "ecs.tf"
    text = ecs.read_text(encoding="utf-8")
    assert FIXED_SETTING in text
    ecs.write_text(text.replace(FIXED_SETTING, BROKEN_SETTING), encoding="utf-8")
    assert bad_settings(container_insights_settings(module, tmp_path / "check")) == {"standard": "standard"}


# ---------------------------------------------------------------- sizings and variable validations


def test_every_sizing_is_a_fargate_pair_and_passes_the_variable_validations(tmp_path: Path) -> None:
    sizings = sorted((TF / "sizings").glob("*.tfvars"))
    assert len(sizings) >= 4
    shutil.copy(TF / "variables.tf", tmp_path / "variables.tf")
    (tmp_path / "out.tf").write_text('output "size" {\n  value = "${var.task_cpu}/${var.task_memory}"\n}\n')
    tf = Terraform(tmp_path, progress=lambda _: None)
    tf.init()
    for path in [*sizings, TF / "terraform.tfvars.example"]:
        with path.open(encoding="utf-8") as handle:
            values = hcl2.load(handle)
        cpu, memory = int(values["task_cpu"]), int(values["task_memory"])
        assert sizing.is_valid(cpu, memory), path.name
        tf.var_files = [path]
        tf.variables = {} if "github_repository" in values else {"github_repository": "o/r"}
        tf.plan()  # every variable validation of variables.tf holds for the file's values

"""The one Fargate size table (suite.fleet.sizing): Fargate's pairs, and terraform/variables.tf agreeing."""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest

from suite.decisions.sizing_change import parse_tfvars, sizing_from_vars
from suite.errors import UsageError
from suite.fleet import sizing

VARIABLES = Path(__file__).resolve().parents[2] / "terraform" / "variables.tf"

FARGATE = {  # Fargate's documented cpu:memory pairs (MiB)
    256: [512, 1024, 2048],
    512: list(range(1024, 4097, 1024)),
    1024: list(range(2048, 8193, 1024)),
    2048: list(range(4096, 16385, 1024)),
    4096: list(range(8192, 30721, 1024)),
    8192: list(range(16384, 61441, 4096)),
    16384: list(range(32768, 122881, 8192)),
}


def test_the_table_is_fargates() -> None:
    assert tuple(FARGATE) == sizing.CPU_SIZES
    for cpu, memory in FARGATE.items():
        assert sizing.allowed_memory(cpu) == memory
    assert sizing.allowed_memory(3000) == []
    assert sizing.is_valid(8192, 16384) and sizing.is_valid(16384, 122880)
    assert not sizing.is_valid(8192, 17408) and not sizing.is_valid(16384, 131072)


def test_describe_invalid_says_what_would_fit() -> None:
    assert sizing.describe_invalid(8192, 61440) is None
    assert "16384-61440 in steps of 4096" in str(sizing.describe_invalid(8192, 8192))
    assert "32768-122880 in steps of 8192" in str(sizing.describe_invalid(16384, 4096))
    assert "(allowed: 512, 1024, 2048)" in str(sizing.describe_invalid(256, 4096))
    assert sizing.summary().endswith("8192: 16384-61440, 16384: 32768-122880")


def _variable(name: str) -> dict:
    for block in hcl2.load(VARIABLES.open())["variable"]:
        for key, value in block.items():
            if key.strip('"') == name:  # python-hcl2 keeps the quotes of a quoted block label
                return value
    raise AssertionError(f"variables.tf has no variable {name}")


def test_terraform_validation_states_the_same_table() -> None:
    cpus = _variable("task_cpu")["validation"][0]["condition"]
    assert [int(c) for c in re.search(r"contains\(\[([\d, ]+)\]", cpus)[1].split(",")] == list(FARGATE)
    condition = _variable("task_memory")["validation"][0]["condition"]
    found: dict[int, list[int]] = {}
    for cpu, listed in re.findall(r"var\.task_cpu == (\d+) && contains\(\[([\d, ]+)\]", condition):
        found[int(cpu)] = [int(m) for m in listed.split(",")]
    ranges = r"var\.task_cpu == (\d+) && var\.task_memory >= (\d+) && var\.task_memory <= (\d+) && "
    for cpu, lo, hi, step in re.findall(ranges + r"var\.task_memory % (\d+) == 0", condition):
        found[int(cpu)] = list(range(int(lo), int(hi) + 1, int(step)))
    assert found == FARGATE


@pytest.mark.parametrize(("cpu", "memory"), [(8192, 16384), (16384, 65536), (4096, 30720)])
def test_validate_sizing_accepts_every_fargate_size(cpu: int, memory: int) -> None:
    assert sizing_from_vars({"task_cpu": cpu, "task_memory": memory}, "f").task_cpu == cpu


def test_validate_sizing_names_the_table_when_a_pair_does_not_fit() -> None:
    want = r"f: task_cpu 8192 / task_memory 8192 is not a Fargate size \(256: 512-2048, 512: "
    with pytest.raises(UsageError, match=want):
        sizing_from_vars({"task_cpu": 8192, "task_memory": 8192}, "f")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("task_cpu 512", "f.tfvars:1: expected `name = value`, got 'task_cpu 512'"),
        ("tags = {a = 1}", "f.tfvars:1: tags: unsupported value '{a = 1}' (numbers, true/false"),
        ("a = 1\nx = var.y # why", "f.tfvars:2: x: unsupported value 'var.y' (numbers"),
        ("a = 1\na = 2", "f.tfvars:2: a is set twice"),
        ("ok = 1\nh = <<EOT\nhi\nEOT\n", "f.tfvars:2: h: unsupported value '<<EOT'"),
        ("x = null", "f.tfvars:1: x: unsupported value 'null'"),
    ],
)
def test_tfvars_errors_name_the_file_line_and_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_tfvars(text, "f.tfvars")
    assert str(err.value).startswith(message)


def test_tfvars_values() -> None:
    text = 'n = 2\nf = 1.5\nneg = -3\ns = "say \\"hi\\" # not a comment"\nl = [1, [2], "x"]\nb = true\n'
    assert parse_tfvars(text) == {"n": 2, "f": 1.5, "neg": -3, "s": 'say "hi" # not a comment',
                                  "l": [1, [2], "x"], "b": True}  # fmt: skip
    for path in sorted(VARIABLES.parent.glob("sizings/*.tfvars")):
        assert {"task_cpu", "task_memory"} <= set(parse_tfvars(path.read_text(), str(path)))

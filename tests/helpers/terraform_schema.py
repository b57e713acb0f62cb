"""The offline schema check of terraform/ (tests/fleet/test_terraform_schema.py): python-hcl2's view of
the module held to the hashicorp/aws schema fixtures that tools/extract_provider_schema.py cuts out of the
provider's CDK bindings. Names, block or argument, required, at most one, literal types, attributes read."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "terraform"
SCHEMAS = sorted((ROOT / "tests" / "fixtures").glob("aws_provider_schema_*.json"))
# Terraform's meta-arguments and meta-blocks, valid in every resource (data sources: no provisioners).
META = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}


def load_schema(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def load_module(module: Path) -> list[tuple[str, dict[str, Any]]]:
    """(file name, python-hcl2 document with literal strings still quoted) for every *.tf."""
    docs = []
    for path in sorted(module.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            docs.append((path.name, hcl2.load(handle)))
    return docs


def unquote(label: str) -> str:
    return label[1:-1] if label.startswith('"') and label.endswith('"') else label


def _is_block(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
    )


def type_error(value: Any, want: str) -> str | None:
    """Why a literal cannot be `want` (None when it can, or when it is an expression)."""
    if isinstance(value, str) and value.startswith("${"):
        return None  # an expression: its type is Terraform's business at plan time
    if want == "any":
        return None
    if isinstance(value, dict):
        return None if want.startswith("map(") else f"an object/map literal where {want} is expected"
    if isinstance(value, list):
        if not want.startswith("list("):
            return f"a list literal where {want} is expected"
        inner = want[5:-1]
        return next((e for e in (type_error(v, inner) for v in value) if e), None)
    if want.startswith(("list(", "map(")):
        return f"a single value where {want} is expected"
    if isinstance(value, bool):
        return None if want in ("bool", "string") else f"a bool where {want} is expected"
    if isinstance(value, int | float):
        return None if want in ("number", "string") else f"a number where {want} is expected"
    text = unquote(str(value))
    if want == "number" and not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return f"the string {text[:40]!r} where a number is expected"
    if want == "bool" and text not in ("true", "false"):
        return f"the string {text[:40]!r} where a bool is expected"
    return None


def check_body(body: dict[str, Any], schema: dict[str, Any], where: str, meta: set[str]) -> list[str]:
    """Every problem of one resource, data source or nested block body against its schema."""
    problems: list[str] = []
    attributes, blocks = schema["attributes"], schema["blocks"]
    seen: set[str] = set()
    for key, value in body.items():
        if key.startswith("__") or key in meta:  # python-hcl2 markers: __is_block__, __comments__
            continue
        if key == "dynamic":
            for dyn in value:
                for label, spec in dyn.items():
                    name = unquote(label)
                    if name not in blocks:
                        problems.append(f"{where}: dynamic block {name!r} is not a block of this type")
                        continue
                    seen.add(name)
                    for content in spec.get("content", []):
                        problems += check_body(content, blocks[name], f"{where}.{name}", set())
            continue
        if key in attributes:
            seen.add(key)
            if _is_block(value):
                problems.append(f"{where}: {key} is an argument, written as a block")
            elif error := type_error(value, attributes[key]["type"]):
                problems.append(f"{where}: {key} is {attributes[key]['type']}: {error}")
        elif key in blocks:
            seen.add(key)
            if not _is_block(value):
                problems.append(f"{where}: {key} is a block, written as an argument ({key} = ...)")
                continue
            if blocks[key].get("max_items") == 1 and len(value) > 1:
                problems.append(f"{where}: {key} may appear once, appears {len(value)} times")
            for item in value:
                problems += check_body(item, blocks[key], f"{where}.{key}", set())
        else:
            problems.append(f"{where}: unknown argument or block {key!r}")
    missing = [n for n, a in attributes.items() if a["required"] and n not in seen]
    missing += [n for n, b in blocks.items() if b["required"] and n not in seen]
    problems += [f"{where}: required {n!r} is missing" for n in sorted(missing)]
    return problems


# <type>.<name>[index].<attribute> and data.<type>.<name>[index].<attribute> inside expressions
_RESOURCE_REF = re.compile(r"(?<![\w.])(aws_[a-z0-9_]+)\.([\w-]+)(?:\[[^\]]*\])*\.([a-z0-9_]+)")
_DATA_REF = re.compile(r"(?<![\w.])data\.(aws_[a-z0-9_]+)\.([\w-]+)(?:\[[^\]]*\])*\.([a-z0-9_]+)")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, list):
        return [t for v in value for t in _strings(v)]
    return []


def check_references(module: Path, schema: dict[str, Any]) -> list[str]:
    """Every attribute an expression reads from a resource or data source exists on that type (arguments
    and computed attributes such as arn), and the resource or data source it names is declared."""
    docs = load_module(module)
    declared = {
        (kind, unquote(t), unquote(n))
        for _, doc in docs
        for kind in ("resource", "data")
        for block in doc.get(kind, [])
        for t, named in block.items()
        for n in named
    }
    problems: list[str] = []
    for file, doc in docs:
        for text in _strings(doc):
            for kind, key, pattern in (
                ("resource", "resources", _RESOURCE_REF),
                ("data", "data_sources", _DATA_REF),
            ):
                for tf_type, name, attribute in pattern.findall(text):
                    where = f"{file}: {'data.' if kind == 'data' else ''}{tf_type}.{name}.{attribute}"
                    if (kind, tf_type, name) not in declared:
                        problems.append(f"{where}: no {kind} {tf_type}.{name} is declared")
                    elif tf_type in schema[key]:
                        spec = schema[key][tf_type]
                        if attribute not in {*spec["readable"], *spec["attributes"], *spec["blocks"]}:
                            problems.append(f"{where}: {tf_type} has no attribute {attribute!r}")
    return problems


def check_module(module: Path, schema: dict[str, Any]) -> list[str]:
    problems: list[str] = check_references(module, schema)
    for file, doc in load_module(module):
        for kind, key, meta in (
            ("resource", "resources", META),
            ("data", "data_sources", META - {"provisioner", "connection"}),
        ):
            for block in doc.get(kind, []):
                for rtype, named in block.items():
                    tf_type = unquote(rtype)
                    for name, body in named.items():
                        where = f"{file}: {kind} {tf_type}.{unquote(name)}"
                        if tf_type not in schema[key]:
                            version = schema["version"]
                            problems.append(
                                f"{where}: no such type in the schema fixture of hashicorp/aws {version} "
                                "(a type new to the module: run tools/extract_provider_schema.py again)"
                            )
                            continue
                        problems += check_body(body, schema[key][tf_type], where, meta)
    return problems

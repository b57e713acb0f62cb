"""Cut the schema of the resource and data source types terraform/ uses out of the AWS provider's CDK
bindings.

These machines cannot download the hashicorp/aws provider, so `terraform providers schema -json` cannot
run here. The npm package ``@cdktn/provider-aws`` (CDK Terrain's bindings, the maintained successor of
``@cdktf/provider-aws``; both are read the same way) is generated from that very schema and carries it
in two forms per type (``package/lib/<type>/``):

- ``index.js``: ``synthesizeHclAttributes()`` of the resource class and ``<struct>ToHclTerraform()`` of
  every nested struct list each argument by its Terraform name with ``isBlock`` (nested block or
  attribute), ``type`` (simple | list | set | map) and ``storageClassType`` (string, number, boolean,
  stringList, stringMap, ... or the nested struct);
- ``index.d.ts``: the config interfaces, where an argument without ``?`` is required and a nested block
  typed as one struct (not an array) holds at most one item; and the class's getters, the attributes
  an expression may read (``readable``: arguments and computed ones such as ``arn``).

The output fixture keeps only what a static check of the module needs, with the provider version the
package was generated from (``package.json``: ``cdktf.provider.version``). Run it once per end of the
provider constraint in terraform/versions.tf, when the module starts using a new type or the constraint
moves; never at test time (tests/fleet/test_terraform_schema.py reads the fixtures)::

    npm pack @cdktn/provider-aws@23.7.0           # hashicorp/aws 6.40.0, the lower bound
    npm pack @cdktn/provider-aws@25.7.0           # hashicorp/aws 6.66.0, the newest
    python tools/extract_provider_schema.py cdktn-provider-aws-23.7.0.tgz \\
        tests/fixtures/aws_provider_schema_6.40.json
    python tools/extract_provider_schema.py cdktn-provider-aws-25.7.0.tgz \\
        tests/fixtures/aws_provider_schema_6.66.json

About 40 s and 40 MB of memory per package (the tarball is read in place, never unpacked).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tarfile
from pathlib import Path
from typing import Any, Final

import hcl2

ROOT: Final = Path(__file__).resolve().parent.parent
MODULE: Final = ROOT / "terraform"

# "name: {\n value: <expr>,\n isBlock: true,\n type: "list",\n storageClassType: "XList",\n }"
_ENTRY: Final = re.compile(
    r"(\w+): \{\s*value: (.*?),\s*isBlock: (true|false),\s*"
    r"type: \"(\w+)\",\s*storageClassType: \"(\w+)\",\s*\}",
    re.S,
)
_CAMEL: Final = re.compile(r"(?:struct\.|this\._)(\w+)")
_NESTED: Final = re.compile(r"(?<![.\w])([a-z]\w*)ToHclTerraform\b")  # not cdktf.<x>ToHcl...
_INTERFACE: Final = re.compile(r"export interface (\w+)(?: extends [\w.]+)? \{(.*?)\n\}", re.S)
_FIELD: Final = re.compile(r"^\s{4}readonly (\w+)(\??): (.+?);?$", re.M)


def module_types(module: Path = MODULE) -> tuple[list[str], list[str]]:
    """The resource types and data source types the module's *.tf files declare, sorted."""
    resources: set[str] = set()
    data: set[str] = set()
    for path in sorted(module.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            doc = hcl2.load(handle)
        for kind, into in (("resource", resources), ("data", data)):
            for block in doc.get(kind, []):
                into.update(str(t).strip('"') for t in block)
    return sorted(resources), sorted(data)


def lib_dir(tf_type: str, data: bool) -> str:
    """aws_ecs_cluster -> package/lib/ecs-cluster; data aws_vpc -> package/lib/data-aws-vpc."""
    name = tf_type if data else tf_type.removeprefix("aws_")
    return f"package/lib/{'data-' if data else ''}{name.replace('_', '-')}"


def _read(tar: tarfile.TarFile, member: str) -> str:
    handle = tar.extractfile(member)
    if handle is None:
        raise SystemExit(f"{member}: not a file in the package")
    return handle.read().decode("utf-8")


def _entries(body: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, value, is_block, kind, storage in _ENTRY.findall(body):
        camel = _CAMEL.search(value)
        nested = _NESTED.search(value)
        out[name] = {
            "camel": camel[1] if camel else name,
            "block": is_block == "true",
            "kind": kind,
            "storage": storage,
            "struct": nested[1][0].upper() + nested[1][1:] if nested and is_block == "true" else None,
        }
    return out


def _functions(js: str) -> dict[str, str]:
    """Struct name -> the attrs body of its ToHclTerraform function; "" -> the resource class's."""
    bodies: dict[str, str] = {}
    for match in re.finditer(r"function (\w+)ToHclTerraform\(struct\) \{(.*?)\n\}", js, re.S):
        bodies[match[1][0].upper() + match[1][1:]] = match[2]
    cls = re.search(r"synthesizeHclAttributes\(\) \{(.*?)\n    \}", js, re.S)
    if cls is None:
        raise SystemExit("no synthesizeHclAttributes() in index.js: not a CDK provider package")
    bodies[""] = cls[1]
    return bodies


def _interfaces(dts: str) -> dict[str, dict[str, tuple[bool, str]]]:
    """Interface name -> {camelName: (required, TypeScript type)}."""
    return {
        name: {f[0]: (f[1] != "?", f[2]) for f in _FIELD.findall(body)}
        for name, body in _INTERFACE.findall(dts)
    }


def _computed(dts: str) -> list[str]:
    """The attributes the resource class exposes (its getters, e.g. arn, zone_ids), by Terraform name:
    what `<type>.<name>.<attribute>` may read, computed ones included."""
    cls = re.search(
        r"export declare class \w+ extends \w+\.Terraform(?:Resource|DataSource) \{(.*?)\n\}", dts, re.S
    )
    if cls is None:
        raise SystemExit("index.d.ts: no resource or data source class")
    getters = re.findall(r"^    get (\w+)\(\)", cls[1], re.M)
    snake = (re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", g).lower() for g in getters if not g.endswith("Input"))
    return sorted(set(snake))


def _simple_type(storage: str) -> str:
    """storageClassType -> a Terraform type: string, number, bool, list(string), map(string), ..."""
    base = {"string": "string", "number": "number", "boolean": "bool"}
    for suffix, wrap in (("List", "list({})"), ("Map", "map({})")):
        if storage.endswith(suffix) and storage[: -len(suffix)] in base:
            return wrap.format(base[storage[: -len(suffix)]])
    return base.get(storage, "any")


def _schema(
    struct: str, bodies: dict[str, str], interfaces: dict[str, dict[str, tuple[bool, str]]], config: str
) -> dict[str, Any]:
    fields = interfaces[config]
    attributes: dict[str, Any] = {}
    blocks: dict[str, Any] = {}
    for name, entry in sorted(_entries(bodies[struct]).items()):
        required, ts_type = fields.get(entry["camel"], (False, ""))
        if entry["block"] and entry["struct"]:
            nested = _schema(entry["struct"], bodies, interfaces, entry["struct"])
            nested["nesting"] = entry["kind"]
            nested["required"] = required
            if "[]" not in ts_type:  # one struct, not an array: at most one block
                nested["max_items"] = 1
            blocks[name] = nested
        else:
            attributes[name] = {"type": _simple_type(entry["storage"]), "required": required}
    return {"attributes": attributes, "blocks": blocks}


def extract(package: Path, module: Path = MODULE) -> dict[str, Any]:
    resources, data_sources = module_types(module)
    out: dict[str, Any] = {"resources": {}, "data_sources": {}}
    with tarfile.open(package) as tar:
        meta = json.loads(_read(tar, "package/package.json"))
        provider = meta["cdktf"]["provider"]
        for types, data, key in ((resources, False, "resources"), (data_sources, True, "data_sources")):
            for tf_type in types:
                folder = lib_dir(tf_type, data)
                js = _read(tar, f"{folder}/index.js")
                declared = re.search(r"tfResourceType = \"(\w+)\";", js)
                if declared is None or declared[1] != tf_type:
                    raise SystemExit(f"{folder}/index.js is not {tf_type}")
                dts = _read(tar, f"{folder}/index.d.ts")
                config = re.search(r"export interface (\w+Config) extends \w+\.TerraformMetaArguments", dts)
                if config is None:
                    raise SystemExit(f"{folder}/index.d.ts: no config interface")
                schema = _schema("", _functions(js), _interfaces(dts), config[1])
                schema["readable"] = _computed(dts)
                out[key][tf_type] = schema
    return {
        "provider": provider["name"],
        "version": provider["version"],
        "source": f"npm {meta['name']}@{meta['version']} (lib/<type>/index.js and index.d.ts)",
        **out,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Extract the AWS provider schema terraform/ needs.")
    parser.add_argument("package", type=Path, help="the @cdktf/provider-aws .tgz from `npm pack`")
    parser.add_argument("output", type=Path, help="the fixture to write")
    args = parser.parse_args(argv)
    schema = extract(args.package)
    args.output.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    counts = f"{len(schema['resources'])} resource and {len(schema['data_sources'])} data source types"
    print(f"{args.output}: hashicorp/aws {schema['version']}, {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

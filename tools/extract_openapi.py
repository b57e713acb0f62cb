"""Cut the few GitHub REST operations runner-suite uses out of GitHub's official OpenAPI description.

Input is ``generated/api.github.com.deref.json`` from the ``@octokit/openapi`` npm package (every
``$ref`` already inlined).  Output is a small JSON fixture with the same shape as an OpenAPI document
(``openapi``, ``info``, ``paths``) holding only the operations in ``OPERATIONS``: their parameters,
request body and every documented response (all status codes, with fully dereferenced schemas).

Documentation-only keys (``description``, ``example``, ``examples``, ``externalDocs``, ``summary``
inside schemas ...) are stripped; everything that affects validation is kept, and so are the
``x-github-breaking-changes`` annotations, which say how a later ``X-GitHub-Api-Version`` changes an
operation.  Property *names* are never stripped: ``Minimal Repository`` has a required property that
is literally called ``description``.

Usage::

    npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz
    python tools/extract_openapi.py package/generated/api.github.com.deref.json \\
        tests/fixtures/github_openapi.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any, Final

JSON = Any  # a decoded JSON value

# (method, path template) in the order the suite calls them.
OPERATIONS: Final[tuple[tuple[str, str], ...]] = (
    ("post", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"),
    ("get", "/repos/{owner}/{repo}/actions/workflows"),
    ("get", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}"),
    ("get", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"),
    ("get", "/repos/{owner}/{repo}/contents/{path}"),
    ("get", "/repos/{owner}/{repo}/actions/runs"),
    ("get", "/repos/{owner}/{repo}/actions/runs/{run_id}"),
    ("get", "/repos/{owner}/{repo}/actions/runs/{run_id}/jobs"),
    ("get", "/repos/{owner}/{repo}/actions/jobs/{job_id}"),
    ("get", "/repos/{owner}/{repo}/actions/runners"),
    ("get", "/rate_limit"),
    # the runner registration endpoints the twin serves for the bootstrap (docs/aws.md, JIT)
    ("post", "/repos/{owner}/{repo}/actions/runners/registration-token"),
    ("post", "/repos/{owner}/{repo}/actions/runners/remove-token"),
    ("post", "/repos/{owner}/{repo}/actions/runners/generate-jitconfig"),
    ("delete", "/repos/{owner}/{repo}/actions/runners/{runner_id}"),
    ("post", "/orgs/{org}/actions/runners/generate-jitconfig"),
)

# Keys of an operation object that are carried over (the rest is documentation or Octokit metadata).
OPERATION_KEYS: Final[tuple[str, ...]] = (
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "x-github-breaking-changes",
)

# Documentation-only keywords removed wherever they appear as a keyword (never as a property name).
DOC_KEYS: Final[frozenset[str]] = frozenset({"description", "example", "examples", "externalDocs", "summary"})

# Keywords whose value is a map from *names* to sub-objects; the names must survive stripping.
NAME_MAPS: Final[frozenset[str]] = frozenset({"properties", "patternProperties", "headers", "content"})


def strip_docs(node: JSON) -> JSON:
    """Return a copy of ``node`` without documentation-only keys.

    Vendor extensions (``x-*``) are copied verbatim: their payload (e.g. a JSON patch of a
    breaking change) is data, not documentation.
    """
    if isinstance(node, list):
        return [strip_docs(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, JSON] = {}
    for key, value in node.items():
        if key.startswith("x-"):
            out[key] = value
        elif key in DOC_KEYS:
            continue
        elif key in NAME_MAPS and isinstance(value, dict):
            out[key] = {name: strip_docs(sub) for name, sub in value.items()}
        else:
            out[key] = strip_docs(value)
    return out


def extract_response(response: JSON) -> JSON:
    """One response object: its short human description is kept (it tells e.g. when 200 vs 204 applies)."""
    out: dict[str, JSON] = {}
    if "description" in response:
        out["description"] = response["description"]
    out.update(strip_docs({k: v for k, v in response.items() if k != "description"}))
    return out


def extract_operation(operation: JSON) -> JSON:
    out: dict[str, JSON] = {}
    for key in OPERATION_KEYS:
        if key not in operation:
            continue
        if key == "responses":
            out[key] = {status: extract_response(resp) for status, resp in operation[key].items()}
        elif key.startswith("x-"):
            out[key] = operation[key]
        else:
            out[key] = strip_docs(operation[key])
    return out


def find_refs(node: JSON, where: str = "#") -> list[str]:
    """JSON pointers of every ``$ref`` left in ``node`` (the deref file should have none)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.append(where)
            elif not key.startswith("x-"):
                found.extend(find_refs(value, f"{where}/{key.replace('~', '~0').replace('/', '~1')}"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found.extend(find_refs(item, f"{where}/{index}"))
    return found


def extract(spec: JSON, source_sha256: str | None = None) -> JSON:
    """Build the fixture document from a full (dereferenced) OpenAPI description."""
    paths: dict[str, dict[str, JSON]] = {}
    missing: list[str] = []
    for method, template in OPERATIONS:
        operation = spec.get("paths", {}).get(template, {}).get(method)
        if operation is None:
            missing.append(f"{method.upper()} {template}")
            continue
        paths.setdefault(template, {})[method] = extract_operation(operation)
    if missing:
        raise SystemExit("operations not found in the input: " + ", ".join(missing))

    info = spec.get("info", {})
    fixture: dict[str, JSON] = {
        "openapi": spec["openapi"],
        "info": {
            "title": info.get("title"),
            "version": info.get("version"),
            "x-github-plan": info.get("x-github-plan"),
        },
        "x-extracted": {
            "from": "npm package @octokit/openapi, generated/api.github.com.deref.json",
            "tool": "tools/extract_openapi.py",
            "source-sha256": source_sha256,
            "operations": [f"{m.upper()} {t}" for m, t in OPERATIONS],
        },
        "paths": paths,
    }
    refs = find_refs(fixture["paths"], "#/paths")
    if refs:
        raise SystemExit(f"unresolved $ref left in the fixture (is the input the .deref.json?): {refs[:5]}")
    return fixture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="path to api.github.com.deref.json")
    parser.add_argument("dest", type=Path, help="fixture to write, e.g. tests/fixtures/github_openapi.json")
    args = parser.parse_args(argv)

    raw = args.source.read_bytes()
    spec = json.loads(raw)
    fixture = extract(spec, hashlib.sha256(raw).hexdigest())
    text = json.dumps(fixture, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
    args.dest.parent.mkdir(parents=True, exist_ok=True)
    args.dest.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.dest}: {len(text.encode()) / 1024:.1f} KiB, openapi {fixture['openapi']}, "
        f"info.version {fixture['info']['version']}, {len(OPERATIONS)} operations",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

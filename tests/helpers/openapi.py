"""Validate GitHub REST requests/responses against the pinned OpenAPI fixture.

The fixture ``tests/fixtures/github_openapi.json`` is cut out of GitHub's official OpenAPI
description by ``tools/extract_openapi.py``.  It is loaded once per process.

GitHub's description is OpenAPI 3.0.x, whose Schema Object is a dialect of JSON Schema draft
"Wright-00" (≈ draft 4/5) plus ``nullable``.  Schemas are translated to plain JSON Schema before
validation (``nullable: true`` becomes ``"null"`` in ``type`` and, where the schema has an ``enum``,
``None`` in that enum) and checked with ``Draft4Validator``.  Should the fixture ever be re-pinned
from an OpenAPI 3.1 description, its schemas are used as-is with ``Draft202012Validator``.

``format`` is asserted (``date-time``, ``uri``, ``email``, ``int32``, ``int64``) with checks defined
here, so results do not depend on which optional jsonschema extras happen to be installed.
GitHub's schemas never set ``additionalProperties: false``: extra fields pass, missing required
fields and wrong types do not.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

__all__ = [
    "FIXTURE_PATH",
    "match_path",
    "operations",
    "response_schema",
    "spec_version",
    "validate_request_body",
    "validate_response",
]

FIXTURE_PATH: Final[Path] = Path(__file__).resolve().parents[1] / "fixtures" / "github_openapi.json"

_MAX_REPORTED_ERRORS: Final[int] = 10
_MAX_MESSAGE_CHARS: Final[int] = 300

JSON = Any  # a decoded JSON value

# --------------------------------------------------------------------------------------------------
# fixture loading (module-level cache)


@functools.cache
def _spec() -> dict[str, JSON]:
    with FIXTURE_PATH.open(encoding="utf-8") as fh:
        spec: dict[str, JSON] = json.load(fh)
    return spec


def spec_version() -> tuple[str, str]:
    """``(openapi, info.version)`` of the pinned fixture, e.g. ``("3.0.3", "23.0.2")``."""
    spec = _spec()
    return str(spec["openapi"]), str(spec["info"]["version"])


def operations() -> list[tuple[str, str]]:
    """All ``(METHOD, path_template)`` pairs in the fixture."""
    return [
        (method.upper(), template)
        for template, item in _spec()["paths"].items()
        for method in item
        if not method.startswith("x-")
    ]


def _operation(method: str, path_template: str) -> dict[str, JSON]:
    item = _spec()["paths"].get(path_template)
    operation = None if item is None else item.get(method.lower())
    if operation is None:
        known = "\n  ".join(f"{m} {t}" for m, t in operations())
        raise AssertionError(
            f"{method.upper()} {path_template} is not an operation in the OpenAPI fixture; known:\n  {known}"
        )
    return dict(operation)


# --------------------------------------------------------------------------------------------------
# OpenAPI 3.0 schema -> JSON Schema

# OpenAPI-only keywords with no JSON Schema meaning (annotations or ignored by validation).
_OAS30_ONLY: Final[frozenset[str]] = frozenset(
    {"nullable", "discriminator", "xml", "externalDocs", "example", "readOnly", "writeOnly", "deprecated"}
)
_SCHEMA_LIST_KEYWORDS: Final[frozenset[str]] = frozenset({"allOf", "anyOf", "oneOf"})
_SCHEMA_KEYWORDS: Final[frozenset[str]] = frozenset({"items", "not", "additionalProperties"})


def _oas30_to_json_schema(schema: JSON) -> JSON:
    """Translate an OpenAPI 3.0 Schema Object into an equivalent JSON Schema (draft 4) document."""
    if not isinstance(schema, dict):
        return schema  # booleans (e.g. additionalProperties: true) are already JSON Schema
    out: dict[str, JSON] = {}
    for key, value in schema.items():
        if key in _OAS30_ONLY or key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {name: _oas30_to_json_schema(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LIST_KEYWORDS:
            out[key] = [_oas30_to_json_schema(sub) for sub in value]
        elif key in _SCHEMA_KEYWORDS:
            out[key] = _oas30_to_json_schema(value)
        else:
            out[key] = value
    if schema.get("nullable") is True:
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            if "null" not in types:
                out["type"] = [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            # OAS 3.0.3 is ambiguous here; GitHub clearly means "one of these, or null"
            # (e.g. a job's ``conclusion`` is null until it completes).
            out["enum"] = [*out["enum"], None]
        for combinator in ("allOf", "anyOf", "oneOf"):
            if combinator in out and "type" not in out:
                out = {"anyOf": [{"type": "null"}, out]}
                break
    return out


# --------------------------------------------------------------------------------------------------
# formats

_DATE_TIME_RE: Final[re.Pattern[str]] = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
_EMAIL_RE: Final[re.Pattern[str]] = re.compile(r"^[^@\s]+@[^@\s]+$")
_URI_SCHEME_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


def _is_date_time(value: object) -> bool:
    # RFC 3339 ``date-time`` (what GitHub sends: ``2024-05-01T12:34:56Z``).
    return not isinstance(value, str) or _DATE_TIME_RE.match(value) is not None


def _is_uri(value: object) -> bool:
    # RFC 3986 absolute URI: a scheme, and no whitespace.
    if not isinstance(value, str):
        return True
    scheme, sep, rest = value.partition(":")
    return (
        bool(sep) and _URI_SCHEME_RE.match(scheme) is not None and not re.search(r"\s", value) and bool(rest)
    )


def _is_email(value: object) -> bool:
    return not isinstance(value, str) or _EMAIL_RE.match(value) is not None


def _is_int32(value: object) -> bool:
    return not isinstance(value, int) or isinstance(value, bool) or -(2**31) <= value < 2**31


def _is_int64(value: object) -> bool:
    return not isinstance(value, int) or isinstance(value, bool) or -(2**63) <= value < 2**63


_FORMAT_CHECKER: Final[FormatChecker] = FormatChecker(formats=())
for _name, _check_format in {
    "date-time": _is_date_time,
    "uri": _is_uri,
    "email": _is_email,
    "int32": _is_int32,
    "int64": _is_int64,
}.items():
    _FORMAT_CHECKER.checks(_name)(_check_format)


# --------------------------------------------------------------------------------------------------
# validators


def _make_validator(schema: JSON) -> Validator:
    openapi = str(_spec()["openapi"])
    if openapi.startswith("3.0"):
        translated = _oas30_to_json_schema(schema)
        Draft4Validator.check_schema(translated)
        return Draft4Validator(translated, format_checker=_FORMAT_CHECKER)
    if openapi.startswith("3.1"):
        Draft202012Validator.check_schema(schema)
        return Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    raise AssertionError(f"unsupported OpenAPI version {openapi!r} in {FIXTURE_PATH}")


def _json_media(content: dict[str, JSON]) -> tuple[str, JSON] | None:
    """The JSON media type of a content map (``application/json`` or ``application/*+json``)."""
    for media_type, media in content.items():
        base = media_type.split(";", 1)[0].strip().lower()
        if base == "application/json" or (base.startswith("application/") and base.endswith("+json")):
            return media_type, media
    return None


@functools.cache
def _response_validator(method: str, path_template: str, status_key: str) -> Validator | None:
    response = _operation(method, path_template)["responses"][status_key]
    media = _json_media(response.get("content", {}))
    return None if media is None else _make_validator(media[1].get("schema", {}))


@functools.cache
def _request_validator(method: str, path_template: str) -> Validator | None:
    body = _operation(method, path_template).get("requestBody")
    media = None if body is None else _json_media(body.get("content", {}))
    return None if media is None else _make_validator(media[1].get("schema", {}))


def _status_key(responses: dict[str, JSON], status: int) -> str | None:
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in responses:
            return key
    return None


def response_schema(method: str, path_template: str, status: int) -> JSON:
    """The JSON Schema (after OpenAPI 3.0 translation) the validator uses; ``None`` for no body."""
    responses = _operation(method, path_template)["responses"]
    key = _status_key(responses, status)
    if key is None:
        return None
    validator = _response_validator(method.lower(), path_template, key)
    return None if validator is None else validator.schema


def _pointer(path: Iterable[object]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _shorten(message: str) -> str:
    if len(message) <= _MAX_MESSAGE_CHARS:
        return message
    half = _MAX_MESSAGE_CHARS // 2
    return f"{message[:half]} ... {message[-half:]}"


def _describe(errors: list[ValidationError]) -> str:
    errors.sort(key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    lines = [
        f"  at {_pointer(e.absolute_path)}: {_shorten(e.message)} (schema keyword {e.validator!r} at "
        f"{'/'.join(map(str, e.absolute_schema_path))})"
        for e in errors[:_MAX_REPORTED_ERRORS]
    ]
    if len(errors) > _MAX_REPORTED_ERRORS:
        lines.append(f"  ... and {len(errors) - _MAX_REPORTED_ERRORS} more")
    return "\n".join(lines)


def _check(validator: Validator, instance: object, what: str) -> None:
    errors = list(validator.iter_errors(instance))
    if errors:
        version = "OpenAPI {} / @octokit/openapi {}".format(*spec_version())
        raise AssertionError(f"{what} does not match the schema ({version}):\n{_describe(errors)}")


# --------------------------------------------------------------------------------------------------
# public API


def validate_response(method: str, path_template: str, status: int, body: object | None) -> None:
    """Assert that ``status`` is documented for the operation and ``body`` matches its JSON schema.

    ``body`` is the decoded JSON (``None`` for an empty body).  A documented response without
    content (204, 304) requires ``body is None``; one with JSON content requires a body.
    """
    what = f"{method.upper()} {path_template} -> {status}"
    responses: dict[str, JSON] = _operation(method, path_template)["responses"]
    key = _status_key(responses, status)
    if key is None:
        raise AssertionError(
            f"{what}: status {status} is not documented for this operation "
            f"(documented: {', '.join(responses)})"
        )
    validator = _response_validator(method.lower(), path_template, key)
    if validator is None:
        if body is not None:
            raise AssertionError(
                f"{what}: this response is documented without a body, got {type(body).__name__}: "
                f"{json.dumps(body)[:200]}"
            )
        return
    if body is None:
        raise AssertionError(f"{what}: this response is documented with a JSON body, got none")
    _check(validator, body, f"{what} response body")


def validate_request_body(method: str, path_template: str, body: object | None) -> None:
    """Assert that a request ``body`` (decoded JSON, ``None`` if absent) matches the documented one."""
    what = f"{method.upper()} {path_template}"
    request_body = _operation(method, path_template).get("requestBody")
    if request_body is None:
        if body is not None:
            raise AssertionError(f"{what}: the operation documents no request body, got one")
        return
    if body is None:
        if request_body.get("required", False):
            raise AssertionError(f"{what}: the request body is required, got none")
        return
    validator = _request_validator(method.lower(), path_template)
    if validator is None:
        raise AssertionError(f"{what}: the request body is documented without a JSON media type")
    _check(validator, body, f"{what} request body")


@functools.cache
def _path_patterns() -> list[tuple[str, str, re.Pattern[str], int]]:
    """``(method, template, regex, literal segment count)`` for every operation, most literal first."""
    patterns: list[tuple[str, str, re.Pattern[str], int]] = []
    for template, item in _spec()["paths"].items():
        for method, operation in item.items():
            if method.startswith("x-"):
                continue
            path_params = [p for p in operation.get("parameters", []) if p.get("in") == "path"]
            param_types = {p["name"]: p.get("schema", {}).get("type") for p in path_params}
            # GitHub's `x-multi-segment` (the contents API's {path}): the value may hold slashes
            multi = {p["name"] for p in path_params if p.get("x-multi-segment")}
            parts: list[str] = []
            literal = 0
            for segment in template.strip("/").split("/"):
                name = segment[1:-1] if segment.startswith("{") and segment.endswith("}") else None
                if name is None:
                    parts.append(re.escape(segment))
                    literal += 1
                elif param_types.get(name) == "integer":
                    parts.append(r"\d+")
                elif name in multi:
                    parts.append(r".+")
                else:
                    parts.append(r"[^/]+")
            regex = re.compile("^/" + "/".join(parts) + "$")
            patterns.append((method.upper(), template, regex, literal))
    patterns.sort(key=lambda p: -p[3])
    return patterns


def match_path(method: str, concrete_path: str) -> str:
    """Map a concrete request path (or full URL) to its documented path template.

    ``match_path("GET", "/repos/o/r/actions/runs/123/jobs?per_page=100")``
    returns ``"/repos/{owner}/{repo}/actions/runs/{run_id}/jobs"``.  Integer path parameters
    (``run_id``, ``job_id``) only match digits.  Raises AssertionError if nothing matches.
    """
    path = urlsplit(concrete_path).path or "/"  # matched undecoded: %2F must not split a segment
    if len(path) > 1:
        path = path.rstrip("/")
    wanted = method.upper()
    for op_method, template, regex, _ in _path_patterns():
        if op_method == wanted and regex.match(path):
            return template
    others = sorted({t for m, t, r, _ in _path_patterns() if r.match(path)})
    hint = f" (documented there only for other methods: {', '.join(others)})" if others else ""
    raise AssertionError(f"{wanted} {path} matches no operation in the OpenAPI fixture{hint}")

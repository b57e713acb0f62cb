"""Threshold fields on one job name or one workflow: a selector, then a field of that entry.

    jobs["build / npm"].execution_time_s.p95 < 300      workflows["k8s_like.yml"].total_time_s.p95 < 600

`jobs[...]` reads result.json `by_job_name` (keyed by GitHub's job `name`), `workflows[...]` reads
`by_workflow` (keyed by workflow file). The name is a double-quoted string (JSON escapes: \\" and \\\\)
or a single-quoted one (no escapes). The field after it is checked when the profile loads (one of
JOB_NAME_FIELDS / WORKFLOW_FIELDS); the name can only be checked against a result: a name no job has
makes the figure null, with a reason that lists the names the run has.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from suite.rundir.result_schema import DIST_STATS, JOB_NAME_FIELDS, WORKFLOW_FIELDS


@dataclass(frozen=True)
class Kind:
    selector: str  # jobs | workflows
    section: str  # the result.json section it reads
    what: str  # what a name names, for messages
    fields: tuple[str, ...]
    example: str


KINDS: dict[str, Kind] = {
    "jobs": Kind("jobs", "by_job_name", "job", JOB_NAME_FIELDS, 'jobs["build / npm"].execution_time_s.p95'),
    "workflows": Kind(
        "workflows",
        "by_workflow",
        "workflow",
        WORKFLOW_FIELDS,
        'workflows["runner_test.yml"].total_time_s.p95',
    ),
}
_QUOTED = r'"(?:[^"\\]|\\.)*"' + r"|'[^']*'"
# a selector path (no capturing group: it is part of suite.gates.thresholds' expression pattern)
PATH = rf"(?:jobs|workflows)\[\s*(?:{_QUOTED})\s*\](?:\.[a-z0-9_]+)+"
_SPLIT = re.compile(rf"^(jobs|workflows)\[\s*({_QUOTED})\s*\]\.(.+)$")
MAX_NAMES_LISTED = 20


@dataclass(frozen=True)
class Selected:
    kind: Kind
    name: str
    field: str  # dotted, inside the entry


def split(path: str) -> Selected | None:
    """The selector path's parts, or None when `path` is not one (a plain dotted path)."""
    m = _SPLIT.match(path)
    if not m:
        return None
    quoted = m.group(2)
    try:
        name = quoted[1:-1] if quoted.startswith("'") else json.loads(quoted)
    except json.JSONDecodeError:
        return None  # problem() says why
    return Selected(KINDS[m.group(1)], name, m.group(3))


def is_selector(path: str) -> bool:
    """Whether `path` is meant as a selector path (or as by_job_name./by_workflow., which it replaces)."""
    return _SPLIT.match(path) is not None or path.startswith(tuple(k.section + "." for k in KINDS.values()))


def problem(path: str) -> str | None:
    """Why a selector path cannot name a figure (its field), or None when it can. A path that starts
    with by_job_name. or by_workflow. is pointed to the selector form."""
    for kind in KINDS.values():
        if path.startswith(kind.section + "."):
            return f"{path}: name one {kind.what} as {kind.example} (its name quoted inside the brackets)"
    sel = split(path)
    if sel is None:
        if _SPLIT.match(path):
            return f'{path}: the name in the brackets is not a valid JSON string (escape \\ and " inside it)'
        return None
    if sel.field in sel.kind.fields:
        return None
    base = f"{sel.kind.selector}[{json.dumps(sel.name)}].{sel.field}"
    if sel.field in {f.rsplit(".", 1)[0] for f in sel.kind.fields if f.endswith(".max")}:
        return f"{base} is a distribution; name one of its figures: {base}.{{{','.join(DIST_STATS)}}}"
    close = difflib.get_close_matches(sel.field, sel.kind.fields, n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    heads = sorted({f.split(".")[0] for f in sel.kind.fields})
    fields = f"fields: {', '.join(heads)} (e.g. {sel.kind.example})"
    return f"{base} is not a field of one {sel.kind.what}{hint}; {fields}"


def lookup(result: Mapping[str, Any], sel: Selected) -> tuple[Any, str | None]:
    """The value the selector names (None with the reason when there is none to read)."""
    address = f"{sel.kind.selector}[{json.dumps(sel.name)}]"
    entries = result.get(sel.kind.section)
    if not isinstance(entries, Mapping):
        why = f"result.json has no {sel.kind.section} (made by an older suite: run `suite report DIR` again)"
        return None, why
    if sel.name not in entries:
        return None, f"{address}: {no_such_name(sel.kind, sel.name, list(entries))}"
    node: Any = entries[sel.name]
    for part in sel.field.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    if node is None:
        reasons = result.get("reasons") or {}
        parts = sel.field.split(".")
        why = next(
            (
                reasons[k]
                for i in range(len(parts), 0, -1)
                if (k := f"{address}.{'.'.join(parts[:i])}") in reasons
            ),
            "not observed",
        )
        return None, f"{address}.{sel.field} is null ({why})"
    return node, None


def absent(result: Mapping[str, Any], path: str) -> bool:
    """Whether `path` selects a job name or workflow the run's result does not have (a definite fail:
    the run never ran that name, not a figure that went unobserved)."""
    sel = split(path)
    entries = result.get(sel.kind.section) if sel is not None else None
    return sel is not None and isinstance(entries, Mapping) and sel.name not in entries


def no_such_name(kind: Kind, name: str, names: list[str]) -> str:
    """The reason for a name no entry has: the names there are, the closest first."""
    if not names:
        return f"no {kind.what} named {json.dumps(name)}: this run has no {kind.what} at all"
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f" (did you mean {json.dumps(close[0])}?)" if close else ""
    listed = ", ".join(json.dumps(n) for n in names[:MAX_NAMES_LISTED])
    more = f" and {len(names) - MAX_NAMES_LISTED} more" if len(names) > MAX_NAMES_LISTED else ""
    return f"no {kind.what} named {json.dumps(name)} in this run{hint}; {kind.what} names: {listed}{more}"

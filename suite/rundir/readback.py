"""Every file the suite reads back from a run directory is input: its rows are checked where they enter.

The rules are what the analysis reads (suite/analyze/tables.py, resources.py, samples.py, tasks.py, fleet.py;
manifest.json's fields in suite/analyze/result.py), stated once here: a row that breaks one is a
UsageError naming the file, the line (JSONL) and the field, never a traceback deep in the analysis.
docs/architecture.md's run-directory contract says, per file, whether damage stops the command
(exit 2) or the file is named and skipped (an optional file: truth.json, raw/api.json).

The checks are plain type tests, not a schema library: jsonschema is a development dependency only,
and a per-row schema validation would cost several times the row's own json.loads on a million-job
run (`make bench`). A timestamp is checked by the one ISO parser (suite.isotime.parse_iso) once per
distinct value: stamps repeat (whole seconds, whole minutes), so a row costs a set look-up per stamp.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from suite.errors import UsageError
from suite.isotime import parse_iso
from suite.rundir.jsonio import iter_jsonl, read_json
from suite.rundir.paths import INFLIGHT_FILE, RunDir

Check = Callable[[Any], bool]


def is_int(v: Any) -> bool:
    return type(v) is int


def opt_int(v: Any) -> bool:
    return v is None or type(v) is int


def is_str(v: Any) -> bool:
    return type(v) is str


def opt_str(v: Any) -> bool:
    return v is None or type(v) is str


def is_number(v: Any) -> bool:
    return type(v) is int or (type(v) is float and math.isfinite(v))


def opt_number(v: Any) -> bool:
    return v is None or is_number(v)


def opt_dict(v: Any) -> bool:
    return v is None or type(v) is dict


def opt_list(v: Any) -> bool:
    return v is None or type(v) is list


# GitHub's, CloudWatch's and the ledger's stamps (UTC, whole seconds or milliseconds); others: parse_iso
_GITHUB_SHAPE = re.compile(r"\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{3})?Z")


@lru_cache(maxsize=1 << 12)
def valid_day(day: str) -> bool:
    try:
        date.fromisoformat(day)
    except ValueError:
        return False
    return True


STAMP_MEMO = 1 << 16  # distinct valid stamps remembered (a window's seconds; a ledger's are all new)


class IsoStamps:
    """An ISO-8601 timestamp check, each distinct value parsed once (suite.isotime.parse_iso).
    `good`: the valid stamps seen; `good_or_null`: the same with null and "" (an optional stamp)."""

    def __init__(self) -> None:
        self.good: set[Any] = set()
        self.good_or_null: set[Any] = {None, ""}

    def is_iso(self, v: Any) -> bool:
        if type(v) is not str:
            return False
        if v in self.good:
            return True
        if not (_GITHUB_SHAPE.fullmatch(v) and valid_day(v[:10])):  # the shapes the suite writes, fast
            try:
                if not math.isfinite(parse_iso(v)):
                    return False
            except (ValueError, OverflowError, OSError):
                return False
        if len(self.good) >= STAMP_MEMO:  # unique stamps (the ledger's milliseconds): memory stays bounded
            self.good.clear()
            self.good_or_null.intersection_update((None, ""))
        self.good.add(v)
        self.good_or_null.add(v)
        return True

    def opt_iso(self, v: Any) -> bool:
        return v is None or v == "" or self.is_iso(v)


EXPECTED: dict[Check, str] = {
    is_int: "an integer",
    opt_int: "an integer or null",
    is_str: "a string",
    opt_str: "a string or null",
    is_number: "a finite number",
    opt_number: "a finite number or null",
    opt_dict: "an object or null",
    opt_list: "a list or null",
}


def _what(check: Check) -> str:
    name = getattr(check, "__name__", "")
    if name == "is_iso":
        return "an ISO-8601 timestamp"
    if name == "opt_iso":
        return "an ISO-8601 timestamp or null"
    if name == "task_detail":
        return "an object or null (taskArn and lastStatus strings, createdAt/startedAt/stoppedAt timestamps)"
    return EXPECTED.get(check, "valid")


Rule = tuple[tuple[str, Check], ...]


def row_rules(kind: str, stamps: IsoStamps) -> Rule:
    iso, opt_iso = stamps.is_iso, stamps.opt_iso
    job_or_run_text = (("name", opt_str), ("status", opt_str), ("conclusion", opt_str))
    return {
        "ledger": (
            ("seq", is_int),
            ("suite_id", is_str),
            ("scheduled_at", iso),
            ("sent_at", opt_iso),
            ("status", opt_int),
            ("workflow_run_id", opt_int),
        ),
        "jobs": (
            ("id", is_int),
            ("run_id", is_int),
            ("run_attempt", opt_int),
            ("runner_name", opt_str),
            ("created_at", opt_iso),
            ("started_at", opt_iso),
            ("completed_at", opt_iso),
            *job_or_run_text,
        ),
        "runs": (
            ("id", is_int),
            ("run_attempt", opt_int),
            ("display_title", opt_str),
            ("created_at", opt_iso),
            ("path", opt_str),
            *job_or_run_text,
        ),
        "metrics": (("task_id", is_str), ("metric", is_str), ("timestamp", opt_iso), ("value", opt_number)),
        "samples": (
            ("task_id", is_str),
            ("timestamp_ms", is_number),
            ("cpu_ns", is_number),
            ("memory_bytes", is_number),
            ("cpu_limit_vcpu", opt_number),
            ("memory_limit_mib", opt_number),
        ),
        "tasks": (("time", opt_iso), ("detail", _task_detail(stamps))),
        "runners": (("observed_at", opt_iso), ("runners", opt_list)),
    }[kind]


def _task_detail(stamps: IsoStamps) -> Check:
    """An ECS task state change's detail as suite.analyze.tasks reads it (or null)."""

    def task_detail(v: Any) -> bool:
        if v is None:
            return True
        if type(v) is not dict or not opt_str(v.get("taskArn")) or not opt_str(v.get("lastStatus")):
            return False
        return all(stamps.opt_iso(v.get(k)) for k in ("createdAt", "startedAt", "stoppedAt"))

    return task_detail


ROW_KINDS = ("ledger", "jobs", "runs", "metrics", "samples", "tasks", "runners")


# each check as one Python expression over a value `{v}` (the same rule as the function of that name)
_EXPRESSIONS = {
    "is_int": "type({v}) is int",
    "opt_int": "({v} is None or type({v}) is int)",
    "is_str": "type({v}) is str",
    "opt_str": "({v} is None or type({v}) is str)",
    "is_number": "(type({v}) is int or (type({v}) is float and isfinite({v})))",
    "opt_number": "({v} is None or type({v}) is int or (type({v}) is float and isfinite({v})))",
    "opt_dict": "({v} is None or type({v}) is dict)",
    "opt_list": "({v} is None or type({v}) is list)",
    "is_iso": "(type({v}) is str and ({v} in good or is_iso({v})))",
    "opt_iso": "({v} is None or (type({v}) is str and ({v} in good_or_null or opt_iso({v}))))",
}


def row_check(kind: str) -> Callable[[dict[str, Any]], str | None]:
    """A check of one row of a `kind` file (ROW_KINDS): None when it holds, else what is wrong
    (field names and expected types only: never the value, which may be anything).

    The rules are checked as one function compiled from them (each rule's expression in _EXPRESSIONS,
    a stamp parsed once: IsoStamps), so a row costs a few type tests rather than a call per field
    (`make bench`: a million jobs); a row it refuses is explained by the rules one by one."""
    stamps = IsoStamps()
    rules = row_rules(kind, stamps)

    def explain(row: dict[str, Any]) -> str | None:
        for key, ok in rules:
            if not ok(row.get(key)):
                return _wrong(row, key, ok)
        return None

    namespace: dict[str, Any] = {
        "explain": explain,
        "isfinite": math.isfinite,
        "good": stamps.good,
        "good_or_null": stamps.good_or_null,
        "is_iso": stamps.is_iso,
        "opt_iso": stamps.opt_iso,
    }
    reads, tests = [], []
    for i, (key, ok) in enumerate(rules):
        reads.append(f"    v{i} = get({key!r})")
        template = _EXPRESSIONS.get(getattr(ok, "__name__", ""))
        if template is None:  # a rule with no expression (a task's detail): called
            namespace[f"ok{i}"] = ok
            template = f"ok{i}({{v}})"
        tests.append(template.format(v=f"v{i}"))
    head = ["def check(row):", "    get = row.get", *reads]
    body = [f"    if {' and '.join(tests)}:", "        return None", "    return explain(row)"]
    exec(compile("\n".join(head + body), f"<row check: {kind}>", "exec"), namespace)  # our own rule table
    check: Callable[[dict[str, Any]], str | None] = namespace["check"]
    return check


def _wrong(row: dict[str, Any], key: str, ok: Check) -> str:
    if key not in row:
        return f"`{key}` is missing (it must be {_what(ok)})"
    found = _json_type(row[key])
    return f"`{key}` is not {_what(ok)} ({'an' if found[0] in 'aeiou' else 'a'} {found})"


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number" if type(v) is int or math.isfinite(v) else "non-finite number"
    names: dict[type, str] = {str: "string", list: "list", dict: "object"}
    return names.get(type(v), type(v).__name__)


def damaged(path: Path, where: str, what: str, fix: str) -> UsageError:
    """The one error line for a damaged file: file (and line), what is wrong, what to do."""
    return UsageError(f"{path}{where}: damaged: {what}; {fix}")


def check_fields(path: Path, obj: Any, rules: tuple[tuple[str, Check], ...], fix: str) -> dict[str, Any]:
    """obj (a JSON file's content) when it is an object whose fields hold `rules`, else the error."""
    if type(obj) is not dict:
        found = _json_type(obj)
        raise damaged(path, "", f"not a JSON object ({'an' if found[0] in 'aeiou' else 'a'} {found})", fix)
    for key, ok in rules:
        if not ok(obj.get(key)):
            raise damaged(path, "", _wrong(obj, key, ok), fix)
    return obj


SCHEDULE_FIX = "restore it from a copy; without it the run's scheduled dispatches cannot be counted"
INFLIGHT_FIX = (
    "restore it, or delete it (the dispatch in flight is then not reconciled), then run `suite collect`"
)


def read_schedule(path: Path, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """schedule.json, checked: offsets_s (what is counted), start and suite_id_prefix (what `suite
    collect` re-derives the dispatches never sent from: `required` then)."""
    schedule = check_fields(path, read_json(path, SCHEDULE_FIX), schedule_rules(), SCHEDULE_FIX)
    for key in required:
        if schedule.get(key) is None:
            raise damaged(path, "", f"`{key}` is missing", SCHEDULE_FIX)
    return schedule


def read_inflight(path: Path) -> dict[str, Any]:
    """inflight.json, checked: what suite.dispatch reconciles and writes into the ledger from it."""
    return check_fields(path, read_json(path, INFLIGHT_FIX), inflight_rules(), INFLIGHT_FIX)


def read_optional(path: Path, check: Check, what: str) -> tuple[Any, str | None]:
    """An optional file (truth.json, raw/api.json): (its content, None), or (None, a note naming it
    and why it is skipped) when it is damaged; (None, None) when it is absent."""
    if not path.exists():
        return None, None
    try:
        content = read_json(path, f"it is skipped ({what})")
    except UsageError as exc:
        return None, f"note: {exc}"
    if not check(content):
        return None, f"note: {path}: damaged: not {EXPECTED.get(check, 'as written')}; it is skipped ({what})"
    return content, None


def schedule_rules() -> Rule:
    return (("start", opt_number), ("suite_id_prefix", opt_str), ("offsets_s", _offsets))


def _offsets(v: Any) -> bool:
    return type(v) is list and all(is_number(x) for x in v)


EXPECTED[_offsets] = "a list of finite numbers"


def inflight_rules() -> Rule:
    stamps = IsoStamps()
    return (
        ("seq", is_int),
        ("suite_id", is_str),
        ("scheduled_at", stamps.is_iso),
        ("sent_at", stamps.opt_iso),
        ("attempt_sent_at", stamps.is_iso),
        ("failures", opt_list),
    )


def truth_shape(v: Any) -> bool:
    """truth.json as the twin check reads it: max_concurrency, and per job its id, names and times."""
    if type(v) is not dict or "max_concurrency" not in v or type(v.get("jobs")) is not list:
        return False
    keys = ("suite_id", "name", "runner_name", "queue_s", "execution_s")
    return all(type(j) is dict and is_int(j.get("job_id")) and all(k in j for k in keys) for j in v["jobs"])


EXPECTED[truth_shape] = "the twin's record (max_concurrency, jobs with job_id, names and times)"


def check_for_collect(rd: RunDir) -> None:
    """What `suite collect` reads and appends to, checked before it starts: schedule.json,
    inflight.json, the ledger's rows and the runner snapshots (raw/ runs and jobs it rewrites)."""
    if rd.file("schedule.json").exists():
        read_schedule(rd.file("schedule.json"), required=("start", "suite_id_prefix"))
    if rd.file(INFLIGHT_FILE).exists():
        read_inflight(rd.file(INFLIGHT_FILE))
    collect_fix = "fix or delete that line, then run `suite collect` on the run directory again"
    for path, kind in ((rd.file("ledger.jsonl"), "ledger"), (rd.raw_file("runners.jsonl"), "runners")):
        if path.exists():  # a torn last ledger line (killed mid-append) is left to collection's repair
            for _ in iter_jsonl(path, row_check(kind), collect_fix, torn_tail=kind == "ledger"):
                pass


def counts_shape(v: Any) -> bool:
    """{name: {key: integer}} or null (API stats per endpoint, per workflow)."""
    if v is None:
        return True
    inner = v.values() if type(v) is dict else [None]
    return all(type(c) is dict and all(type(n) is int for n in c.values()) for c in inner)


EXPECTED[counts_shape] = "an object of objects of integers or null"
API_DISPATCH_FIX = (
    "restore it, or delete it to count only this collection's API requests, then run `suite collect` again"
)


def read_api_stats(path: Path, counts: tuple[str, ...], seconds: tuple[str, ...]) -> dict[str, Any]:
    """raw/api_dispatch.json (the dispatch session's API stats, added to a collection's): `counts`
    integers, `seconds` numbers, per_endpoint and dispatches_by_workflow counts."""
    rules: Rule = (
        *((key, opt_int) for key in counts),
        *((key, opt_number) for key in seconds),
        ("per_endpoint", counts_shape),
        ("dispatches_by_workflow", counts_shape),
    )
    return check_fields(path, read_json(path, API_DISPATCH_FIX), rules, API_DISPATCH_FIX)

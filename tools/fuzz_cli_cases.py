"""Hostile CLI calls (every subcommand of `suite --help`) and damaged run directories.

Placeholders in argv and file names, filled in by the harness (tools/fuzz_harness.py): {RUN} the
(damaged) copy of a real twin run directory, {BASE} an intact copy, {REPORTS} the damaged copy's
reports directory.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from tools.fuzz_cases import CANARY, Case, Chooser

# a cheap, valid call of each subcommand: a case adds one hostile element to it
BASELINES: dict[str, list[str]] = {
    "deploy": ["deploy", "--env", "local"],
    "destroy": ["destroy", "--env", "local"],
    "status": ["status", "--env", "local"],
    "doctor": ["doctor", "--env", "local"],
    "secrets": ["secrets", "put", "--env", "aws"],
    "run": ["run", "smoke", "--env", "local"],
    "sim": ["sim", "smoke", "--reports", "out"],
    "collect": ["collect", "{RUN}"],
    "report": ["report", "{RUN}"],
    "profiles": ["profiles", "validate", "profiles/smoke.yaml"],
    "compare": ["compare", "{BASE}", "{RUN}"],
    "plan": ["plan", "--from", "{RUN}", "--arrival", "5", "--seeds", "2", "--max-runners", "3"],
    "history": ["history", "--reports", "{REPORTS}"],
    "validate-sizing": ["validate-sizing", "--from", "a.tfvars", "--to", "b.tfvars", "--profile", "smoke"],
    "export": ["export", "{RUN}", "--to", "otlp=http://127.0.0.1:9"],  # nothing listens there: exit 3
    "query": ["query", "SELECT count(*) FROM jobs", "--reports", "{REPORTS}"],
}
NETWORK = ("doctor", "status", "secrets", "collect", "export")  # may reach GitHub, AWS, a collector: 3 ok
# commands that do real work (a twin, Terraform, a run) when the call is valid: only elements that
# make the call invalid whatever the code chooses are drawn for them
COSTLY = {"deploy", "run", "validate-sizing", "collect"}
# options a costly command ignores in its baseline's environment: never the hostile element there
IGNORED = {"deploy": {"--tfvars", "--sizing", "--plan", "--seed", "--persistent"}}

INT_BAD = ["nan", "abc", "", "1.5", "0x10", "9" * 4301]  # argparse refuses these: always invalid
FLOAT_BAD = ["nan", "inf", "-inf", "1e309", "-1", "abc", ""]  # invalid for every float option here
POSITIVE_INTS = {"--runners", "--task-cpu", "--task-memory", "--job-threads", "--twin-job-threads",
                 "--max-runners", "--seeds", "--completion-jitter"}  # fmt: skip
PATHS: dict[str, tuple[str, bool]] = {  # label -> (path, invalid as an input and as an output)
    "a file": ("afile", True),
    "a FIFO": ("afifo", True),
    "/dev/null": ("/dev/null", True),
    "a 4,100-character path": ("p/" * 2050, True),
    "a missing path": ("missing/nowhere", False),
    "an empty directory": ("emptydir", False),
    "../../etc/passwd": ("../../etc/passwd", True),
}
STRINGS = ["", "x" * 5000, "../../etc/passwd", "\x1b[31mred", "$(touch pwned)", "nan", "two\nlines"]
CASE_FILES: dict[str, bytes | str] = {
    "afile": f"not a run directory {CANARY}\n".encode() * 50,
    "afifo": "fifo",
    "emptydir": "dir",
    "a.tfvars": b"task_cpu = 1024\ntask_memory = 2048\n",
    "b.tfvars": b"task_cpu = 2048\ntask_memory = 4096\n",
}
OUTPUTS = {"--reports", "--dir"}  # Path options that name where output goes (a missing one is created)


def subcommands() -> dict[str, argparse.ArgumentParser]:
    from suite.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _option_value(c: Chooser, command: str, action: argparse.Action) -> tuple[str, str, bool]:
    """(value, label, invalid) for an option or positional of `command`."""
    name = action.option_strings[0] if action.option_strings else action.dest
    kind = getattr(action.type, "__name__", "str")
    costly = command in COSTLY
    if action.choices:
        return "bogus", f"{name} bogus", True
    if kind == "int":
        if name in POSITIVE_INTS and c.choice([True, False]):
            value = c.choice(
                ["-1", "99999999999999999999999"] + (["0"] if name != "--completion-jitter" else [])
            )
            return value, f"{name} {value[:12]}", True
        value = c.choice(INT_BAD)
        return value, f"{name} {value[:12]!r}", True
    if kind == "float":
        value = c.choice(FLOAT_BAD if costly else [*FLOAT_BAD, "0", "5e-324"])
        return value, f"{name} {value}", value not in ("0", "5e-324")
    if kind == "cold_start_range":
        value = c.choice(["90-45", "-5", "abc", "nan-inf", "99999999999999999999999"])
        return value, f"{name} {value}", value != "99999999999999999999999"
    if kind == "Path":
        label = c.choice(list(PATHS))
        path, invalid = PATHS[label]
        # an input that is not there, or not what it should be, is invalid; a missing output is created
        invalid = invalid or (label == "a missing path" and name == "--dir") if name in OUTPUTS else True
        if costly and not invalid:
            path, label, invalid = "afile", "a file", True
        return path, f"{name} {label}", invalid
    value = c.choice(STRINGS)
    if name == "--reports":  # an output directory: any name that can be created is valid
        invalid = value in ("", "x" * 5000, "\x1b[31mred", "two\nlines")
    elif name == "--sizing":  # a sizing's name: terraform/sizings/NAME.tfvars
        invalid = re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value) is None
    else:
        invalid = not (command == "history" and name == "--profile")
    return value, f"{name} {value[:12]!r}", invalid


def cli_case(c: Chooser) -> Case:
    """A subcommand's cheap valid call with one hostile element: a bad value, flag or structure."""
    parsers = subcommands()
    command = c.choice(sorted(parsers))
    argv = list(BASELINES[command])
    actions = [
        a
        for a in parsers[command]._actions
        if not isinstance(a, argparse._HelpAction)
        and a.nargs != 0
        and (a.option_strings[0] if a.option_strings else a.dest) not in IGNORED.get(command, set())
    ]
    how = c.choice(["value", "value", "value", "unknown-flag", "missing-value", "extra-positional"])
    env: dict[str, str] = {}
    if how == "unknown-flag":
        label, invalid = "unknown flag --no-such-flag", True
        argv.append("--no-such-flag")
    elif how == "missing-value" and any(a.option_strings for a in actions):
        flag = c.choice([a.option_strings[0] for a in actions if a.option_strings])
        optional = any(a.nargs == "?" for a in actions if flag in a.option_strings)  # e.g. --html [FILE]
        argv, label, invalid = [*_without(argv, flag), flag], f"{flag} without its value", not optional
    elif how == "extra-positional":
        argv, label, invalid = [*argv, "extra1", "extra2"], "extra positional arguments", True
    else:
        action = c.choice(actions)
        value, label, invalid = _option_value(c, command, action)
        argv = _with(argv, action, value)
    if command == "report" and c.integer(0, 4) == 0:
        env["GITHUB_STEP_SUMMARY"] = "missing/dir/summary.md"
        argv, label, invalid = list(BASELINES[command]), "$GITHUB_STEP_SUMMARY in a missing directory", False
    uses_run = any("{" in a for a in argv)
    return Case("cli", f"{command}: {label}", argv, dict(CASE_FILES), env=env, must_fail=invalid,
                rundir=uses_run, network=command in NETWORK)  # fmt: skip


def _without(argv: list[str], flag: str) -> list[str]:
    if flag not in argv:
        return argv
    i = argv.index(flag)
    return argv[:i] + argv[i + 2 :]


POSITIONS = {("run", "profile"): 1, ("sim", "profile"): 1, ("collect", "dir"): 1, ("report", "dir"): 1,
             ("profiles", "action"): 1, ("profiles", "file"): 2, ("compare", "base"): 1,
             ("compare", "candidate"): 2, ("secrets", "action"): 1, ("export", "dirs"): 1,
             ("query", "sql"): 1}  # fmt: skip


def _with(argv: list[str], action: argparse.Action, value: str) -> list[str]:
    """`argv` with the option set to `value` (replacing its baseline value), or the positional replaced."""
    if action.option_strings:
        flag = action.option_strings[0]
        return [*_without(argv, flag), flag, value]
    out = list(argv)
    out[POSITIONS[(argv[0], action.dest)]] = value
    return out


# damaged run directories: what is done to which file
RUN_TABLE = "tables/run.parquet"
RUN_FILES = [
    "manifest.json", "schedule.json", "ledger.jsonl", "inflight.json", "truth.json", "result.json",
    "raw/runs.jsonl", "raw/jobs.jsonl", "raw/runners.jsonl", "raw/tasks.jsonl", "raw/metrics.jsonl",
    "raw/samples.jsonl", "raw/api.json", "report.html", "summary.md", "jobs.csv", "junit.xml", "charts",
    "raw",
]  # fmt: skip
DAMAGE = ["delete", "truncate", "garble", "non-utf8", "to-dir", "to-file", "json-value", "json-drop", "empty",
          "garbage"]  # fmt: skip
HOSTILE_JSON: list[Any] = [
    "high",
    None,
    -1,
    1e308,
    [],
    {},
    "2024-02-30T99:99:99Z",
    True,
    "x" * 5000,
    10**30,
    0.5,
]
COMMANDS = {
    "report": ["report", "{RUN}"],
    "compare-a": ["compare", "{BASE}", "{RUN}"],
    "compare-b": ["compare", "{RUN}", "{BASE}", "--json"],
    "history": ["history", "--reports", "{REPORTS}"],
    "plan": ["plan", "--from", "{RUN}", "--arrival", "5", "--seeds", "2", "--max-runners", "3"],
}


def rundir_case(c: Chooser) -> Case:
    """One damage to one file of a real twin run directory, read back by report/compare/history/plan."""
    target = c.choice([*RUN_FILES, RUN_TABLE])
    op = c.choice(DAMAGE)
    where = "{RUN}/" + target
    spec = f"{op}:{c.integer(0, 10**6)}:{c.integer(0, 10**6)}:{c.integer(0, len(HOSTILE_JSON) - 1)}"
    command = c.choice(sorted(COMMANDS))
    if target == RUN_TABLE:  # what `suite history` reads
        command = "history"
    return Case("rundir", f"{command}: {target} {op}", list(COMMANDS[command]),
                files={where: "damage:" + spec}, must_fail=False, rundir=True)  # fmt: skip


def damage(path: Path, spec: str, base: Path) -> None:
    """Apply `op:n1:n2:k` to `path` (a copy of `base`'s file or directory). Deterministic given `base`."""
    import json
    import shutil

    if spec.startswith(("set:", "drop:")):  # the catalogue's targeted damage: one key of the first row
        op, key, *value_json = spec.split(":", 2)
        value = json.loads(value_json[0]) if value_json else None
        path.write_bytes(_first_row(path.read_bytes(), op == "drop", key, value))
        return
    op, n1, n2, k = spec.split(":")
    a, b, value = int(n1), int(n2), HOSTILE_JSON[int(k)]
    is_dir = path.is_dir()
    raw = b"" if is_dir or not path.exists() else path.read_bytes()
    if op == "delete" or (op == "to-file" and is_dir):
        shutil.rmtree(path) if is_dir else path.unlink(missing_ok=True)
        if op == "to-file":
            path.write_bytes(f"{CANARY}\n".encode())
        return
    if is_dir:  # the other damages are for files: a directory gets a garbage file inside instead
        (path / "zz-garbage.json").write_bytes(b"\xff{" + CANARY.encode())
        return
    if op == "to-dir":
        path.unlink(missing_ok=True)
        path.mkdir(parents=True)
        (path / "inner").write_bytes(CANARY.encode())
    elif op == "truncate":
        path.write_bytes(raw[: a % max(len(raw), 1)])
    elif op == "garble":
        at = a % max(len(raw), 1)
        path.write_bytes(raw[:at] + bytes((x * 37 + b) % 256 for x in range(16)) + raw[at + 16 :])
    elif op == "non-utf8":
        at = a % max(len(raw), 1)
        path.write_bytes(raw[:at] + b"\xff\xc3\x28" + raw[at:])
    elif op == "empty":
        path.write_bytes(b"")
    elif op == "garbage":
        path.write_bytes(b"{not json " + CANARY.encode() + b"\n")
    elif op in ("json-value", "json-drop"):
        path.write_bytes(_json_damage(raw, op, a, b, value))


def _first_row(raw: bytes, drop: bool, key: str, value: Any) -> bytes:
    """`set:KEY:JSON` (value given) or `drop:KEY` on the first line of a JSON or JSONL file."""
    import json

    first, _, rest = raw.partition(b"\n")
    row = json.loads(first)
    if drop:
        row.pop(key, None)
    else:
        row[key] = value
    return json.dumps(row).encode() + b"\n" + rest


def _json_damage(raw: bytes, op: str, a: int, b: int, value: Any) -> bytes:
    import json

    lines = raw.decode("utf-8", "replace").splitlines()
    jsonl = len(lines) != 1 and all(ln.startswith("{") for ln in lines if ln.strip())
    try:
        docs = [json.loads(ln) for ln in lines if ln.strip()] if jsonl else [json.loads(raw)]
    except ValueError:
        return raw + b"\xff"
    if not docs:
        return json.dumps({"id": value}).encode()
    doc = docs[a % len(docs)]
    paths = _paths(doc)
    if not paths:
        docs[a % len(docs)] = value
    else:
        *parents, last = paths[b % len(paths)]
        node = doc
        for key in parents:
            node = node[key]
        if op == "json-drop" and isinstance(node, dict):
            del node[last]
        else:
            node[last] = value
    return ("\n".join(json.dumps(d) for d in docs) + "\n").encode() if jsonl else json.dumps(docs[0]).encode()


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for key, value in items:
        out.append((*prefix, key))
        if len(prefix) < 4:
            out.extend(_paths(value, (*prefix, key)))
    return out

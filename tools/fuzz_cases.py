"""Hostile inputs for the `suite` CLI: the case type, the choosers and the profile and suite.yaml generators.

A generator is a function of a Chooser, so the same code draws a case from hypothesis (the test,
`tests/test_fuzz.py`: shrinking, the CI profile) and from a seeded `random.Random` (the tool,
`tools/fuzz.py`: case `index` of seed `seed` is always the same case). CLI calls and damaged run
directories are in `tools/fuzz_cli_cases.py`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = sorted(p.name for p in (REPO / "profiles").glob("*.yaml"))
CANARY = "FUZZ-CANARY-7f3a"  # written into hostile files: an error line must never echo it
MAX_LINE = 300  # an error line longer than this is unbounded

T = TypeVar("T")


@dataclass
class Case:
    """One hostile input: files written into a fresh directory (the cwd), then `suite ARGV` run there.

    `files` values: bytes (a file), "dir" (a directory), "fifo" (a named pipe). `rundir` copies the
    base run directory to run/ first (damaged run directories), then `files` and `delete` apply.
    `must_fail`: the input is invalid whatever the code's choices, so only exit 2 passes; otherwise
    a documented non-error outcome (0, 1, 4) passes too, and 3 where the case reaches the network.
    """

    kind: str
    label: str
    argv: list[str]
    files: dict[str, bytes | str] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    must_fail: bool = True
    rundir: bool = False
    network: bool = False  # the command may reach GitHub or AWS when the input is valid: 3 passes
    cwd: str = ""  # where the command runs, inside the case's directory


class Chooser(Protocol):
    def choice(self, options: Sequence[T]) -> T: ...
    def integer(self, lo: int, hi: int) -> int: ...


class RandomChooser:
    """The tool's chooser: a `random.Random` seeded by (seed, index)."""

    def __init__(self, seed: int, index: int) -> None:
        self.rnd = random.Random(f"{seed}:{index}")

    def choice(self, options: Sequence[T]) -> T:
        return options[self.rnd.randrange(len(options))]

    def integer(self, lo: int, hi: int) -> int:
        return self.rnd.randint(lo, hi)


class DrawChooser:
    """The test's chooser: hypothesis's `draw` (so a failing case shrinks)."""

    def __init__(self, draw: Callable[[Any], Any]) -> None:
        self.draw = draw

    def choice(self, options: Sequence[T]) -> T:
        from hypothesis import strategies as st

        return options[self.draw(st.integers(0, len(options) - 1))]

    def integer(self, lo: int, hi: int) -> int:
        from hypothesis import strategies as st

        return int(self.draw(st.integers(lo, hi)))


# (YAML fragment, label, invalid wherever it is put)
SCALARS: list[tuple[str, str, bool]] = [
    ("0", "zero", False),
    ("-1", "negative", False),
    ("-99999999999999999999999", "huge negative", False),
    ("99999999999999999999999", "huge", False),
    ("1e308", "1e308", False),
    ("5e-324", "5e-324", False),
    (".nan", "nan", False),
    (".inf", "inf", False),
    ("-.inf", "-inf", False),
    ("9" * 4301, "4301-digit int", True),
    ("!!float 'abc'", "!!float 'abc'", True),
    ("!!timestamp 'x'", "!!timestamp 'x'", True),
    ("!!bool 'maybe'", "!!bool 'maybe'", True),
    ("!!int 'ten'", "!!int 'ten'", True),
    ("!!python/object:os.system {}", "!!python/object", True),
    ("!!binary '%%%'", "!!binary garbage", True),
    ("2024-02-30", "date 2024-02-30", False),
    ('""', "empty string", False),
    ("null", "null", False),
    ("[]", "empty list", False),
    ("{}", "empty mapping", False),
    ("true", "bool", False),
    ('"' + "x" * 5000 + '"', "5,000-char string", False),
    ('"a\\0b"', "escaped NUL", False),
    ('"\\e[31mred"', "escape sequence", False),
    ("[" * 600 + "]" * 600, "600-level nesting", True),
    ("{a: " * 600 + "1" + "}" * 600, "600-level mapping", True),
    ("[" + ", ".join(["1"] * 2000) + "]", "2,000-item list", False),
]

ALIAS_BOMB = "\n".join(
    ["bomb0: &a0 [" + ", ".join([f'"{CANARY}"'] * 9) + "]"]
    + [f"bomb{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
)

CONTROL = [chr(c) for c in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]


def _key_paths(data: Any, prefix: tuple[Any, ...] = (), depth: int = 0) -> list[tuple[Any, ...]]:
    """Every mapping key and list index down to depth 3: the places a hostile value can go."""
    found: list[tuple[Any, ...]] = []
    if depth > 3:
        return found
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        found.append((*prefix, key))
        found.extend(_key_paths(value, (*prefix, key), depth + 1))
    return found


def _replace(text: str, path: tuple[Any, ...], fragment: str) -> str:
    """`text` (a YAML mapping) with the value at `path` replaced by a raw YAML fragment."""
    data = yaml.safe_load(text)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = "__FUZZ_VALUE__"
    dumped = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=10**9)
    return dumped.replace("__FUZZ_VALUE__", fragment, 1)


def _text_mutation(c: Chooser, text: str) -> tuple[bytes, str, bool]:
    """A whole-file mutation of a YAML text: (bytes, label, invalid whatever the code chooses)."""
    op = c.choice(
        ["nul", "control", "utf16", "utf8-bom", "latin1", "bad-utf8", "truncate", "duplicate-key",
         "alias-bomb", "empty", "scalar-doc", "multi-doc", "tab-indent"]
    )  # fmt: skip
    at = c.integer(0, len(text))
    if op == "nul":
        return (text[:at] + "\x00" + text[at:]).encode(), "NUL byte", True
    if op == "control":
        ch = c.choice(CONTROL[1:])
        return (text[:at] + ch + text[at:]).encode(), f"control character {ord(ch):#04x}", True
    if op == "utf16":
        return text.encode("utf-16"), "UTF-16", True
    if op == "utf8-bom":
        return b"\xef\xbb\xbf" + text.encode(), "UTF-8 BOM", False
    if op == "latin1":
        return f"# caf\xe9\n{text}".encode("latin-1", errors="replace"), "Latin-1", True
    if op == "bad-utf8":
        raw = text.encode()
        return raw[:at] + b"\xff\xfe" + raw[at:], "non-UTF-8 bytes", True
    if op == "truncate":
        return text[:at].encode(), "truncated", False
    if op == "duplicate-key":
        first = text.split("\n", 1)[0].split(":", 1)[0]
        return f"{text}\n{first}: duplicated\n".encode(), "duplicate key", False
    if op == "alias-bomb":
        return f"{text}\n{ALIAS_BOMB}\n".encode(), "alias bomb", True
    if op == "empty":
        return b"", "empty file", True
    if op == "scalar-doc":
        return f"{CANARY}\n".encode(), "a scalar document", True
    if op == "multi-doc":
        return f"{text}\n---\n{text}".encode(), "two documents", True
    return ("\t" + text.replace("\n", "\n\t", 3)).encode(), "tab indentation", True


def yaml_mutation(c: Chooser, text: str, strict_keys: bool = True) -> tuple[bytes, str, bool]:
    """A hostile version of a YAML mapping text: a value replaced, a key added, or the file damaged.
    `strict_keys`: an unknown top-level key is an error (a profile), not a section ignored (suite.yaml)."""
    how = c.choice(["value", "value", "value", "unknown-key", "text", "text"])
    if how == "text":
        return _text_mutation(c, text)
    if how == "unknown-key":
        fragment, label, invalid = c.choice(SCALARS)
        body = f"{text}\nzz_unknown_field: {fragment}\n".encode()
        return body, f"unknown key = {label}", strict_keys or invalid
    paths = _key_paths(yaml.safe_load(text))
    path = c.choice(paths)
    fragment, label, invalid = c.choice(SCALARS)
    where = ".".join(str(k) for k in path)
    return _replace(text, path, fragment).encode(), f"{where} = {label}", invalid


# `suite sim` mutates the short profiles only: a valid mutation of soak is a long simulation, not a hang
SHORT = ["smoke.yaml", "concurrency_burst.yaml", "validation.yaml"]


def _profile_text(c: Chooser, names: Sequence[str]) -> tuple[str, str]:
    name = c.choice(names)
    return (REPO / "profiles" / name).read_text(encoding="utf-8"), name.removesuffix(".yaml")


STEP = (
    "type: step, start_rate_per_min: 1, increment_per_min: 5e-324, step_duration_s: 60, max_rate_per_min: 4"
)
PATTERN_ATTACKS: list[tuple[str, str, bool]] = [
    ("pattern: {" + STEP + "}", "step increment 5e-324", False),
    ("pattern: {type: poisson, rate_per_min: 5e-324, duration_s: 600}", "poisson rate 5e-324", False),
    ("pattern: {type: steady, rate_per_min: 1e308, duration_s: 600}", "steady rate 1e308", False),
    ("pattern: {type: burst, count: 99999999999999999999}", "burst of 1e20", False),
    (
        "pattern: {type: ramp, start_rate_per_min: 0, "
        "stages: [{duration_s: 1e300, target_rate_per_min: 1e300}]}",
        "ramp to 1e300",
        False,
    ),
    (
        "pattern: {type: spike, baseline_rate_per_min: 5e-324, spike_rate_per_min: 1e308, baseline_s: 1e300, "
        "spike_s: 1, recovery_s: 0}",
        "spike 1e308",
        False,
    ),
    ("pattern: {type: bogus}", "unknown pattern", True),
    ("seed: 2024-02-30", "seed 2024-02-30", False),
    ("thresholds: [" + ", ".join(['"queue_time_s.p95 < 60"'] * 60000) + "]", "60,000 thresholds", False),
    ('thresholds: ["queue_time_s.p95 <<< 5"]', "threshold <<<", True),
    ('thresholds: ["nosuch.metric < 1"]', "unknown threshold metric", True),
    ('thresholds: ["queue_time_s.p95 < nan"]', "threshold nan", False),
    ('thresholds: ["jobs[\\"x\\" < 1"]', "unclosed selector", True),
    (f"name: {'n' * 250}", "250-character name", False),
    ("name: ../../../tmp/escaped", "name with ../", False),
    ("name: $(touch pwned)", "name with $(cmd)", False),
]


def with_field(text: str, line: str) -> str:
    """A YAML mapping's text with one top-level field (and its indented block) replaced by `line`."""
    key, kept, skipping = line.split(":", 1)[0], [], False
    for ln in text.splitlines():
        if ln.startswith(f"{key}:"):
            skipping = True
            continue
        if skipping and (ln.startswith((" ", "\t", "-")) or not ln.strip()):
            continue
        skipping = False
        kept.append(ln)
    return "\n".join([*kept, line, ""])


def profile_case(c: Chooser) -> Case:
    """A hostile profile, checked by `suite profiles validate FILE` or run by `suite sim FILE`."""
    command = c.choice(["validate", "validate", "sim"])
    text, base = _profile_text(c, SHORT if command == "sim" else CATALOGUE)
    # a FIFO blocks the reader until the harness's timeout while unfixed: rare, so the tool stays fast
    how = c.choice(["mutation"] * 9 + ["attack"] * 3 + ["path"] * 2 + ["fifo"])
    files: dict[str, bytes | str] = {}
    if how == "attack":
        line, label, invalid = c.choice(PATTERN_ATTACKS)
        files["p.yaml"], label = with_field(text, line).encode(), f"{base}: {label}"
        profile = "p.yaml"
    elif how == "fifo":
        files["p.yaml"], profile, label, invalid = "fifo", "p.yaml", "a FIFO as the profile", True
    elif how == "path":
        profile, label, invalid = c.choice(
            [
                ("missing.yaml", "missing file", True),
                ("adir.yaml", "a directory", True),
                ("/dev/null", "/dev/null", True),
                ("x" * 300 + ".yaml", "a 300-character file name", True),
                ("../../etc/passwd", "../../etc/passwd", True),
                ("secret.txt", "a non-profile text file", True),
            ]
        )
        files["adir.yaml"] = "dir"
        files["secret.txt"] = f"root:x:0:0:{CANARY}:/root:/bin/bash\n".encode() * 200
    else:
        body, label, invalid = yaml_mutation(c, text)
        files["p.yaml"], profile, label = body, "p.yaml", f"{base}: {label}"
    argv = (
        ["profiles", "validate", profile] if command == "validate" else ["sim", profile, "--reports", "out"]
    )
    return Case("profile", f"{command}: {label}", argv, files, must_fail=invalid)


EXISTING = """existing:
  repo: my-org/my-repo
  github_api_url: https://api.github.com
  runner_labels: [self-hosted, linux]
  runner_count: 4
  task_cpu: 1024
  task_memory: 2048
  ephemeral: true
  cluster: ci-runners
  service: runners
  region: eu-west-1
  task_events_log_group: /aws/events/ecs/ci-runners
  cloudwatch: true
"""
AWS = """aws:
  github_repository: my-org/my-repo
  fleet_name: runner-suite
  region: us-east-1
  tfvars: terraform/sizings/1vcpu-2gb.tfvars
  runner_count: 4
  ready_timeout_s: 900
"""
SUITE_YAML_ATTACKS: list[tuple[str, bytes | str, bool]] = [
    ("region: eu_west_1", AWS.replace("us-east-1", "eu_west_1").encode(), True),
    ("existing region: eu_west_1", EXISTING.replace("eu-west-1", "eu_west_1").encode(), True),
    ("aws.tfvars: [1]", AWS.replace("terraform/sizings/1vcpu-2gb.tfvars", "[1]").encode(), True),
    ("suite.yaml is a directory", "dir", True),
    ("suite.yaml is a FIFO", "fifo", True),
    ("non-UTF-8 suite.yaml", AWS.encode() + b"# \xff\xfe\n", True),
    ("alias bomb", f"{ALIAS_BOMB}\n{AWS}".encode(), True),
    ("aws: a list", b"aws: [1, 2]\n", True),
    ("existing: a string", b"existing: just-a-string\n", True),
    ("repo without owner", EXISTING.replace("my-org/my-repo", "not-a-repo").encode(), True),
    ("ready_timeout_s nan", AWS.replace("900", ".nan").encode(), True),
    ("runner_count huge", EXISTING.replace("runner_count: 4", "runner_count: " + "9" * 30).encode(), True),
]


def suite_yaml_case(c: Chooser) -> Case:
    """A hostile suite.yaml, read by `suite status --env existing` or `--env aws` (its config loaders)."""
    how = c.choice(["mutation", "mutation", "mutation", "attack"])
    if how == "attack":
        label, body, invalid = c.choice(SUITE_YAML_ATTACKS)
        section = "aws" if (isinstance(body, bytes) and b"aws:" in body) else "existing"
    else:
        section = c.choice(["aws", "existing"])
        body, label, invalid = yaml_mutation(c, AWS if section == "aws" else EXISTING, strict_keys=False)
    files: dict[str, bytes | str] = {
        "suite.yaml": body,
        "terraform/sizings/1vcpu-2gb.tfvars": b"task_cpu = 1024\n",
    }
    env = {"GITHUB_TOKEN": "ghp_fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz0000"}
    return Case("suite_yaml", f"{section}: {label}", ["status", "--env", section], files, env=env,
                must_fail=invalid, network=True)  # fmt: skip


def generate(kind: str, c: Chooser) -> Case:
    from tools.fuzz_cli_cases import cli_case, rundir_case

    makers: dict[str, Callable[[Chooser], Case]] = {
        "profile": profile_case,
        "suite_yaml": suite_yaml_case,
        "cli": cli_case,
        "rundir": rundir_case,
    }
    return makers[kind](c)


KINDS = ("profile", "suite_yaml", "cli", "rundir")


def case_for(seed: int, index: int, kinds: Sequence[str] = KINDS) -> Case:
    """Case `index` of `seed`: the kinds take turns, so any prefix of the cases covers them all."""
    return generate(kinds[index % len(kinds)], RandomChooser(seed, index))


def strategy(kind: str) -> Any:
    """The hypothesis strategy of one kind's cases (the same generator as the tool)."""
    from hypothesis import strategies as st

    return st.composite(lambda draw: generate(kind, DrawChooser(draw)))()

"""Every hostile input issue 14 lists ("Fuzzed inputs", "Damaged run directories", `suite run
../../etc/passwd`), end to end through the `suite` CLI in a forked child (tools/fuzz_harness.py): exit 2,
one line, bounded, not echoing the file, no traceback, no hang. The unit tests of each rule are in its
room; this is the catalogue as a user meets it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.hostile import base_places, explain, judge
from tools.fuzz_cases import AWS, CANARY, STEP, Case, with_field
from tools.fuzz_harness import Places

SMOKE = (Path(__file__).resolve().parents[2] / "profiles" / "smoke.yaml").read_text(encoding="utf-8")
RUN = ["run", "p.yaml", "--env", "local", "--reports", "out"]
AWS_STATUS = ["status", "--env", "aws"]
TFVARS = {"terraform/sizings/1vcpu-2gb.tfvars": b"task_cpu = 1024\n"}
TOKEN = {"GITHUB_TOKEN": "ghp_fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz0000"}


def smoke_with(line: str) -> bytes:
    """smoke.yaml with one top-level field replaced (or added)."""
    return with_field(SMOKE, line).encode()


def profile(label: str, body: bytes | str, argv: list[str] = RUN, must_fail: bool = True) -> Case:
    body = body if isinstance(body, bytes) or body == "fifo" else body.encode()
    return Case("profile", label, list(argv), {"p.yaml": body}, must_fail=must_fail)


def suite_yaml(label: str, body: bytes | str) -> Case:
    return Case("suite_yaml", label, list(AWS_STATUS), {"suite.yaml": body, **TFVARS}, env=dict(TOKEN))


def damaged(
    label: str, target: str, spec: str, argv: list[str] | None = None, must_fail: bool = True
) -> Case:
    where = "{RUN}/" + target
    return Case("rundir", label, argv or ["report", "{RUN}"], {where: spec}, rundir=True, must_fail=must_fail)


CATALOGUE = [
    profile("a control character in a profile", SMOKE.replace("count: 3", "count: 3\x07")),
    profile("a NUL in a profile", SMOKE.replace("burst", "bu\x00rst")),
    profile("seed: 2024-02-30", smoke_with("seed: 2024-02-30")),
    profile("a UTF-16 profile", SMOKE.encode("utf-16")),
    suite_yaml("region: eu_west_1 in suite.yaml", AWS.replace("us-east-1", "eu_west_1").encode()),
    suite_yaml("a non-UTF-8 suite.yaml", AWS.encode() + b"# caf\xe9\n"),
    suite_yaml("a directory suite.yaml", "dir"),
    suite_yaml("aws.tfvars: [1]", AWS.replace("terraform/sizings/1vcpu-2gb.tfvars", "[1]").encode()),
    Case("cli", "run --reports naming a file", ["run", "smoke", "--reports", "afile"], {"afile": b"x\n"}),
    Case("cli", "sim --reports naming a file", ["sim", "smoke", "--reports", "afile"], {"afile": b"x\n"}),
    Case("cli", "run --reports /dev/null", ["run", "smoke", "--reports", "/dev/null"]),
    Case(
        "cli",
        "$GITHUB_STEP_SUMMARY naming a missing directory",
        ["report", "{RUN}"],
        env={"GITHUB_STEP_SUMMARY": "missing/dir/summary.md"},
        rundir=True,
        must_fail=False,  # one warning line; the reports are written and the exit code is the verdict's
    ),
    damaged(
        "a damaged run table",
        "tables/run.parquet",
        "damage:garbage:0:0:0",
        ["history", "--reports", "reports"],
        must_fail=False,  # history lists the other runs, with one note naming the file and the fix
    ),
    profile("a 250-character profile name", smoke_with("name: " + "n" * 250)),
    profile("an integer over 4,300 digits", smoke_with("max_workflows: " + "9" * 4301)),
    profile("nesting over 500 levels", smoke_with("inputs: " + "[" * 600 + "]" * 600)),
    profile("!!float 'abc'", smoke_with("drain_timeout_s: !!float 'abc'")),
    profile("!!timestamp 'x'", smoke_with("drain_timeout_s: !!timestamp 'x'")),
    profile("!!bool 'maybe'", smoke_with("drain_timeout_s: !!bool 'maybe'")),
    profile("a step increment of 5e-324", smoke_with("pattern: {" + STEP + "}")),
    profile(
        "a poisson rate of 5e-324",
        smoke_with("pattern: {type: poisson, rate_per_min: 5e-324, duration_s: 600}"),
    ),
    suite_yaml(
        "an alias bomb in suite.yaml",
        "\n".join(
            ["a0: &a0 [" + ", ".join([f'"{CANARY}"'] * 9) + "]"]
            + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
            + ["aws: {github_repository: my-org/my-repo, fleet_name: *a9}"]
        ).encode(),
    ),
    profile("a FIFO as a profile", "fifo"),
    profile(
        "60,000 thresholds",
        smoke_with("thresholds: [" + ", ".join(['"queue_time_s.max < 30"'] * 60000) + "]"),
        ["profiles", "validate", "p.yaml"],
        must_fail=False,
    ),  # the promise: an answer, not a hang
    Case("cli", "suite deploy --speed nan", ["deploy", "--env", "local", "--speed", "nan"]),
    Case(  # the threshold was echoed whole (a 5,141-character error line): found by tests/cli/test_fuzz.py
        "cli",
        "plan --target of 5000 characters",
        [
            "plan",
            "--from",
            "{RUN}",
            "--arrival",
            "5",
            "--seeds",
            "2",
            "--max-runners",
            "3",
            "--target",
            "x" * 5000,
        ],
        rundir=True,
    ),
    Case(
        "cli",
        "suite sim --runners 99999999999999999999999",
        ["sim", "smoke", "--runners", "99999999999999999999999", "--reports", "out"],
    ),
    damaged("a non-UTF-8 byte in a JSONL file", "raw/jobs.jsonl", "damage:non-utf8:10:0:0"),
    damaged("a truncated manifest.json", "manifest.json", "damage:truncate:100:0:0"),
    damaged("a ledger row without suite_id", "ledger.jsonl", "damage:drop:suite_id"),
    damaged("a bad timestamp", "raw/jobs.jsonl", 'damage:set:started_at:"2024-02-30T99:99:99Z"'),
    damaged("a job with id: null", "raw/jobs.jsonl", "damage:set:id:null"),
    damaged('a metric value "high"', "raw/metrics.jsonl", 'damage:set:value:"high"'),
    damaged('a sampler counter "12"', "raw/samples.jsonl", 'damage:set:cpu_ns:"12"'),
    damaged("garbage in schedule.json", "schedule.json", "damage:garbage:0:0:0"),
    damaged("garbage in inflight.json", "inflight.json", "damage:garbage:0:0:0", ["collect", "{RUN}"]),
    # optional files (docs/architecture.md, "Reading it back"): named in one note and skipped
    damaged("garbage in truth.json", "truth.json", "damage:garbage:0:0:0", must_fail=False),
    damaged("garbage in raw/api.json", "raw/api.json", "damage:garbage:0:0:0", must_fail=False),
    damaged("report.html that is a directory", "report.html", "damage:to-dir:0:0:0"),
    damaged("junit.xml that is a directory", "junit.xml", "damage:to-dir:0:0:0"),
    damaged("tables/jobs.parquet that is a directory", "tables/jobs.parquet", "damage:to-dir:0:0:0"),
    damaged("tables/timeline.parquet that is a directory", "tables/timeline.parquet", "damage:to-dir:0:0:0"),
    Case(
        "cli",
        "suite run ../../etc/passwd",
        ["run", "../../etc/passwd"],
        {"etc/passwd": f"root:x:0:0:{CANARY}:/root:/bin/bash\n".encode() * 40_000},
        cwd="a/b",
    ),
]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Places:
    return base_places(tmp_path_factory.mktemp("catalogue-base"))


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.label for c in CATALOGUE])
def test_listed_hostile_input_gets_one_clear_error(case: Case, places: Places, tmp_path: Path) -> None:
    verdict, detail, outcome, _ = judge(case, places, tmp_path)
    assert verdict == "pass", explain(case, verdict, detail, outcome)
    if case.must_fail:
        assert outcome.code == 2, explain(case, verdict, detail, outcome)


def test_deploy_speed_nan_is_refused_before_a_twin_starts(places: Places, tmp_path: Path) -> None:
    """The refusal comes before anything is started: no twin state is written, no process left."""
    case = Case("cli", "suite deploy --speed nan", ["deploy", "--env", "local", "--speed", "nan"])
    verdict, detail, outcome, _ = judge(case, places, tmp_path)
    started = list(tmp_path.glob("case-*/state/*"))
    assert started == [], f"deploy --speed nan started something: {started}; " + explain(
        case, verdict, detail, outcome
    )

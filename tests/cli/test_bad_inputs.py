"""Hostile and mistaken inputs (issue 14): each is one error line, exit 2, no traceback, no hang, and
the line never quotes the file's contents or an unbounded value. In-process through suite.cli.main."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from suite.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MAX_LINE = 400
PROFILE = """workflow: runner_test
inputs: {sleep_duration: 10, job_count: 1}
pattern: {type: burst, count: 3}
max_workflows: 10
"""


def one_error_line(capsys: pytest.CaptureFixture[str], argv: list[str], *, code: int = 2) -> str:
    """Run `suite ARGV`: exit `code`, exactly one stderr line, bounded, no traceback; that line."""
    assert main(argv) == code
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err[:2000]
    assert "Traceback" not in err and len(lines[0]) <= MAX_LINE, lines[0][:2000]
    assert lines[0].startswith("suite: error: ")
    return lines[0]


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SUITE_ENV", raising=False)
    monkeypatch.setenv("SUITE_CONFIG", str(tmp_path / "suite.yaml"))
    return tmp_path


def validate(capsys: pytest.CaptureFixture[str], cwd: Path, text: str | bytes) -> str:
    path = cwd / "p.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return one_error_line(capsys, ["profiles", "validate", str(path)])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (PROFILE + "name: a\x00b\n", "p.yaml:5: control character U+0000"),
        (PROFILE + "description: bell \x07\n", "p.yaml:5: control character U+0007"),
        (PROFILE + "seed: 2024-02-30\n", "p.yaml:5: seed: must be an integer"),
        (PROFILE + "seed: " + "9" * 5000 + "\n", "p.yaml:5: seed: a number of 5000 characters"),
        (PROFILE + "seed: " + "[" * 600 + "]" * 600 + "\n", "nested deeper than 64 levels"),
        (
            PROFILE + "drain_timeout_s: !!float 'abc'\n",
            "p.yaml:5: drain_timeout_s: 'abc' is not a valid float",
        ),
        (PROFILE + "seed: !!timestamp 'x'\n", "p.yaml:5: seed: the tag !!timestamp is not allowed"),
        (PROFILE + "x: !!bool 'maybe'\n", "p.yaml:5: x: 'maybe' is not a valid bool"),
        (PROFILE + "x: !!python/object/apply:os.system ['true']\n", "the tag !!python/object/apply"),
        (PROFILE + "name: " + "a" * 250 + "\n", "p.yaml:5: name: must match [a-z0-9_-]+ and be at most 64"),
        (
            "workflow: runner_test\npattern: {type: step, start_rate_per_min: 1, increment_per_min: 5e-324,"
            " step_duration_s: 60, max_rate_per_min: 10}\n",
            "pattern.increment_per_min: must be at least 1e-06 per minute, got 5e-324",
        ),
        (
            "workflow: runner_test\npattern: {type: poisson, rate_per_min: 5e-324, duration_s: 60}\n",
            "pattern.rate_per_min: must be at least 1e-06 per minute",
        ),
    ],
)
def test_a_hostile_profile_is_one_line(capsys: pytest.CaptureFixture[str], cwd: Path, text: str, says: str):
    assert says in validate(capsys, cwd, text)


def test_a_utf16_profile_is_one_line(capsys: pytest.CaptureFixture[str], cwd: Path):
    assert "p.yaml:1: UTF-16 or UTF-32 text; save the file as UTF-8" in validate(
        capsys, cwd, PROFILE.encode("utf-16")
    )
    assert "UTF-16" in validate(capsys, cwd, PROFILE.encode("utf-16-le"))  # no BOM: NUL bytes


def test_an_alias_bomb_is_refused_without_expanding_it(capsys: pytest.CaptureFixture[str], cwd: Path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )  # 9**9 values once expanded
    line = validate(capsys, cwd, bomb)
    assert "more than 100000 values after aliases" in line
    (cwd / "suite.yaml").write_text("aws:\n  " + bomb.replace("\n", "\n  "))
    line = one_error_line(capsys, ["deploy", "--env", "aws", "--plan"])
    assert "suite.yaml" in line and "more than 100000 values after aliases" in line


def test_a_fifo_as_a_profile_is_refused_before_it_is_opened(capsys: pytest.CaptureFixture[str], cwd: Path):
    os.mkfifo(cwd / "f.yaml")  # opening it to read would block until a writer came
    for argv in (["profiles", "validate", "f.yaml"], ["run", "f.yaml"]):
        assert "f.yaml: not a regular file" in one_error_line(capsys, argv)


def test_suite_run_of_a_system_file_never_reads_it(capsys: pytest.CaptureFixture[str], cwd: Path):
    passwd = "root:x:0:0:root:/root:/bin/bash\n"
    (cwd / "passwd").write_text(passwd * 100_000)  # 3 MB of someone else's file
    traversal = "../" * (len(cwd.parts) - 1) + "etc/passwd"
    line = one_error_line(capsys, ["run", traversal])
    assert "not a profile: give a .yaml or .yml profile file, or a profile name" in line
    assert "unknown profile 'passwd'" in one_error_line(capsys, ["run", "passwd"])  # a name, not a file
    (cwd / "passwd").rename(cwd / "big.yaml")  # named like a profile: refused by its size, unread
    assert "big.yaml: 3200000 bytes; the profile file may be at most 262144 bytes" in one_error_line(
        capsys, ["run", "big.yaml"]
    )
    (cwd / "small.yaml").write_text(passwd * 10)  # read, refused, not quoted
    line = one_error_line(capsys, ["run", "small.yaml"])
    assert "small.yaml:1: document: must be a mapping" in line and "root:" not in line


def test_a_long_profile_name_or_file_name_is_one_line(capsys: pytest.CaptureFixture[str], cwd: Path):
    assert "not a profile" in one_error_line(capsys, ["run", "a" * 250])
    long_file = "b" * 300 + ".yaml"  # longer than NAME_MAX (255 bytes): refused before the OS is asked
    assert "name too long for a file system" in one_error_line(capsys, ["profiles", "validate", long_file])
    (cwd / ("c" * 200 + ".yaml")).write_text(PROFILE)
    assert "at most 64 characters" in one_error_line(capsys, ["profiles", "validate", "c" * 200 + ".yaml"])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("aws:\n  region: eu_west_1\n", "suite.yaml:2: aws.region: 'eu_west_1' is not an AWS region name"),
        ("aws:\n  tfvars: [1]\n", "suite.yaml:2: aws.tfvars: must be a non-empty string"),
        ("aws:\n  ready_timeout_s: .nan\n", "suite.yaml:2: aws.ready_timeout_s: must be a number of seconds"),
        ("aws:\n  runner_count: 10000\n", "suite.yaml:2: aws.runner_count: must be a whole number 0..100"),
        ("aws:\n  tfvars: missing.tfvars\n", "missing.tfvars: not a tfvars file"),
        ("aws: [1, 2]\n", "suite.yaml:1: `aws:` must be a mapping"),
        ("- 1\n", "suite.yaml:1: expected a mapping with `aws:` and/or `existing:`"),
    ],
)
def test_a_bad_suite_yaml_is_one_line(capsys: pytest.CaptureFixture[str], cwd: Path, text: str, says: str):
    (cwd / "suite.yaml").write_text(text)
    assert says in one_error_line(capsys, ["deploy", "--env", "aws", "--plan"])


def test_a_bad_existing_region_is_one_line(capsys: pytest.CaptureFixture[str], cwd: Path):
    (cwd / "suite.yaml").write_text(
        "existing:\n  repo: o/r\n  cluster: c\n  service: s\n  region: eu_west_1\n"
    )
    assert "suite.yaml:5: existing.region: 'eu_west_1' is not an AWS region" in one_error_line(
        capsys, ["status", "--env", "existing"]
    )


def test_a_non_utf8_or_directory_suite_yaml_is_one_line(capsys: pytest.CaptureFixture[str], cwd: Path):
    (cwd / "suite.yaml").write_bytes(b"aws:\n  region: \xff\xfe\n")
    assert "suite.yaml:2: not valid UTF-8 text" in one_error_line(
        capsys, ["deploy", "--env", "aws", "--plan"]
    )
    (cwd / "suite.yaml").unlink()
    (cwd / "suite.yaml").mkdir()
    assert "suite.yaml: is a directory" in one_error_line(capsys, ["deploy", "--env", "aws", "--plan"])


@pytest.mark.parametrize("target", ["file", "/dev/null"])
def test_reports_naming_a_file_is_one_line(capsys: pytest.CaptureFixture[str], cwd: Path, target: str):
    (cwd / "file").write_text("x")
    for argv in (["run", "smoke", "--reports", target], ["sim", "smoke", "--reports", target]):
        assert f"argument --reports: {target}: not a directory" in one_error_line(capsys, argv)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["deploy", "--speed", "nan"], "--speed must be > 0 and <= 100000, got nan"),
        (["deploy", "--speed", "inf"], "--speed must be > 0 and <= 100000, got inf"),
        (["deploy", "--speed", "0"], "--speed must be > 0"),
        (["sim", "smoke", "--runners", "99999999999999999999999"], "--runners must be <= 1000"),
        (["sim", "smoke", "--runners", "9" * 5000], "--runners must be a number, got 5000 characters"),
        (["sim", "smoke", "--cold-start", "1-99999"], "expected 0 <= MIN <= MAX <= 3600"),
        (["deploy", "--idle-timeout", "-1"], "--idle-timeout must be > 0"),
        (["plan", "--arrival", "nan"], "--arrival must be > 0"),
        (["collect", "nowhere"], "nowhere: not a run directory"),
        (["deploy", "--env", "aws", "--plan", "--sizing", "x" * 300], "not a sizing name"),
        (["deploy", "--env", "nowhere"], "argument --env: invalid choice"),
    ],
)
def test_a_bad_argument_is_one_line_before_any_work(
    capsys: pytest.CaptureFixture[str], cwd: Path, argv: list[str], says: str
):
    assert says in one_error_line(capsys, argv)
    assert not (cwd / ".suite").exists() and not (cwd / "reports").exists()  # nothing started


def test_an_old_history_index_is_ignored(capsys: pytest.CaptureFixture[str], cwd: Path):
    """`suite history` reads the run tables (DuckDB); a history.sqlite left from before is never read."""
    reports = cwd / "reports"
    reports.mkdir()
    (reports / "history.sqlite").write_bytes(b"this is not a database\x00" * 100)
    assert main(["history", "--reports", str(reports)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("No runs") and err == ""
    (reports / "history.sqlite").unlink()
    (reports / "history.sqlite").mkdir()  # not even a file: still nothing to say
    assert main(["history", "--reports", str(reports)]) == 0
    assert capsys.readouterr().err == ""


def test_sixty_thousand_thresholds_are_refused_at_once(capsys: pytest.CaptureFixture[str], cwd: Path):
    def thresholds(n: int, extra: str = "") -> str:
        return (
            PROFILE + "thresholds:\n" + "".join(f'  - "queue_time_s.p95 < {i}"\n' for i in range(n)) + extra
        )

    line = validate(capsys, cwd, thresholds(60_000))  # 1.8 MB: refused by its size, never parsed
    assert "bytes; the profile file may be at most 262144 bytes" in line
    assert "p.yaml:5: thresholds: 1001 thresholds; at most 1000 are allowed" in validate(
        capsys, cwd, thresholds(1001)
    )
    line = validate(capsys, cwd, thresholds(999, '  - "queue_time_s.p95 < 7"\n'))  # a set: linear
    assert "p.yaml:1005: thresholds[999]: 'queue_time_s.p95 < 7' is listed twice" in line


def test_file_names_are_shown_safely(capsys: pytest.CaptureFixture[str], cwd: Path):
    weird = cwd / "a\nb\x1b[31m.yaml"  # a line break and a terminal escape in the name
    weird.write_text("workflow: nope\n")
    line = one_error_line(capsys, ["profiles", "validate", str(weird)])
    assert "a\\nb\\x1b[31m.yaml: a control character in the name" in line  # shown escaped, refused
    assert "profiles folder (no such profiles folder)" in one_error_line(
        capsys, ["profiles", "--dir", "nowhere"]
    )
    assert "name too long for a file system" in one_error_line(capsys, ["profiles", "--dir", "d" * 300])


def test_the_default_reports_directory_is_checked_too(capsys: pytest.CaptureFixture[str], cwd: Path):
    (cwd / "reports").write_text("not a directory")
    for argv in (["run", "smoke"], ["history"]):
        assert "argument --reports: reports: not a directory" in one_error_line(capsys, argv)

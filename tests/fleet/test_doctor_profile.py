"""`suite doctor --profile P`: the profile's workflow checked in the target repository (a twin whose
repository holds tests/fixtures/byo/workflows, real HTTP): exists and active, dispatchable, suite_id and
run-name, the inputs the profile sends; ✗ with the profile's file:line when it would not run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from suite.cli.main import build_parser
from suite.fleet import doctor as doctor_module
from suite.fleet.clients import github_client
from suite.fleet.doctor import FAIL, OK, Check, doctor, github_checks
from suite.fleet.environments import local_target
from suite.profiles.model import Profile
from suite.profiles.profile import load_profile
from suite.twin.service import Twin
from tests.helpers.twin import twin_config

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "byo"


@pytest.fixture
def byo_twin() -> Iterator[Twin]:
    twin = Twin(twin_config(workflows_dir=str(FIXTURE / "workflows"))).start()
    try:
        twin.clock.sleep(130)  # every runner online
        yield twin
    finally:
        twin.stop()


def checks(twin: Twin, profile: Profile | None) -> dict[str, Check]:
    target = local_target(twin.state())
    with github_client(target) as client:
        return {c.name: c for c in github_checks(client, target, profile=profile)}


def profile_with(tmp_path: Path, old: str, new: str) -> Profile:
    path = tmp_path / "byo.yaml"
    path.write_text((FIXTURE / "byo.yaml").read_text().replace(old, new))
    return load_profile(path)


def test_the_fixture_profile_passes_after_the_workflows_check(byo_twin: Twin) -> None:
    found = checks(byo_twin, load_profile(FIXTURE / "byo.yaml"))
    assert list(found) == ["GitHub credential", "GitHub clock", "workflows", "profile workflow", "runners"]
    assert {c.status for c in found.values()} == {OK}, found
    # a custom workflow's repository need not hold the suite's catalogue: its own file is looked for
    assert found["workflows"].detail == "runner-suite/twin-target: ci.yml present and active"
    assert found["profile workflow"].detail == (
        ".github/workflows/ci.yml in runner-suite/twin-target: dispatchable, run-name is the suite_id, "
        "declares the inputs sent (flavour, shards, sleep_duration)"
    )


def test_without_a_profile_nothing_changes(byo_twin: Twin) -> None:
    found = checks(byo_twin, None)
    assert "profile workflow" not in found
    assert found["workflows"].detail.endswith(
        "k8s_like.yml, runner_test.yml, runner_workload.yml, build_reusable.yml present and active"
    )


def test_a_shipped_profile_checks_its_workflow_too(byo_twin: Twin, tmp_path: Path) -> None:
    path = tmp_path / "smoke.yaml"
    path.write_text("workflow: k8s_like\npattern: {type: burst, count: 1}\n")
    found = checks(byo_twin, load_profile(path))
    assert found["profile workflow"].status == OK
    assert found["profile workflow"].detail.startswith(
        ".github/workflows/k8s_like.yml in runner-suite/twin-target"
    )
    assert "build_reusable.yml" in found["workflows"].detail  # the catalogue's files, as before


def test_a_misspelt_input_fails_with_the_profiles_line(byo_twin: Twin, tmp_path: Path) -> None:
    found = checks(byo_twin, profile_with(tmp_path, "  shards: 4", "  shards_: 4"))
    check = found["profile workflow"]
    assert check.status == FAIL
    assert "byo.yaml:5: inputs.shards_: .github/workflows/ci.yml in runner-suite/twin-target declares no" in (
        check.detail
    )
    assert check.fix


def test_a_missing_workflow_fails_both_checks(byo_twin: Twin, tmp_path: Path) -> None:
    found = checks(byo_twin, profile_with(tmp_path, "workflow: ci.yml", "workflow: release.yml"))
    assert found["workflows"].status == FAIL and "missing: release.yml" in found["workflows"].detail
    assert found["profile workflow"].status == FAIL
    assert found["profile workflow"].detail.startswith(
        "no .github/workflows/release.yml in runner-suite/twin-target"
    )


def test_the_command_takes_a_profile_and_exits_3_when_its_workflow_fails(
    byo_twin: Twin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(["doctor", "--env", "local", "--profile", str(FIXTURE / "byo.yaml")])
    assert args.profile == str(FIXTURE / "byo.yaml")
    target = local_target(byo_twin.state())
    monkeypatch.setattr(doctor_module, "resolve_target", lambda env, **kw: target)
    assert doctor("local", profile_with(tmp_path, "flavour: release", "flavour: fast")) == 3
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "profile workflow" in line)
    assert row.split()[:3] == ["✗", "profile", "workflow"]
    assert "must be one of 'debug', 'release', got 'fast'" in out

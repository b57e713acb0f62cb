"""`suite doctor --profile P` warns (!) when the profile's workflow has jobs that need a Docker daemon
(`container:`, `services:`, `uses: docker://`) on a Fargate fleet, which has none: those jobs would fail.
Read from the twin's repository over real HTTP, as doctor reads a real one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from suite.fleet.clients import github_client
from suite.fleet.doctor import WARN, Check, github_checks
from suite.fleet.doctor_workflow import docker_jobs
from suite.fleet.environments import local_target
from suite.profiles.profile import load_profile
from suite.twin.service import Twin
from suite.workflows import catalogue, parse_workflow
from tests.helpers.twin import twin_config

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "byo"

LINT = """  lint:
    runs-on: [self-hosted, ecs-fargate]
"""
LINT_IN_A_CONTAINER = """  lint:
    runs-on: [self-hosted, ecs-fargate]
    container: node:20
    services:
      db:
        image: postgres:16
"""
HOSTED_JOB = """  hosted:
    runs-on: ubuntu-latest
    container: node:20
    steps:
      - uses: docker://alpine:3.20
"""


@pytest.fixture
def docker_twin(tmp_path: Path) -> Iterator[Twin]:
    workflows = tmp_path / "workflows"
    shutil.copytree(FIXTURE / "workflows", workflows)
    ci = workflows / "ci.yml"
    text = ci.read_text(encoding="utf-8")
    assert LINT in text
    ci.write_text(text.replace(LINT, LINT_IN_A_CONTAINER) + "\n" + HOSTED_JOB, encoding="utf-8")
    twin = Twin(twin_config(workflows_dir=str(workflows))).start()
    try:
        twin.clock.sleep(130)  # every runner online
        yield twin
    finally:
        twin.stop()


def _checks(twin: Twin) -> dict[str, Check]:
    target = local_target(twin.state())
    assert target.cluster is not None  # the twin models an ECS Fargate fleet
    with github_client(target) as client:
        return {c.name: c for c in github_checks(client, target, profile=load_profile(FIXTURE / "byo.yaml"))}


def test_a_job_with_a_container_and_services_is_a_warning_on_fargate(docker_twin: Twin) -> None:
    check = _checks(docker_twin)["profile workflow"]
    assert check.status == WARN
    assert check.detail.endswith("but on Fargate these jobs will fail: lint (container:, services:)")
    assert "Fargate has no Docker daemon" in check.fix
    assert "hosted" not in check.detail  # GitHub-hosted runners have Docker


def test_the_unchanged_fixture_is_ok() -> None:
    text = (FIXTURE / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert docker_jobs(parse_workflow("ci.yml", text)) == []


def test_what_needs_docker_is_read_from_the_file() -> None:
    text = (FIXTURE / "workflows" / "ci.yml").read_text(encoding="utf-8")
    text = text.replace(LINT, LINT_IN_A_CONTAINER) + "\n" + HOSTED_JOB
    text += """  unpack:
    runs-on: [self-hosted, ecs-fargate]
    steps:
      - uses: docker://alpine:3.20
        with:
          args: echo hi
"""
    workflow = parse_workflow("ci.yml", text)
    jobs = {job.id: job for job in workflow.jobs}
    assert jobs["lint"].docker == ("container:", "services:")
    assert jobs["hosted"].docker == ("container:", "uses: docker://") and jobs["hosted"].github_hosted
    assert jobs["unpack"].docker == ("uses: docker://",) and not jobs["unpack"].github_hosted
    assert jobs["unit"].docker == ()
    assert docker_jobs(workflow) == ["lint (container:, services:)", "unpack (uses: docker://)"]


def test_shipped_workflows_need_no_docker() -> None:
    assert [j for w in catalogue().values() for j in docker_jobs(w)] == []

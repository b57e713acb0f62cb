"""The runner task's bootstrap, run for real and offline (docs/aws.md, "The runner's credential"):
terraform/templates/jit_init.sh (the init container) mints a just-in-time runner configuration from the
twin with the long-lived credential; terraform/templates/bootstrap.sh (the runner container, no
credential) starts the stand-in runner with it (tests/helpers/runner_task.py).

Checked: the runner's name is the task id, its labels the fleet's, it is ephemeral; no process the
runner container starts holds the credential; SIGTERM deregisters it within seconds, idle or during
start-up; and each check fails on a deliberately broken copy (the credential passed through to the
runner container; the runner started as a plain background job), so none of them passes by default."""

from __future__ import annotations

import base64
import json
import re
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from suite.twin.app_auth import AppConfig
from suite.twin.fleet import FleetConfig
from suite.twin.service import VIRTUAL_ORIGIN_AGE_S, Twin
from tests.helpers.runner_task import (
    BOUND_S,
    LABELS,
    TASK_ID,
    TEMPLATES,
    MetadataEndpoint,
    RunnerTask,
    credential_leaks,
    descendants,
)
from tests.helpers.twin import start_twin, twin_config

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_TOOLS = ("bash", "curl", "jq", "openssl", "base64")


def test_the_tools_the_scripts_use_are_here() -> None:
    """The runner image has them; the tests below need them too (and are never skipped)."""
    assert [t for t in REQUIRED_TOOLS if shutil.which(t) is None] == []


@pytest.fixture
def task(tmp_path: Path) -> Iterator[RunnerTask]:
    twin = start_twin(runners=1)
    metadata = MetadataEndpoint()
    t = RunnerTask(twin, tmp_path, metadata)
    try:
        yield t
    finally:
        t.kill()
        metadata.close()
        twin.stop()


def _minted(task: RunnerTask) -> None:
    done = task.init({"token": task.twin.token})
    assert done.returncode == 0, done.stderr[-400:]
    assert task.twin.token not in done.stdout + done.stderr  # never printed


def test_init_mints_a_jit_runner_named_after_the_task_with_the_fleets_labels(task: RunnerTask) -> None:
    _minted(task)
    [runner] = task.registry.objects()
    assert runner["name"] == TASK_ID
    assert [label["name"] for label in runner["labels"]] == list(LABELS)
    assert runner["ephemeral"] is True and runner["status"] == "offline"
    # the volume holds the encoded JIT configuration and nothing else: no credential
    encoded = task.config_file.read_text().strip()
    assert [p.name for p in task.volume.iterdir()] == ["config"]
    assert task.twin.token not in encoded
    files = json.loads(base64.b64decode(encoded))
    settings = json.loads(base64.b64decode(files[".runner"]))
    assert settings["agentName"] == TASK_ID and settings["agentId"] == runner["id"]
    assert settings["ephemeral"] is True and settings["workFolder"] == "_work"


def test_an_organization_fleet_asks_the_organizations_endpoint(task: RunnerTask) -> None:
    task.init_env.update({"RUNNER_SCOPE": "org", "GITHUB_REPO": ""})
    _minted(task)
    assert [r["name"] for r in task.registry.objects()] == [TASK_ID]


def test_a_github_app_credential_is_exchanged_for_an_installation_token_first(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    app = AppConfig("123456", 4242, public.decode())
    # the script signs its JWT on the wall clock: GitHub's clock (the twin's + skew) reads about now
    twin = Twin(twin_config(fleet=FleetConfig(runners=1), app=app, github_skew_s=VIRTUAL_ORIGIN_AGE_S))
    twin.start()
    metadata = MetadataEndpoint()
    try:
        t = RunnerTask(twin, tmp_path, metadata)
        done = t.init({"app_id": "123456", "installation_id": "4242", "private_key": private})
        assert done.returncode == 0, done.stderr[-400:]
        assert len(twin.github.installation_tokens) == 1
        assert [r["name"] for r in t.registry.objects()] == [TASK_ID]
        assert "PRIVATE KEY" not in done.stdout + done.stderr
        assert [p.name for p in t.volume.iterdir()] == ["config"]  # the key never touched the disk
    finally:
        metadata.close()
        twin.stop()


def test_a_refused_credential_fails_the_init_and_writes_nothing(task: RunnerTask) -> None:
    done = task.init({"token": "not-the-token"})
    assert done.returncode != 0
    assert not task.config_file.exists() and task.registry.objects() == []


def test_the_runner_takes_one_job_without_the_credential_and_is_removed(task: RunnerTask) -> None:
    _minted(task)
    task.start_runner()
    assert task.online()
    [runner] = task.registry.objects()
    assert runner["status"] == "online" and runner["name"] == TASK_ID
    job = "umask > job-umask; touch job-running; while [ ! -e release ]; do sleep 0.05; done"
    task.registry.assign_job(TASK_ID, job)
    assert task.wait_file("job-running")
    assert task.runner is not None
    processes = descendants(task.runner.pid)
    assert len(processes) >= 4  # run.sh, run-helper.sh, the listener, the job
    assert credential_leaks(processes, task.twin.token) == []
    assert (task.home / "job-umask").read_text().strip() == "0022"  # no umask 077 leaks into jobs
    (task.home / "release").touch()
    assert task.removed()  # single use: GitHub (the twin) removes it after its job
    assert task.runner.wait(BOUND_S) == 0


def test_the_credential_check_catches_a_runner_container_given_the_credential(task: RunnerTask) -> None:
    """The same check on a broken copy of the task definition, the secret passed to the runner too."""
    _minted(task)
    task.start_runner(extra_env={"GITHUB_CREDENTIAL": json.dumps({"token": task.twin.token})})
    assert task.online() and task.runner is not None
    leaks = credential_leaks(descendants(task.runner.pid), task.twin.token)
    assert any(leak.endswith("/environ") for leak in leaks)


def test_the_runner_containers_definition_has_no_secret_and_waits_for_the_init() -> None:
    """The task definition as written: the secret goes to jit-init only."""
    lines = (ROOT / "terraform" / "ecs.tf").read_text().splitlines()
    ecs = "\n".join(line for line in lines if not line.strip().startswith("#"))  # code, not comments
    defs = ecs[ecs.index("container_definitions = jsonencode([") :]
    init = defs[defs.index('name                   = "jit-init"') : defs.index('name      = "runner"')]
    runner = defs[defs.index('name      = "runner"') : defs.index('name                   = "sampler"')]
    assert "GITHUB_CREDENTIAL" in init and "secrets" in init
    assert "secrets" not in runner and "GITHUB_CREDENTIAL" not in runner
    assert re.search(r'dependsOn\s*=\s*\[\{ containerName = "jit-init", condition = "SUCCESS" \}\]', runner)
    assert "readOnly = true" in runner and "readOnly = false" in init
    assert "essential              = false" in init
    # a JIT runner gets exactly the labels asked for: the fleet's full list, GitHub's own included
    assert '{ name = "RUNNER_LABELS", value = join(",", local.runner_labels) }' in ecs
    main = (ROOT / "terraform" / "main.tf").read_text()
    assert 'distinct(concat(["self-hosted", "linux", local.arch_label], var.runner_labels))' in main
    script = (TEMPLATES / "bootstrap.sh").read_text().splitlines()
    code = "\n".join(line for line in script if not line.lstrip().startswith("#"))
    assert "GITHUB_CREDENTIAL" not in code and "umask" not in code
    assert "--disableupdate" not in code  # auto-update on (docs/aws.md, version policy)
    # the traps come before anything else the script does
    assert code.splitlines()[:2] == ["trap 'exit 143' TERM", "trap 'exit 130' INT"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_deregisters_the_idle_runner_within_seconds(task: RunnerTask, sig: int) -> None:
    _minted(task)
    task.start_runner()
    assert task.online()
    started = time.monotonic()
    task.stop(sig)
    assert task.removed()
    assert time.monotonic() - started < BOUND_S
    assert task.runner is not None and task.runner.wait(BOUND_S) == 0


def test_sigterm_during_start_up_deregisters_the_runner(task: RunnerTask) -> None:
    """The listener has read its configuration but not yet opened its session (start-up)."""
    _minted(task)
    (task.home / "hold-startup").touch()
    task.start_runner()
    assert task.wait_file("_diag/started")
    assert not task.online(0)
    task.stop()
    assert task.removed()
    assert task.runner is not None and task.runner.wait(BOUND_S) == 0


def test_without_a_jit_configuration_the_runner_container_exits_3_with_one_line(task: RunnerTask) -> None:
    """jit-init wrote nothing (ECS would not start the runner then; here it is started anyway)."""
    task.start_runner()
    assert task.runner is not None and task.runner.wait(BOUND_S) == 3
    out = task.runner.stdout.read() if task.runner.stdout else ""
    assert "no JIT configuration" in out and len(out.strip().splitlines()) == 1


BROKEN_BOOTSTRAP = """
trap 'kill -TERM "$pid"; wait "$pid"' TERM
config="$(<"${JIT_CONFIG_FILE}")"
./run.sh --jitconfig "${config}" &
pid=$!
wait "$pid"
"""


def test_the_signal_check_catches_a_runner_started_as_a_plain_background_job(task: RunnerTask) -> None:
    """The pre-JIT bootstrap's way (`./run.sh &`, TERM forwarded to run.sh only): the listener never
    hears the stop, so the runner stays registered and the same check fails."""
    _minted(task)
    task.start_runner(script=BROKEN_BOOTSTRAP)
    assert task.online()
    task.stop()
    assert not task.removed(timeout_s=2.0)
    assert TASK_ID in [r["name"] for r in task.registry.objects()]


def test_persistent_runners_on_aws_are_refused_as_bad_usage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JIT runners are single use: `--persistent` with `--env aws` is one exit-2 line, before Terraform."""
    from suite.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUITE_CONFIG", str(tmp_path / "suite.yaml"))
    (tmp_path / "suite.yaml").write_text("aws:\n  github_repository: o/r\n")
    assert main(["deploy", "--env", "aws", "--persistent", "--plan"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "--persistent is not available with --env aws" in lines[0]
    tf = (ROOT / "terraform" / "variables.tf").read_text()
    assert "condition     = var.ephemeral\n" in tf  # and Terraform refuses ephemeral = false itself

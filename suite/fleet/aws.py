"""`suite deploy [--plan]|destroy|status|secrets --env aws` (the existing environment: suite.fleet.existing).

deploy:  terraform init -> the credential secret exists and has a value -> plan (summary) -> apply ->
         outputs saved to $SUITE_STATE_DIR/aws.json -> readiness (tasks RUNNING, runners online).
destroy: refuse a state that is not this fleet's -> terraform destroy -> prove nothing tagged with the
         fleet is left -> remove the fleet's offline runners from GitHub.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from suite.clock import WallClock
from suite.errors import EnvironmentFailure, UsageError
from suite.fleet import leaks, readiness, secrets
from suite.fleet.config import AwsConfig
from suite.fleet.environments import state_dir
from suite.fleet.runners import RunnerAdmin
from suite.fleet.terraform import PlanSummary, Terraform
from suite.github.auth import token_from_env

STATE_FILE = "aws.json"
SECRET_ADDRESS = "aws_secretsmanager_secret.github_credential"
DEFAULT_API_URL = "https://api.github.com"


def _say(line: str) -> None:
    print(line, flush=True)


def boto_client(service: str, region: str) -> Any:
    import boto3  # here, not at the top: boto3 takes a noticeable part of a second to import (CLI start)

    return boto3.Session(region_name=region).client(service)  # type: ignore[call-overload]


def terraform_for(cfg: AwsConfig, progress: Callable[[str], None] = _say) -> Terraform:
    """The driver on terraform/, with suite.yaml's variables first, then --tfvars, then CLI overrides."""
    sdir = state_dir() / "terraform"
    sdir.mkdir(parents=True, exist_ok=True)
    base = sdir / f"{cfg.fleet_name}.suite.tfvars.json"
    base.write_text(json.dumps(cfg.base_variables(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    var_files = [base] + ([cfg.tfvars] if cfg.tfvars else [])
    return Terraform(
        cfg.terraform_dir,
        var_files=var_files,
        variables=cfg.overrides,
        progress=progress,
        plan_file=sdir / f"{cfg.fleet_name}.tfplan",
        backend_config=cfg.backend_config,
    )


def plan(cfg: AwsConfig) -> PlanSummary:
    tf = terraform_for(cfg)
    _say(f"terraform init ({tf.runner.name}) in {cfg.terraform_dir}")
    tf.init()
    return tf.plan()


def _credential_kind(cfg: AwsConfig) -> str:
    return str(cfg.overrides.get("credential_kind") or cfg.variables.get("credential_kind") or "pat")


def ensure_secret(
    cfg: AwsConfig,
    tf: Terraform,
    sm: Any,
    *,
    env: dict[str, str] | None = None,
    stdin: IO[str] | None = None,
    require_input: bool = False,
) -> str:
    """Create the secret (Terraform, targeted) if missing; write the credential when one is given.

    Returns the secret's ARN. Raises UsageError when the secret has no value and none is available.
    """
    env = dict(os.environ) if env is None else env
    name = secrets.secret_name(cfg.fleet_name)
    if not secrets.exists(sm, name):
        _say(f"creating the credential secret {name} (terraform, targeted)")
        tf.plan(targets=[SECRET_ADDRESS])
        tf.apply()
    kind = _credential_kind(cfg)
    if require_input or secrets.credential_available(kind, env):
        version = secrets.put(sm, name, secrets.read_credential(kind, env, stdin))
        _say(f"stored the runner credential ({kind}) in {name} (version {version[:8]}…)")
    elif not secrets.has_value(sm, name):
        raise UsageError(
            f"the secret {name} has no value yet: run `make secrets` (suite secrets put --env aws) with "
            f"{secrets.TOKEN_VARIABLE} set or the token on standard input"
        )
    return str(sm.describe_secret(SecretId=name)["ARN"])


def secrets_put(cfg: AwsConfig, stdin: IO[str] | None = None) -> str:
    tf = terraform_for(cfg)
    tf.init()
    return ensure_secret(
        cfg, tf, boto_client("secretsmanager", cfg.region), stdin=stdin or sys.stdin, require_input=True
    )


def save_outputs(outputs: dict[str, Any], cfg: AwsConfig) -> Path:
    path = state_dir() / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "outputs": outputs,
        "github_api_url": github_api_url(cfg),
        "terraform_dir": str(cfg.terraform_dir),
    }
    path.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_outputs() -> dict[str, Any] | None:
    path = state_dir() / STATE_FILE
    if not path.exists():
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))


def github_api_url(cfg: AwsConfig) -> str:
    return str(cfg.overrides.get("github_api_url") or cfg.variables.get("github_api_url") or DEFAULT_API_URL)


def _admin(outputs: dict[str, Any], api_url: str) -> RunnerAdmin:
    return RunnerAdmin(
        api_url,
        str(outputs["github_repository"]),
        token_from_env(),
        scope=str(outputs.get("runner_scope", "repo")),
    )


def deploy(cfg: AwsConfig) -> dict[str, Any]:
    tf = terraform_for(cfg)
    _say(f"terraform init ({tf.runner.name}) in {cfg.terraform_dir}")
    tf.init()
    ensure_secret(cfg, tf, boto_client("secretsmanager", cfg.region))
    summary = tf.plan()
    if not summary.empty:
        tf.apply()
    outputs = tf.output()
    save_outputs(outputs, cfg)
    want = int(outputs["runner_count"])
    ecs = boto_client("ecs", cfg.region)
    _say(f"waiting for {want} runners (timeout {cfg.ready_timeout_s:.0f} s)")
    with _admin(outputs, github_api_url(cfg)) as gh:
        readiness.wait_ready(
            want,
            list(outputs["runner_labels"]),
            lambda: readiness.running_task_ids(ecs, outputs["cluster"], outputs["service"]),
            gh.list_runners,
            timeout_s=cfg.ready_timeout_s,
            clock=WallClock(),
            progress=_say,
        )
    return outputs


def check_owner(outputs: dict[str, Any], cfg: AwsConfig) -> None:
    """Refuse to act on a state that belongs to another fleet."""
    owner = outputs.get("fleet_name")
    if outputs and owner != cfg.fleet_name:
        raise UsageError(
            f"refusing to destroy: the Terraform state in {cfg.terraform_dir} belongs to fleet {owner!r}, "
            f"not {cfg.fleet_name!r} (suite.yaml aws.fleet_name). Check SUITE_TF_BACKEND_CONFIG / the backend"
        )


def destroy(cfg: AwsConfig, *, leak_timeout_s: float = 180.0) -> leaks.LeakReport:
    tf = terraform_for(cfg)
    tf.init()
    outputs = tf.output()
    check_owner(outputs, cfg)
    if outputs:
        tf.destroy()
    else:
        _say("the Terraform state is empty: nothing to destroy; checking that nothing is left")
    report = leaks.prove_gone(
        boto_client("resourcegroupstaggingapi", cfg.region),
        boto_client("ecs", cfg.region),
        cfg.fleet_name,
        iam=boto_client("iam", cfg.region),
        timeout_s=leak_timeout_s,
        progress=_say,
    )
    (state_dir() / STATE_FILE).unlink(missing_ok=True)
    if outputs:
        try:
            with _admin(outputs, github_api_url(cfg)) as gh:
                removal = gh.remove_offline(list(outputs.get("runner_labels", [])))
        except (EnvironmentFailure, UsageError) as exc:
            _say(f"could not remove offline runners from GitHub: {exc}")
        else:
            if removal.removed:
                _say(f"removed {len(removal.removed)} offline runner(s) of the fleet from GitHub")
            if removal.failed:
                raise EnvironmentFailure(f"GitHub refused to remove runner(s): {', '.join(removal.failed)}")
    return report


def status(cfg: AwsConfig) -> dict[str, Any] | None:
    saved = read_outputs()
    if saved is None:
        tf = terraform_for(cfg, progress=lambda _: None)
        tf.init()
        outputs = tf.output()
        if not outputs:
            return None
        saved = {"outputs": outputs, "github_api_url": github_api_url(cfg)}
    outputs = saved["outputs"]
    tasks = readiness.running_task_ids(boto_client("ecs", cfg.region), outputs["cluster"], outputs["service"])
    with _admin(outputs, saved["github_api_url"]) as gh:
        runners = gh.list_runners()
    state = readiness.check(int(outputs["runner_count"]), tasks, runners, list(outputs["runner_labels"]))
    return {"outputs": outputs, "readiness": state}

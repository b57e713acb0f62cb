"""The runners' GitHub credential in Secrets Manager, written with boto3 (never through Terraform).

PAT: {"token": ...} from $SUITE_RUNNER_TOKEN or standard input.
App: {"app_id", "installation_id", "private_key"} from $SUITE_RUNNER_APP_ID,
     $SUITE_RUNNER_APP_INSTALLATION_ID and the PEM file $SUITE_RUNNER_APP_PRIVATE_KEY_FILE (or stdin).
Nothing here prints, logs or puts the value in an exception message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from suite.errors import EnvironmentFailure, UsageError

TOKEN_VARIABLE = "SUITE_RUNNER_TOKEN"
APP_VARIABLES = (
    "SUITE_RUNNER_APP_ID",
    "SUITE_RUNNER_APP_INSTALLATION_ID",
    "SUITE_RUNNER_APP_PRIVATE_KEY_FILE",
)


def secret_name(fleet_name: str) -> str:
    return f"{fleet_name}/github-runner-credential"  # terraform/secrets.tf


def credential_available(kind: str, env: Mapping[str, str]) -> bool:
    if kind == "app":
        return all(env.get(v, "").strip() for v in APP_VARIABLES)
    return bool(env.get(TOKEN_VARIABLE, "").strip())


def read_credential(kind: str, env: Mapping[str, str], stdin: IO[str] | None) -> dict[str, str]:
    """The credential as the secret's JSON object. Raises UsageError (never quoting the value)."""
    if kind == "pat":
        token = env.get(TOKEN_VARIABLE, "").strip()
        if not token and stdin is not None and not stdin.isatty():
            token = stdin.readline().strip()
        if not token:
            raise UsageError(
                f"no runner token: set {TOKEN_VARIABLE} or pipe it on standard input (a fine-grained token "
                "with Administration: read and write on the repository, or a classic token with `repo`; "
                "organization scope: `admin:org`)"
            )
        if any(c.isspace() for c in token):
            raise UsageError(f"the runner token from {TOKEN_VARIABLE}/stdin contains whitespace: not a token")
        return {"token": token}
    if kind == "app":
        app_id = env.get(APP_VARIABLES[0], "").strip()
        installation = env.get(APP_VARIABLES[1], "").strip()
        if not app_id.isdigit() or not installation.isdigit():
            raise UsageError(f"GitHub App: set {APP_VARIABLES[0]} and {APP_VARIABLES[1]} (numbers)")
        key_file = env.get(APP_VARIABLES[2], "").strip()
        if key_file:
            try:
                key = Path(key_file).read_text(encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"{APP_VARIABLES[2]}: cannot read {key_file} ({exc.strerror})") from None
        elif stdin is not None and not stdin.isatty():
            key = stdin.read()
        else:
            key = ""
        if "PRIVATE KEY-----" not in key:
            raise UsageError(f"GitHub App: {APP_VARIABLES[2]} (or stdin) must hold the App's PEM private key")
        return {"app_id": app_id, "installation_id": installation, "private_key": key.strip() + "\n"}
    raise UsageError(f"unknown credential kind {kind!r}: pat or app")


def has_value(secretsmanager: Any, secret_id: str) -> bool:
    """Whether the secret exists and has a current version (reads metadata only, never the value)."""
    try:
        meta = secretsmanager.describe_secret(SecretId=secret_id)
    except secretsmanager.exceptions.ResourceNotFoundException:
        return False
    return any("AWSCURRENT" in stages for stages in meta.get("VersionIdsToStages", {}).values())


def exists(secretsmanager: Any, secret_id: str) -> bool:
    """Whether the secret exists and is not being deleted (a destroy's deletion finishes asynchronously:
    Terraform creates it again, retrying while AWS completes the deletion)."""
    try:
        meta = secretsmanager.describe_secret(SecretId=secret_id)
    except secretsmanager.exceptions.ResourceNotFoundException:
        return False
    return meta.get("DeletedDate") is None


def put(secretsmanager: Any, secret_id: str, credential: dict[str, str]) -> str:
    """Write a new current version; returns its version id. Errors never carry the value."""
    try:
        reply = secretsmanager.put_secret_value(SecretId=secret_id, SecretString=json.dumps(credential))
    except Exception as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        raise EnvironmentFailure(
            f"Secrets Manager refused to store the runner credential in {secret_id}: {code}"
        ) from None
    return str(reply["VersionId"])

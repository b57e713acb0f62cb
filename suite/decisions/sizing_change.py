"""`make validate-sizing FROM=a.tfvars TO=b.tfvars PROFILE=capacity [REVERT=1]`: a sizing change, before
and after, on the same profile, with a statistical verdict.

    1. deploy (or update) the fleet at FROM        3. apply TO, run the profile again (the candidate)
    2. run the profile (the base)                  4. suite compare base candidate; print the verdict
    5. with --revert: apply FROM again

Sizing is read from Terraform variable files (`key = value` lines: task_cpu, task_memory,
runner_count, ephemeral; other variables are ignored). On the twin (`--env local`) "apply" replaces
the twin's fleet: a deployed twin (`suite deploy`) is redeployed at the new sizing, otherwise an
in-process twin lives for each phase. The twin's sizing model is its job model (suite.twin.job_model):
a step's CPU work takes longer on fewer vCPUs, a sleep does not, memory above the task's limit kills the
job. `--twin-cpu-bound-share S` (default 0) scales a further share S of each job's time with
1 / usable vCPUs for what-if experiments (1: even a sleep behaves as CPU-bound), and `--twin-job-threads
N` caps the usable vCPUs at N. The two sizings (and what differs) are printed first, before anything runs.
Exit codes: those of `suite compare` (1: a regression or an inconclusive comparison; 0: better or no
regression).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

from suite.decisions.compare.core import compare_dirs
from suite.decisions.compare.render import markdown, terminal
from suite.errors import EXIT_FAILED, EXIT_PASS, UsageError
from suite.fleet import local as fleet_local
from suite.fleet import sizing as fargate
from suite.fleet.environments import local_target
from suite.fleet.readiness import wait_target_online
from suite.fleet.targets import resolve_target
from suite.pipeline.run import run_profile
from suite.profiles.profile import resolve_profile
from suite.rundir.jsonio import write_json
from suite.twin.fleet import FleetConfig
from suite.twin.service import Twin, TwinConfig

TWIN_CPU_BOUND_SHARE = 0.0  # the twin's job model alone: CPU work scales with vCPUs, a sleep does not
SIZING_KEYS = ("task_cpu", "task_memory", "runner_count", "ephemeral")
TWIN_READY_TIMEOUT_S = 900.0  # virtual seconds for an in-process twin's runners to come online
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=")
_UNSUPPORTED = 'unsupported value {!r} (numbers, true/false, "strings", [lists])'


def parse_tfvars(text: str, name: str = "tfvars") -> dict[str, Any]:
    """Terraform variable files, parsed by python-hcl2: `key = number | true | false | "string" |
    [scalars]`, comments and blank lines. Anything else (maps, heredocs, expressions, a key set twice)
    is an error with file:line."""
    lines = text.splitlines()
    try:
        doc = hcl2.loads(text + "\n")
    except Exception as exc:  # lark's parse errors (UnexpectedInput) carry the line
        no = min(max(int(getattr(exc, "line", 0) or 0), 1), max(len(lines), 1))
        got = lines[no - 1].strip() if lines else ""
        raise UsageError(f"{name}:{no}: expected `name = value`, got {got!r}") from None
    first: dict[str, int] = {}
    for no, raw in enumerate(lines, 1):
        if (m := _KEY.match(raw)) and m.group(1) in doc:
            if m.group(1) in first:
                raise UsageError(f"{name}:{no}: {m.group(1)} is set twice")
            first[m.group(1)] = no
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key.startswith("__"):  # python-hcl2's own entries (__comments__)
            continue
        no = first.get(key, 1)
        out[key] = _value(value, f"{name}:{no}: {key}", lines[no - 1].partition("=")[2].strip())
    return out


def _value(value: Any, where: str, source: str) -> Any:
    """python-hcl2's value as the variable's: strings unquoted; expressions, heredocs, maps and null
    refused (`source`: the value as written, for the error)."""
    if isinstance(value, bool | int | float):
        return value
    quoted = isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"'
    if quoted and not value.startswith('"<<'):  # python-hcl2 keeps a string's quotes (a heredoc's too)
        return value[1:-1].replace('\\"', '"')
    if isinstance(value, list):
        return [_value(v, where, source) for v in value]
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        source = value[2:-1]  # an expression, as written
    raise UsageError(f"{where}: {_UNSUPPORTED.format(source)}")


@dataclass(frozen=True)
class Sizing:
    task_cpu: int = 1024
    task_memory: int = 2048
    runner_count: int = 4
    ephemeral: bool = True

    def describe(self) -> str:
        kind = "ephemeral" if self.ephemeral else "persistent"
        return f"{self.runner_count} {kind} runners, {self.task_cpu} CPU units / {self.task_memory} MiB"

    def differences(self, other: Sizing) -> list[str]:
        """`key: mine -> other's` for every sizing field that differs."""
        return [
            f"{k}: {getattr(self, k)} -> {getattr(other, k)}"
            for k in SIZING_KEYS
            if getattr(self, k) != getattr(other, k)
        ]


def sizing_from_vars(values: dict[str, Any], name: str) -> Sizing:
    d = Sizing()
    kw: dict[str, Any] = {}
    for key in SIZING_KEYS:
        if key not in values:
            continue
        v = values[key]
        if key == "ephemeral":
            if not isinstance(v, bool):
                raise UsageError(f"{name}: ephemeral must be true or false, got {v!r}")
        elif isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise UsageError(f"{name}: {key} must be a whole number >= 1, got {v!r}")
        kw[key] = v
    s = Sizing(**{**d.__dict__, **kw})
    if not fargate.is_valid(s.task_cpu, s.task_memory):
        raise UsageError(
            f"{name}: task_cpu {s.task_cpu} / task_memory {s.task_memory} is not a Fargate size "
            f"({fargate.summary()})"
        )
    return s


def load_sizing(path: Path) -> Sizing:
    if not path.is_file():
        raise UsageError(f"{path}: no such tfvars file")
    return sizing_from_vars(parse_tfvars(path.read_text(), str(path)), str(path))


# ---- applying a sizing on the twin -------------------------------------------------------------


class TwinFleet:
    """Apply a sizing to the local twin and run a profile on it."""

    def __init__(
        self,
        speed: float,
        seed: int = 0,
        say: Callable[[str], None] = print,
        cpu_bound_share: float = TWIN_CPU_BOUND_SHARE,
        job_threads: int | None = None,
    ) -> None:
        self.speed = speed
        self.seed = seed
        self.say = say
        self.cpu_bound_share = cpu_bound_share
        self.job_threads = job_threads
        self._phase = 0

    def fleet_config(self, sizing: Sizing) -> FleetConfig:
        self._phase += 1
        return FleetConfig(
            runners=sizing.runner_count,
            ephemeral=sizing.ephemeral,
            task_cpu=sizing.task_cpu,
            task_memory=sizing.task_memory,
            cpu_bound_share=self.cpu_bound_share,
            job_threads=self.job_threads,
            seed=self.seed + self._phase,  # a new sample each phase, as on a real fleet
        )

    def apply(self, sizing: Sizing) -> None:
        """Apply without running (the final revert): a deployed twin is redeployed at `sizing`."""
        if resolve_target("local") is not None:
            folder = fleet_local.deployed_workflows_dir()  # the user's workflows stay in its repository
            fleet_local.destroy()
            fleet_local.deploy(self.fleet_config(sizing), self.speed, 1800.0, workflows_dir=folder)
            self.say(f"applied: {sizing.describe()} (deployed twin)")
        else:
            self._start_twin(sizing).stop()
            self.say(f"applied: {sizing.describe()} (the in-process twin ends with this command)")

    def run(self, sizing: Sizing, profile_path: Path, reports_root: Path) -> tuple[int, Path]:
        if resolve_target("local") is not None:  # a deployed twin: update it (destroy + deploy)
            folder = fleet_local.deployed_workflows_dir()  # the user's workflows stay in its repository
            fleet_local.destroy()
            state = fleet_local.deploy(self.fleet_config(sizing), self.speed, 1800.0, workflows_dir=folder)
            return run_profile(profile_path, "local", reports_root, target=local_target(state))
        twin = self._start_twin(sizing)
        try:
            return run_profile(profile_path, "local", reports_root, target=local_target(twin.state()))
        finally:
            twin.stop()

    def _start_twin(self, sizing: Sizing) -> Twin:
        twin = Twin(TwinConfig(speed=self.speed, fleet=self.fleet_config(sizing), idle_timeout_s=600))
        twin.start()
        try:
            wait_target_online(local_target(twin.state()), TWIN_READY_TIMEOUT_S)
        except BaseException:
            twin.stop()
            raise
        return twin


def validate_sizing(
    from_path: Path,
    to_path: Path,
    profile: str,
    environment: str = "local",
    reports_root: Path = Path("reports"),
    revert: bool = False,
    speed: float = 60.0,
    gates: list[str] | None = None,
    seed: int = 0,
    say: Callable[[str], None] = print,
    cpu_bound_share: float = TWIN_CPU_BOUND_SHARE,
    job_threads: int | None = None,
) -> int:
    base_sizing, cand_sizing = load_sizing(from_path), load_sizing(to_path)
    if not 0.0 <= cpu_bound_share <= 1.0:
        raise UsageError(f"--twin-cpu-bound-share must be in [0, 1], got {cpu_bound_share:g}")
    if job_threads is not None and job_threads < 1:
        raise UsageError(f"--twin-job-threads must be >= 1, got {job_threads}")
    loaded = resolve_profile(profile, environment=environment)
    if environment != "local":
        raise UsageError(
            "validate-sizing --env aws needs the Terraform fleet driver (issue 6) to apply tfvars; "
            "--env local runs the whole procedure on the twin"
        )
    fleet = TwinFleet(speed, seed, say, cpu_bound_share, job_threads)
    started = time.monotonic()
    say(f"validate-sizing {loaded.name}: FROM {from_path} ({base_sizing.describe()})")
    say(f"                 TO   {to_path} ({cand_sizing.describe()})")
    diffs = base_sizing.differences(cand_sizing)
    say(f"  sizing differs: {'; '.join(diffs)}" if diffs else "  the two sizings are the same")
    threads = "" if job_threads is None else f", at most {job_threads} vCPU per job"
    say(f"  twin model: {cpu_bound_share:.0%} of a job's time CPU-bound{threads}")
    codes = []
    dirs = []
    for label, sizing in (("base (FROM)", base_sizing), ("candidate (TO)", cand_sizing)):
        say(f"== {label}: apply {sizing.describe()}, run {loaded.name}")
        code, run_dir = fleet.run(sizing, loaded.path, reports_root)
        codes.append(code)
        dirs.append(run_dir)
    comparison = compare_dirs(dirs[0], dirs[1], gates)
    write_json(dirs[1] / "compare.json", comparison.to_dict())
    (dirs[1] / "compare.md").write_text(markdown(comparison))
    say(terminal(comparison))
    if any(codes):
        say(
            f"note: profile thresholds failed in {sum(1 for c in codes if c)} of the two runs "
            "(see their reports)"
        )
    if revert:
        say(f"== revert: apply FROM {from_path}")
        fleet.apply(base_sizing)
    say(
        f"validate-sizing: {comparison.verdict.upper()} ({time.monotonic() - started:.0f} s); "
        f"comparison in {dirs[1] / 'compare.md'}"
    )
    return EXIT_FAILED if comparison.failed else EXIT_PASS

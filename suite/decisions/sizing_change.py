"""`make validate-sizing FROM=a.tfvars TO=b.tfvars PROFILE=capacity [REVERT=1]`: a sizing change, before
and after, on the same profile, with a statistical verdict.

    1. deploy (or update) the fleet at FROM        3. apply TO, run the profile again (the candidate)
    2. run the profile (the base)                  4. suite compare base candidate; print the verdict
    5. with --revert: apply FROM again

Sizing is read from Terraform variable files (`key = value` lines: task_cpu, task_memory,
runner_count, ephemeral; other variables are ignored). On the twin (`--env local`) "apply" replaces
the twin's fleet: a deployed twin (`suite deploy`) is redeployed at the new sizing, otherwise an
in-process twin lives for each phase. The twin's sizing model: half of a job's time is CPU-bound
and scales with 1024 / task_cpu (FleetConfig.cpu_bound_share), and CPU and memory used scale with
the task's reservation. Exit codes: those of `suite compare` (1: a regression).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from suite.errors import EXIT_FAILED, EXIT_PASS, UsageError

TWIN_CPU_BOUND_SHARE = 0.5
SIZING_KEYS = ("task_cpu", "task_memory", "runner_count", "ephemeral")
# Fargate task sizes: cpu -> allowed memory (MiB)
FARGATE: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
}
_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.+?)\s*$")
_SCALAR = re.compile(r'^(?:-?\d+(?:\.\d+)?|true|false|"(?:[^"\\]|\\.)*")$')


def parse_tfvars(text: str, name: str = "tfvars") -> dict[str, Any]:
    """Simple Terraform variable files: `key = number | true | false | "string" | [scalars]`, comments
    (#, //) and blank lines. Anything else (maps, heredocs, expressions) is an error with file:line."""
    out: dict[str, Any] = {}
    for no, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        m = _LINE.match(line)
        if not m:
            raise UsageError(f"{name}:{no}: expected `name = value`, got {raw.strip()!r}")
        key, value = m.groups()
        if key in out:
            raise UsageError(f"{name}:{no}: {key} is set twice")
        out[key] = _value(value, f"{name}:{no}: {key}")
    return out


def _strip_comment(line: str) -> str:
    in_str = False
    for i, ch in enumerate(line):
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            in_str = not in_str
        elif not in_str and (ch == "#" or line.startswith("//", i)):
            return line[:i]
    return line


def _value(text: str, where: str) -> Any:
    if text.startswith("[") and text.endswith("]"):
        items = [t.strip() for t in text[1:-1].split(",") if t.strip()]
        return [_value(t, where) for t in items]
    if not _SCALAR.match(text):
        raise UsageError(f'{where}: unsupported value {text!r} (numbers, true/false, "strings", [lists])')
    if text in ("true", "false"):
        return text == "true"
    if text.startswith('"'):
        return text[1:-1].replace('\\"', '"')
    return float(text) if "." in text else int(text)


@dataclass(frozen=True)
class Sizing:
    task_cpu: int = 1024
    task_memory: int = 2048
    runner_count: int = 4
    ephemeral: bool = True

    def describe(self) -> str:
        kind = "ephemeral" if self.ephemeral else "persistent"
        return f"{self.runner_count} {kind} runners, {self.task_cpu} CPU units / {self.task_memory} MiB"


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
    if s.task_memory not in FARGATE.get(s.task_cpu, ()):
        allowed = ", ".join(f"{c}: {m[0]}-{m[-1]}" for c, m in FARGATE.items())
        raise UsageError(
            f"{name}: task_cpu {s.task_cpu} / task_memory {s.task_memory} is not a Fargate size ({allowed})"
        )
    return s


def load_sizing(path: Path) -> Sizing:
    if not path.is_file():
        raise UsageError(f"{path}: no such tfvars file")
    return sizing_from_vars(parse_tfvars(path.read_text(), str(path)), str(path))


# ---- applying a sizing on the twin -------------------------------------------------------------


class TwinFleet:
    """Apply a sizing to the local twin and run a profile on it."""

    def __init__(self, speed: float, seed: int = 0, say: Callable[[str], None] = print) -> None:
        self.speed = speed
        self.seed = seed
        self.say = say
        self._phase = 0

    def fleet_config(self, sizing: Sizing) -> Any:
        from suite.twin.fleet import FleetConfig

        self._phase += 1
        return FleetConfig(
            runners=sizing.runner_count,
            ephemeral=sizing.ephemeral,
            task_cpu=sizing.task_cpu,
            task_memory=sizing.task_memory,
            cpu_bound_share=TWIN_CPU_BOUND_SHARE,
            seed=self.seed + self._phase,  # a new sample each phase, as on a real fleet
        )

    def apply(self, sizing: Sizing) -> None:
        """Apply without running (the final revert): a deployed twin is redeployed at `sizing`."""
        from suite.fleet import local as fleet_local
        from suite.fleet.environments import resolve_target

        if resolve_target("local") is not None:
            fleet_local.destroy()
            fleet_local.deploy(self.fleet_config(sizing), self.speed, idle_timeout_s=1800.0)
            self.say(f"applied: {sizing.describe()} (deployed twin)")
        else:
            self._start_twin(sizing).stop()
            self.say(f"applied: {sizing.describe()} (the in-process twin ends with this command)")

    def run(self, sizing: Sizing, profile_path: Path, reports_root: Path) -> tuple[int, Path]:
        from suite.fleet import local as fleet_local
        from suite.fleet.environments import local_target, resolve_target
        from suite.pipeline.run import run_profile

        if resolve_target("local") is not None:  # a deployed twin: update it (destroy + deploy)
            fleet_local.destroy()
            state = fleet_local.deploy(self.fleet_config(sizing), self.speed, idle_timeout_s=1800.0)
            return run_profile(profile_path, "local", reports_root, target=local_target(state))
        twin = self._start_twin(sizing)
        try:
            return run_profile(profile_path, "local", reports_root, target=local_target(twin.state()))
        finally:
            twin.stop()

    def _start_twin(self, sizing: Sizing) -> Any:
        from suite.twin.service import Twin, TwinConfig

        twin = Twin(TwinConfig(speed=self.speed, fleet=self.fleet_config(sizing), idle_timeout_s=600))
        twin.start()
        try:
            _wait_online(twin, sizing.runner_count)
        except BaseException:
            twin.stop()
            raise
        return twin


def _wait_online(twin: Any, count: int, timeout_virtual_s: float = 900.0) -> None:
    from suite.errors import EnvironmentFailure

    deadline = twin.clock.now() + timeout_virtual_s
    while twin.clock.now() < deadline:
        with twin.github.lock:
            online = len(twin.fleet.online_runners())
        if online >= count:
            return
        twin.clock.sleep(5)
    raise EnvironmentFailure(f"the twin's {count} runners did not come online")


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
) -> int:
    from suite.decisions.compare.core import compare_dirs
    from suite.decisions.compare.render import markdown, terminal
    from suite.decisions.history import index_run
    from suite.profiles.profile import resolve_profile
    from suite.rundir.files import write_json

    base_sizing, cand_sizing = load_sizing(from_path), load_sizing(to_path)
    loaded = resolve_profile(profile, environment=environment)
    if environment != "local":
        raise UsageError(
            "validate-sizing --env aws needs the Terraform fleet driver (issue 6) to apply tfvars; "
            "--env local runs the whole procedure on the twin"
        )
    fleet = TwinFleet(speed, seed, say)
    started = time.monotonic()
    say(f"validate-sizing {loaded.name}: FROM {from_path} ({base_sizing.describe()})")
    say(f"                 TO   {to_path} ({cand_sizing.describe()})")
    codes = []
    dirs = []
    for label, sizing in (("base (FROM)", base_sizing), ("candidate (TO)", cand_sizing)):
        say(f"== {label}: apply {sizing.describe()}, run {loaded.name}")
        code, run_dir = fleet.run(sizing, loaded.path, reports_root)
        index_run(run_dir, reports_root)
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
    return EXIT_FAILED if comparison.regression else EXIT_PASS

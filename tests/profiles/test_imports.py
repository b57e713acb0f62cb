"""Profiles import downward only: loading one imports nothing from the later stages or the decisions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LATER_STAGES = ("suite.analyze", "suite.report", "suite.decisions", "suite.pipeline")
# what the pass/fail grammars may not import: every stage and service above them
ABOVE_GATES = (
    *LATER_STAGES,
    "suite.dispatch",
    "suite.collect",
    "suite.github",
    "suite.twin",
    "suite.fleet",
)

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
if len(sys.argv) > 2:
    from suite.profiles.profile import load_profile
    load_profile(sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules if m == "suite" or m.startswith("suite."))))
"""


def loaded_modules(*argv: str) -> list[str]:
    """The suite modules a fresh interpreter holds after running PROBE with these arguments."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True, cwd=ROOT
    )
    modules: list[str] = json.loads(out.stdout)
    return modules


def under(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages)]


def test_loading_a_profile_imports_no_later_stage() -> None:
    loaded = loaded_modules("suite.profiles.profile", str(ROOT / "profiles" / "capacity.yaml"))
    assert "suite.profiles.profile" in loaded
    later = under(loaded, LATER_STAGES)
    assert not later, f"loading a profile imports {', '.join(later)}"


@pytest.mark.parametrize("module", ["suite.gates.thresholds", "suite.gates.compare"])
def test_the_gates_import_nothing_above_them(module: str) -> None:
    above = under(loaded_modules(module), ABOVE_GATES)
    assert not above, f"{module} imports {', '.join(above)}"

"""The fuzz harness (tools/fuzz_harness.py) for tests: the suite imported once, one real twin run
directory per module to damage, and a case run in a forked child with the verdict it earned."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tools.fuzz_cases import Case
from tools.fuzz_harness import Outcome, Places, classify, make_base_run, preload, run_case

# the harness's bound on one case: a child still running then is killed, and the case is a hang
# (generous: a report on a loaded 2-core machine takes seconds; a hang blocks for good)
TIMEOUT_S = float(os.environ.get("SUITE_FUZZ_TIMEOUT", "30"))


def base_places(root: Path) -> Places:
    preload()
    return make_base_run(root / "base")


def judge(case: Case, places: Places | None, root: Path) -> tuple[str, str, Outcome, list[str]]:
    """Run `case` in a fresh directory under `root`: (verdict, detail, outcome, argv as run)."""
    where = Path(tempfile.mkdtemp(prefix="case-", dir=root))
    outcome = run_case(case, where, places, TIMEOUT_S)
    verdict, detail = classify(case, outcome)
    return verdict, detail, outcome, case.argv


def explain(case: Case, verdict: str, detail: str, outcome: Outcome) -> str:
    """The assertion message: what was run, what came out (bounded)."""
    return (
        f"{case.kind} case {case.label!r}: {verdict} ({detail}); argv {case.argv!r}, exit {outcome.code}, "
        f"stderr: {outcome.stderr[-600:]!r}"
    )

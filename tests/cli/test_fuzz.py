"""Hostile inputs through the real `suite` CLI, drawn by hypothesis from the fuzz tool's generators
(tools/fuzz_cases.py, tools/fuzz_cli_cases.py): profiles, suite.yaml files, CLI calls and damaged copies
of a real twin run directory. Each case runs in a forked child (tools/fuzz_harness.py), killed at the
harness's timeout: the promise is exit 2 with one bounded line and no traceback, or a documented
outcome for an input that may be valid, and never a hang.

CI (tests/conftest.py loads the derandomized "ci" profile) draws SUITE_FUZZ_EXAMPLES cases per kind (20
by default: about a minute on 2 cores); elsewhere 50, new ones each run. `tools/fuzz.py --seed N` runs
1,000 and writes reproducers. Cases are single mutations already, so shrinking is off: the first
failing case is reported as drawn, with its command.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.helpers.hostile import base_places, explain, judge
from tools.fuzz_cases import KINDS, strategy
from tools.fuzz_harness import Places

EXAMPLES = int(os.environ.get("SUITE_FUZZ_EXAMPLES", "20" if os.environ.get("CI") else "50"))


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Places:
    return base_places(tmp_path_factory.mktemp("fuzz-base"))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-cases")


@pytest.mark.parametrize("kind", KINDS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_hostile_input_gets_one_clear_error(
    kind: str, data: st.DataObject, places: Places, root: Path
) -> None:
    case = data.draw(strategy(kind), label="case")
    verdict, detail, outcome, _ = judge(case, places, root)
    assert verdict == "pass", explain(case, verdict, detail, outcome)


def test_the_oracle_fails_a_traceback_a_hang_and_two_lines(root: Path) -> None:
    """The verdicts can fail: a case that crashes, one that blocks, one that says two lines."""
    from tools.fuzz_cases import Case
    from tools.fuzz_harness import Outcome, classify

    case = Case("cli", "probe", ["status"])
    assert classify(case, Outcome(1, "", "Traceback (most recent call last):\n  x\nValueError: y\n", 0.1))[
        0
    ] == ("traceback")
    assert classify(case, Outcome(None, "", "", 10.0))[0] == "hang"
    assert classify(case, Outcome(2, "", "suite: error: a\nsuite: error: b\n", 0.1))[0] == "multi-line"
    assert classify(case, Outcome(2, "", "suite: error: " + "x" * 400 + "\n", 0.1))[0] == "unbounded"
    assert classify(case, Outcome(0, "ok\n", "", 0.1))[0] == "wrong-exit"  # invalid input accepted
    assert (
        classify(case, Outcome(2, "", "usage: suite [-h]\n       more\nsuite: error: bad\n", 0.1))[0]
        == "pass"
    )
    # and the harness sees a real hang: a FIFO nobody writes, read by a forked child, is killed at the bound
    fifo = Case("profile", "fifo", ["profiles", "validate", "p.yaml"], {"p.yaml": "fifo"})
    from tools.fuzz_harness import run_case

    outcome = run_case(fifo, root / "fifo-probe", None, 1.0)
    assert outcome.code is None or outcome.code == 2  # killed at the bound, or refused once fixed

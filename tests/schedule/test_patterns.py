"""Pattern types: each one's keys, and ``to_dict`` / ``pattern_from_dict`` giving the same pattern back."""

from __future__ import annotations

import json

import pytest

from suite.profiles.profile import PATTERN_KEYS
from suite.schedule.patterns import (
    PATTERN_TYPES,
    BurstPattern,
    Pattern,
    PoissonPattern,
    RampPattern,
    RampStage,
    SpikePattern,
    SteadyPattern,
    StepPattern,
)
from suite.schedule.stored import pattern_from_dict

EXAMPLES: list[Pattern] = [
    SteadyPattern(1.5, 1800),
    PoissonPattern(2.0, 600),
    BurstPattern(20),
    BurstPattern(5, repeat=3, every_s=60),
    RampPattern((RampStage(300, 4), RampStage(120, 0)), 1),
    SpikePattern(1, 12, 600, 120, 900),
    StepPattern(2, 2, 300, 14),
]


def test_every_type_declares_its_keys() -> None:
    assert PATTERN_TYPES == ("steady", "poisson", "ramp", "spike", "step", "burst")
    assert PATTERN_KEYS == {
        "steady": (("rate_per_min", "duration_s"), ()),
        "poisson": (("rate_per_min", "duration_s"), ()),
        "burst": (("count",), ("repeat", "every_s")),
        "ramp": (("stages",), ("start_rate_per_min",)),
        "spike": (("baseline_rate_per_min", "spike_rate_per_min", "baseline_s", "spike_s", "recovery_s"), ()),
        "step": (("start_rate_per_min", "increment_per_min", "step_duration_s", "max_rate_per_min"), ()),
    }


@pytest.mark.parametrize("pattern", EXAMPLES, ids=lambda p: p.type)
def test_to_dict_reads_back(pattern: Pattern) -> None:
    data = json.loads(json.dumps(pattern.to_dict()))
    assert list(data)[-1] == "type" and data["type"] == pattern.type
    assert set(data) - {"type"} <= {*PATTERN_KEYS[pattern.type][0], *PATTERN_KEYS[pattern.type][1]}
    assert pattern_from_dict(data) == pattern


def test_from_dict_keeps_the_types_rules() -> None:
    with pytest.raises(ValueError, match=r"pattern.every_s: missing; required when repeat > 1"):
        pattern_from_dict({"type": "burst", "count": 2, "repeat": 2, "every_s": None})
    with pytest.raises(ValueError, match=r"pattern.type: 'wave' is not one of steady"):
        pattern_from_dict({"type": "wave"})
    with pytest.raises(ValueError, match=r"pattern.stages\[0\].target_rate_per_min: missing"):
        pattern_from_dict({"type": "ramp", "stages": [{"duration_s": 60}]})

"""The YAML reader's rules hold for any input (hypothesis): it returns plain data or raises one
UsageError whose message is one bounded line starting ``source:line:``; nothing else escapes."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from suite.errors import UsageError
from suite.profiles.profile import parse_profile
from suite.profiles.yamlpos import MAX_DEPTH, decode, load_yaml, to_data

MAX_MESSAGE = 400
TOKENS = [
    "a:", "b: ", " ", "  ", "\n", "- ", "[", "]", "{", "}", ",", ":", "? ", "#x", "&x ", "*x", "<<: *x",
    "!!float ", "!!timestamp ", "!!bool ", "!!binary ", "!!set ", "!!python/name:os.system ", "!x ",
    "'", '"', "|\n", ">\n", "\t", "\x00", "\x07", "\x85", "1e999", "5e-324", "-.inf", ".nan", "9" * 120,
    "2024-02-30", "0x1F", "3:20", "~", "yes", "maybe", "abc", "---\n", "...\n", "\ufeff", "\\u0000",
]  # fmt: skip


def plain(value: Any) -> bool:
    """Only the plain data types, all the way down."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, str | bool | int | float)


def depth(value: Any) -> int:
    if isinstance(value, dict | list):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((depth(c) for c in children), default=0)
    return 0


def holds_the_rules(text: str) -> None:
    try:
        root = load_yaml(text, "f.yaml")
    except UsageError as exc:
        message = str(exc)
        assert message.startswith("f.yaml") and len(message) <= MAX_MESSAGE, message
        assert len(message.splitlines()) == 1, message
        return
    if root is not None:
        data = to_data(root)
        assert plain(data) and depth(data) <= MAX_DEPTH + 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_yaml_made_of_hostile_tokens_is_plain_data_or_one_line(text: str):
    holds_the_rules(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_plain_data_or_one_line(text: str):
    holds_the_rules(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_are_decoded_or_refused_in_one_line(data: bytes):
    try:
        holds_the_rules(decode(data, "f.yaml"))
    except UsageError as exc:
        assert str(exc).startswith("f.yaml:") and len(str(exc).splitlines()) == 1


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([5e-324, 1e-300, 9e-7, 1e-6, 0.0009, 0.001, 1e308, -0.0, 10_000, 10_001]),
)
PATTERNS = {
    "steady": ("rate_per_min", "duration_s"),
    "poisson": ("rate_per_min", "duration_s"),
    "step": ("start_rate_per_min", "increment_per_min", "step_duration_s", "max_rate_per_min"),
    "spike": ("baseline_rate_per_min", "spike_rate_per_min", "baseline_s", "spike_s", "recovery_s"),
    "burst": ("count", "repeat", "every_s"),
}


def yaml_number(x: float) -> str:
    if isinstance(x, float) and math.isnan(x):
        return ".nan"
    if isinstance(x, float) and math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    return repr(x)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(PATTERNS)), st.data())
def test_any_numbers_in_a_pattern_make_a_schedule_or_one_line(kind: str, data: st.DataObject):
    """Sizes are checked before they are built: any numbers either schedule at most max_workflows
    (in a bounded time: the count is computed, never built, before the check) or are one error."""
    fields = {key: data.draw(NUMBERS, label=key) for key in PATTERNS[kind]}
    body = ", ".join(f"{k}: {yaml_number(v)}" for k, v in fields.items())
    text = f"workflow: runner_test\nmax_workflows: 1000\npattern: {{type: {kind}, {body}}}\n"
    try:
        profile = parse_profile(text, path="p.yaml")
    except UsageError as exc:
        assert str(exc).startswith("p.yaml:3: pattern") and len(str(exc)) <= MAX_MESSAGE, str(exc)
        return
    offsets = profile.schedule()
    assert 1 <= len(offsets) <= 1000 and all(math.isfinite(t) and t >= 0 for t in offsets)

"""A damaged workflow file is one error naming it, never a traceback."""

from __future__ import annotations

import pytest

from suite.errors import UsageError
from suite.workflows import parse_workflow


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("jobs: [\n", "w.yml:2: not valid YAML"),
        ("- 1\n", "w.yml: not a workflow (expected a mapping)"),
        ("jobs: [1]\n", "w.yml: not shaped like a workflow"),
        ("on: {workflow_dispatch: {inputs: [1]}}\n", "w.yml: not shaped like a workflow"),
        ("jobs: {a: {needs: 3}}\n", "w.yml: not shaped like a workflow"),
    ],
)
def test_a_damaged_workflow_file_is_one_line(text: str, says: str):
    with pytest.raises(UsageError) as err:
        parse_workflow("w.yml", text)
    assert str(err.value).startswith(says), str(err.value)
    assert len(str(err.value).splitlines()) == 1

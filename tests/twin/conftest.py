"""The twin tests' GitHub client: plain httpx on the twin's loopback URL with its token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from suite.twin.service import Twin


@pytest.fixture
def gh(twin: Twin) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=twin.github_url, headers={"Authorization": f"Bearer {twin.token}"}, timeout=10
    ) as c:
        yield c

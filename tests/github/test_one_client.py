"""Every GitHub request goes through the one client (suite.github): no module outside suite/github/
builds an HTTP client of its own or sends a request with a module-level helper (httpx.get, ...).

The check reads the source (ast), so it covers code no test runs. Tests may build clients."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[2] / "suite"
GITHUB_PACKAGE = SUITE / "github"

# what builds a client or sends a request: per module, the names that do
HTTP_CALLS = {
    "httpx": {
        "Client",
        "AsyncClient",
        "HTTPTransport",
        "AsyncHTTPTransport",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "request",
        "stream",
    },
    "requests": {"get", "post", "put", "patch", "delete", "head", "options", "request", "Session"},
    "urllib.request": {"urlopen", "Request", "build_opener"},
    "http.client": {"HTTPConnection", "HTTPSConnection"},
}

# modules outside suite/github/ that may send HTTP requests, and why: none of them talks to GitHub
ALLOWED = {
    "suite/twin/aws.py": "resets the twin's own moto server (POST /moto-api/reset), not GitHub",
    "suite/export/otlp.py": "sends OTLP/HTTP to the user's OpenTelemetry collector, not GitHub",
    "suite/export/clickhouse_transport.py": "inserts into the user's ClickHouse server, not GitHub",
}


def http_calls(source: str) -> list[tuple[int, str]]:
    """(line, dotted name) of each call that builds an HTTP client or sends a request."""
    tree = ast.parse(source)
    modules: dict[str, str] = {}  # local name -> module (import httpx as h)
    names: dict[str, str] = {}  # local name -> module.name (from httpx import Client as C)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in HTTP_CALLS:  # import httpx [as h]; import urllib.request
                    modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module in HTTP_CALLS:
            for alias in node.names:
                if alias.name in HTTP_CALLS[node.module]:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in names:
            found.append((node.lineno, names[func.id]))
        elif isinstance(func, ast.Attribute):
            owner = ast.unparse(func.value)
            module = modules.get(owner)
            if module in HTTP_CALLS and func.attr in HTTP_CALLS[module]:
                found.append((node.lineno, f"{module}.{func.attr}"))
    return found


def test_no_module_outside_the_github_package_builds_an_http_client() -> None:
    offenders = []
    for path in sorted(SUITE.rglob("*.py")):
        if GITHUB_PACKAGE in path.parents:
            continue
        name = path.relative_to(SUITE.parent).as_posix()
        calls = http_calls(path.read_text(encoding="utf-8"))
        if calls and name not in ALLOWED:
            offenders += [f"{name}:{line}: {call}(...)" for line, call in calls]
    assert not offenders, "HTTP outside suite/github/ (use suite.github.client.GitHubClient):\n" + "\n".join(
        offenders
    )


def test_the_allowed_exceptions_still_exist_and_still_need_it() -> None:
    for name in ALLOWED:
        path = SUITE.parent / name
        assert path.exists() and http_calls(path.read_text(encoding="utf-8")), name


@pytest.mark.parametrize(
    "source",
    [
        "import httpx\nhttpx.get('https://api.github.com/x')",
        "import httpx as h\nc = h.Client(base_url='https://api.github.com')",
        "from httpx import Client as C\nC()",
        "from httpx import post\npost('u')",
        "import urllib.request\nurllib.request.urlopen('https://api.github.com')",
        "import requests\nrequests.get('u')",
    ],
)
def test_the_check_sees_each_way_of_writing_it(source: str) -> None:
    assert http_calls(source)


def test_the_check_leaves_other_calls_alone() -> None:
    assert not http_calls("import httpx\nhttpx.Headers({})\nhttpx.MockTransport(print)\nclient.get('x')")

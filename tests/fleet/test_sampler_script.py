"""terraform/templates/sampler.sh run for real under bash, against a loopback HTTP server that serves
the task metadata endpoint v4's `/task` and `/task/stats` in the shape Fargate answers them
(tests/fixtures/task_metadata/: two readings five seconds apart, two containers and one not started).

The expected lines are computed here from the fixtures by the rule the script states: counters summed
over the containers, memory = usage less inactive page cache, the stamp = the newest `read`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "terraform" / "templates" / "sampler.sh"
FIXTURES = ROOT / "tests" / "fixtures" / "task_metadata"
PREFIX = "/v4/0c2e4d6f-metadata"

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("bash", "curl", "jq", "date")),
    reason="the sampler needs bash, curl, jq and date (the runner image has them)",
)


class MetadataServer:
    """Serves `/task` and, per request in turn, the `/task/stats` answers given (an int: that status)."""

    def __init__(self, stats: list[Any]) -> None:
        self.answers = list(stats)
        self.requests: list[str] = []
        task = (FIXTURES / "task.json").read_bytes()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                if self.path == f"{PREFIX}/task":
                    self._send(200, task)
                elif self.path == f"{PREFIX}/task/stats" and server.answers:
                    answer = server.answers.pop(0)
                    if isinstance(answer, int):
                        self._send(answer, b"{}")
                    else:
                        self._send(200, json.dumps(answer).encode())
                else:
                    self._send(404, b"{}")

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def uri(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}{PREFIX}"


@pytest.fixture
def metadata() -> Iterator[type[MetadataServer]]:
    started: list[MetadataServer] = []

    def make(stats: list[Any]) -> MetadataServer:
        server = MetadataServer(stats)
        server.thread.start()
        started.append(server)
        return server

    yield make  # type: ignore[misc]
    for server in started:
        server.httpd.shutdown()
        server.httpd.server_close()


def _stats(n: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"stats_{n}.json").read_text())
    return data


def _run(uri: str, count: int) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "ECS_CONTAINER_METADATA_URI_V4": uri,
        "SAMPLE_PERIOD_S": "0.01",  # the test checks what is printed, not when
        "SAMPLE_COUNT": str(count),
    }
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _ms(stamp: str) -> int:
    seconds, _, fraction = stamp.rstrip("Z").partition(".")
    whole = datetime.fromisoformat(seconds + "+00:00").timestamp()
    return int(whole) * 1000 + int((fraction + "000")[:3])


def _expected(stats: dict[str, Any]) -> dict[str, Any]:
    containers = [c for c in stats.values() if c is not None]
    memory = 0
    for c in containers:
        m = c["memory_stats"]
        idle = m["stats"]["total_inactive_file"]
        memory += m["usage"] - idle if idle < m["usage"] else m["usage"]
    return {
        "task_id": "0c2e4d6f8a1b3c5d7e9f0a2b4c6d8e0f",
        "timestamp_ms": max(_ms(c["read"]) for c in containers),
        "cpu_ns": sum(c["cpu_stats"]["cpu_usage"]["total_usage"] for c in containers),
        "memory_bytes": memory,
        "cpu_limit_vcpu": 0.5,
        "memory_limit_mib": 1024,
    }


def test_two_periods_print_one_line_each_with_the_tasks_summed_counters(metadata: Any) -> None:
    server = metadata([_stats(1), _stats(2)])
    done = _run(server.uri, count=2)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [json.loads(line) for line in lines] == [_expected(_stats(1)), _expected(_stats(2))]
    assert all(
        line == json.dumps(json.loads(line), separators=(",", ":")) for line in lines
    )  # one compact line
    first, second = (json.loads(line) for line in lines)
    assert first["cpu_ns"] == 41_250_000_000 + 310_000_000  # the runner's and the sampler's own
    assert second["timestamp_ms"] - first["timestamp_ms"] == 5_001  # runner's read .251987654 vs .250123456
    assert server.requests.count(f"{PREFIX}/task") == 1  # the limits are read once: fixed for the task's life
    assert server.requests.count(f"{PREFIX}/task/stats") == 2


def test_a_failed_read_is_skipped_and_the_sampler_goes_on(metadata: Any) -> None:
    server = metadata([_stats(1), 500, _stats(2)])
    done = _run(server.uri, count=3)
    assert done.returncode == 0
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        _expected(_stats(1)),
        _expected(_stats(2)),
    ]
    assert "sampler: task stats not read" in done.stderr


def test_without_a_read_stamp_the_reading_is_stamped_on_the_sampler_clock(metadata: Any) -> None:
    stats = _stats(1)
    for c in stats.values():
        if c is not None:
            c["read"] = "0001-01-01T00:00:00Z"  # Docker's zero time: no reading yet
    server = metadata([stats])
    before = int(time.time() * 1000)
    done = _run(server.uri, count=1)
    after = int(time.time() * 1000)
    (line,) = done.stdout.splitlines()
    got = json.loads(line)
    assert before <= got["timestamp_ms"] <= after
    assert {k: v for k, v in got.items() if k != "timestamp_ms"} == {
        k: v for k, v in _expected(_stats(1)).items() if k != "timestamp_ms"
    }


def test_script_is_valid_bash_and_never_traces() -> None:
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)
    text = SCRIPT.read_text()
    assert "set -x" not in text and "<<<" not in text  # here-strings may need a writable /tmp

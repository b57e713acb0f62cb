"""The live dashboard's server (suite.pipeline.dashboard; docs/architecture.md: Live dashboard): bound to
127.0.0.1 only, the data with an ETag and 304 on If-None-Match, stopped with the run, and a port in use
is one exit-2 line with the fix."""

from __future__ import annotations

import json
import re
import socket
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from suite.cli.main import main
from suite.fleet.environments import local_target
from suite.pipeline.dashboard import DATA_PATH, Dashboard
from suite.pipeline.observer import STATUS_KEYS
from suite.pipeline.run import collect, run_profile
from tests.helpers.twin import start_twin

SMALL = """\
workflow: runner_test
inputs: {sleep_duration: 30, job_count: 1, job_type: parallel}
pattern: {type: steady, rate_per_min: 4, duration_s: 120}
drain_timeout_s: 1800
thresholds: ["workflows.success_rate >= 1"]
"""


def test_it_listens_on_127_0_0_1_only() -> None:
    with Dashboard(0) as dashboard:
        host, port = dashboard.server.server_address[:2]
        assert host == "127.0.0.1" and dashboard.url == f"http://127.0.0.1:{port}/"
        assert httpx.get(dashboard.url).status_code == 200
        # another address of this machine (127.0.0.2 is loopback too, but not the bound one): refused
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.2:{port}/")


def test_the_data_has_an_etag_and_an_unchanged_read_is_a_304() -> None:
    data: dict[str, Any] = {"n": 1}
    with Dashboard(0) as dashboard:
        dashboard.attach(lambda: dict(data))
        url = dashboard.url.rstrip("/") + DATA_PATH
        first = httpx.get(url)
        assert first.status_code == 200 and first.json() == {"n": 1}
        etag = first.headers["etag"]
        same = httpx.get(url, headers={"If-None-Match": etag})
        assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
        assert httpx.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        data["n"] = 2
        changed = httpx.get(url, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.json() == {"n": 2} and changed.headers["etag"] != etag
        # the page reads its data from /data.json; anything else is a 404
        page = httpx.get(dashboard.url)
        assert page.headers["content-type"].startswith("text/html")
        assert '"live_url":"/data.json"' in page.text
        assert httpx.get(dashboard.url + "nothing").status_code == 404


def test_before_the_run_has_an_observer_the_status_is_all_null_but_the_stage() -> None:
    with Dashboard(0) as dashboard:
        status = httpx.get(dashboard.url.rstrip("/") + DATA_PATH).json()["status"]
        assert set(status) == set(STATUS_KEYS) and status["stage"] == "dispatch"
        assert [k for k, v in status.items() if v is not None] == ["stage", "message"]


def test_a_port_in_use_is_one_exit_2_line_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = ["run", "capacity", "--env", "local", f"--dashboard={port}", "--reports", str(tmp_path)]
        assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"port {port} on 127.0.0.1 is in use" in err[0]
    assert "--dashboard=PORT" in err[0] and "Traceback" not in err[0]
    assert not list(tmp_path.iterdir())  # refused before anything was made


def test_the_server_stops_with_the_run_and_with_a_collect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "small.yaml"
    profile.write_text(SMALL)
    twin = start_twin(speed=120.0)
    try:
        target = local_target(twin.state())
        code, rd = run_profile(profile, "local", tmp_path / "reports", target=target, dashboard=0)
        ran = capsys.readouterr().err
        again = collect(rd, target, dashboard=0)  # `suite collect DIR --dashboard`
        collected = capsys.readouterr().err
    finally:
        twin.stop()
    url = r"Live dashboard: (http://127\.0\.0\.1:\d+/) \(served until the {} ends\)"
    m, n = re.search(url.format("run"), ran), re.search(url.format("collection"), collected)
    assert m and n and code == again == 0
    for address in (m[1], n[1]):
        with pytest.raises(httpx.ConnectError):  # nothing lingers on the port
            httpx.get(address)
    assert json.loads((rd / "result.json").read_text())["verdict"] == "pass"


def test_at_the_end_it_waits_for_an_open_pages_next_read_and_only_then() -> None:
    with Dashboard(0) as dashboard:
        dashboard.attach(lambda: {"stage": "done"})
        assert dashboard.last_read(30.0) is False  # no page open: it does not wait at all
        url = dashboard.url.rstrip("/") + DATA_PATH
        httpx.get(url)  # a page is open
        answered: list[bool] = []
        waiter = threading.Thread(target=lambda: answered.append(dashboard.last_read(30.0)))
        waiter.start()
        while waiter.is_alive():  # the page's next read (it reads every 2 s) ends the wait
            httpx.get(url)
            waiter.join(timeout=0.05)
        assert answered == [True]

"""Interrupted runs through the `suite` command, against twins deployed as their own processes (real
time: the process is killed): a run killed with SIGKILL and resumed by `suite collect`, and the token
in no output. Every twin is stopped (and proved gone) by the fixture that deployed it. No kill has to
land inside a time window: each waits for a file condition (ledger rows) or for an answer the test
holds back. The budget preflight and `--force` run through the same CLI in this process, on a twin
with a stepped clock (the limit's reset is an hour away in virtual time)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from suite.cli.main import main as cli_main
from suite.dispatch.dispatcher import NEVER_SENT
from suite.dispatch.preflight import estimate
from suite.fleet import local as fleet_local
from suite.fleet.environments import local_target
from suite.pipeline import run as pipeline_run
from suite.rundir.job_rows import read_run_result
from suite.twin.faults import FaultsConfig
from suite.twin.fleet import FleetConfig
from suite.twin.limits import LimitsConfig
from suite.twin.service import Twin, write_state
from tests.helpers.twin import twin_config

ROOT = Path(__file__).resolve().parents[2]
SPEED = 600.0
WORKFLOWS = 16

# One workflow every 4 minutes on 4 ephemeral runners: a runner's cycle (pickup 1 s, job ~65 s, task
# stop 2 s, cold start <= 90 s) ends before the next job arrives, so a runner is always idle when a job
# arrives and jobs never overlap, even when a dispatch goes out 2.5 virtual minutes late (0.25 s of
# wall-clock jitter x 600 on a busy machine). Queue time is then always the pickup latency and job
# durations come from the seed alone. Jobs last over a minute, so each holds at least one Container
# Insights sample whatever the phase of the minute ticks.
SPACED = f"""\
# Spaced: a runner is always idle, so every per-job figure is set by the seed.
workflow: runner_test
inputs: {{sleep_duration: 60}}
pattern: {{type: steady, rate_per_min: 0.25, duration_s: {WORKFLOWS * 240}}}
seed: 0
drain_timeout_s: 1800
"""


def cli_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # SUITE_STATE_DIR: set per test by conftest
    env.pop("SUITE_ENV", None)
    return env


def suite(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "suite", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_run(profile: Path, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "suite", "run", str(profile)],
        cwd=cwd,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextmanager
def deployed(
    limits: LimitsConfig | None = None, faults: FaultsConfig | None = None, speed: float = SPEED
) -> Iterator[dict[str, Any]]:
    """A fresh twin process (seed 0) with every runner online; stopped and proved gone afterwards."""
    fleet = FleetConfig(runners=4, ephemeral=True, seed=0)
    state = fleet_local.deploy(fleet, speed, idle_timeout_s=120, limits=limits, faults=faults)
    try:
        yield state
    finally:
        assert fleet_local.destroy()


def run_dir(cwd: Path) -> Path:
    (found,) = (cwd / "reports").iterdir()
    return found


def result_of(rd: Path) -> dict[str, Any]:
    result: dict[str, Any] = read_run_result(rd)
    return result


def seq(suite_id: str) -> int:
    return int(suite_id.rsplit("-", 1)[1])


def per_job(result: dict[str, Any]) -> dict[int, tuple[Any, ...]]:
    """seq -> the job's figures that the seed decides (not its absolute times: each twin has its own
    virtual origin; not its runner: which idle runner takes a job depends on whether a replacement
    came online in that virtual second; not its sample count: the minute ticks have their own phase)."""
    return {
        seq(j["suite_id"]): (
            j["id"],
            j["run_id"],
            j["name"],
            j["status"],
            j["conclusion"],
            j["queue_s"],
            j["execution_s"],
        )
        for j in result["per_job"]
    }


def figures(result: dict[str, Any]) -> dict[str, Any]:
    """The figures an interrupted-then-collected run must share with the uninterrupted one.

    Left out, and why: test_run_id (new per run); window, timelines and per-job timestamps (each twin
    has its own virtual origin); dispatch_lag_s, dispatch_lag_real_s and queue_from_schedule_s (how
    late our process sent each dispatch: wall-clock jitter); clock_offset_s (measured from `Date`
    headers, 1 s resolution); mean concurrency, throughput and utilization (exact quantities over the
    window, whose end moves with the last dispatch's lag: see window_figures_hold); resource values
    (Container Insights samples land on minute ticks whose phase differs between twins); runner names
    per job and tasks.started_to_first_job_s (follow the dispatch times); api (the killed process's
    request counters died with it: the resumed run reports the collection's own requests).
    """
    runners = result["runners"]
    tasks = result["tasks"]
    return {
        "tasks": (tasks["count"], tasks["with_jobs"], tasks["cold_start_s"]),
        "workflows": {k: v for k, v in result["workflows"].items()},
        "jobs": result["jobs"],
        "queue_time_s": result["queue_time_s"],
        "execution_time_s": result["execution_time_s"],
        "total_time_s": result["total_time_s"],
        "concurrency.max": result["concurrency"]["max"],
        "runners": (runners["configured"], runners["observed"], runners["busy_runner_s"]),
        "samples": (result["resources"]["jobs_with_samples"], result["resources"]["jobs_without_samples"]),
        "thresholds": [(t["expr"], t["ok"]) for t in result["thresholds"]],
        "verdict": result["verdict"],
        "per_job": per_job(result),
    }


def window_figures_hold(result: dict[str, Any]) -> None:
    """Mean concurrency, throughput and utilization divide exact quantities by the window, which ends
    with the last job: its dispatch lag (wall-clock jitter x 600) moves the end by a few virtual
    seconds between runs. The exact quantities behind them are compared instead."""
    duration = result["window"]["duration_s"]
    busy = result["runners"]["busy_runner_s"]
    assert round(result["concurrency"]["mean"] * duration, 6) == busy
    assert round(result["throughput"]["jobs_per_min"] * duration / 60, 6) == result["jobs"]["count"]
    assert round(result["runners"]["utilization"] * 4 * duration, 6) == busy


def wait_for_ledger(cwd: Path, rows: int, proc: subprocess.Popen[str], timeout_s: float = 300.0) -> Path:
    """The run's ledger once it holds `rows` rows (a file condition, polled; the deadline only says
    when to give up). Fails at once if the run ends first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = list((cwd / "reports").glob("*/ledger.jsonl"))
        if found and len(found[0].read_text().splitlines()) >= rows:
            return found[0]
        if proc.poll() is not None:
            raise AssertionError(f"the run ended (exit {proc.returncode}) before {rows} ledger rows")
        time.sleep(0.01)
    raise AssertionError(f"no ledger with {rows} rows under {cwd / 'reports'} within {timeout_s:.0f} s")


def assert_secret_nowhere(secret: str, texts: list[str], *dirs: Path) -> None:
    """`secret` in no captured output and in no file under `dirs` (run directories, the twin's log)."""
    assert len(secret) >= 16
    for text in texts:
        assert secret not in text
    checked = 0
    for d in dirs:
        for path in d.rglob("*"):
            if path.is_file() and path.name != "twin.json":  # the twin's own state file (0600) holds it
                assert secret.encode() not in path.read_bytes(), path
                checked += 1
    assert checked > 0


def test_sigkill_halfway_then_collect_gives_the_uninterrupted_figures(tmp_path: Path):
    profile = tmp_path / "spaced.yaml"
    profile.write_text(SPACED)

    # the reference: the same profile and seed, uninterrupted, on a fresh twin
    ref_dir = tmp_path / "ref"
    ref_dir.mkdir()
    with deployed():
        r = suite("run", str(profile), cwd=ref_dir)
    assert r.returncode == 0, r.stderr
    ref = result_of(run_dir(ref_dir))
    assert ref["workflows"]["dispatched"] == WORKFLOWS and ref["workflows"]["missing"] == []
    assert ref["queue_time_s"]["max"] == 1.0  # always an idle runner: the pickup latency
    window_figures_hold(ref)

    # killed halfway through its dispatches: what was dispatched is collected, job for job as in the
    # reference; the rest of the schedule was never sent
    half_dir = tmp_path / "half"
    half_dir.mkdir()
    with deployed():
        proc = start_run(profile, half_dir)
        ledger = wait_for_ledger(half_dir, WORKFLOWS // 2, proc)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        rd = ledger.parent
        assert not (rd / "result.json").exists()
        r = suite("collect", str(rd), cwd=half_dir)
        assert r.returncode == 4, r.stdout + r.stderr  # incomplete: part of the schedule was never sent
        assert "report equals truth.json job by job" in r.stdout
    half = result_of(rd)
    dispatched = half["workflows"]["dispatched"]
    assert WORKFLOWS // 2 <= dispatched < WORKFLOWS
    assert half["workflows"]["collected"] == dispatched and half["workflows"]["missing"] == []
    assert per_job(half) == {k: v for k, v in per_job(ref).items() if k <= dispatched}
    assert half["verdict"] == "incomplete" and half["completeness"]["stopped_by"] == "interruption"
    window_figures_hold(half)

    # killed after its last dispatch, while it waited for the runs: `suite collect` gives every figure
    # of the reference
    late_dir = tmp_path / "late"
    late_dir.mkdir()
    with deployed():
        proc = start_run(profile, late_dir)
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith(f"dispatched {WORKFLOWS} workflows"):
                proc.send_signal(signal.SIGKILL)
                break
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        rd = run_dir(late_dir)
        assert not (rd / "result.json").exists() and not (rd / "raw" / "jobs.jsonl").exists()
        r = suite("collect", str(rd), cwd=late_dir)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "report equals truth.json job by job" in r.stdout
        again = suite("collect", str(rd), cwd=late_dir)  # idempotent
        assert again.returncode == 0
    late = result_of(rd)
    assert figures(late) == figures(ref)
    window_figures_hold(late)


def test_preflight_refuses_a_run_that_cannot_fit_and_force_waits_for_the_reset_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    limit = 25  # requests per (virtual) hour: far fewer than the profile needs
    profile = tmp_path / "tight.yaml"
    profile.write_text(
        "# Tight: 20 workflows in 20 minutes.\nworkflow: runner_test\ninputs: {sleep_duration: 30}\n"
        "pattern: {type: steady, rate_per_min: 1, duration_s: 1200}\nseed: 0\ndrain_timeout_s: 1800\n"
    )
    twin = Twin(
        twin_config(
            fleet=FleetConfig(runners=4, ephemeral=True, seed=0), limits=LimitsConfig(primary_per_hour=limit)
        )
    ).start()
    try:
        twin.clock.sleep(95)  # every runner online (cold start <= 90 s), as after `suite deploy`
        target = local_target(twin.state())
        monkeypatch.setattr(pipeline_run, "resolve_target", lambda environment: target)
        monkeypatch.chdir(tmp_path)
        token = twin.token
        core = httpx.get(  # GET /rate_limit does not count
            f"{twin.github_url}/rate_limit", headers={"Authorization": f"Bearer {token}"}
        ).json()["resources"]["core"]
        remaining = core["remaining"]
        need = estimate(20, 1, 1140.0, 1800.0).total
        assert cli_main(["run", str(profile)]) == 2
        refused = capsys.readouterr()
        assert "Traceback" not in refused.err and refused.err.count("\n") == 1
        assert f"needs about {need} counted requests but {remaining} are available" in refused.err
        assert f"({remaining} of {limit} remaining, the limit resets at epoch {core['reset']})" in refused.err
        assert "--force" in refused.err
        assert not (tmp_path / "reports").exists()

        assert cli_main(["run", "--force", str(profile)]) == 0
        forced = capsys.readouterr()
        assert "--force: running anyway" in forced.out
        # the governor waited for the limit to reset, and the progress line said so as it began
        waits = [line.strip() for line in forced.err.splitlines() if line.strip().startswith("API: waiting")]
        assert waits and all("(rate limited (403))" in line and " 0 left" in line for line in waits)
        rd = run_dir(tmp_path)
        result = result_of(rd)
        assert result["api"]["rate_limited"] == len(waits)
        assert result["api"]["waited_s"] >= len(waits) * 1.0
        # and lost nothing: every dispatch went through once, late where it waited
        assert result["workflows"]["dispatched"] == 20 and result["workflows"]["collected"] == 20
        assert result["workflows"]["missing"] == [] and result["workflows"]["not_dispatched"] == []
        truth = json.loads((rd / "truth.json").read_text())
        assert sorted(j["suite_id"] for j in truth["jobs"]) == [f"{rd.name}-{i:05d}" for i in range(1, 21)]
        assert_secret_nowhere(token, [refused.out, refused.err, forced.out, forced.err], rd)
    finally:
        twin.stop()


class HoldingProxy(ThreadingHTTPServer):
    """A reverse proxy on 127.0.0.1 in front of a twin's GitHub API that passes every request on and,
    once the twin has acted on the `hold`-th dispatch, holds that answer back until `release` is set."""

    daemon_threads = True

    def __init__(self, upstream: str, hold: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = upstream
        self.hold = hold
        self.dispatches = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self.count_lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: HoldingProxy
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        answer = httpx.request(
            self.command, self.server.upstream + self.path, headers=headers, content=body, timeout=60
        )
        if self.command == "POST" and self.path.endswith("/dispatches"):
            with self.server.count_lock:
                self.server.dispatches += 1
                hold = self.server.dispatches == self.server.hold
            if hold:  # the twin acted on it; its answer waits for the test
                self.server.held.set()
                self.server.release.wait(120)
        self.send_response(answer.status_code)
        for k, v in answer.headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def holding_proxy(state: dict[str, Any], hold: int) -> Iterator[HoldingProxy]:
    """Route the deployed twin's GitHub API through a HoldingProxy (its state file names the proxy);
    the state file names the twin again on exit."""
    proxy = HoldingProxy(state["github_url"], hold)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    sdir = Path(os.environ["SUITE_STATE_DIR"])
    write_state(sdir, {**state, "github_url": proxy.url})
    try:
        yield proxy
    finally:
        write_state(sdir, state)
        proxy.release.set()
        proxy.shutdown()
        proxy.server_close()


def test_sigkill_while_a_dispatch_is_in_flight_then_collect_accounts_for_it(tmp_path: Path):
    profile = tmp_path / "four.yaml"
    profile.write_text(
        "# Four.\nworkflow: runner_test\ninputs: {sleep_duration: 10}\n"
        "pattern: {type: steady, rate_per_min: 2, duration_s: 120}\nseed: 0\n"
    )
    # the third dispatch's answer is held back (after the twin acted) until the process is killed
    with deployed() as state:
        with holding_proxy(state, hold=3) as proxy:
            proc = start_run(profile, tmp_path)
            deadline = time.monotonic() + 300
            while not proxy.held.wait(0.1):  # the event, or the run's end (then fail at once)
                assert proc.poll() is None and time.monotonic() < deadline, "no third dispatch"
            (inflight,) = (tmp_path / "reports").glob("*/inflight.json")
            assert json.loads(inflight.read_text())["seq"] == 3
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate(timeout=60)
        rd = inflight.parent
        assert inflight.exists() and len((rd / "ledger.jsonl").read_text().splitlines()) == 2
        r = suite("collect", str(rd), cwd=tmp_path)
        assert r.returncode == 4, r.stdout + r.stderr  # incomplete: the 4th dispatch was never sent
        assert f"{rd.name}-00003 was being dispatched when the run stopped: GitHub lists run " in r.stdout
        assert "1 scheduled dispatch(es) never sent (the run stopped first): ledger rows added" in r.stdout
        assert "report equals truth.json job by job" in r.stdout
        assert_secret_nowhere(
            state["token"], [err, r.stdout, r.stderr], rd, Path(os.environ["SUITE_STATE_DIR"])
        )
    assert not inflight.exists()
    ledger = [json.loads(line) for line in (rd / "ledger.jsonl").read_text().splitlines()]
    assert [(row["seq"], row["status"], row.get("reconciled", False)) for row in ledger] == [
        (1, 200, False),
        (2, 200, False),
        (4, None, False),  # never sent: the process was killed before its time (schedule.json)
        (3, 200, True),
    ]
    assert ledger[2]["sent_at"] is None and ledger[2]["error"] == f"not dispatched: {NEVER_SENT}"
    result = result_of(rd)
    assert result["workflows"]["dispatched"] == 3 and result["workflows"]["collected"] == 3
    assert result["workflows"]["missing"] == []
    assert result["dispatch"]["not_dispatched"] == 1
    assert result["workflows"]["not_dispatched"] == [
        {"suite_id": f"{rd.name}-00004", "status": None, "error": f"not dispatched: {NEVER_SENT}"}
    ]
    truth = json.loads((rd / "truth.json").read_text())  # the twin's record: 3 runs, the 4th never sent
    assert sorted(j["suite_id"] for j in truth["jobs"]) == [f"{rd.name}-{i:05d}" for i in (1, 2, 3)]

"""Benchmark dispatch lag in real time: the catalogue's highest finite arrival rate on a real-time twin.

    python tools/bench_dispatch.py [--speed 60] [--bound 0.25]

The slice of that profile's schedule that runs at its peak rate (the spike: 24 dispatches in 2 minutes)
is dispatched to an in-process twin whose clock is wall time x `--speed` (as a deployed twin's), through
the same client, governor and ledger as `suite run`. Dispatch lag in real seconds is
(sent_at - scheduled_at) / speed, as result.json's dispatch_lag_real_s. It prints p50/p99/max and PASS
if p99 < `--bound` real seconds, else FAIL (exit 1). This measures the machine as much as the suite,
so it is a benchmark, not a test: the tests run the twin on a stepped clock, where lag is exact.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from itertools import pairwise
from pathlib import Path

from suite.analyze.result import compute_result
from suite.dispatch.dispatcher import DispatchPlan, run_dispatches
from suite.fleet.clients import github_client
from suite.fleet.environments import local_target
from suite.profiles.profile import Profile, list_profiles
from suite.rundir.jsonio import JsonlAppender, read_jsonl
from suite.schedule.arrivals import build_schedule, peak_rate_per_min
from suite.twin.service import Twin, TwinConfig

ROOT = Path(__file__).resolve().parents[1]


def highest_rate_profile() -> tuple[Profile, float]:
    """The profile with the fastest finite arrival rate (a burst is instantaneous by design)."""
    rates = [(p, peak_rate_per_min(p.pattern)) for p in list_profiles(ROOT / "profiles")]
    return max(((p, r) for p, r in rates if math.isfinite(r)), key=lambda x: x[1])


def peak_slice(profile: Profile, rate: float) -> list[float]:
    """The offsets of the schedule that run at the peak rate, from 0."""
    offsets = build_schedule(profile.pattern, profile.seed)
    peak = [
        o
        for o, g in zip(offsets, [b - a for a, b in pairwise(offsets)], strict=False)
        if g <= 60.0 / rate + 1e-6
    ]
    return [o - peak[0] for o in peak]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python tools/bench_dispatch.py")
    ap.add_argument("--speed", type=float, default=60.0, help="twin clock speed (default 60x)")
    ap.add_argument("--bound", type=float, default=0.25, help="p99 bound in real seconds (default 0.25)")
    args = ap.parse_args(argv)
    profile, rate = highest_rate_profile()
    offsets = peak_slice(profile, rate)
    twin = Twin(TwinConfig(speed=args.speed, idle_timeout_s=300)).start()
    try:
        target = local_target(twin.state())
        plan = DispatchPlan(profile.workflow_file, "main", profile.inputs.dispatch_inputs(), offsets, "lag")
        with tempfile.TemporaryDirectory() as tmp:
            ledger_path = Path(tmp) / "ledger.jsonl"
            with github_client(target) as client, JsonlAppender(ledger_path) as ledger:
                run_dispatches(plan, client, target.clock, ledger, target.clock.now() + 1.0)
            rows = read_jsonl(ledger_path)
    finally:
        twin.stop()
    manifest = {"test_run_id": "lag", "profile": {"name": profile.name}, "clock": {"speed": args.speed}}
    result = compute_result(manifest, rows, [], [], [], [], [])
    real = result["dispatch_lag_real_s"]
    verdict = "PASS" if real["p99"] < args.bound else "FAIL"
    print(
        f"dispatch lag, {profile.name} at {rate:g}/min ({len(rows)} dispatches), twin at {args.speed:g}x: "
        f"p50 {real['p50'] * 1000:.1f} ms, p99 {real['p99'] * 1000:.1f} ms, max {real['max'] * 1000:.1f} ms "
        f"(real); {result['dispatch']['late']} late"
    )
    print(f"{verdict}: p99 {'<' if verdict == 'PASS' else '>='} {args.bound:g} s")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())

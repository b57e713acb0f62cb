"""Run the twin as a background process: `python -m suite.twin.serve --state-dir .suite ...`.

Writes the state file once every part listens, removes it on exit; stops on SIGTERM/SIGINT, after
`--idle-timeout` real seconds without an API request, or when virtual time leaves CloudWatch's range.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from types import FrameType

from suite.twin.app_auth import AppConfig
from suite.twin.faults import FaultsConfig
from suite.twin.fleet import FleetConfig
from suite.twin.limits import LimitsConfig
from suite.twin.service import STATE_FILE, Twin, TwinConfig, write_state


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m suite.twin.serve")
    ap.add_argument("--state-dir", type=Path, required=True)
    ap.add_argument(
        "--config",
        required=True,
        help="TwinConfig as JSON (speed, fleet, idle_timeout_s; optional limits, faults, app, workflows_dir)",
    )
    args = ap.parse_args(argv)
    raw = json.loads(args.config)
    config = TwinConfig(
        speed=float(raw["speed"]),
        fleet=FleetConfig.from_dict(raw["fleet"]),
        idle_timeout_s=float(raw["idle_timeout_s"]),
        limits=LimitsConfig.from_dict(raw.get("limits") or {}),
        faults=FaultsConfig.from_dict(raw.get("faults") or {}),
        app=AppConfig.from_dict(raw["app"]) if raw.get("app") else None,
        clock="virtual",  # other processes read its clock from the state file: wall time x speed
        workflows_dir=raw.get("workflows_dir"),
    )
    twin = Twin(config)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        twin.stopped_reason = f"signal {signum}"
        twin._stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    twin.start()
    write_state(args.state_dir, twin.state())
    print(f"twin: GitHub API {twin.github_url}, AWS {twin.aws.endpoint}, speed {config.speed}x", flush=True)
    try:
        twin.wait()
    finally:
        twin.stop()
        (args.state_dir / STATE_FILE).unlink(missing_ok=True)
        print(f"twin: stopped ({twin.stopped_reason})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

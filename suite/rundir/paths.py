"""Run directory paths: REPORTS/<test_run_id>/ with manifest.json, ledger.jsonl, raw/ and the reports."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


def new_test_run_id(profile: str, wall_time: float) -> str:
    """PROFILE-YYYYMMDDTHHMMSSZ-xxxxxx: the run's name (its directory, and the suite_id prefix)."""
    stamp = datetime.fromtimestamp(wall_time, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{profile}-{stamp}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class RunDir:
    """One run's directory: manifest.json, ledger.jsonl and the reports at the top, raw/ below."""

    path: Path

    @property
    def test_run_id(self) -> str:
        return self.path.name

    @property
    def raw(self) -> Path:
        return self.path / "raw"

    def file(self, name: str) -> Path:
        return self.path / name

    def raw_file(self, name: str) -> Path:
        return self.raw / name

    def create(self) -> RunDir:
        self.raw.mkdir(parents=True, exist_ok=True)
        return self

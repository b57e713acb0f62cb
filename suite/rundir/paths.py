"""Run directory paths: REPORTS/<test_run_id>/ with manifest.json, ledger.jsonl, raw/ and the reports."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

INFLIGHT_FILE = "inflight.json"  # the dispatch being sent (suite.dispatch.dispatcher writes it)
SCHEDULE_FILE = "schedule.json"  # the fixed schedule, written before the first dispatch
MAX_PROFILE_PART = 64  # suite.profiles.schema.MAX_NAME_CHARS: the id stays far below NAME_MAX (255)
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def safe_name_part(name: str) -> str:
    """``name`` as one safe file-name component: [a-z0-9_-] only (anything else becomes ``-``), at
    most MAX_PROFILE_PART characters, never empty, ``.`` or ``..``."""
    part = _UNSAFE.sub("-", name.lower())[:MAX_PROFILE_PART]
    return part or "profile"


def new_test_run_id(profile: str, wall_time: float) -> str:
    """PROFILE-YYYYMMDDTHHMMSSZ-xxxxxx: the run's name (its directory, and the suite_id prefix).

    PROFILE is the profile's name made safe (:func:`safe_name_part`): a valid profile name is kept as
    it is."""
    stamp = datetime.fromtimestamp(wall_time, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{safe_name_part(profile)}-{stamp}-{secrets.token_hex(3)}"


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

"""The run directory contract (DESIGN.md: The run directory): paths and JSON-lines I/O."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO


def new_test_run_id(profile: str, wall_time: float) -> str:
    stamp = datetime.fromtimestamp(wall_time, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{profile}-{stamp}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class RunDir:
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


def write_json(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return list(iter_jsonl(path))


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open() as f:
        for line in f:
            line = line.strip()
            if line:
                yield json.loads(line)


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with tmp.open("w") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


class JsonlAppender:
    """Append one JSON object per line, flushed and fsynced as it happens (the ledger)."""

    def __init__(self, path: Path) -> None:
        self._f: TextIO = path.open("a")

    def append(self, row: dict[str, Any]) -> None:
        self._f.write(json.dumps(row, separators=(",", ":")) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

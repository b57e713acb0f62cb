"""The ledger appender: every row is written and flushed to the OS before append() returns (a killed
process loses nothing appended), while fsync to the disk runs beside the caller, so a slow disk never
holds up the dispatch schedule; close() returns only once everything appended is on the disk."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from suite.dispatch.dispatcher import DispatchPlan, run_dispatches
from suite.fleet.clients import github_client
from suite.fleet.environments import local_target
from suite.rundir.io_errors import RunDirWriteError
from suite.rundir.jsonio import JsonlAppender, read_jsonl
from tests.helpers.twin import start_twin


class BlockingFsync:
    """os.fsync that blocks until released, recording how many bytes the file held when it was called."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.release = threading.Event()
        self.entered = threading.Event()
        self.synced_sizes: list[int] = []
        self._real = os.fsync

    def __call__(self, fd: int) -> None:
        self.entered.set()
        assert self.release.wait(30), "fsync was never released"
        self._real(fd)
        self.synced_sizes.append(self.path.stat().st_size)


def test_append_returns_while_the_disk_is_still_syncing_and_close_waits_for_it(tmp_path, monkeypatch):
    path = tmp_path / "ledger.jsonl"
    fsync = BlockingFsync(path)
    monkeypatch.setattr(os, "fsync", fsync)
    ledger = JsonlAppender(path)
    ledger.append({"seq": 1})
    assert fsync.entered.wait(30)  # the first row's fsync has started and is stuck on the "disk"
    ledger.append({"seq": 2})  # returns all the same: the caller is not held up by the disk
    ledger.append({"seq": 3})
    assert read_jsonl(path) == [{"seq": 1}, {"seq": 2}, {"seq": 3}]  # already in the file, for any reader
    closer = threading.Thread(target=ledger.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive()  # close() waits for the disk
    fsync.release.set()
    closer.join(30)
    assert not closer.is_alive()
    assert fsync.synced_sizes and fsync.synced_sizes[-1] == path.stat().st_size  # saw every row
    assert len(fsync.synced_sizes) <= 3  # rows appended during one fsync share the next one


def test_every_row_is_synced_before_close_returns(tmp_path, monkeypatch):
    path = tmp_path / "ledger.jsonl"
    sizes: list[int] = []
    real = os.fsync

    def recording(fd: int) -> None:
        real(fd)
        sizes.append(path.stat().st_size)

    monkeypatch.setattr(os, "fsync", recording)
    with JsonlAppender(path) as ledger:
        for i in range(200):
            ledger.append({"seq": i, "suite_id": f"x-{i:05d}"})
    assert [r["seq"] for r in read_jsonl(path)] == list(range(200))
    assert sizes and sizes[-1] == path.stat().st_size
    assert sizes == sorted(sizes)


def test_a_failed_fsync_is_raised_to_the_caller_not_lost_in_the_thread(tmp_path, monkeypatch):
    path = tmp_path / "ledger.jsonl"

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing)
    ledger = JsonlAppender(path)
    ledger.append({"seq": 1})
    with pytest.raises(RunDirWriteError, match=r"ledger.jsonl: cannot write: input/output error \(EIO\)"):
        ledger.close()  # one clear error naming the file (exit 3), not a bare OSError
    assert json.loads(path.read_text()) == {"seq": 1}  # what was written stays written


def test_the_sync_thread_ends_with_close(tmp_path):
    before = threading.active_count()
    with JsonlAppender(tmp_path / "ledger.jsonl") as ledger:
        ledger.append({"seq": 1})
    assert threading.active_count() == before
    ledger.close()  # closing twice is harmless


def test_dispatching_goes_on_while_the_disk_has_not_finished_a_single_fsync(tmp_path, monkeypatch):
    """The schedule is kept by the dispatcher, not by the disk: with fsync stuck, every dispatch still
    goes out and its row is in the ledger file; the rows reach the disk once fsync returns."""
    path = tmp_path / "ledger.jsonl"
    fsync = BlockingFsync(path)
    twin = start_twin(speed=60.0)
    try:
        target = local_target(twin.state())
        offsets = [0.0, 5.0, 10.0, 15.0]
        plan = DispatchPlan("runner_test.yml", "main", {"sleep_duration": "1"}, offsets, "disk")
        with github_client(target) as client:
            ledger = JsonlAppender(path)
            monkeypatch.setattr(os, "fsync", fsync)
            accepted = run_dispatches(plan, client, target.clock, ledger, target.clock.now() + 1.0)
            assert fsync.entered.wait(30) and not fsync.release.is_set()
            assert accepted == 4 and [r["seq"] for r in read_jsonl(path)] == [1, 2, 3, 4]
            fsync.release.set()
            ledger.close()
    finally:
        twin.stop()
    assert fsync.synced_sizes[-1] == path.stat().st_size

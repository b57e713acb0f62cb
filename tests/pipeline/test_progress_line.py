"""The progress line of a real run, replayed in an 80-column terminal emulator (pyte): profiles/spike.yaml on
a twin with a stepped clock. The line stays one line (only the screen's last row ever changes; the rows
above it are the finished stages' lines), its counts are current, busy runners are counted against the
configured fleet, and the ETA is in real seconds (docs/architecture.md: Terminal progress)."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pyte
import pytest
from rich.console import Console

from suite.dispatch.preflight import progress_poll_s
from suite.fleet.environments import local_target
from suite.pipeline import run as run_module
from suite.pipeline.progress import Progress
from suite.pipeline.run import run_profile
from suite.profiles.profile import load_profile
from suite.schedule.arrivals import build_schedule
from tests.helpers.twin import start_twin

ROOT = Path(__file__).resolve().parents[2]
SPEED = 10.0  # nominal on the stepped clock: real seconds = clock seconds / 10
COLUMNS = 80
CURRENT_S = 60.0  # the shortest poll interval of the run's clock (docs/architecture.md: Terminal progress)

RUNS = re.compile(
    r"runs (\d+)(?: queued · |q )(\d+)(?: running · |r )(\d+)(?: done|d)(?: · (\d+) not listed yet| (\d+)\?)?"
)
DISPATCH = re.compile(r"^dispatch (\d+)/(\d+)")
ETA = re.compile(r"ETA (\d+)m(\d\d)s")
AGE = re.compile(r"\((\d+) ?s ago\)")
BUSY = re.compile(r"(?:runners (\d+) busy of (\d+) configured|busy (\d+)/(\d+))")


class Terminal(io.TextIOBase):
    """A terminal of COLUMNS x 60 cells: every write is fed to pyte and the screen's non-empty rows kept."""

    def __init__(self) -> None:
        self.screen = pyte.Screen(COLUMNS, 60)
        self.stream = pyte.Stream(self.screen)
        self.frames: list[list[str]] = []

    def write(self, s: str) -> int:
        self.stream.feed(s.replace("\n", "\r\n"))  # what a tty's line discipline does (ONLCR)
        self.frames.append([row.rstrip() for row in self.screen.display if row.strip()])
        return len(s)

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def spike(tmp_path_factory: pytest.TempPathFactory) -> tuple[Terminal, list[float]]:
    term = Terminal()
    console = Console(file=term, force_terminal=True, width=COLUMNS, height=60, color_system="standard")
    patch = pytest.MonkeyPatch()
    # every update drawn (no wall-clock throttle, no refresh thread): what the emulator sees is deterministic
    patch.setattr(
        run_module, "Progress", lambda: Progress(console=console, tty_interval_s=0, auto_refresh=False)
    )
    twin = start_twin(speed=SPEED)
    try:
        run_profile(
            ROOT / "profiles" / "spike.yaml",
            "local",
            tmp_path_factory.mktemp("spike"),
            target=local_target(twin.state()),
        )
    finally:
        twin.stop()
        patch.undo()
    offsets = build_schedule(load_profile(ROOT / "profiles" / "spike.yaml", "local").pattern, 0)
    return term, offsets


def live_rows(term: Terminal) -> list[str]:
    """The live row of every frame that has one (the row below the finished stages' lines)."""
    final = term.frames[-1]
    rows = []
    for frame in term.frames:
        done = 0
        while done < len(frame) and done < len(final) and frame[done] == final[done]:
            done += 1
        if len(frame) > done:
            rows.append(frame[done])
    return rows


def test_the_line_stays_one_line_at_80_columns(spike: tuple[Terminal, list[float]]) -> None:
    term, offsets = spike
    final, n = term.frames[-1], len(offsets)
    assert final[0] == f"dispatched {n} workflows" and final[1].startswith(f"collected {n} runs, {n} jobs")
    for frame in term.frames:
        # the rows above the last are finished lines, in order; at most one live row below them
        finished = frame if frame == final[: len(frame)] else frame[:-1]
        assert finished == final[: len(finished)], frame
        assert len(frame) - len(finished) <= 1
    assert len(live_rows(term)) > n  # a frame per dispatch at least, each of them one row


def test_the_counts_are_current_and_against_the_configured_runners(
    spike: tuple[Terminal, list[float]],
) -> None:
    term, offsets = spike
    # the live observer's polls: 0.25 counted reads per workflow, the runners at every 4th poll
    poll = progress_poll_s(offsets[-1], len(offsets))
    polls = math.ceil(offsets[-1] / poll)
    assert poll >= CURRENT_S and polls + math.ceil(polls / 4) <= 0.25 * len(offsets)
    # the most dispatches in any poll interval of the schedule (the surge: one every 5 s)
    per_poll = max(sum(1 for o in offsets if t <= o < t + poll) for t in offsets)
    frames = [(DISPATCH.match(row), row) for row in live_rows(term)]
    dispatch = [(int(m.group(1)), int(m.group(2)), row) for m, row in frames if m]
    assert dispatch and {total for _, total, _ in dispatch} == {len(offsets)}
    counted = 0
    peak_queued = 0
    for done, _, row in dispatch:
        runs = RUNS.search(row)
        if runs is None:  # before the first poll, a minute in
            assert done <= per_poll, row
            continue
        counted += 1
        q, r, d = (int(runs.group(i)) for i in (1, 2, 3))
        missing = int(runs.group(4) or runs.group(5) or 0)
        assert done - (q + r + d + missing) <= per_poll, row  # polled within the last interval
        peak_queued = max(peak_queued, q)
        age = AGE.search(row)
        assert age and int(age.group(1)) <= poll / SPEED, row  # its age, in real seconds
        busy = BUSY.search(row)
        assert busy, row
        configured = busy.group(2) or busy.group(4)
        assert configured == "4", row  # the configured fleet, not the runners online at that moment
    assert counted >= 20
    assert peak_queued >= 8  # the surge's queue is seen while it builds, not after it
    # the ETA in real seconds: the first frame's ETA is the whole window / 10, not the window
    eta = ETA.search(dispatch[0][2])
    assert eta and 60 * int(eta.group(1)) + int(eta.group(2)) <= offsets[-1] / SPEED + 1

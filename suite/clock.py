"""Clocks. All time in the suite is read and waited through a Clock.

Against real GitHub/AWS the clock is the wall clock. Against a deployed twin it is the twin's
virtual clock: virtual = virtual_origin + (wall - wall_origin) * speed. The parameters live in the
twin's state file, so every process that reads them agrees on virtual time. An in-process twin in
tests runs on a SteppedClock instead: virtual time moves only when every thread that waits on it is
asleep (or a test advances it), so no result depends on how fast the machine is.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

# Real seconds a stepped sleeper waits before it looks again at which threads are still alive (a thread
# that exits tells no one) or whether its stop event was set. Latency only: never decides an outcome.
LIVENESS_S = 0.02


class Clock(Protocol):
    speed: float

    def now(self) -> float:
        """Seconds since the Unix epoch, in this clock's time."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait this many seconds of this clock's time."""
        ...


@dataclass
class WallClock:
    speed: float = 1.0

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass
class VirtualClock:
    """Virtual time running `speed` times faster than the wall clock from a fixed origin."""

    virtual_origin: float
    wall_origin: float
    speed: float

    def now(self) -> float:
        return self.virtual_origin + (time.time() - self.wall_origin) * self.speed

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.speed)

    def to_state(self) -> dict[str, float]:
        return {"virtual_origin": self.virtual_origin, "wall_origin": self.wall_origin, "speed": self.speed}

    @classmethod
    def from_state(cls, state: dict[str, float]) -> VirtualClock:
        return cls(float(state["virtual_origin"]), float(state["wall_origin"]), float(state["speed"]))

    @classmethod
    def starting_at(cls, virtual_origin: float, speed: float) -> VirtualClock:
        return cls(virtual_origin, time.time(), speed)


class SteppedClock:
    """Virtual time that moves only when stepped: by `advance`/`advance_to`, or (auto) as soon as every
    thread that sleeps on it is asleep, straight to the earliest wake-up.

    A thread is one of the clock's actors from its first `sleep` (or `attach`) until it exits. An actor
    is idle while it sleeps, or while it waits for a `lock()` held by an idle actor; time moves only
    when every actor is idle, so it never moves under an actor's HTTP request. On each step the
    listeners run first (the twin's simulator catches up to the new time), then the sleepers due wake.
    `speed` is nominal: what reports divide virtual seconds by to state them in "real" seconds.
    """

    def __init__(self, start: float, speed: float = 1.0, auto: bool = True) -> None:
        self.speed = speed
        self.auto = auto
        self._now = float(start)
        self._cond = threading.Condition()
        self._wake: dict[threading.Thread, float | None] = {}  # actor -> wake-up (None: running)
        self._blocked: dict[threading.Thread, _SteppedLock] = {}  # threads waiting for a clock lock
        self._listeners: list[Callable[[float], None]] = []
        self._stepping = False
        self._awaiting: set[threading.Thread] = set()  # threads waiting for an HTTP answer (awaiting)
        self._delaying: set[threading.Thread] = set()  # threads delaying an answer (delay)

    def now(self) -> float:
        return self._now

    def add_listener(self, listener: Callable[[float], None]) -> None:
        """Call `listener(t)` on every step to t, before any sleeper wakes."""
        with self._cond:
            self._listeners.append(listener)

    def attach(self, thread: threading.Thread) -> None:
        """Count `thread` (started or not) as an actor, running, from now on: before its first sleep."""
        with self._cond:
            self._wake.setdefault(thread, None)

    def sleep(self, seconds: float) -> None:
        """Sleep `seconds` of virtual time."""
        self.sleep_unless(seconds, None)

    def sleep_unless(self, seconds: float, stop: threading.Event | None) -> bool:
        """Sleep `seconds` of virtual time, or until `stop` is set; True if `stop` is set."""
        me = threading.current_thread()
        with self._cond:
            self._wake.setdefault(me, None)
            if seconds > 0:
                self._wake[me] = self._now + seconds
                self._cond.notify_all()
            while self._wake[me] is not None:
                if stop is not None and stop.is_set():
                    self._wake[me] = None
                elif self.auto and self._may_step(me, running_ok=False):
                    self._step(None)
                else:
                    self._cond.wait(LIVENESS_S)
        return stop is not None and stop.is_set()

    @contextmanager
    def awaiting(self) -> Iterator[None]:
        """Mark this thread as waiting for an answer (an HTTP request in flight): it holds time still,
        unless its answer is being delayed (`delay`), see `_may_step`."""
        me = threading.current_thread()
        with self._cond:
            self._awaiting.add(me)
        try:
            yield
        finally:
            with self._cond:
                self._awaiting.discard(me)
                self._cond.notify_all()

    def delay(self, seconds: float) -> None:
        """Sleep `seconds` of virtual time delaying an answer (the twin's latency). While it sleeps, a
        thread `awaiting` an answer counts as idle, so time moves to the answer's time; the delaying
        thread is no actor before or after (a server thread waits for its next request unseen)."""
        if seconds <= 0:
            return
        me = threading.current_thread()
        with self._cond:
            fresh = me not in self._wake
            self._wake[me] = self._now + seconds
            self._delaying.add(me)
            self._cond.notify_all()
            while self._wake[me] is not None:
                if self.auto and self._may_step(me, running_ok=False):
                    self._step(None)
                else:
                    self._cond.wait(LIVENESS_S)
            self._delaying.discard(me)
            if fresh:
                del self._wake[me]
            self._cond.notify_all()

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, waking each sleeper due on the way (see `advance_to`)."""
        self.advance_to(self._now + seconds)

    def advance_to(self, t: float) -> None:
        """Move time to `t` in steps: at each sleeper's wake-up on the way, then at `t`. Each step waits
        until every other actor is idle, so what the woken threads do happens at their time."""
        me = threading.current_thread()
        with self._cond:
            while self._now < t:
                if self._may_step(me, running_ok=True):
                    self._step(t)
                else:
                    self._cond.wait(LIVENESS_S)

    def lock(self) -> _SteppedLock:
        """A reentrant lock whose waiters count as idle while an idle actor holds it."""
        return _SteppedLock(self)

    def _may_step(self, me: threading.Thread, running_ok: bool) -> bool:
        """Every actor idle (`me` too unless `running_ok`) and no step under way. Holds the condition."""
        if self._stepping:
            return False
        for thread in [t for t in self._wake if t.ident is not None and not t.is_alive()]:
            del self._wake[thread]
        # actors waiting for an answer are idle when as many answers are being delayed (requests are
        # serial per client: each delayed answer is one of theirs), else a request in flight holds time
        waiting = [t for t in self._awaiting if t in self._wake and self._wake[t] is None]
        delayed = sum(1 for t in self._delaying if self._wake.get(t) is not None)
        answers_delayed = bool(waiting) and delayed >= len(waiting)
        for thread, wake in self._wake.items():
            if wake is not None or (running_ok and thread is me):
                continue
            if answers_delayed and thread in self._awaiting:
                continue
            lock = self._blocked.get(thread)
            if lock is None or lock.owner not in self._wake:
                return False
        return True

    def _step(self, limit: float | None) -> None:
        """Move to the earliest wake-up (or `limit`), run the listeners, wake who is due. Holds the
        condition, released while the listeners run (sleepers stay asleep until the step ends)."""
        due = [w for w in self._wake.values() if w is not None]
        if limit is not None:
            due.append(limit)
        if not due:
            return
        t = max(self._now, min(due))
        self._stepping = True
        self._now = t
        listeners = list(self._listeners)
        self._cond.release()
        try:
            for listener in listeners:
                listener(t)
        finally:
            self._cond.acquire()
            self._stepping = False
            for thread, wake in self._wake.items():
                if wake is not None and wake <= t:
                    self._wake[thread] = None
            self._cond.notify_all()


class _SteppedLock:
    """Reentrant, handed straight to the next waiter on release, so a waiter is never idle while the
    lock is free."""

    def __init__(self, clock: SteppedClock) -> None:
        self._clock = clock
        self.owner: threading.Thread | None = None
        self._count = 0
        self._waiters: deque[threading.Thread] = deque()

    def acquire(self) -> bool:
        me = threading.current_thread()
        cond = self._clock._cond
        with cond:
            if self.owner is me:
                self._count += 1
                return True
            if self.owner is None:
                self.owner, self._count = me, 1
                return True
            self._waiters.append(me)
            self._clock._blocked[me] = self
            cond.notify_all()
            while self.owner is not me:
                cond.wait(LIVENESS_S)
            return True

    def release(self) -> None:
        cond = self._clock._cond
        with cond:
            if self.owner is not threading.current_thread():
                raise RuntimeError("release of a lock this thread does not hold")
            self._count -= 1
            if self._count:
                return
            self.owner = None
            if self._waiters:
                self.owner, self._count = self._waiters.popleft(), 1
                del self._clock._blocked[self.owner]
                cond.notify_all()

    def __enter__(self) -> _SteppedLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def clock_lock(clock: Clock) -> AbstractContextManager[Any]:
    """A reentrant lock for code that sleeps on `clock` while holding it (the governor)."""
    return clock.lock() if isinstance(clock, SteppedClock) else threading.RLock()


def awaiting_answer(clock: Clock) -> AbstractContextManager[Any]:
    """Around an HTTP request on `clock`: on a stepped clock, time may move while its answer is delayed."""
    return clock.awaiting() if isinstance(clock, SteppedClock) else nullcontext()


def delay_answer(clock: Clock, seconds: float) -> None:
    """Delay an answer by `seconds` of `clock` time (the twin's latency; see SteppedClock.delay)."""
    if isinstance(clock, SteppedClock):
        clock.delay(seconds)
    else:
        clock.sleep(seconds)


def wait_event(clock: Clock, event: threading.Event, seconds: float) -> bool:
    """Wait `seconds` of `clock` time or until `event` is set; True if it is set."""
    if isinstance(clock, SteppedClock):
        return clock.sleep_unless(seconds, event)
    return event.wait(seconds / clock.speed)


def start_thread(clock: Clock, target: Callable[[], None], name: str) -> threading.Thread:
    """Start a daemon thread that waits on `clock`. A stepped clock counts it and the thread starting it
    as actors from now on: neither's first sleep can find the other not yet counted."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    if isinstance(clock, SteppedClock):
        clock.attach(threading.current_thread())
        clock.attach(thread)
    thread.start()
    return thread


def sleep_until(clock: Clock, t: float) -> None:
    clock.sleep(t - clock.now())


def iso(t: float) -> str:
    """GitHub-style timestamp (UTC, 1 s resolution): 2026-11-22T10:00:00Z."""
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(t: float) -> str:
    """Timestamp with milliseconds, for the suite's own records (ledger)."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

"""suite.pipeline.background: a stage of the analysis in a forked child process, or inline.

The fork cases run in a fresh interpreter (a subprocess): fork is refused while other Python threads
are alive, and a test process may hold some (the twin's servers), so only there is the fork certain.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from suite.pipeline.background import CHILD_NICE, Background, can_fork

ROOT = Path(__file__).resolve().parents[2]

FORKED = textwrap.dedent(
    """
    import json, os, signal, sys
    sys.path[:0] = [sys.argv[1]]
    import numpy as np
    from suite.pipeline.background import Background, can_fork
    from suite.pipeline.analysis import analyze
    from tools.bench import Synthetic

    parent = os.getpid()
    out = {"can_fork": can_fork()}
    job = Background(os.getpid, fork=True)
    out["forked"], out["child_pid_differs"] = job.forked, job.result() != parent
    out["child_nicer_by"] = Background(lambda: os.nice(0), fork=True).result() - os.nice(0)

    rows = iter(range(10))  # one-shot: read by the child only
    out["child_sum"] = Background(lambda: sum(rows), fork=True).result()
    out["parent_rows_left"] = list(rows)

    try:
        Background(lambda: {}["task_id"], fork=True).result()
    except KeyError as exc:
        out["raised"] = ["KeyError", str(exc)]

    def fail():
        class Local(Exception):  # a class pickle cannot find again: sent as RuntimeError with its text
            pass

        raise Local("no sample")

    try:
        Background(fail, fork=True).result()
    except RuntimeError as exc:
        out["unpicklable"] = str(exc)

    def die_in_child():
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return "built here"

    out["after_child_died"] = Background(die_in_child, fork=True).result()

    syn = Synthetic(jobs=3000, runners=8, seed=5)
    forked, here = analyze(**syn.inputs(), parallel=True), analyze(**syn.inputs(), parallel=False)
    same = True
    for key in ("task_usage", "timeline", "per_task", "per_runner", "dispatches"):  # columns: compared apart
        cols, cols_here = forked.pop(key), here.pop(key)
        same = same and cols.keys() == cols_here.keys() and all(
            np.array_equal(np.asarray(cols[k]), np.asarray(cols_here[k]),
                           equal_nan=np.asarray(cols[k]).dtype.kind == "f") for k in cols
        )  # fmt: skip
    out["same_result"] = same and forked == here
    out["children_ran"] = os.times().children_user + os.times().children_system > 0
    print(json.dumps(out))
    """
)


@pytest.mark.skipif(
    sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2, reason="forks on Linux with 2+ cores"
)
def test_forked_child_answers_raises_and_falls_back() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FORKED, str(ROOT)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["can_fork"] and out["forked"] and out["child_pid_differs"]
    assert out["child_nicer_by"] == min(CHILD_NICE, 19 - os.nice(0))  # yields to the parent's readers
    assert out["child_sum"] == 45 and out["parent_rows_left"] == list(range(10))
    assert out["raised"] == ["KeyError", "'task_id'"]
    assert out["unpicklable"] == "Local: no sample"
    assert out["after_child_died"] == "built here"
    assert out["same_result"] and out["children_ran"]


def test_inline_while_another_thread_is_alive() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        job = Background(os.getpid, fork=True)
        assert not job.forked and job.result() == os.getpid()
    finally:
        stop.set()
        other.join()


def test_inline_when_not_asked_to_fork() -> None:
    rows = iter(range(4))
    job = Background(lambda: sum(rows), fork=False)
    assert not job.forked and list(rows) == [0, 1, 2, 3]  # nothing read before result()
    with pytest.raises(KeyError):
        Background(lambda: {}["x"], fork=False).result()

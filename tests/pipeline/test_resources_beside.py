"""The CPU/memory join runs in a thread beside the rest of the analysis (suite.pipeline.analysis passes
result_of a `beside` that submits it to a thread): the result is the one result_of gives doing it when
asked (its default), and the join did run in that thread."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from suite.analyze import result as result_module
from suite.analyze.result import compute_result
from suite.pipeline.analysis import analyze
from suite.rundir.result_schema import IN_MEMORY_KEYS
from tools.bench import Synthetic


def test_the_join_in_a_thread_gives_the_result_of_the_join_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[str] = []
    real = result_module.resources_of

    def recorded(*a: Any, **k: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*a, **k)

    monkeypatch.setattr(result_module, "resources_of", recorded)
    syn = Synthetic(jobs=2000, runners=6, seed=3)
    beside = analyze(**syn.inputs(), parallel=False)
    asked = compute_result(**syn.inputs())
    assert threads[0].startswith("resources") and threads[1] == threading.main_thread().name
    for key in IN_MEMORY_KEYS:
        if key != "per_job":
            beside.pop(key, None), asked.pop(key, None)
    per_job, per_job_asked = beside.pop("per_job"), asked.pop("per_job")
    assert beside == asked
    assert len(per_job) == len(per_job_asked) == beside["jobs"]["count"]
    for k in ("cpu_max", "memory_mean_pct", "resource_reason", "resource_source", "samples"):
        got, want = per_job.column(k), per_job_asked.column(k)
        assert np.array_equal(np.asarray(got, dtype=object), np.asarray(want, dtype=object))

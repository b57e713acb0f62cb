"""suite.gates.verdict: the four verdicts, their precedence, the samples a statistic needs, exit codes."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from suite.errors import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_PASS
from suite.gates.thresholds import evaluate_all
from suite.gates.verdict import (
    FAIL,
    INCOMPLETE,
    INCONCLUSIVE,
    PASS,
    exit_code,
    judge_thresholds,
    needed_samples,
    verdict,
)


def dist(count: int, value: float | None = 10.0) -> dict[str, Any]:
    v = value if count else None
    return {"count": count, **{k: v for k in ("min", "mean", "p50", "p90", "p95", "p99", "max")}}


def result(
    *,
    jobs: int | None = 45,
    missing: int = 0,
    collected: bool = True,
    never_sent: int = 0,
    aborted: str | None = None,
    queue_count: int = 45,
) -> dict[str, Any]:
    """A result with only what the verdict reads: 45 scheduled, `never_sent` of them never sent."""
    stopped_by = None if not never_sent else ("abort_on_fail" if aborted else "interruption")
    return {
        "workflows": {
            "dispatched": 45 - never_sent,
            "missing": [{"suite_id": f"wf-{i}", "reason": "gone"} for i in range(missing)],
        },
        "jobs": {"count": jobs},
        "queue_time_s": dist(queue_count),
        "concurrency": {"max": 4},
        "runners": {"configured": 4},
        "dispatch": {"aborted": {"threshold": aborted, "at": "t", "reason": "broke"} if aborted else None},
        "completeness": {
            "scheduled": 45,
            "sent": 45 - never_sent,
            "never_sent": never_sent,
            "stopped_by": stopped_by,
            "collected": collected,
            "not_collected_why": None if collected else "raw/jobs.jsonl absent",
        },
        "reasons": {},
    }


def decide(r: dict[str, Any], exprs: list[Any], run_dir: str | None = None) -> tuple[str, list[str]]:
    return verdict(r, judge_thresholds(evaluate_all(exprs, r), r), run_dir)


def test_needed_samples_exact_values():
    assert [needed_samples(s) for s in ("p50", "p90", "p95", "p99")] == [2, 10, 20, 100]
    assert [needed_samples(s) for s in ("min", "mean", "max", "count")] == [1, 1, 1, 0]


@given(st.integers(1, 99))
def test_a_percentile_needs_the_fewest_samples_that_expect_one_above_it(n: int):
    q = n / 100
    need = needed_samples(f"p{n}")
    assert need * (1 - q) >= 1 - 1e-9  # with `need` samples, one is expected above pN
    assert (need - 1) * (1 - q) < 1 - 1e-9  # with one fewer, less than one
    assert need == math.ceil(round(1 / (1 - q), 9))


def test_pass():
    assert decide(result(), ["queue_time_s.p95 < 120", "concurrency.max <= runners.configured"]) == (PASS, [])
    assert decide(result(), []) == (PASS, [])  # measured, nothing missing, no threshold


def test_fail_on_a_threshold_or_a_missing_workflow():
    v, why = decide(result(), ["queue_time_s.p95 < 5"])
    assert (v, why) == (FAIL, ["threshold `queue_time_s.p95 < 5` failed (value 10)"])
    v, why = decide(result(missing=3), [])  # no threshold reads the success rate: still not pass
    assert (v, why) == (FAIL, ["3 of 45 dispatched workflow(s) missing after collection"])


def test_inconclusive_on_a_null_figure_too_few_samples_or_nothing_measured():
    r = result(queue_count=0)
    v, why = decide(r, ["queue_time_s.max < 5"])
    assert v == INCONCLUSIVE and why == [
        "threshold `queue_time_s.max < 5` could not be judged: queue_time_s.max is null (not observed)"
    ]
    # p95 over 19 samples (it needs 20): inconclusive whether the figure passes or fails
    for expr in ("queue_time_s.p95 < 120", "queue_time_s.p95 < 5"):
        v, why = decide(result(queue_count=19), [expr])
        assert v == INCONCLUSIVE
        assert why == [
            f"threshold `{expr}` could not be judged: queue_time_s.p95 is over 19 sample(s); "
            "a p95 needs at least 20"
        ]
    assert decide(result(queue_count=20), ["queue_time_s.p95 < 120"])[0] == PASS
    assert decide(result(queue_count=1), ["queue_time_s.max < 120"])[0] == PASS  # max: one sample
    v, why = decide(result(jobs=0), [])
    assert (v, why) == (INCONCLUSIVE, ["nothing measured: no job of this test was collected"])


def test_judged_rows_say_their_status_and_an_inconclusive_one_is_not_ok():
    r = result(queue_count=3)
    rows = judge_thresholds(evaluate_all(["queue_time_s.p95 < 120", "queue_time_s.max < 5"], r), r)
    assert [(t["status"], t["ok"]) for t in rows] == [(INCONCLUSIVE, False), (FAIL, False)]
    assert (rows[0]["sampled"], rows[0]["samples"], rows[0]["needs"]) == ("queue_time_s.p95", 3, 20)


def test_incomplete_when_interrupted_or_not_collected():
    v, why = decide(result(never_sent=29), [])
    assert v == INCOMPLETE and why == [
        "interrupted: 16 of 45 scheduled dispatches sent before the run stopped (29 never sent); "
        "the figures cover part of the load"
    ]
    v, why = decide(result(collected=False, jobs=None), [], run_dir="/x/reports/capacity-1")
    assert (v, why) == (
        INCOMPLETE,
        ["not collected (raw/jobs.jsonl absent): run `suite collect /x/reports/capacity-1`"],
    )


def test_an_abort_on_fail_stop_is_a_failure_not_an_interruption():
    expr = "queue_time_s.p95 < 240"
    r = result(never_sent=29, aborted=expr, queue_count=5)  # too few samples, but it stopped the run
    v, why = decide(r, [{"expr": expr, "abort_on_fail": True}])
    assert v == FAIL and why == [f"threshold `{expr}` failed (value 10): aborted the run at t: broke"]


def test_precedence_incomplete_over_fail_over_inconclusive_and_every_reason_listed():
    r = result(never_sent=29, missing=2, queue_count=3)
    v, why = decide(r, ["queue_time_s.p95 < 120"])
    assert v == INCOMPLETE
    assert [w.split(":")[0].split(" ")[0] for w in why] == ["interrupted", "2", "threshold"]


@given(
    interrupted=st.booleans(),
    failing=st.booleans(),
    missing=st.integers(0, 3),
    undersampled=st.booleans(),
    nothing=st.booleans(),
    collected=st.booleans(),
)
def test_the_verdict_is_the_highest_level_present(
    interrupted: bool, failing: bool, missing: int, undersampled: bool, nothing: bool, collected: bool
):
    r = result(
        never_sent=10 if interrupted else 0,
        missing=missing,
        queue_count=5 if undersampled else 45,
        jobs=0 if nothing else 45,
        collected=collected,
    )
    exprs = ["queue_time_s.p95 < 120"] + (["queue_time_s.max < 1"] if failing else [])
    v, why = decide(r, exprs)
    if interrupted or not collected:
        want = INCOMPLETE
    elif failing or missing:
        want = FAIL
    elif undersampled or nothing:
        want = INCONCLUSIVE
    else:
        want = PASS
    assert v == want
    assert (why == []) == (v == PASS)
    assert exit_code(v) == {PASS: EXIT_PASS, FAIL: 1, INCONCLUSIVE: 1, INCOMPLETE: 4}[v]


def test_exit_codes():
    assert [exit_code(v) for v in (PASS, FAIL, INCONCLUSIVE, INCOMPLETE)] == [0, 1, 1, 4]
    assert EXIT_INCOMPLETE == 4 and exit_code(None) == EXIT_FAILED == exit_code("weird")

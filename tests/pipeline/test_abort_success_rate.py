"""abort_on_fail on the workflow success rate: judged as it stands over finished workflows on the live
page, and a definite failure only when no outcome of the workflows still to finish could make it pass."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from suite.gates.thresholds import Threshold, evaluate
from suite.pipeline.abort import AbortCheck, as_it_stands, could_still_pass

EXPR = "workflows.success_rate >= 0.99"


class StillClock:
    speed = 1.0

    def now(self) -> float:
        return 0.0


def partial(dispatched: int, succeeded: int, failed: int) -> dict:
    wf = {"dispatched": dispatched, "collected": succeeded + failed, "succeeded": succeeded, "failed": failed}
    return as_it_stands({"workflows": wf, "queue_time_s": {"count": succeeded + failed}})


def test_the_rate_as_it_stands_is_over_finished_workflows() -> None:
    assert partial(10, 3, 1)["workflows"]["success_rate"] == 0.75
    assert partial(10, 0, 0)["workflows"]["success_rate"] is None  # nothing finished: not yet known


def test_one_failure_aborts_a_45_workflow_run_but_not_a_200_workflow_one() -> None:
    result = partial(10, 9, 1)
    assert evaluate(EXPR, result)["ok"] is False  # as it stands: 0.9
    assert could_still_pass(EXPR, result, 45) is False  # at best 44/45 = 0.978
    assert could_still_pass(EXPR, result, 200) is True  # 199/200 = 0.995 is still possible
    for scheduled, aborts in ((45, True), (200, False)):
        check = AbortCheck([Threshold(EXPR, True)], StillClock())  # type: ignore[arg-type]
        check.check(result, 0.0, scheduled)
        assert (check.should_stop() is not None) is aborts


def test_other_thresholds_are_judged_on_the_figure_as_it_stands() -> None:
    assert could_still_pass("queue_time_s.p95 < 120", partial(10, 9, 1), 45) is False


@given(
    scheduled=st.integers(1, 300),
    data=st.data(),
    op_limit=st.sampled_from([(">=", 0.99), (">", 0.5), ("<", 0.9), ("<=", 1.0), (">=", 0.0)]),
)
def test_a_definite_failure_fails_at_every_final_outcome(
    scheduled: int, data: st.DataObject, op_limit
) -> None:
    op, limit = op_limit
    expr = f"workflows.success_rate {op} {limit}"
    dispatched = data.draw(st.integers(1, scheduled))
    succeeded = data.draw(st.integers(0, dispatched))
    failed = data.draw(st.integers(0, dispatched - succeeded))
    if could_still_pass(expr, partial(dispatched, succeeded, failed), scheduled):
        return
    # every way the rest can end: from succeeded to scheduled - failed workflows succeeded in all
    for final in range(succeeded, scheduled - failed + 1):
        assert evaluate(expr, {"workflows": {"success_rate": final / scheduled}})["ok"] is False

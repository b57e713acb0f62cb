"""compare: execution and total time are times of work that succeeded; when too few succeeded and the
failure rate is better or worse, they are "not comparable" and the failure rate decides (docs/architecture.md,
`suite compare`)."""

from __future__ import annotations

from pathlib import Path

from suite.decisions.compare.core import compare_samples
from suite.decisions.compare.samples import METRIC_KEYS, RunSamples, samples_from_result


def _run(name: str, samples: dict[str, list[float]]) -> RunSamples:
    full = {k: samples.get(k, []) for k in METRIC_KEYS}
    return RunSamples(Path(name), name, {"name": "p"}, "local", {}, "pass", full)


def _job(i: int, conclusion: str, execution: float) -> dict:
    t0 = 1_800_000_000 + 100 * i
    stamp = lambda t: f"2027-01-15T08:{(t // 60) % 60:02d}:{t % 60:02d}Z"  # noqa: E731
    return {
        "id": i,
        "run_id": i,
        "queue_s": 1.0,
        "execution_s": execution,
        "conclusion": conclusion,
        "created": stamp(t0),
        "started": stamp(t0 + 1),
        "completed": stamp(t0 + 1 + int(execution)),
    }


def test_execution_samples_are_jobs_that_succeeded_and_totals_runs_without_a_failure() -> None:
    jobs = [_job(0, "success", 40), _job(1, "failure", 9), _job(2, "neutral", 42), _job(3, "cancelled", 3)]
    samples = samples_from_result({"per_job": jobs}, {})
    assert samples["execution_time_s"] == [40.0, 42.0]
    assert len(samples["total_time_s"]) == 2  # the runs of jobs 0 and 2
    assert samples["failure_rate"] == [0.0, 1.0, 0.0, 1.0]


def test_the_failure_rate_decides_when_no_job_succeeded_before() -> None:
    base = _run("a", {"failure_rate": [1.0] * 8, "queue_time_s": [1.0] * 8})
    cand = _run(
        "b",
        {
            "failure_rate": [0.0] * 8,
            "queue_time_s": [1.0] * 8,
            "execution_time_s": [42.0] * 8,
            "total_time_s": [43.0] * 8,
        },
    )
    c = compare_samples(base, cand, [])
    assert c.metric("failure_rate").verdict == "better"
    assert c.metric("execution_time_s").verdict == "not comparable"
    assert "failure rate is better" in c.metric("execution_time_s").reason
    assert c.verdict == "better" and not c.failed
    back = compare_samples(cand, base, [])
    assert back.metric("failure_rate").verdict == "worse" and back.verdict == "regression"


def test_without_a_failure_rate_decision_too_few_samples_stay_inconclusive() -> None:
    few = {"failure_rate": [0.0] * 3, "execution_time_s": [40.0] * 3, "queue_time_s": [1.0] * 3}
    c = compare_samples(_run("a", few), _run("b", few), [])
    assert c.metric("execution_time_s").verdict == "inconclusive"
    assert c.verdict == "inconclusive" and c.failed

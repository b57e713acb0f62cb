import pytest

from suite.analyze.fleet import little_law, per_runner, runners, throughput
from tests.helpers.analyze_records import Job, job_arrays
from tests.helpers.item_rows import item_rows


def mkjob(id, runner, start, end):
    return Job(id, 1, 1, "build", runner, "completed", "success", start, start, end)


JOBS = job_arrays([mkjob(1, "r1", 0, 50), mkjob(2, "r1", 50, 100), mkjob(3, "r2", 20, 70)])


def test_utilization_uses_configured_count_not_observed():
    reasons: dict[str, str] = {}
    r, per = runners(JOBS, 4, (0.0, 100.0), [], reasons)
    assert r["configured"] == 4
    assert r["observed"] == 2
    assert r["busy_runner_s"] == 150.0
    assert r["utilization"] == 150.0 / (4 * 100.0)  # 0.375, not 150 / (2 * 100)
    assert item_rows(per) == [
        {"runner_name": "r1", "jobs": 2, "busy_s": 100.0, "utilization": 1.0},
        {"runner_name": "r2", "jobs": 1, "busy_s": 50.0, "utilization": 0.5},
    ]
    assert reasons == {}


def test_unknown_configured_count_is_null_with_reason_not_observed():
    reasons: dict[str, str] = {}
    r, _ = runners(JOBS, None, (0.0, 100.0), [], reasons)
    assert r["configured"] is None and r["utilization"] is None and r["observed"] == 2
    assert "runners.configured" in reasons and "runners.utilization" in reasons


def test_busy_time_clipped_to_window():
    rows = item_rows(per_runner(job_arrays([mkjob(1, "r1", -10, 10)]), (0.0, 20.0)))
    assert rows[0]["busy_s"] == 10.0 and rows[0]["utilization"] == 0.5


def test_registered_runners_from_snapshots():
    snaps = [{"time": "x", "runners": [{"name": "r1"}, {"name": "r9"}]}, {"name": "r1", "status": "online"}]
    assert runners(JOBS, 4, (0.0, 100.0), snaps, {})[0]["registered_seen"] == 2


def test_registered_runners_are_the_fleets_by_label():
    """A repository may hold runners of other fleets: only those carrying every fleet label count
    (case-insensitive, as GitHub matches runs-on)."""

    def runner(name, *labels):
        return {"name": name, "labels": [{"name": x} for x in labels]}

    snaps = [
        {"runners": [runner("a", "self-hosted", "OpenShift"), runner("b", "self-hosted"), runner("c")]},
        {
            "runners": [
                runner("d", "openshift", "self-hosted", "x64"),
                runner("a", "self-hosted", "openshift"),
            ]
        },
    ]
    count = lambda labels: runners(JOBS, 4, (0.0, 100.0), snaps, {}, labels)[0]["registered_seen"]  # noqa: E731
    assert count(["self-hosted", "openshift"]) == 2  # a and d
    assert count(["self-hosted"]) == 3
    assert count([]) == 4  # no labels configured: every runner listed
    assert count(["gpu"]) == 0


def test_throughput_per_minute_buckets():
    jobs = [mkjob(1, "r1", 0, 30), mkjob(2, "r1", 30, 90), mkjob(3, "r2", 60, 150)]
    t = throughput(job_arrays(jobs), (0.0, 150.0), {})
    assert t["completed"] == 3
    assert t["jobs_per_min"] == 3 / 2.5
    assert [(m["started"], m["completed"]) for m in t["per_minute"]] == [(2, 1), (1, 1), (0, 1)]


def test_throughput_without_window_is_null():
    reasons: dict[str, str] = {}
    t = throughput(job_arrays([]), None, reasons)
    assert t["jobs_per_min"] is None and "throughput.jobs_per_min" in reasons


def test_little_law():
    ll = little_law(2.0, 60.0, 1.5)  # λ = 1/s, W = 1.5 s -> 1.5 vs L = 2
    assert ll["throughput_per_s"] == 1.0
    assert ll["throughput_x_execution"] == 1.5
    assert ll["relative_error"] == pytest.approx(0.25)
    assert little_law(None, 60.0, 1.5)["relative_error"] is None

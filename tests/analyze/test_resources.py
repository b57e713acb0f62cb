import pytest

from suite.isotime import parse_iso
from tests.helpers.analyze_records import Job, index_samples, job_resources

T0 = parse_iso("2026-11-15T10:00:00Z")
TASK = "c" * 32


def at(s):
    from suite.clock import iso

    return iso(T0 + s)


def samples(metric, points, task=TASK):
    return [{"task_id": task, "metric": metric, "timestamp": at(t), "value": v} for t, v in points]


def mkjob(start, end, runner=TASK):
    return Job(1, 10, 1, "build", runner, "completed", "success", T0 + start - 1, T0 + start, T0 + end)


ROWS = (
    samples("CpuUtilized", [(0, 100.0), (60, 300.0), (120, 500.0), (180, 900.0)])
    + samples("CpuReserved", [(0, 1024.0), (60, 1024.0), (120, 1024.0), (180, 1024.0)])
    + samples("MemoryUtilized", [(0, 100.0), (60, 400.0), (120, 600.0), (180, 2000.0)])
    + samples("MemoryReserved", [(0, 2048.0), (60, 2048.0), (120, 2048.0), (180, 2048.0)])
)


def test_only_samples_inside_half_open_interval_count():
    # [60, 180): the samples at 60 and 120; the one at 180 is the interval's end, outside
    r = job_resources(mkjob(60, 180), index_samples(ROWS))
    assert r.samples == 2
    assert r.cpu_max == 500.0 and r.cpu_mean == 400.0
    assert r.cpu_max_pct == pytest.approx(500 / 1024 * 100) and r.cpu_mean_pct == pytest.approx(
        400 / 1024 * 100
    )
    assert r.memory_max == 600.0 and r.memory_mean == 500.0
    assert r.memory_max_pct == pytest.approx(600 / 2048 * 100) and r.memory_mean_pct == pytest.approx(
        500 / 2048 * 100
    )
    assert r.reason is None


def test_short_job_without_sample_is_null_with_reason_never_zero():
    r = job_resources(mkjob(61, 96), index_samples(ROWS))
    assert r.samples == 0
    assert (r.cpu_max, r.cpu_mean, r.cpu_max_pct, r.memory_max, r.memory_mean_pct) == (None,) * 5
    assert (
        r.reason == "no Container Insights sample inside the job's 35 s interval (samples are 1 per minute)"
    )


def test_task_without_any_metric_and_job_without_runner():
    r = job_resources(mkjob(0, 100, runner="d" * 32), index_samples(ROWS))
    assert r.cpu_max is None and "d" * 32 in (r.reason or "")
    r = job_resources(mkjob(0, 100, runner=None), index_samples(ROWS))
    assert r.cpu_max is None and "runner_name" in (r.reason or "")


def test_missing_reservation_gives_null_percent_with_reason():
    rows = samples("CpuUtilized", [(60, 300.0)]) + samples("MemoryUtilized", [(60, 400.0)])
    r = job_resources(mkjob(0, 100), index_samples(rows))
    assert r.cpu_max == 300.0 and r.cpu_max_pct is None and r.memory_max_pct is None
    assert "CpuReserved" in (r.reason or "") and "MemoryReserved" in (r.reason or "")


def test_reservation_outside_interval_is_used_when_none_inside():
    rows = samples("CpuUtilized", [(60, 256.0)]) + samples("CpuReserved", [(0, 512.0)])
    r = job_resources(mkjob(30, 90), index_samples(rows))
    assert r.cpu_max_pct == 50.0
    assert r.memory_max is None and "MemoryUtilized" in (r.reason or "")

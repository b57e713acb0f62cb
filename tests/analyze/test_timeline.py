from suite.analyze.tasks import task_id_from_arn, tasks_from_events
from suite.isotime import parse_iso, stamp
from tests.helpers.analyze_records import jobs_from_raw, runs_from_raw


def job(id, run_id, attempt, name="build", started="2026-11-15T10:00:05Z", completed="2026-11-15T10:01:05Z"):
    return {
        "id": id,
        "run_id": run_id,
        "run_attempt": attempt,
        "name": name,
        "status": "completed",
        "conclusion": "success",
        "created_at": "2026-11-15T10:00:00Z",
        "started_at": started,
        "completed_at": completed,
        "runner_name": "a" * 32,
    }


def test_job_fields_are_epoch_seconds():
    (j,) = jobs_from_raw([job(1, 10, 1)])
    assert j.created == parse_iso("2026-11-15T10:00:00Z")
    assert j.queue_s == 5.0
    assert j.execution_s == 60.0
    assert j.interval == (j.started, j.completed)


def test_rerun_keeps_only_the_latest_attempt_per_run():
    rows = [job(1, 10, 1), job(2, 10, 1, "test"), job(3, 10, 2), job(4, 10, 2, "test"), job(5, 11, 1)]
    kept = jobs_from_raw(rows)
    assert sorted(j.id for j in kept) == [3, 4, 5]


def test_duplicate_job_rows_last_copy_wins():
    first = job(1, 10, 1) | {"status": "in_progress", "completed_at": None, "conclusion": None}
    (j,) = jobs_from_raw([first, job(1, 10, 1)])
    assert j.status == "completed"
    assert j.execution_s == 60.0


def test_jobs_that_never_ran_have_no_interval():
    never = job(1, 10, 1, started=None, completed=None) | {"conclusion": "cancelled", "runner_name": None}
    skipped = job(2, 10, 1) | {"conclusion": "skipped", "runner_name": ""}
    a, b = sorted(jobs_from_raw([never, skipped]), key=lambda j: j.id)
    assert a.interval is None and a.queue_s is None and a.execution_s is None and a.runner_name is None
    assert b.interval is None and b.queue_s is None


def test_runs_keep_highest_attempt():
    base = {"id": 7, "display_title": "wf-1", "status": "completed", "created_at": "2026-11-15T10:00:00Z"}
    runs = runs_from_raw([base | {"run_attempt": 2, "conclusion": "success"}, base | {"run_attempt": 1}])
    assert len(runs) == 1
    assert runs[0].run_attempt == 2 and runs[0].conclusion == "success" and runs[0].suite_id == "wf-1"


def test_stamp_keeps_milliseconds_only_when_needed():
    assert stamp(parse_iso("2026-11-15T10:00:00Z")) == "2026-11-15T10:00:00Z"
    assert stamp(parse_iso("2026-11-15T10:00:00.250Z")) == "2026-11-15T10:00:00.250Z"
    assert stamp(None) is None


def test_tasks_from_events_cold_start():
    arn = "arn:aws:ecs:eu-west-1:123456789012:task/fleet/" + "b" * 32
    events = [
        {
            "time": "2026-11-15T10:01:00Z",
            "detail": {
                "taskArn": arn,
                "lastStatus": "RUNNING",
                "createdAt": "2026-11-15T10:00:00Z",
                "startedAt": "2026-11-15T10:01:00Z",
            },
        },
        {
            "time": "2026-11-15T10:00:00Z",
            "detail": {"taskArn": arn, "lastStatus": "PROVISIONING", "createdAt": "2026-11-15T10:00:00Z"},
        },
    ]
    (t,) = tasks_from_events(events)
    assert task_id_from_arn(arn) == "b" * 32
    assert t.task_id == "b" * 32
    assert t.cold_start_s == 60.0
    assert t.last_status == "RUNNING"
    assert t.stopped is None

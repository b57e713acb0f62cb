"""A small hand-made run directory whose every figure the analysis tests assert exactly."""

from pathlib import Path

from suite.clock import iso, iso_ms
from suite.isotime import parse_iso
from suite.rundir.jsonio import write_json, write_jsonl

T0 = parse_iso("2026-11-15T10:00:00Z")
A, B, C = "a" * 32, "b" * 32, "c" * 32  # runner names == ECS task ids


def t(s):
    return iso(T0 + s)


def ledger_row(seq, suite_id, scheduled, sent, status, run_id, error=None):
    return {
        "seq": seq,
        "suite_id": suite_id,
        "scheduled_at": iso_ms(T0 + scheduled),
        "sent_at": iso_ms(T0 + sent),
        "status": status,
        "workflow_run_id": run_id,
        "error": error,
    }


def run_row(id, title, created, conclusion, attempt=1):
    return {
        "id": id,
        "name": "capacity",
        "display_title": title,
        "status": "completed",
        "conclusion": conclusion,
        "created_at": t(created),
        "updated_at": t(created + 200),
        "run_started_at": t(created),
        "run_attempt": attempt,
    }


def job_row(id, run_id, name, runner, created, started, completed, conclusion="success", attempt=1):
    return {
        "id": id,
        "run_id": run_id,
        "run_attempt": attempt,
        "name": name,
        "status": "completed",
        "conclusion": conclusion,
        "created_at": t(created),
        "started_at": None if started is None else t(started),
        "completed_at": None if completed is None else t(completed),
        "runner_id": 1,
        "runner_name": runner,
        "labels": ["self-hosted"],
        "steps": [],
    }


def metric(task, name, at, value):
    return {"task_id": task, "metric": name, "timestamp": t(at), "value": value}


def task_event(task, status, created, started=None):
    detail = {
        "taskArn": f"arn:aws:ecs:eu-west-1:123456789012:task/fleet/{task}",
        "lastStatus": status,
        "createdAt": t(created),
    }
    if started is not None:
        detail["startedAt"] = t(started)
    return {
        "time": t(started if started is not None else created),
        "detail-type": "ECS Task State Change",
        "detail": detail,
    }


MANIFEST = {
    "test_run_id": "capacity-20261115T100000Z-abc123",
    "profile": {"name": "capacity", "rate_per_min": 2},
    "environment": "local",
    "fleet": {"runner_count": 4, "task_cpu": 1024, "task_memory": 2048, "ephemeral": False},
    "suite_version": "0.1.0",
    "started_at": t(0),
    "ended_at": t(300),
    "clock_offset_s": 2.0,  # GitHub's clock is 2 s ahead of ours
}
LEDGER = [
    ledger_row(1, "wf-00001", 0, 0.25, 200, 101),
    ledger_row(2, "wf-00002", 30, 30.5, 204, None),  # matched by display_title
    ledger_row(3, "wf-00003", 60, 61, 200, 103),  # never appears in runs.jsonl
    ledger_row(4, "wf-00004", 90, 90.125, 500, None, "HTTP 500"),
]
RUNS = [
    run_row(101, "wf-00001", 3, "success"),
    run_row(102, "wf-00002", 33, "failure", attempt=1),
    run_row(102, "wf-00002", 33, "failure", attempt=2),  # re-run: the same id, a later attempt
    run_row(999, "someone-else", 1, "success"),  # not this test's
]
JOBS = [
    job_row(1, 101, "diagnostic", A, 3, 5, 65),  # queue 2, execution 60
    job_row(2, 101, "build / npm", B, 3, 10, 130),  # queue 7, execution 120
    job_row(3, 102, "build", A, 33, 40, 50, "failure", attempt=1),  # superseded by attempt 2
    job_row(4, 102, "build", A, 65, 65, 100, "failure", attempt=2),  # starts as job 1 ends: no overlap
    job_row(5, 102, "lint", None, 100, 100, 100, "skipped", attempt=2),
    job_row(9, 999, "other", A, 20, 20, 30),  # another run: out of scope
]
METRICS = [
    *(metric(A, "CpuReserved", s, 1024.0) for s in (0, 60, 120)),
    *(metric(A, "MemoryReserved", s, 2048.0) for s in (0, 60, 120)),
    metric(A, "CpuUtilized", 0, 900.0),  # before job 1
    metric(A, "CpuUtilized", 60, 512.0),  # inside job 1 [5, 65)
    metric(A, "CpuUtilized", 120, 700.0),  # after job 4 [65, 100): job 4 has no sample
    metric(A, "MemoryUtilized", 60, 1024.0),
    metric(B, "CpuReserved", 60, 1024.0),
    metric(B, "MemoryReserved", 60, 2048.0),
    metric(B, "CpuUtilized", 60, 256.0),
    metric(B, "CpuUtilized", 120, 768.0),
    metric(B, "MemoryUtilized", 60, 1000.0),
    metric(B, "MemoryUtilized", 120, 1500.0),
]
TASKS = [
    task_event(A, "PROVISIONING", -60),
    task_event(A, "RUNNING", -60, -5),  # cold start 55 s
    task_event(B, "RUNNING", -50, 0),  # cold start 50 s
    task_event(C, "PROVISIONING", 100),  # never started
]


def write_fixture(root: Path) -> Path:
    run_dir = root / MANIFEST["test_run_id"]
    (run_dir / "raw").mkdir(parents=True)
    write_json(run_dir / "manifest.json", MANIFEST)
    write_jsonl(run_dir / "ledger.jsonl", LEDGER)
    for name, rows in (("runs", RUNS), ("jobs", JOBS), ("metrics", METRICS), ("tasks", TASKS)):
        write_jsonl(run_dir / "raw" / f"{name}.jsonl", rows)
    write_jsonl(run_dir / "raw" / "runners.jsonl", [{"name": A}, {"name": B}, {"name": "d" * 32}])
    return run_dir

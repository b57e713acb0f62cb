"""A synthetic run directory shaped like the capacity profile's on an ephemeral fleet (report tests)."""

from suite.analyze.result import with_thresholds
from suite.clock import iso, iso_ms
from suite.gates.thresholds import evaluate_all
from suite.isotime import parse_iso
from suite.pipeline.analysis import analyze_run_dir
from suite.rundir.jsonio import write_json, write_jsonl

CHARTS = ["concurrency", "queue_time", "runner_timeline", "throughput", "resources"]
T0 = parse_iso("2026-11-15T10:00:00Z")


def t(s):
    return iso(T0 + s)


def synthetic_run(root, n_jobs=45, runners=4, every_s=40.0, exprs=("queue_time_s.p95 < 120",)):
    """A run directory like the capacity profile's on an ephemeral fleet: each runner slot repeats
    cold start (60 s), pick-up, a 65 s job; workflows every `every_s`. Job 3 fails; the last job is 20 s
    long and falls between two Container Insights samples (null resources)."""
    run_dir = root / "capacity-20261115T100000Z-synth1"
    (run_dir / "raw").mkdir(parents=True)
    ledger, runs, jobs, tasks, metrics = [], [], [], [], []
    slot_free = [0.0] * runners  # when the slot's current task is up and idle
    slot_tasks = [f"{k:032x}" for k in range(runners)]
    tasks += [_task(tid, -60.0, 0.0) for tid in slot_tasks]
    for i in range(n_jobs):
        scheduled = i * every_s
        created = scheduled + 1.0
        k = min(range(runners), key=lambda s: slot_free[s])
        slot_task = slot_tasks[k]
        started = max(created + 1.0, slot_free[k])
        length = 20.0 if i == n_jobs - 1 else 65.0
        completed = started + length
        suite_id = f"wf-{i + 1:05d}"
        ledger.append(
            {
                "seq": i + 1,
                "suite_id": suite_id,
                "scheduled_at": iso_ms(T0 + scheduled),
                "sent_at": iso_ms(T0 + scheduled + 0.2),
                "status": 200,
                "workflow_run_id": 1000 + i,
                "error": None,
            }
        )
        runs.append(
            {
                "id": 1000 + i,
                "name": "runner_test",
                "display_title": suite_id,
                "status": "completed",
                "conclusion": "failure" if i == 3 else "success",
                "created_at": t(created),
                "run_attempt": 1,
            }
        )
        jobs.append(
            {
                "id": 5000 + i,
                "run_id": 1000 + i,
                "run_attempt": 1,
                "name": "run (1)",
                "status": "completed",
                "conclusion": "failure" if i == 3 else "success",
                "created_at": t(created),
                "started_at": t(started),
                "completed_at": t(completed),
                "runner_name": slot_task,
                "labels": ["self-hosted"],
                "steps": [],
            }
        )
        # Container Insights: one sample a minute while the task runs (whole minutes since T0)
        m = int(started // 60) + 1
        while m * 60 < completed + 30:
            at = m * 60.0
            for name, value in (
                ("CpuReserved", 1024.0),
                ("MemoryReserved", 2048.0),
                ("CpuUtilized", 300.0 + (i * 37) % 600),
                ("MemoryUtilized", 400.0 + (i * 53) % 900),
            ):
                metrics.append({"task_id": slot_task, "metric": name, "timestamp": t(at), "value": value})
            m += 1
        # the ephemeral task stops; its replacement cold-starts for 60 s
        tasks.append(_task(slot_task, None, None, stopped=completed))
        new = f"{runners + i:032x}"
        tasks.append(_task(new, completed, completed + 60.0))
        slot_tasks[k] = new
        slot_free[k] = completed + 60.0
    manifest = {
        "test_run_id": run_dir.name,
        "profile": {"name": "capacity", "thresholds": list(exprs)},
        "environment": "local",
        "fleet": {"runner_count": runners, "task_cpu": 1024, "task_memory": 2048, "ephemeral": True},
        "suite_version": "0.1.0",
        "clock_offset_s": 0.0,
    }
    write_json(run_dir / "manifest.json", manifest)
    write_jsonl(run_dir / "ledger.jsonl", ledger)
    for name, rows in (("runs", runs), ("jobs", jobs), ("metrics", metrics), ("tasks", tasks)):
        write_jsonl(run_dir / "raw" / f"{name}.jsonl", rows)
    write_jsonl(run_dir / "raw" / "runners.jsonl", [])
    result = analyze_run_dir(run_dir)
    result = with_thresholds(result, evaluate_all(list(exprs), result))
    return run_dir, result


def _task(tid, created, started, stopped=None):
    detail = {"taskArn": f"arn:aws:ecs:eu-west-1:123456789012:task/fleet/{tid}"}
    for key, value in (("createdAt", created), ("startedAt", started), ("stoppedAt", stopped)):
        if value is not None:
            detail[key] = t(value)
    detail["lastStatus"] = (
        "STOPPED" if stopped is not None else ("RUNNING" if started is not None else "PENDING")
    )
    when = stopped if stopped is not None else (started if started is not None else created)
    return {"time": t(when), "detail-type": "ECS Task State Change", "detail": detail}

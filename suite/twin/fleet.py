"""The fleet simulator: N runners, each an ECS task whose 32-hex task id is its runner name.

A discrete-event simulation on integer virtual seconds. One job per runner at a time; persistent or
ephemeral runners (an ephemeral task exits after its job and the service starts a replacement, which
comes online after a cold start drawn from `cold_start_s`). Jobs are picked up FIFO. A job with
`needs` is created when its dependencies finish (skipped when one of them did not succeed); a sequential
matrix job exists from the start but is eligible only after its predecessor. A job runs its steps as the
job model (suite.twin.job_model) times them on this task size; every level it sets is recorded in
`usage`, from which the Container Insights minutes are derived; a job its task's memory limit kills
fails and stops its task (exit 137, out of memory).

The simulator keeps its own record (truth) of every job, and counts busy runners directly, which gives
the exact maximum concurrency independently of any timeline analysis.
It is not thread-safe: the twin serialises access with one lock.
"""

from __future__ import annotations

import heapq
import random
from typing import Any

from suite.clock import iso
from suite.twin.fleet_model import CONTAINER_INSIGHTS_MODES, FleetConfig, SimJob, SimRun, StepRun, Task
from suite.twin.job_model import COMPLETE_STEP, StepPlan, lay_out, plan_job, planned_seconds
from suite.twin.usage import UsageTimeline
from suite.twin.workflows import JobSpec, WorkflowDef

__all__ = ["CONTAINER_INSIGHTS_MODES", "Fleet", "FleetConfig", "SimJob", "SimRun", "Task"]

# what a registered runner waiting for a job uses (its listener); a job's levels are suite.twin.job_model's
RUNNER_IDLE_CPU_UNITS, RUNNER_IDLE_MEMORY_MIB = 8.0, 220.0
# what ECS says of a container the kernel killed for its memory (exit 128 + SIGKILL)
OOM_EXIT_CODE, OOM_REASON = 137, "OutOfMemoryError: Container killed due to memory usage"

# event priorities at the same second: finish work before starting new work (half-open intervals)
_JOB_DONE, _TASK_STOP, _TASK_START, _JOB_START, _MINUTE = 0, 1, 2, 3, 9


class Fleet:
    def __init__(self, config: FleetConfig, start: int) -> None:
        self.config = config
        # one random stream per concern, so that a run's figures do not depend on how events of
        # different kinds interleave: a job dispatched a virtual second earlier or later (wall-clock
        # jitter at high speed) must not change the next job's duration or the next task's cold start
        self.rng = random.Random(config.seed)  # task ids and cold starts, in task-creation order
        self.rng_jobs = random.Random(f"{config.seed}/jobs")  # job durations, in job-start order
        self.rng_jitter = random.Random(f"{config.seed}/jitter")  # completion jitter, in job-start order
        self.now = start
        self.tasks: dict[str, Task] = {}
        self.runs: dict[int, SimRun] = {}
        self.jobs: dict[int, SimJob] = {}
        self.queue: list[int] = []  # eligible queued job ids, FIFO
        self.busy = 0
        self.max_busy = 0
        self.metric_samples: list[tuple[str, int, str, float]] = []  # task, t, metric, value
        self.task_events: list[dict[str, Any]] = []
        self.usage = UsageTimeline()  # what each task uses over time (suite.twin.usage)
        self._heap: list[tuple[int, int, int, str, Any]] = []
        self._seq = 0
        self._next_run_id = 19_000_000_000
        self._next_job_id = 52_000_000_000
        self._next_runner_id = 1
        for _ in range(config.runners):
            self._create_task(start)
        self._push(start - start % 60 + 60, _MINUTE, "minute", None)

    # ---- event plumbing -------------------------------------------------------------------------
    def _push(self, t: int, prio: int, kind: str, payload: Any) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, prio, self._seq, kind, payload))

    def advance(self, until: float) -> None:
        """Process every event at or before `until` (virtual epoch seconds)."""
        while self._heap and self._heap[0][0] <= until:
            t = self._heap[0][0]
            while self._heap and self._heap[0][0] == t:
                _, _, _, kind, payload = heapq.heappop(self._heap)
                getattr(self, f"_on_{kind}")(t, payload)
            self._match(t)
        self.now = max(self.now, int(until))

    # ---- tasks and runners ----------------------------------------------------------------------
    def _task_id(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def _create_task(self, t: int) -> None:
        task = Task(self._task_id(), created=t)
        self.tasks[task.task_id] = task
        self._task_event(task, t, "PROVISIONING")
        lo, hi = self.config.cold_start_s
        sampler = self.config.cold_start_sampler
        cold = sampler(self.rng) if sampler is not None else self.rng.randint(lo, hi)
        self._push(t + cold, _TASK_START, "task_start", task.task_id)

    def _on_task_start(self, t: int, task_id: str) -> None:
        task = self.tasks[task_id]
        task.started = t
        task.runner_id = self._next_runner_id
        self._next_runner_id += 1
        self.usage.set(task_id, t, RUNNER_IDLE_CPU_UNITS, RUNNER_IDLE_MEMORY_MIB)
        self._task_event(task, t, "RUNNING")

    def _on_task_stop(self, t: int, task_id: str) -> None:
        task = self.tasks[task_id]
        task.stopped = t
        if task.started is not None:
            self.usage.set(task_id, t, 0.0, 0.0)
        self._task_event(task, t, "STOPPED")
        self._create_task(t)  # the ECS service keeps desired_count tasks

    def task_arn(self, task_id: str) -> str:
        c = self.config
        return f"arn:aws:ecs:{c.region}:{c.account}:task/{c.cluster}/{task_id}"

    def _task_event(self, task: Task, t: int, status: str) -> None:
        c = self.config
        detail: dict[str, Any] = {
            "taskArn": self.task_arn(task.task_id),
            "clusterArn": f"arn:aws:ecs:{c.region}:{c.account}:cluster/{c.cluster}",
            "group": f"service:{c.service}",
            "launchType": "FARGATE",
            "cpu": str(c.task_cpu),
            "memory": str(c.task_memory),
            "lastStatus": status,
            "desiredStatus": "STOPPED" if status == "STOPPED" else "RUNNING",
            "createdAt": iso(task.created),
        }
        if task.started is not None:
            detail["startedAt"] = iso(task.started)
        if task.stopped is not None:
            detail["stoppedAt"] = iso(task.stopped)
            detail["stopCode"] = "EssentialContainerExited"
            detail["stoppedReason"] = "Essential container in task exited"
            container: dict[str, Any] = {"name": "runner", "lastStatus": "STOPPED", "exitCode": 0}
            if task.out_of_memory:
                container.update(exitCode=OOM_EXIT_CODE, reason=OOM_REASON)
            detail["containers"] = [container]
        self.task_events.append(
            {
                "version": "0",
                "source": "aws.ecs",
                "detail-type": "ECS Task State Change",
                "time": iso(t),
                "region": c.region,
                "account": c.account,
                "resources": [detail["taskArn"]],
                "detail": detail,
            }
        )

    def online_runners(self) -> list[Task]:
        """Tasks whose runner is registered: RUNNING and (if ephemeral) not yet done with its job."""
        return [
            tk
            for tk in self.tasks.values()
            if tk.started is not None and tk.stopped is None and not (self.config.ephemeral and tk.done_jobs)
        ]

    # ---- runs and jobs --------------------------------------------------------------------------
    def dispatch(
        self, workflow: WorkflowDef, inputs: dict[str, str], display_title: str, at: float
    ) -> SimRun:
        self.advance(at)
        t = int(at)
        run = SimRun(
            id=self._next_run_id,
            run_number=len(self.runs) + 1,
            workflow=workflow,
            display_title=display_title,
            inputs=inputs,
            created=t,
            specs=workflow.jobs(inputs),
            updated=t,
        )
        self._next_run_id += 1
        self.runs[run.id] = run
        for spec in run.specs:
            if not spec.needs:
                self._create_job(run, spec, t)
        self._match(t)
        return run

    def _create_job(self, run: SimRun, spec: JobSpec, t: int, skipped: bool = False) -> None:
        job = SimJob(self._next_job_id, run.id, spec.key, spec.name, spec.steps, created=t, after=spec.after)
        self._next_job_id += 1
        self.jobs[job.id] = job
        run.job_ids[spec.key] = job.id
        run.updated = t
        if skipped:  # a job it needs did not succeed: GitHub skips it (never queued, no runner)
            job.status, job.conclusion, job.completed, job.eligible = "completed", "skipped", t, False
            self._release_dependents(run, job, t)
        elif spec.after is not None:
            job.eligible = False
        else:
            self.queue.append(job.id)

    def _idle_runners(self) -> list[Task]:
        return sorted(
            (tk for tk in self.online_runners() if tk.job_id is None), key=lambda tk: tk.runner_id or 0
        )

    def _match(self, t: int) -> None:
        idle = self._idle_runners()
        while self.queue and idle:
            job = self.jobs[self.queue.pop(0)]
            task = idle.pop(0)
            task.job_id = job.id
            job.task_id = task.task_id
            job.runner_id = task.runner_id
            self._push(t + self.config.pickup_latency_s, _JOB_START, "job_start", job.id)

    def _on_job_start(self, t: int, job_id: int) -> None:
        job = self.jobs[job_id]
        assert job.task_id is not None
        task = self.tasks[job.task_id]
        task.busy = True
        job.status = "in_progress"
        job.started = t
        run = self.runs[job.run_id]
        if run.status == "queued":
            run.status = "in_progress"
            run.started = t
        run.updated = t
        self.busy += 1
        self.max_busy = max(self.max_busy, self.busy)
        plans, total = self._job_plan(job)
        levels, steps = lay_out(plans, t, total)
        for at, cpu, memory in levels:
            self.usage.set(task.task_id, at, cpu, memory)
        runs = [StepRun(name, a, b, "failure" if killed else "success") for name, a, b, killed in steps]
        if steps[-1][3]:  # killed: the steps after it never ran
            rest = [s.name for s in job.steps[len(steps) - 1 :]] + [COMPLETE_STEP]
            runs += [StepRun(name, None, None, "skipped") for name in rest]
        job.step_runs = tuple(runs)
        self._push(t + total, _JOB_DONE, "job_done", job.id)

    def _job_plan(self, job: SimJob) -> tuple[list[StepPlan], int]:
        """The job model's plan for this task size and the job's whole seconds (the what-if scale,
        jitter, or a sampled duration applied)."""
        c = self.config
        jitter = (
            self.rng_jitter.randint(-c.completion_jitter_s, c.completion_jitter_s)
            if c.completion_jitter_s
            else 0
        )
        if c.duration_sampler is not None:
            plans = plan_job(job.steps, c.task_cpu, c.task_memory, c.overhead_s[0])
            return plans, max(0, c.duration_sampler(self.rng_jobs) + jitter)
        lo, hi = c.overhead_s
        plans = plan_job(job.steps, c.task_cpu, c.task_memory, self.rng_jobs.randint(lo, hi))
        return plans, max(0, round(planned_seconds(plans) * c.job_time_scale()) + jitter)

    def _on_job_done(self, t: int, job_id: int) -> None:
        job = self.jobs[job_id]
        assert job.task_id is not None
        task = self.tasks[job.task_id]
        killed = any(s.conclusion == "failure" for s in job.step_runs)
        job.status, job.completed = "completed", t
        job.conclusion = "failure" if killed else "success"
        self.busy -= 1
        task.busy = False
        task.job_id = None
        task.done_jobs += 1
        if killed:  # the memory limit killed the container: the task stops now, whatever the fleet
            task.out_of_memory = True
            self._push(t, _TASK_STOP, "task_stop", task.task_id)
        else:
            self.usage.set(task.task_id, t, RUNNER_IDLE_CPU_UNITS, RUNNER_IDLE_MEMORY_MIB)
            if self.config.ephemeral:
                self._push(t + self.config.stop_delay_s, _TASK_STOP, "task_stop", task.task_id)
        run = self.runs[job.run_id]
        run.updated = t
        run.failed = run.failed or killed
        self._release_dependents(run, job, t)
        if all(k in run.job_ids for k in (s.key for s in run.specs)) and all(
            self.jobs[j].status == "completed" for j in run.job_ids.values()
        ):
            run.status = "completed"

    def _release_dependents(self, run: SimRun, done: SimJob, t: int) -> None:
        for spec in run.specs:
            if spec.key in run.job_ids:
                dep = self.jobs[run.job_ids[spec.key]]
                if spec.after == done.key and not dep.eligible:
                    dep.eligible = True
                    self.queue.append(dep.id)
            elif spec.needs and all(
                k in run.job_ids and self.jobs[run.job_ids[k]].status == "completed" for k in spec.needs
            ):
                ok = all(self.jobs[run.job_ids[k]].conclusion == "success" for k in spec.needs)
                self._create_job(run, spec, t, skipped=not ok)

    # ---- Container Insights samples -------------------------------------------------------------
    def _on_minute(self, t: int, _: Any) -> None:
        """Each running task's minute, from its usage timeline: CpuUtilized the mean CPU units over
        [t - 60, t), MemoryUtilized the highest memory level in it; reserved = the task's size."""
        c = self.config
        for task in self.tasks.values():
            if task.started is None or task.started > t or task.stopped is not None:
                continue
            cpu = self.usage.mean_cpu_units(task.task_id, t - 60, t)
            mem = self.usage.peak_memory_mib(task.task_id, t - 60, t)
            if cpu is None or mem is None:  # started at t: nothing to say about the minute yet
                continue
            for metric, value in (
                ("CpuUtilized", round(cpu, 2)),
                ("CpuReserved", float(c.task_cpu)),
                ("MemoryUtilized", float(round(mem))),
                ("MemoryReserved", float(c.task_memory)),
            ):
                self.metric_samples.append((task.task_id, t, metric, value))
        self._push(t + 60, _MINUTE, "minute", None)

    # ---- the twin's own record ------------------------------------------------------------------
    def truth(self, display_titles: set[str] | None = None) -> dict[str, Any]:
        jobs = []
        for job in sorted(self.jobs.values(), key=lambda j: j.id):
            run = self.runs[job.run_id]
            if display_titles is not None and run.display_title not in display_titles:
                continue
            jobs.append(
                {
                    "job_id": job.id,
                    "run_id": job.run_id,
                    "suite_id": run.display_title,
                    "name": job.name,
                    "runner_name": job.task_id,
                    "status": job.status,
                    "conclusion": job.conclusion,
                    "steps": [
                        {
                            "name": s.name,
                            "conclusion": s.conclusion,
                            "started_at": iso(s.start) if s.start is not None else None,
                            "completed_at": iso(s.end) if s.end is not None else None,
                        }
                        for s in job.step_runs
                    ],
                    "created_at": iso(job.created),
                    "started_at": iso(job.started) if job.started is not None else None,
                    "completed_at": iso(job.completed) if job.completed is not None else None,
                    "queue_s": (job.started - job.created) if job.started is not None else None,
                    "execution_s": (job.completed - job.started)
                    if job.completed is not None and job.started is not None
                    else None,
                }
            )
        return {
            "schema": "suite.truth/v1",
            "fleet": self.config.to_dict(),
            "jobs": jobs,
            "max_concurrency": self._max_concurrency(jobs) if display_titles is not None else self.max_busy,
            "fleet_max_busy": self.max_busy,
        }

    def _max_concurrency(self, jobs: list[dict[str, Any]]) -> int:
        """Max concurrency of a subset of jobs, replayed from the simulator's own busy events."""
        ids = {j["job_id"] for j in jobs}
        events: list[tuple[int, int]] = []
        for job in self.jobs.values():
            if job.id in ids and job.started is not None:
                events.append((job.started, 1))
                if job.completed is not None:
                    events.append((job.completed, -1))
        level = peak = 0
        for _, delta in sorted(events):  # -1 sorts before +1 at the same second
            level += delta
            peak = max(peak, level)
        return peak

"""Benchmark the analysis: N synthetic jobs (default 1,000,000) through suite.analyze.result.compute_result.

    python tools/bench.py [--jobs N] [--runners R] [--seed S]

The generator builds a realistic run in memory: a step profile's ledger (one dispatch per workflow,
plus one refused with HTTP 500 per 1000), GitHub runs and jobs shaped as the API returns them (1 or 4 jobs per
workflow, about 1% of runs re-run so superseded attempt-1 jobs are present, a few skipped jobs), R
long-lived runner tasks (32 hex ids) fed first-come first-served, their ECS lifecycle events, and
Container Insights samples (4 metrics per task per minute over the whole window).

Rows are produced lazily, as `suite report` reads raw/*.jsonl line by line: the analysis pulls each
row once and keeps only its own compact form. So the measured wall time *includes* building every
raw row (reported separately as `generate`, for reading), and the peak RSS is the whole process's
(resource.getrusage ru_maxrss: generator, analysis and result together).
"""

from __future__ import annotations

import argparse
import gc
import heapq
import os
import resource
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

T0 = 1_800_000_000  # 2027-01-15T08:00:00Z, a whole minute
SHIFT_S = 1.5  # GitHub's clock ahead of ours
CONCLUSIONS = ("success",) * 97 + ("failure",) * 2 + ("cancelled",)


def _iso(t: float, cache: dict[int, str] = {}) -> str:  # noqa: B006 - a deliberate memo
    s = int(t)
    out = cache.get(s)
    if out is None:
        out = cache[s] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s))
    return out


def _iso_ms(t: float) -> str:
    ms = round(t * 1000)
    return f"{_iso(ms // 1000)[:-1]}.{ms % 1000:03d}Z"


class Synthetic:
    """A synthetic run of about `jobs` jobs on `runners` runners; every *_rows() is a fresh iterator."""

    def __init__(self, jobs: int, runners: int, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.runners = runners
        per_wf = np.where(rng.random(jobs) < 0.7, 1, 4)  # single-job and k8s-like (4-job) workflows
        ends = np.cumsum(per_wf)
        self.workflows = int(np.searchsorted(ends, jobs) + 1)
        self.per_wf = per_wf[: self.workflows].copy()
        self.per_wf[-1] -= int(ends[self.workflows - 1] - jobs)  # exactly `jobs` jobs
        exec_s = np.maximum(1, rng.lognormal(np.log(35), 0.6, jobs)).round()  # GitHub: whole seconds
        # offered load ~90% of capacity: mean workflow gap = jobs per workflow x mean execution / R / 0.9
        gap = float(self.per_wf.mean() * exec_s.mean() / runners / 0.9)
        self.step_s = 600.0
        self.rate = 60.0 / gap
        steps = max(1, int(np.ceil(self.workflows * gap / self.step_s)))
        self.pattern = {
            "type": "step",
            "start_rate_per_min": self.rate,
            "increment_per_min": 0.0001,
            "step_duration_s": self.step_s,
            "max_rate_per_min": self.rate + 0.0001 * (steps - 1),
        }
        self.scheduled = T0 + gap * np.arange(1, self.workflows + 1)
        self.status = np.full(self.workflows, 200)  # dropped dispatches are extra ledger rows (below)
        self.rerun = (rng.random(self.workflows) < 0.01) & (self.status == 200)
        # first-come first-served on R runners; a job is created 1..3 s after its dispatch
        wf_of_job = np.repeat(np.arange(self.workflows), self.per_wf)
        created = (self.scheduled + SHIFT_S + rng.integers(1, 4, self.workflows)).round()[wf_of_job]
        ok = (self.status == 200)[wf_of_job]
        skipped = ok & (rng.random(jobs) < 0.003)
        free = [(float(T0), r) for r in range(runners)]
        started = np.full(jobs, np.nan)
        runner = np.full(jobs, -1)
        for i in np.flatnonzero(ok & ~skipped):
            at, r = heapq.heappop(free)
            s = max(created[i] + 2.0, at)
            started[i], runner[i] = s, r
            heapq.heappush(free, (s + exec_s[i], r))
        self.wf_of_job, self.created, self.started, self.exec_s = wf_of_job, created, started, exec_s
        self.runner, self.ok, self.skipped = runner, ok, skipped
        self.conclusion = rng.integers(0, len(CONCLUSIONS), jobs)
        # plain lists: the row iterators below index them one element at a time
        self.L = {
            "scheduled": self.scheduled.tolist(),
            "status": self.status.tolist(),
            "rerun": self.rerun.tolist(),
            "wf_of_job": wf_of_job.tolist(),
            "created": created.tolist(),
            "started": started.tolist(),
            "exec_s": exec_s.tolist(),
            "runner": runner.tolist(),
            "skipped": skipped.tolist(),
            "conclusion": self.conclusion.tolist(),
            "per_wf": self.per_wf.tolist(),
            "first": np.searchsorted(wf_of_job, np.arange(self.workflows)).tolist(),
        }
        self.task_ids = [f"{rng.integers(0, 2**63):016x}{r:016x}" for r in range(runners)]
        self.end = float(np.nanmax(started + exec_s)) + 60
        self.rng = rng

    def manifest(self) -> dict[str, Any]:
        return {
            "test_run_id": "bench-20270115T080000Z-000000",
            "profile": {"name": "bench", "pattern": self.pattern},
            "environment": "local",
            "fleet": {
                "runner_count": self.runners,
                "task_cpu": 1024,
                "task_memory": 2048,
                "ephemeral": False,
            },
            "suite_version": "bench",
            "clock_offset_s": SHIFT_S,
        }

    def ledger_rows(self) -> Iterator[dict[str, Any]]:
        scheduled, status = self.L["scheduled"], self.L["status"]
        for w in range(self.workflows):
            ok = status[w] == 200
            yield {
                "seq": w + 1,
                "suite_id": f"bench-{w + 1:07d}",
                "scheduled_at": _iso_ms(scheduled[w]),
                "sent_at": _iso_ms(scheduled[w] + 0.05),
                "status": status[w],
                "workflow_run_id": 10_000_000 + w if ok else None,
                "error": None if ok else "HTTP 500",
            }
            if w % 1000 == 999:  # one dispatch in 1000 is refused: scheduled, never accepted, no run
                yield {
                    "seq": w + 1,
                    "suite_id": f"bench-dropped-{w + 1:07d}",
                    "scheduled_at": _iso_ms(scheduled[w]),
                    "sent_at": _iso_ms(scheduled[w] + 0.05),
                    "status": 500,
                    "workflow_run_id": None,
                    "error": "HTTP 500",
                }

    def run_rows(self) -> Iterator[dict[str, Any]]:
        created, first, rerun = self.L["created"], self.L["first"], self.L["rerun"]
        for w in np.flatnonzero(self.status == 200).tolist():
            c = _iso(created[first[w]])
            row = {
                "id": 10_000_000 + int(w),
                "name": "bench",
                "display_title": f"bench-{w + 1:07d}",
                "status": "completed",
                "conclusion": "success",
                "created_at": c,
                "updated_at": c,
                "run_started_at": c,
                "run_attempt": 2 if rerun[w] else 1,
                "event": "workflow_dispatch",
                "head_branch": "main",
            }
            yield row

    def job_rows(self) -> Iterator[dict[str, Any]]:
        names = ("diagnostic", "build / npm", "build / sonar", "report")
        job_id = 50_000_000
        L = self.L
        first, wf_of_job, rerun, runner, skipped = (
            L["first"],
            L["wf_of_job"],
            L["rerun"],
            L["runner"],
            L["skipped"],
        )
        created_l, started_l, exec_l, concl, per_wf = (
            L["created"],
            L["started"],
            L["exec_s"],
            L["conclusion"],
            L["per_wf"],
        )
        for i in np.flatnonzero(self.ok).tolist():
            w = wf_of_job[i]
            attempts = (1, 2) if rerun[w] else (1,)
            for attempt in attempts:
                job_id += 1
                r = runner[i]
                started = None if skipped[i] else started_l[i]
                if attempt == 1 and len(attempts) == 2 and started is not None:
                    started = started - 1000.0  # the superseded first attempt ran earlier
                yield {
                    "id": job_id,
                    "run_id": 10_000_000 + w,
                    "run_attempt": attempt,
                    "name": names[(i - first[w]) % 4] if per_wf[w] > 1 else "run",
                    "status": "completed",
                    "conclusion": "skipped" if started is None else CONCLUSIONS[concl[i]],
                    "created_at": _iso(created_l[i]),
                    "started_at": _iso(created_l[i] if started is None else started),
                    "completed_at": _iso(created_l[i] if started is None else started + exec_l[i]),
                    "runner_id": r + 1 if r >= 0 else None,
                    "runner_name": self.task_ids[r] if r >= 0 and started is not None else None,
                    "labels": ["self-hosted", "linux", "x64"],
                    "head_branch": "main",
                }

    def task_rows(self) -> Iterator[dict[str, Any]]:
        for tid in self.task_ids:
            arn = f"arn:aws:ecs:eu-west-1:123456789012:task/fleet/{tid}"
            yield {
                "time": _iso(T0 - 30),
                "detail-type": "ECS Task State Change",
                "detail": {
                    "taskArn": arn,
                    "lastStatus": "RUNNING",
                    "createdAt": _iso(T0 - 95),
                    "startedAt": _iso(T0 - 30),
                },
            }

    def metric_rows(self) -> Iterator[dict[str, Any]]:
        minutes = np.arange(T0 // 60 * 60, self.end, 60.0)
        cpu = self.rng.uniform(50, 1000, len(minutes)).tolist()
        mem = self.rng.uniform(300, 1800, len(minutes)).tolist()
        stamps = [_iso(m) for m in minutes]
        for k, tid in enumerate(self.task_ids):
            roll = k % len(minutes)
            for i, stamp in enumerate(stamps):
                j = (i + roll) % len(minutes)
                yield {"task_id": tid, "metric": "CpuUtilized", "timestamp": stamp, "value": cpu[j]}
                yield {"task_id": tid, "metric": "CpuReserved", "timestamp": stamp, "value": 1024.0}
                yield {"task_id": tid, "metric": "MemoryUtilized", "timestamp": stamp, "value": mem[j]}
                yield {"task_id": tid, "metric": "MemoryReserved", "timestamp": stamp, "value": 2048.0}

    def inputs(self, clock: list[float] | None = None) -> dict[str, Any]:
        def timed(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            return rows if clock is None else _Timed(rows, clock)

        return {
            "manifest": self.manifest(),
            "ledger": timed(self.ledger_rows()),
            "runs": timed(self.run_rows()),
            "jobs": timed(self.job_rows()),
            "metrics": timed(self.metric_rows()),
            "tasks": timed(self.task_rows()),
            "runners_snapshots": [{"runners": [{"name": t} for t in self.task_ids]}],
        }


class _Timed:
    """An iterator that adds the time spent producing each row to clock[0]."""

    def __init__(self, rows: Iterator[dict[str, Any]], clock: list[float]) -> None:
        self.rows, self.clock = rows, clock

    def __iter__(self) -> _Timed:
        return self

    def __next__(self) -> dict[str, Any]:
        t, c = time.perf_counter(), time.process_time()
        try:
            return next(self.rows)
        finally:
            self.clock[0] += time.perf_counter() - t
            self.clock[1] += time.process_time() - c


def peak_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / 1024.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=1_000_000)
    ap.add_argument("--runners", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=10.0)
    ap.add_argument("--max-mib", type=float, default=2048.0)
    ap.add_argument("--profile", action="store_true", help="print the top of a cProfile of the analysis")
    args = ap.parse_args(argv)

    from suite.analyze.result import compute_result

    t = time.perf_counter()
    syn = Synthetic(args.jobs, args.runners, args.seed)
    setup = time.perf_counter() - t
    t = time.perf_counter()
    counts = {
        k: sum(1 for _ in v) for k, v in syn.inputs().items() if k not in ("manifest", "runners_snapshots")
    }
    generate = time.perf_counter() - t
    gc.collect()
    in_generator = [0.0, 0.0]  # wall, CPU
    inputs = syn.inputs(in_generator)
    t, cpu = time.perf_counter(), time.process_time()
    if args.profile:
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            result = compute_result(**inputs)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    else:
        result = compute_result(**inputs)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    analysis = wall - in_generator[0]
    analysis_cpu = cpu - in_generator[1]
    peak = peak_rss_mib()
    rows = ", ".join(f"{v:,} {k}" for k, v in counts.items())
    print(f"bench: {result['jobs']['count']:,} jobs analysed ({rows})")
    print(
        f"bench: {args.runners} runners, window {result['window']['duration_s'] / 3600:.1f} h, "
        f"concurrency max {result['concurrency']['max']}, "
        f"utilization {result['runners']['utilization']:.3f}, "
        f"{len(result['saturation']['stages'])} saturation stages"
    )
    print(f"bench: setup {setup:.2f} s; building the raw rows alone takes {generate:.2f} s")
    print(
        f"bench: wall {wall:.2f} s = analysis {analysis:.2f} s + {in_generator[0]:.2f} s inside the row "
        f"generator; peak RSS {peak:.0f} MiB (whole process); {_cores()} cores"
    )
    print(
        f"bench: CPU {cpu:.2f} s = analysis {analysis_cpu:.2f} s + {in_generator[1]:.2f} s in the generator; "
        f"load average {os.getloadavg()[0]:.1f} (wall exceeds CPU when other processes share the cores)"
    )
    ok = analysis < args.max_seconds and peak < args.max_mib
    print(f"bench: {'PASS' if ok else 'FAIL'} (targets < {args.max_seconds:g} s, < {args.max_mib:.0f} MiB)")
    return 0 if ok else 1


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the analysis: N synthetic jobs (default 1,000,000) through suite.pipeline.analysis.analyze.

    python tools/bench.py [--jobs N] [--runners R] [--seed S] [--profile] [--no-jsonl]

The generator builds a realistic run in memory: a step profile's ledger (one dispatch per workflow,
plus one refused with HTTP 500 per 1000), GitHub runs and jobs shaped as the API returns them (1 or 4 jobs per
workflow, about 1% of runs re-run so superseded attempt-1 jobs are present, a few skipped jobs), R
long-lived runner tasks (32 hex ids) fed first-come first-served, their ECS lifecycle events, and
Container Insights samples (4 metrics per task per minute over the whole window).

Rows are produced lazily, as `suite report` reads raw/*.jsonl line by line: the analysis pulls each
row once from a fresh iterator and keeps only its own compact form. Building the rows is not part of
the analysis, so it is measured alone first (the same rows, stream by stream, the fastest of two
passes) and subtracted. With 2+ cores the analysis reads the metric rows in a forked worker process
while the main process reads the rest (suite.pipeline.background), so the metric rows are built in
the worker, in parallel: then only the other streams' building time is subtracted. That is
conservative: if the main process has to wait for the worker, the worker's row building counts as
analysis.

    analysis = wall time of analyze - building time of the rows the main process reads

The memory target applies to the peak RSS of the main process (resource.getrusage ru_maxrss: the
generator's columns, the analysis and its result together) plus the worker's peak RSS (pages the
worker shares with the main process are counted twice: an upper bound). Informational lines show the
time of writing result.json and, unless --no-jsonl, of analysing the same run from JSONL files as
`suite report` does (json.loads per line).
"""

from __future__ import annotations

import argparse
import gc
import heapq
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
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


GEN_PASSES = 2  # passes timing the row building alone
CHUNK = 8192  # the row iterators turn their numpy columns into Python values a chunk at a time


def _chunks(index: np.ndarray) -> Iterator[list[int]]:
    for lo in range(0, index.size, CHUNK):
        yield index[lo : lo + CHUNK].tolist()


class Synthetic:
    """A synthetic run of about `jobs` jobs on `runners` runners; every *_rows() is a fresh iterator.

    The run is kept as numpy columns (a few hundred MB at 1M jobs, none of it seen by the garbage
    collector); rows are built from them on demand, so the harness adds as little as it can to the
    process's memory and to the analysis's time.
    """

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
        for i in np.flatnonzero(ok & ~skipped).tolist():
            at, r = heapq.heappop(free)
            s = max(created[i] + 2.0, at)
            started[i], runner[i] = s, r
            heapq.heappush(free, (s + exec_s[i], r))
        self.wf_of_job, self.created, self.started, self.exec_s = wf_of_job, created, started, exec_s
        self.runner, self.ok, self.skipped = runner, ok, skipped
        self.conclusion = rng.integers(0, len(CONCLUSIONS), jobs)
        self.first = np.searchsorted(wf_of_job, np.arange(self.workflows))
        self.task_ids = [f"{rng.integers(0, 2**63):016x}{r:016x}" for r in range(runners)]
        self.end = float(np.nanmax(started + exec_s)) + 60
        self.minutes = np.arange(T0 // 60 * 60, self.end, 60.0)
        self.cpu = rng.uniform(50, 1000, len(self.minutes)).tolist()
        self.mem = rng.uniform(300, 1800, len(self.minutes)).tolist()

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
        for ws in _chunks(np.arange(self.workflows)):
            scheduled, status = self.scheduled[ws].tolist(), self.status[ws].tolist()
            for w, at, code in zip(ws, scheduled, status, strict=True):
                ok = code == 200
                yield {
                    "seq": w + 1,
                    "suite_id": f"bench-{w + 1:07d}",
                    "scheduled_at": _iso_ms(at),
                    "sent_at": _iso_ms(at + 0.05),
                    "status": code,
                    "workflow_run_id": 10_000_000 + w if ok else None,
                    "error": None if ok else "HTTP 500",
                }
                if w % 1000 == 999:  # one dispatch in 1000 is refused: scheduled, never accepted, no run
                    yield {
                        "seq": w + 1,
                        "suite_id": f"bench-dropped-{w + 1:07d}",
                        "scheduled_at": _iso_ms(at),
                        "sent_at": _iso_ms(at + 0.05),
                        "status": 500,
                        "workflow_run_id": None,
                        "error": "HTTP 500",
                    }

    def run_rows(self) -> Iterator[dict[str, Any]]:
        for ws in _chunks(np.flatnonzero(self.status == 200)):
            created = self.created[self.first[ws]].tolist()
            for w, at, rerun in zip(ws, created, self.rerun[ws].tolist(), strict=True):
                c = _iso(at)
                yield {
                    "id": 10_000_000 + w,
                    "name": "bench",
                    "path": ".github/workflows/bench.yml",
                    "display_title": f"bench-{w + 1:07d}",
                    "status": "completed",
                    "conclusion": "success",
                    "created_at": c,
                    "updated_at": c,
                    "run_started_at": c,
                    "run_attempt": 2 if rerun else 1,
                    "event": "workflow_dispatch",
                    "head_branch": "main",
                }

    def job_rows(self) -> Iterator[dict[str, Any]]:
        names = ("diagnostic", "build / npm", "build / sonar", "report")
        job_id = 50_000_000
        for idx in _chunks(np.flatnonzero(self.ok)):
            wf = self.wf_of_job[idx]
            cols = zip(
                idx,
                wf.tolist(),
                self.rerun[wf].tolist(),
                (np.asarray(idx) - self.first[wf]).tolist(),
                self.per_wf[wf].tolist(),
                self.runner[idx].tolist(),
                self.skipped[idx].tolist(),
                self.created[idx].tolist(),
                self.started[idx].tolist(),
                self.exec_s[idx].tolist(),
                self.conclusion[idx].tolist(),
                strict=True,
            )
            for _i, w, rerun, k, per_wf, r, skipped, created, started_i, exec_s, concl in cols:
                attempts = (1, 2) if rerun else (1,)
                for attempt in attempts:
                    job_id += 1
                    started = None if skipped else started_i
                    if attempt == 1 and len(attempts) == 2 and started is not None:
                        started = started - 1000.0  # the superseded first attempt ran earlier
                    yield {
                        "id": job_id,
                        "run_id": 10_000_000 + w,
                        "run_attempt": attempt,
                        "name": names[k % 4] if per_wf > 1 else "run",
                        "status": "completed",
                        "conclusion": "skipped" if started is None else CONCLUSIONS[concl],
                        "created_at": _iso(created),
                        "started_at": _iso(created if started is None else started),
                        "completed_at": _iso(created if started is None else started + exec_s),
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
        minutes, cpu, mem = len(self.minutes), self.cpu, self.mem
        stamps = [_iso(m) for m in self.minutes.tolist()]
        for k, tid in enumerate(self.task_ids):
            roll = k % minutes
            for i, stamp in enumerate(stamps):
                j = (i + roll) % minutes
                yield {"task_id": tid, "metric": "CpuUtilized", "timestamp": stamp, "value": cpu[j]}
                yield {"task_id": tid, "metric": "CpuReserved", "timestamp": stamp, "value": 1024.0}
                yield {"task_id": tid, "metric": "MemoryUtilized", "timestamp": stamp, "value": mem[j]}
                yield {"task_id": tid, "metric": "MemoryReserved", "timestamp": stamp, "value": 2048.0}

    def rows(self) -> dict[str, Iterator[dict[str, Any]]]:
        """compute_result's row arguments, each a fresh one-shot iterator (as `suite report` streams them)."""
        return {
            "ledger": self.ledger_rows(),
            "runs": self.run_rows(),
            "jobs": self.job_rows(),
            "metrics": self.metric_rows(),
            "tasks": self.task_rows(),
        }

    def inputs(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest(),
            **self.rows(),
            "runners_snapshots": [{"runners": [{"name": t} for t in self.task_ids]}],
        }


def peak_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / 1024.0


def from_run_directory(syn: Synthetic) -> tuple[float, float, int]:
    """Write the same rows as a run directory (ledger.jsonl, raw/*.jsonl) and time analysing it the
    way `suite report` does (suite.pipeline.analysis.analyze_run_dir: json.loads per line, the metric rows in
    the worker process): (wall s, CPU s of both processes, bytes of JSONL)."""
    from suite.pipeline.analysis import analyze_run_dir
    from suite.rundir.jsonio import write_json, write_jsonl
    from suite.rundir.paths import RunDir

    with tempfile.TemporaryDirectory(prefix="suite-bench-") as tmp:
        rd = RunDir(Path(tmp) / "bench").create()
        write_json(rd.file("manifest.json"), syn.manifest())
        rows = syn.rows()
        write_jsonl(rd.file("ledger.jsonl"), rows.pop("ledger"))
        for kind, it in rows.items():
            write_jsonl(rd.raw_file(f"{kind}.jsonl"), it)
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*.jsonl"))
        gc.collect()
        t, c = time.perf_counter(), _cpu_with_children()
        analyze_run_dir(rd.path)
        return time.perf_counter() - t, _cpu_with_children() - c, size


def _cpu_with_children() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=1_000_000)
    ap.add_argument("--runners", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=10.0)
    ap.add_argument("--max-mib", type=float, default=2048.0)
    ap.add_argument("--profile", action="store_true", help="print the top of a cProfile of the analysis")
    ap.add_argument("--no-jsonl", action="store_true", help="skip analysing from JSONL files")
    args = ap.parse_args(argv)

    from suite.pipeline.analysis import analyze

    t = time.perf_counter()
    syn = Synthetic(args.jobs, args.runners, args.seed)
    setup = time.perf_counter() - t
    # pass 1: building the rows alone, stream by stream (what pass 2 spends inside the row iterators)
    counts: dict[str, int] = {}
    gen_wall: dict[str, float] = {}
    gen_cpu: dict[str, float] = {}
    for _ in range(GEN_PASSES):  # the fastest of a few passes: the least subtracted, conservative
        for kind, stream in syn.rows().items():
            gc.collect()
            t, c = time.perf_counter(), time.process_time()
            counts[kind] = sum(1 for _ in stream)
            wall_s, cpu_s = time.perf_counter() - t, time.process_time() - c
            gen_wall[kind] = min(wall_s, gen_wall.get(kind, wall_s))
            gen_cpu[kind] = min(cpu_s, gen_cpu.get(kind, cpu_s))
    # pass 2: the analysis, pulling freshly built rows as it goes
    gc.collect()
    inputs = syn.inputs()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t, c = time.perf_counter(), time.process_time()
    if args.profile:
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            result = analyze(**inputs)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    else:
        result = analyze(**inputs)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    worker = worker_cpu > 0  # the metric rows were read (and built) in a worker process
    peak, worker_peak = peak_rss_mib(), (after.ru_maxrss / 1024.0 if worker else 0.0)
    main_rows = [k for k in counts if not (worker and k == "metrics")]
    main_gen_wall = sum(gen_wall[k] for k in main_rows)
    analysis = wall - main_gen_wall
    analysis_cpu = cpu + worker_cpu - sum(gen_cpu.values())
    counted = ", ".join(f"{v:,} {k}" for k, v in counts.items())
    print(f"bench: {result['jobs']['count']:,} jobs analysed ({counted})")
    print(
        f"bench: {args.runners} runners, window {result['window']['duration_s'] / 3600:.1f} h, "
        f"concurrency max {result['concurrency']['max']}, "
        f"utilization {result['runners']['utilization']:.3f}, "
        f"{len(result['saturation']['stages'])} saturation stages, "
        f"{len(result['per_job']):,} per_job rows, {len(result['timeline']['time']):,} timeline steps"
    )
    built = ", ".join(f"{k} {gen_wall[k]:.2f} s" for k in counts)
    print(
        f"bench: setup {setup:.2f} s; building the {sum(counts.values()):,} raw rows alone takes "
        f"{sum(gen_wall.values()):.2f} s ({built}), the fastest of {GEN_PASSES} separate passes"
    )
    where = (
        "the metric rows read and built in a worker process, in parallel"
        if worker
        else "one process (no worker: fork unavailable, one core, or other threads alive)"
    )
    print(
        f"bench: wall {wall:.2f} s = analysis {analysis:.2f} s + {main_gen_wall:.2f} s building the rows "
        f"the main process reads ({', '.join(main_rows)}); {where}; {_cores()} cores"
    )
    print(
        f"bench: CPU {cpu + worker_cpu:.2f} s (main {cpu:.2f} s + worker {worker_cpu:.2f} s) = analysis "
        f"{analysis_cpu:.2f} s + {sum(gen_cpu.values()):.2f} s building rows; load average "
        f"{os.getloadavg()[0]:.1f} (wall exceeds CPU when other processes share the cores)"
    )
    print(
        f"bench: peak RSS {peak + worker_peak:.0f} MiB = main process {peak:.0f} MiB (generator included) "
        f"+ worker {worker_peak:.0f} MiB (its pages shared with the main process counted again)"
    )
    write_s, write_mib = write_result(result)
    print(
        f"bench: informational, not part of the target: writing result.json ({write_mib:,.3f} MiB, the "
        f"per-item columns left to the tables) takes {write_s:.2f} s"
    )
    if not args.no_jsonl:
        del result, inputs
        gc.collect()
        read_wall, read_cpu, size = from_run_directory(syn)
        print(
            f"bench: informational, not part of the target: `suite report`'s analysis of the same run from "
            f"{size / 2**20:,.0f} MiB of JSONL (json.loads per line, then the analysis) takes "
            f"{read_wall:.2f} s ({read_cpu:.2f} s CPU, both processes); the report files are written after it"
        )
    ok = analysis < args.max_seconds and peak + worker_peak < args.max_mib
    print(
        f"bench: {'PASS' if ok else 'FAIL'} (analysis {analysis:.2f} s, peak {peak + worker_peak:.0f} MiB; "
        f"targets < {args.max_seconds:g} s, < {args.max_mib:.0f} MiB)"
    )
    return 0 if ok else 1


def write_result(result: dict[str, Any]) -> tuple[float, float]:
    """Seconds to write result.json as `suite report` does, and its size in MiB."""
    import tempfile
    from pathlib import Path

    from suite.rundir.jsonio import write_json
    from suite.rundir.result_schema import IN_MEMORY_KEYS

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        t = time.perf_counter()
        write_json(path, {k: v for k, v in result.items() if k not in IN_MEMORY_KEYS})
        return time.perf_counter() - t, path.stat().st_size / 2**20


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())

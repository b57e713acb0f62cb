"""`suite report` on N jobs (default 1,000,000) beside a DuckDB reference on the same raw files.

    python tools/bench_report.py [--jobs N] [--runners R] [--seed S] [--shapes compact,real]
                                 [--dir DIR] [--keep] [--repeat N] [--warmup N]

For each shape of the same synthetic run (tools/bench_shapes.py: COMPACT, the rows as tools/bench.py's
Synthetic yields them; REAL, raw/runs.jsonl and raw/jobs.jsonl holding GitHub's full objects):

1. `python -m suite report DIR` runs as a subprocess: wall time and peak memory of its process tree
   (tools/bench_measure.py: the polled sum of the tree's RSS and the kernel's high-water mark (VmHWM) of
   its largest process; the target takes the larger), the size of result.json and of the raw files;
2. tools/bench_reference.py runs as a subprocess on the same directory: the same figures in DuckDB
   (percentiles, the accepted-dispatch join, exact max concurrency, the per-job CloudWatch join,
   throughput), the per-job rows written to Parquet; the same measurement;
3. the reference's figures are checked against result.json's aggregates (never its per_job): a
   mismatch is printed loudly and fails the run: a reference that computes something else proves
   nothing;
4. with --repeat N, steps 1-2 run N times, alternating; each side's median wall time is taken (its
   largest peak): the reference's own time varies by half between runs on a small VM; before them,
   --warmup N (default 1) untimed pairs, alternating too and printed: right after the run directories
   are written (about 9.7 GB) the first runs of both were slower, the first `suite report` at 1M
   compact jobs by 3.4 s (12.99 s, then 9.59 s), as the machine settles; a warm-up pair is what
   hyperfine's --warmup does;
5. one line per shape: both times and peaks, the ratio, result.json's size, PASS/FAIL against the
   targets (`suite report` within --max-ratio (2) of the reference, under --max-mib (2048), result.json
   under --max-result-mib (1)).

The run directories are left as `suite run` leaves them: with the field files (raw/fields/,
suite.rundir.field_files) that the report ending every run and collection writes as it parses the raw
files (here suite.pipeline.analysis.keep_fields, timed and printed). With --without-fields they are
deleted before each `suite report`, which then parses the raw files (and writes them again): the report
ending a run, or a run directory from before them.
The reference reads the raw files in both cases.

Exit 0 when every target holds and every figure matches, 1 otherwise, 3 when `suite report` or the
reference could not run (its exit code and last stderr line are printed). The raw files are read warm
(just written, in the page cache) by both, once flushed to disk (os.sync): about 9.7 GB written just
before would otherwise be written back by the kernel during the first timings, on the same 2 cores.
Timings share the machine's cores: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python tools/bench_report.py`
    sys.path.insert(0, str(ROOT))

from suite.pipeline.analysis import keep_fields  # noqa: E402
from suite.rundir.field_files import FIELDS_DIR  # noqa: E402
from tools.bench import Synthetic  # noqa: E402
from tools.bench_measure import Measured, run_measured  # noqa: E402
from tools.bench_shapes import (  # noqa: E402
    GITHUB_RUN_OBJECT_BYTES,
    mean_line_bytes,
    raw_bytes,
    write_compact,
    write_real,
)

SHAPES = ("compact", "real")
MIB = 2**20
REL_TOL = 1e-9  # two engines summing in different orders; the figures compared are order statistics

# (label, path in result.json, key in the reference's figures): what must be equal
CHECKED: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("jobs", ("jobs", "count"), ("jobs",)),
    ("jobs ran", ("jobs", "ran"), ("ran",)),
    ("queue p50", ("queue_time_s", "p50"), ("queue_time_s", "p50")),
    ("queue p95", ("queue_time_s", "p95"), ("queue_time_s", "p95")),
    ("queue p99", ("queue_time_s", "p99"), ("queue_time_s", "p99")),
    ("queue max", ("queue_time_s", "max"), ("queue_time_s", "max")),
    ("execution p95", ("execution_time_s", "p95"), ("execution_time_s", "p95")),
    ("max concurrency", ("concurrency", "max"), ("concurrency_max",)),
    ("jobs/min", ("throughput", "jobs_per_min"), ("jobs_per_min",)),
    ("jobs with samples", ("resources", "jobs_with_samples"), ("jobs_with_samples",)),
    ("cpu max p95", ("resources", "cpu", "max", "p95"), ("cpu_max", "p95")),
    ("memory max p95", ("resources", "memory", "max", "p95"), ("memory_max", "p95")),
)


@dataclass(frozen=True)
class ShapeResult:
    shape: str
    jobs: int
    suite: Measured
    reference: Measured
    result_bytes: int
    raw_bytes: int
    mismatches: list[str]
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.failures


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-9)
    return bool(a == b)


def compare(result: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    """The figures that differ, each as `label: result.json X, reference Y` (empty: all equal)."""
    out = []
    if figures.get("accepted_without_run_id"):
        out.append(f"{figures['accepted_without_run_id']} accepted dispatch(es) without a run id")
    for label, ours, theirs in CHECKED:
        a, b = _get(result, ours), _get(figures, theirs)
        if not _same(a, b):
            out.append(f"{label}: result.json {a!r}, reference {b!r}")
    return out


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:,.6g}"
    if isinstance(x, int):
        return f"{x:,}"
    return repr(x)


def _failed_to_run(what: str, m: Measured) -> str:
    last = (m.stderr.strip().splitlines() or ["(no stderr)"])[-1][:300]
    return f"bench-report: {what} exited {m.exit_code} after {m.wall_s:.1f} s: {last}"


def typical(runs: list[Measured]) -> Measured:
    """Several measurements as one: the median wall time's run (the lower middle of an even count), with
    the largest peaks of them all (a peak is a limit: the worst run counts)."""
    middle = sorted(runs, key=lambda m: m.wall_s)[(len(runs) - 1) // 2]
    return replace(
        middle,
        tree_peak_mib=max(m.tree_peak_mib for m in runs),
        single_peak_mib=max(m.single_peak_mib for m in runs),
    )


def measure_shape(shape: str, path: Path, jobs: int, args: argparse.Namespace) -> ShapeResult | str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ref_out = path / "reference_jobs.parquet"
    ours: list[Measured] = []
    theirs: list[Measured] = []
    for i in range(-args.warmup, args.repeat):  # alternating, so a slow spell of the machine falls on both
        if args.without_fields:
            shutil.rmtree(path / "raw" / FIELDS_DIR, ignore_errors=True)
            os.sync()
        suite = run_measured([sys.executable, "-m", "suite", "report", str(path)], env=env, cwd=ROOT)
        if suite.exit_code not in (0, 1):  # 0 pass, 1 the run's verdict: both wrote a report
            return _failed_to_run(f"`suite report` ({shape})", suite)
        reference = run_measured(
            [sys.executable, str(ROOT / "tools" / "bench_reference.py"), str(path), str(ref_out)], env=env
        )
        if reference.exit_code != 0:
            return _failed_to_run(f"the DuckDB reference ({shape})", reference)
        if i < 0:
            print(
                f"bench-report {shape}: warm-up {args.warmup + i + 1} of {args.warmup} (untimed): suite "
                f"report {suite.wall_s:.2f} s, reference {reference.wall_s:.2f} s"
            )
            continue
        ours.append(suite)
        theirs.append(reference)
        if args.repeat > 1:
            print(
                f"bench-report {shape}: run {i + 1} of {args.repeat}: suite report {suite.wall_s:.2f} s, "
                f"reference {reference.wall_s:.2f} s, ratio {suite.wall_s / reference.wall_s:.2f}x"
            )
    suite, reference = typical(ours), typical(theirs)
    result_path = path / "result.json"
    with result_path.open("rb") as f:
        result = json.load(f)
    figures = json.loads(reference.stdout.strip().splitlines()[-1])
    mismatches = compare(result, figures)
    del result
    ratio = suite.wall_s / reference.wall_s
    size = result_path.stat().st_size
    failures = []
    if ratio > args.max_ratio:
        failures.append(f"time {ratio:.2f}x the reference's > {args.max_ratio:g}x")
    if suite.peak_mib >= args.max_mib:
        failures.append(f"peak {suite.peak_mib:,.0f} MiB >= {args.max_mib:,.0f} MiB")
    if size >= args.max_result_mib * MIB:
        failures.append(f"result.json {size / MIB:,.2f} MiB >= {args.max_result_mib:g} MiB")
    return ShapeResult(shape, jobs, suite, reference, size, raw_bytes(path), mismatches, failures)


def shape_line(r: ShapeResult, max_ratio: float) -> str:
    """The one line per shape (tests/analyze/test_bench_report.py holds its format)."""
    verdict = "PASS" if r.ok else "FAIL"
    why = "; ".join(r.failures + (["FIGURES DIFFER"] if r.mismatches else []))
    return (
        f"bench-report {r.shape}: {r.jobs:,} jobs | suite report {r.suite.wall_s:.2f} s, "
        f"peak {r.suite.peak_mib:,.0f} MiB | reference {r.reference.wall_s:.2f} s, "
        f"peak {r.reference.peak_mib:,.0f} MiB | ratio {r.suite.wall_s / r.reference.wall_s:.2f}x "
        f"(target <= {max_ratio:g}x) | result.json {r.result_bytes / MIB:,.2f} MiB | "
        f"raw {r.raw_bytes / MIB:,.0f} MiB | {verdict}" + (f" ({why})" if why else "")
    )


def detail_lines(r: ShapeResult) -> list[str]:
    cpu_ratio = r.suite.cpu_s / r.reference.cpu_s if r.reference.cpu_s > 0 else math.inf
    lines = [
        f"bench-report {r.shape}: CPU time (user + system, the waited-for children included): suite report "
        f"{r.suite.cpu_s:.2f} s, reference {r.reference.cpu_s:.2f} s, ratio {cpu_ratio:.2f}x (informational: "
        "the target is on wall time)",
        f"bench-report {r.shape}: peaks: suite report tree {r.suite.tree_peak_mib:,.0f} MiB (sum of the RSS "
        f"of the process and its children, polled) / largest process {r.suite.single_peak_mib:,.0f} MiB "
        f"(VmHWM); reference tree {r.reference.tree_peak_mib:,.0f} / "
        f"{r.reference.single_peak_mib:,.0f} MiB",
    ]
    if r.mismatches:
        lines.append(
            f"bench-report {r.shape}: *** FIGURES MISMATCH: one of the two computes something else ***"
        )
        lines += [f"bench-report {r.shape}: *** {m}" for m in r.mismatches]
    else:
        lines.append(f"bench-report {r.shape}: figures equal: {', '.join(label for label, _, _ in CHECKED)}")
    return lines


def raw_line(shape: str, path: Path) -> str:
    files = [path / "ledger.jsonl", *sorted((path / "raw").glob("*.jsonl"))]
    sizes = ", ".join(f"{p.name} {p.stat().st_size / MIB:,.1f} MiB" for p in files)
    run = mean_line_bytes(path / "raw" / "runs.jsonl")
    job = mean_line_bytes(path / "raw" / "jobs.jsonl")
    run_note = f"{run:,.0f} B per run object"
    if shape == "real":
        off = abs(run / GITHUB_RUN_OBJECT_BYTES - 1)
        run_note += (
            f" (GitHub's ~{GITHUB_RUN_OBJECT_BYTES:,} B: {'within' if off <= 0.1 else 'NOT within'} 10%)"
        )
    return f"bench-report {shape}: raw files: {sizes}; {run_note}, {job:,.0f} B per job object"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=1_000_000)
    ap.add_argument("--runners", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated: compact, real")
    ap.add_argument("--dir", type=Path, help="where to write the run directories (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the run directories (DIR/compact, DIR/real)")
    ap.add_argument(
        "--repeat", type=int, default=1, help="measure each shape N times; the medians are compared"
    )
    ap.add_argument(
        "--warmup", type=int, default=1, help="untimed runs of each side before the measured ones (default 1)"
    )
    ap.add_argument(
        "--without-fields",
        action="store_true",
        help="delete raw/fields/ before each `suite report`: it reads the raw files (a run from before them)",
    )
    ap.add_argument("--max-ratio", type=float, default=2.0)
    ap.add_argument("--max-mib", type=float, default=2048.0)
    ap.add_argument("--max-result-mib", type=float, default=1.0)
    args = ap.parse_args(argv)
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    if args.jobs < 1 or args.runners < 1 or args.repeat < 1 or not shapes or set(shapes) - set(SHAPES):
        ap.error(f"--jobs, --runners and --repeat must be >= 1 and --shapes a list of {', '.join(SHAPES)}")
    if args.warmup < 0:
        ap.error("--warmup must be >= 0 (0: no untimed run)")
    base = args.dir or Path(tempfile.mkdtemp(prefix="suite-bench-report-"))
    base.mkdir(parents=True, exist_ok=True)
    made = [base / s for s in ("compact", "real")]
    if any(p.exists() for p in made):
        ap.error(f"{base} already holds compact/ or real/: name an empty or new --dir")
    try:
        return _run(args, shapes, base)
    finally:
        if not args.keep:  # only what this run made: a --dir named by the user stays
            for p in made if args.dir else [base]:
                shutil.rmtree(p, ignore_errors=True)


def _run(args: argparse.Namespace, shapes: list[str], base: Path) -> int:
    t = time.perf_counter()
    syn = Synthetic(args.jobs, args.runners, args.seed)
    compact = write_compact(syn, base / "compact")
    dirs = {"compact": compact}
    if "real" in shapes:
        dirs["real"] = write_real(syn, compact, base / "real")
    print(f"bench-report: wrote {', '.join(str(dirs[s]) for s in shapes)} in {time.perf_counter() - t:.1f} s")
    for shape in shapes:
        t = time.perf_counter()
        keep_fields(dirs[shape])  # as the report ending `suite run` leaves them
        print(
            f"bench-report {shape}: field files (raw/{FIELDS_DIR}/) written as a first report writes them "
            f"in {time.perf_counter() - t:.1f} s ({_size(dirs[shape] / 'raw' / FIELDS_DIR) / MIB:,.0f} MiB)"
            + ("; deleted before each `suite report` (--without-fields)" if args.without_fields else "")
        )
    t = time.perf_counter()
    os.sync()  # the written files' dirty pages to disk now, not by the kernel's writeback while timed
    print(f"bench-report: flushed them to disk in {time.perf_counter() - t:.1f} s (still in the page cache)")
    results: list[ShapeResult] = []
    for shape in shapes:
        print(raw_line(shape, dirs[shape]))
        load = os.getloadavg()[0]
        r = measure_shape(shape, dirs[shape], args.jobs, args)
        if isinstance(r, str):
            print(r)
            return 3
        results.append(r)
        for line in detail_lines(r):
            print(line)
        after = os.getloadavg()[0]
        print(f"bench-report {shape}: load average {load:.1f} before, {after:.1f} after ({_cores()} cores)")
    for r in results:
        print(shape_line(r, args.max_ratio))
    return 0 if all(r.ok for r in results) else 1


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())

"""The I/O edge of the analysis: read a run directory's records, decide where the metric rows (and the
in-task sampler's readings) are read, and compute the result with suite.analyze (pure: rows in,
result.json out).

Reading the metric rows in a forked child process (suite.pipeline.background) is a decision about
this process (its threads, its cores, the rows' number), so it is made here, not in the analysis.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from suite.analyze.completeness import COLLECTION_FILES
from suite.analyze.per_job import JobRows
from suite.analyze.resources import SampleArrays
from suite.analyze.result import Rows, as_json, result_of
from suite.analyze.rows import ColumnRows
from suite.analyze.samples import resource_samples, task_usage
from suite.fleet.prices import cost_settings
from suite.pipeline.background import Background
from suite.pipeline.job_taps import JobTap, RunTap, extras
from suite.rundir.duck_jsonl import DUCK_KINDS, duck_chunks, duck_kind
from suite.rundir.fast_jsonl import column_chunks, fast_kind
from suite.rundir.field_files import fields_path
from suite.rundir.jsonio import read_jsonl, stream_jsonl
from suite.rundir.manifest import MANIFEST_FIX, read_manifest
from suite.rundir.paths import RunDir
from suite.rundir.readback import damaged, read_schedule, row_check
from suite.schedule.stored import pattern_from_dict

First = Callable[[Sequence[Any]], None]  # given per_job as soon as it is known
FORK_FROM_ROWS = 100_000  # metric rows from which reading them in a child process pays off


def analyze(
    manifest: dict[str, Any],
    ledger: Rows,
    runs: Rows,
    jobs: Rows,
    metrics: Rows,
    tasks: Rows,
    runners_snapshots: Rows,
    api: dict[str, Any] | None = None,
    thresholds: list[dict[str, Any]] | None = None,
    parallel: bool | None = None,
    readings: Rows = (),
    first: First | None = None,
    **done: Any,
) -> dict[str, Any]:
    """compute_result's result. parallel: read the metric rows and the sampler's readings in a forked
    child process while this one reads the rest (None: when the rows are many or of unknown number).
    first: given per_job as soon as it is known (result_of's `first`). done: schedule_size and
    uncollected (result_of's keywords)."""
    with no_cyclic_gc():  # in the forked child too
        samples = Background(
            lambda: resource_samples(_opened(metrics), readings),
            _worth_a_process(metrics) if parallel is None else parallel,
        )
        side = (ledger, runs, jobs, tasks, runners_snapshots)
        return _analyze(manifest, side, samples, api, thresholds, first, done)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the analysis runs. The analysis makes millions of
    objects that live on (each job's parsed steps, the rows of a chunk) and no reference cycle worth
    collecting; each collection of the oldest generation walks every live object again, which made
    reading raw/jobs.jsonl about 3x slower at 100k jobs of GitHub's full objects (json.loads 13.2 s of
    CPU against 3.9 s with the collector paused). Objects freed by reference counting are freed as
    before; a cycle left meanwhile is collected once the collector runs again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _analyze(
    manifest: dict[str, Any],
    rows: tuple[Rows, Rows, Rows, Rows, Rows],
    samples: Background[SampleArrays],
    api: dict[str, Any] | None,
    thresholds: list[dict[str, Any]] | None,
    first: First | None,
    done: dict[str, Any],
) -> dict[str, Any]:
    ledger, runs, jobs, tasks, runners_snapshots = (_opened(r) for r in rows)
    taps = JobTap(), RunTap()
    joined: list[SampleArrays] = []

    def sample_arrays() -> SampleArrays:
        joined.append(samples.result())
        return joined[-1]

    try:
        # the CPU/memory join in a thread beside the rest of the analysis: mostly numpy (sorts, searches,
        # reductions), which lets go of the GIL, so it takes the second core the metric rows' worker left
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="resources") as pool:
            result = as_json(
                result_of(
                    manifest,
                    ledger,
                    taps[1].rows(runs),
                    taps[0].rows(jobs),
                    sample_arrays,
                    tasks,
                    runners_snapshots,
                    api,
                    thresholds,
                    beside=lambda work: pool.submit(work).result,
                    first=first,
                    **done,
                )
            )
    finally:
        samples.close()  # a worker whose answer was never needed (an error here first) is stopped
    return _in_memory(result, taps, joined[0] if joined else None)


def _column(per_job: ColumnRows, key: str) -> Any:
    """A per-job column as its numpy array when it is kept as one (the ids: int64), else its values."""
    array = per_job.array(key)
    return per_job.column(key) if array is None else array


def _in_memory(
    result: dict[str, Any], taps: tuple[JobTap, RunTap], arrays: SampleArrays | None
) -> dict[str, Any]:
    """The result with its in-memory parts (IN_MEMORY_KEYS): per_job carrying the job table's other
    columns (suite.pipeline.job_taps), and task_usage from the samples the analysis joined."""
    per_job = result.get("per_job")
    if isinstance(per_job, ColumnRows):
        ids, run_ids = (_column(per_job, k) for k in ("id", "run_id"))
        known = per_job.extra if isinstance(per_job, JobRows) else {}
        result["per_job"] = JobRows(per_job, known | extras(ids, run_ids, *taps))
    if arrays is not None:
        result["task_usage"] = task_usage(arrays)
    return result


def _worth_a_process(rows: Rows) -> bool:
    """A child process pays off for many rows (a streamed file: unknown, so assumed many)."""
    return not isinstance(rows, Sized) or len(rows) >= FORK_FROM_ROWS


def load_inputs(path: Path, stream: bool = False) -> dict[str, Any]:
    """manifest, ledger and raw/*.jsonl as compute_result's keyword arguments (absent files: empty,
    and the absent collection files named in `uncollected`; schedule.json's size as schedule_size).

    Every file is checked as input where it is read (suite.rundir.readback): a damaged one is a
    UsageError naming it (and the line). stream=True gives the row files as one-shot iterators read
    line by line (compute_result reads each once), so a large run's raw rows never sit in memory all at
    once; their rows are checked as they are read.
    """
    rd = RunDir(Path(path))
    manifest_path = rd.file("manifest.json")

    def rows(p: Path, kind: str) -> Iterable[dict[str, Any]]:
        if stream and duck_kind(kind):  # read whole by DuckDB (or from its field file), when it can
            return Deferred(p, kind, fields_path(rd.path, kind))
        if stream and fast_kind(kind):  # the large flat files: as columns (suite.rundir.fast_jsonl)
            return column_chunks(p, kind)
        return stream_jsonl(p, row_check(kind)) if stream else read_jsonl(p, row_check(kind))

    manifest = read_manifest(manifest_path) if manifest_path.exists() else {}
    _check_pattern(manifest_path, manifest)
    return {
        "manifest": manifest,
        "ledger": rows(rd.file("ledger.jsonl"), "ledger"),
        "runs": rows(rd.raw_file("runs.jsonl"), "runs"),
        "jobs": rows(rd.raw_file("jobs.jsonl"), "jobs"),
        "metrics": rows(rd.raw_file("metrics.jsonl"), "metrics"),
        "readings": rows(rd.raw_file("samples.jsonl"), "samples"),
        "tasks": rows(rd.raw_file("tasks.jsonl"), "tasks"),
        "runners_snapshots": read_jsonl(rd.raw_file("runners.jsonl"), row_check("runners")),
        "schedule_size": _schedule_size(rd),
        "uncollected": [f for f in COLLECTION_FILES if not (rd.path / f).exists()],
    }


def _opened(rows: Rows) -> Rows:
    """The rows, a Deferred file read now (in the process that uses them)."""
    return rows.read() if isinstance(rows, Deferred) else rows


class Deferred(Iterable[dict[str, Any]]):
    """A row file read when the analysis reaches it (after the metric rows' child process is forked, so
    that process never holds a copy): by DuckDB (suite.rundir.duck_jsonl) as columns when it can (from
    its field file `fields` while that describes it, else writing it), else line by line as before
    (runs: suite.rundir.fast_jsonl)."""

    def __init__(self, path: Path, kind: str, fields: Path | None = None) -> None:
        self.path, self.kind, self.fields = path, kind, fields

    def read(self) -> Iterable[dict[str, Any]]:
        columns = duck_chunks(self.path, self.kind, self.fields)
        if columns is not None:
            return columns
        if fast_kind(self.kind):
            return column_chunks(self.path, self.kind)
        return stream_jsonl(self.path, row_check(self.kind))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.read())


def keep_fields(path: Path) -> None:
    """Write the run directory's field files (suite.rundir.field_files) for its raw files as they are now
    (those DuckDB reads; a file it refuses has none), without analysing them: what the report that parses
    them (the one every `suite run` and `suite collect` ends with) leaves. tools/bench_report.py makes
    its run directories so."""
    rd = RunDir(Path(path))
    for kind in DUCK_KINDS:
        source = rd.file("ledger.jsonl") if kind == "ledger" else rd.raw_file(f"{kind}.jsonl")
        if source.exists():
            duck_chunks(source, kind, fields_path(rd.path, kind), keep=False)


def _check_pattern(path: Path, manifest: dict[str, Any]) -> None:
    """The profile's pattern as the analysis reads it (saturation stages, spike recovery)."""
    pattern = (manifest.get("profile") or {}).get("pattern")
    if pattern is None:
        return
    try:
        pattern_from_dict(pattern)
    except (ValueError, TypeError, KeyError, OverflowError):  # the message may quote the value: not echoed
        raise damaged(path, "", "`profile.pattern` is not a pattern the suite writes", MANIFEST_FIX) from None


def _schedule_size(rd: RunDir) -> int | None:
    """How many dispatches schedule.json holds (None without one: a run from before it existed)."""
    path = rd.file("schedule.json")
    return len(read_schedule(path)["offsets_s"]) if path.exists() else None


def analyze_run_dir(
    path: Path,
    api: dict[str, Any] | None = None,
    thresholds: list[dict[str, Any]] | None = None,
    first: First | None = None,
) -> dict[str, Any]:
    """result.json of the run directory at `path`, its row files streamed; priced with the table and
    right-sized with the headroom suite.yaml's `cost:` names (suite.fleet.prices; default: the shipped
    pricing/fargate.yaml, 25%). first: as analyze's."""
    settings = cost_settings()
    return analyze(
        **load_inputs(path, stream=True),
        api=api,
        thresholds=thresholds,
        first=first,
        prices=settings.prices,
        headroom_pct=settings.headroom_pct,
    )

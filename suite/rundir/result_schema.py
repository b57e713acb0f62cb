"""result.json (schema suite.result/v2): every section and field, typed, in one place.

suite.analyze.result builds result.json as a Result; the reports, history, compare (and the
thresholds) read the field names from here. Each TypedDict is one section (they live in
suite.rundir.result_types and are re-exported here); the catalogue below is derived from them,
never written out by hand:

- DISTRIBUTIONS: the dotted paths of every Distribution (count, min, mean, p50..p99, max);
- NUMBERS: the dotted paths of every scalar numeric field (int or float, null allowed);
- NUMERIC_FIELDS: NUMBERS and every DISTRIBUTIONS path with each of DIST_STATS;
- OPEN_FIELDS: maps keyed by data (API endpoints, workflow files, job names) whose values hold numbers;
- JOB_NAME_FIELDS, WORKFLOW_FIELDS: the numeric fields of one entry of by_job_name / by_workflow.

Lists (stages, by_step, ...) and configuration (fleet, dispatch.aborted) are not
figures a threshold can name; field() checks any path, configuration included, and job_field() a
per_job column. Units are in the names: _s seconds, _pct percent, _per_min per minute. Imports
nothing from the suite: the analysis, the reports, the decisions and the gates import it.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

from suite.rundir.result_types import (  # noqa: F401  (re-exported: the catalogue's one import point)
    DIST_STATS,
    SCHEMA,
    Api,
    Completeness,
    Concurrency,
    Cost,
    Dispatch,
    Distribution,
    EndpointCounts,
    FailedStep,
    FailedStepCount,
    FailureCounts,
    Failures,
    Fleet,
    JobCounts,
    JobNameFigures,
    JobsWaiting,
    LittleLaw,
    MinuteCounts,
    MissingWorkflow,
    NotDispatched,
    Occupancy,
    PerJob,
    QueueTrend,
    Recovery,
    ResourceFigures,
    Resources,
    Result,
    Rightsize,
    Runners,
    Saturation,
    SaturationPoint,
    Stage,
    StepFigures,
    Steps,
    StepsSection,
    Tasks,
    ThresholdResult,
    Throughput,
    Window,
    WorkflowFigures,
    Workflows,
)

PER_JOB_KEYS: tuple[str, ...] = tuple(PerJob.__annotations__)
# The analysis's per-item columns (one value per job, reading, step change, task or runner), held in the
# in-memory result only: result.json (schema v2) never holds them, so its size does not grow with the
# jobs; they are written as tables/jobs.parquet, task_usage.parquet, timeline.parquet, tasks.parquet and
# runners.parquet (suite.rundir.tables), and read back from there (suite.rundir.job_rows).
# `dispatches` (per suite_id its scheduled and sent times, for the page's charts) is in memory only: the
# ledger is its record.
IN_MEMORY_KEYS: tuple[str, ...] = (
    "per_job",
    "task_usage",
    "timeline",
    "per_task",
    "per_runner",
    "dispatches",
)
RESOURCE_FIGURES: tuple[str, ...] = PER_JOB_KEYS[
    PER_JOB_KEYS.index("cpu_max") : PER_JOB_KEYS.index("memory_mean_pct") + 1
]


# --- the catalogue, derived from the types above ----------------------------------------------------


def _optional(tp: Any) -> Any:
    """X for X | None (and X itself otherwise)."""
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def leaves(td: Any = Result, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, type) of every field, nested sections walked (lists and maps are leaves)."""
    for name, tp in get_type_hints(td).items():
        path = f"{prefix}{name}"
        inner = _optional(tp)
        if is_typeddict(inner) and inner is not Distribution:
            yield from leaves(inner, path + ".")
        else:
            yield path, inner


def _is_number(tp: Any) -> bool:
    return tp in (int, float)


def _holds_numbers(tp: Any) -> bool:
    if is_typeddict(tp):
        return any(_is_number(t) or _holds_numbers(t) for t in map(_optional, get_type_hints(tp).values()))
    return get_origin(tp) is dict and _is_number(_optional(get_args(tp)[1]))


CONFIGURATION: tuple[str, ...] = ("fleet",)  # sections that are settings, not observations
_FIGURES = [(p, tp) for p, tp in leaves() if p.split(".")[0] not in CONFIGURATION]
DISTRIBUTIONS: tuple[str, ...] = tuple(p for p, tp in _FIGURES if tp is Distribution)
NUMBERS: tuple[str, ...] = tuple(p for p, tp in _FIGURES if _is_number(tp))
NUMERIC_FIELDS: tuple[str, ...] = (*NUMBERS, *(f"{d}.{s}" for d in DISTRIBUTIONS for s in DIST_STATS))
OPEN_FIELDS: tuple[str, ...] = tuple(
    p for p, tp in _FIGURES if get_origin(tp) is dict and _holds_numbers(get_args(tp)[1])
)


def numeric_fields(td: Any) -> tuple[str, ...]:
    """The numeric fields of one section's TypedDict, as NUMERIC_FIELDS lists them for result.json."""
    figures = list(leaves(td))
    numbers = (p for p, tp in figures if _is_number(tp))
    return (*numbers, *(f"{p}.{s}" for p, tp in figures if tp is Distribution for s in DIST_STATS))


# the entries of by_job_name and by_workflow (keyed by data): what a threshold can name in one entry
JOB_NAME_FIELDS: tuple[str, ...] = numeric_fields(JobNameFigures)
WORKFLOW_FIELDS: tuple[str, ...] = numeric_fields(WorkflowFigures)
_PATHS = frozenset(p for p, _ in leaves()) | frozenset(NUMERIC_FIELDS)


def field(path: str) -> str:
    """`path` itself, once checked to name a field of result.json (a ValueError otherwise)."""
    if path not in _PATHS:
        raise ValueError(f"{path} is not a field of {SCHEMA}")
    return path


def job_field(name: str) -> str:
    """`name` itself, once checked to name a column of per_job (a ValueError otherwise)."""
    if name not in PER_JOB_KEYS:
        raise ValueError(f"{name} is not a per_job field of {SCHEMA}")
    return name


def value_at(result: Any, path: str) -> Any:
    """The value at a dotted path; None where a section is missing or null."""
    node = result
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node

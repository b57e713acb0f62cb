"""What the OTLP traces and metrics share: the job table's columns as Python lists, GitHub's conclusion
as OpenTelemetry's CI/CD result, attribute values, deterministic ids (docs/architecture.md, Exports)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

NANOS_PER_MS = 1_000_000

RESULT_BY_CONCLUSION = {
    "success": "success",
    "neutral": "success",  # GitHub counts a neutral check as passing
    "failure": "failure",
    "startup_failure": "error",  # the CI system failed to start the job, not the job itself
    "timed_out": "timeout",
    "cancelled": "cancellation",
    "skipped": "skip",
}
"""GitHub's job conclusion -> cicd.pipeline.task.run.result; a conclusion not listed (null: not completed;
action_required, stale) gives no result attribute rather than a guessed one."""

RUN_RESULT_ORDER = ("error", "failure", "timeout", "cancellation", "success", "skip")
"""A workflow run's cicd.pipeline.result: the first of these any of its jobs has."""


def task_result(conclusion: str | None) -> str | None:
    return RESULT_BY_CONCLUSION.get(conclusion) if conclusion is not None else None


def run_result(results: list[str | None]) -> str | None:
    """The run's result from its jobs' (None when a job has none: the run did not end as a whole)."""
    if not results or any(r is None for r in results):
        return None
    return next(r for r in RUN_RESULT_ORDER if r in results)


def columns(table: pa.Table, names: tuple[str, ...]) -> dict[str, list[Any]]:
    """The named columns as lists; timestamps as integer nanoseconds since the epoch (None stays None)."""
    out: dict[str, list[Any]] = {}
    for name in names:
        col = table.column(name)
        if pa.types.is_timestamp(col.type):
            millis = col.cast(pa.timestamp("ms", tz="UTC")).cast(pa.int64()).to_pylist()
            out[name] = [None if m is None else m * NANOS_PER_MS for m in millis]
        else:
            out[name] = col.to_pylist()
    return out


def any_value(value: Any) -> AnyValue:
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    return AnyValue(string_value=str(value))


def attributes(pairs: Mapping[str, Any]) -> list[KeyValue]:
    """KeyValues for the pairs whose value is known (a null is left out, never sent as a default)."""
    return [KeyValue(key=k, value=any_value(v)) for k, v in pairs.items() if v is not None]


def add_attributes(target: Any, pairs: Mapping[str, Any]) -> None:
    """The pairs whose value is known added in place to a repeated KeyValue field (a message's own
    `attributes`): faster than building each KeyValue apart and copying it in."""
    for key, value in pairs.items():
        if value is None:
            continue
        kv = target.add(key=key)
        if isinstance(value, bool):
            kv.value.bool_value = value
        elif isinstance(value, int):
            kv.value.int_value = value
        elif isinstance(value, float):
            kv.value.double_value = value
        else:
            kv.value.string_value = str(value)


def derived_id(size: int, *parts: object) -> bytes:
    """`size` bytes from a hash of the parts: the same GitHub ids give the same trace and span ids at
    every export (a receiver that keys on them sees one span, not two). Never all zero (invalid in OTLP)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()[:size]
    return digest if any(digest) else b"\x01" * size


@dataclass(frozen=True)
class Sizing:
    """The fleet's sizing, the one set of labels every span's resource and every metric carries."""

    runners: int | None
    ephemeral: bool | None
    task_cpu: int | None
    task_memory: int | None
    cpu_architecture: str | None

    def attributes(self) -> dict[str, Any]:
        return {
            "runner_suite.fleet.runners": self.runners,
            "runner_suite.fleet.ephemeral": self.ephemeral,
            "runner_suite.fleet.task_cpu": self.task_cpu,
            "runner_suite.fleet.task_memory": self.task_memory,
            "runner_suite.fleet.cpu_architecture": self.cpu_architecture,
        }


@dataclass(frozen=True)
class RunInfo:
    """One run directory's identity, from its run table (or its job table's first row)."""

    test_run_id: str | None
    profile: str | None
    environment: str | None
    repository: str | None
    sizing: Sizing


RUN_INFO_COLUMNS = (
    "test_run_id",
    "profile",
    "environment",
    "repository",
    "runner_count",
    "ephemeral",
    "task_cpu",
    "task_memory",
    "cpu_architecture",
)


def run_info(run_table: pa.Table | None, jobs: pa.Table) -> RunInfo:
    source = run_table if run_table is not None and run_table.num_rows else jobs
    if source.num_rows == 0:
        return RunInfo(None, None, None, None, Sizing(None, None, None, None, None))
    row = {name: source.column(name)[0].as_py() for name in source.column_names}
    sizing = Sizing(
        row.get("runner_count"),
        row.get("ephemeral"),
        row.get("task_cpu"),
        row.get("task_memory"),
        row.get("cpu_architecture"),
    )
    return RunInfo(
        row.get("test_run_id"), row.get("profile"), row.get("environment"), row.get("repository"), sizing
    )

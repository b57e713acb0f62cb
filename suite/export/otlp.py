"""OpenTelemetry export: run directories' job tables sent as OTLP/HTTP protobuf to a collector
(POST {url}/v1/traces and {url}/v1/metrics, `Content-Type: application/x-protobuf`).

A 429 or 503 (the collector asking to slow down), and a connection that failed, are tried again after the
collector's Retry-After (in seconds, at most MAX_WAIT_S) or 1, 2, 4 ... s, MAX_TRIES times in all; then,
or on any other refusal, one exit-3 line naming the endpoint (never its credentials) and the status. The
spans' ids come from GitHub's ids, so exporting a run again sends the same spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyarrow as pa
from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from suite.clock import Clock, WallClock
from suite.errors import EnvironmentFailure, UsageError
from suite.export.otlp_common import RUN_INFO_COLUMNS, run_info
from suite.export.otlp_metrics import METRIC_COLUMNS, metrics_request
from suite.export.otlp_spans import SPAN_COLUMNS, trace_requests
from suite.rundir.table_io import read_table
from suite.rundir.tables import JOBS, RUN, TABLES_DIR, table_path

MAX_TRIES = 5
MAX_WAIT_S = 60.0
RETRY_STATUSES = frozenset({429, 502, 503, 504})
TIMEOUT_S = 30.0
PROTOBUF = "application/x-protobuf"


@dataclass
class Exported:
    """What one export sent: requests, spans and metric points, over how many run directories."""

    run_dirs: int = 0
    requests: int = 0
    spans: int = 0
    points: int = 0


def export_runs(
    url: str,
    run_dirs: Sequence[Path],
    *,
    clock: Clock | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Exported:
    """Send every run directory's spans and metrics to the OTLP/HTTP endpoint at `url` (its base: the
    signal's path is added). Waits between tries are on `clock` (the wall clock by default; tests give a
    stepped one)."""
    dirs = [Path(d) for d in run_dirs]
    for d in dirs:  # every directory checked before anything is sent; read one at a time (memory)
        _check(d)
    done = Exported(run_dirs=len(dirs))
    base = url.rstrip("/")
    with httpx.Client(timeout=TIMEOUT_S, transport=transport) as client:
        sender = _Sender(client, clock or WallClock())
        for d in dirs:
            run, jobs = _tables(d)
            info = run_info(run, jobs)
            for request in trace_requests(info, jobs):
                sender.post(f"{base}/v1/traces", "/v1/traces", request, ExportTraceServiceResponse())
                done.requests += 1
                done.spans += sum(len(ss.spans) for rs in request.resource_spans for ss in rs.scope_spans)
            metrics = metrics_request(info, jobs)
            if metrics is not None:
                sender.post(f"{base}/v1/metrics", "/v1/metrics", metrics, ExportMetricsServiceResponse())
                done.requests += 1
                done.points += sum(
                    len(getattr(m, m.WhichOneof("data")).data_points)
                    for rm in metrics.resource_metrics
                    for sm in rm.scope_metrics
                    for m in sm.metrics
                )
    return done


def _check(run_dir: Path) -> None:
    if not (run_dir / "manifest.json").is_file():
        raise UsageError(
            f"{run_dir}: not a run directory (no manifest.json); run directories live under reports/"
        )
    if not table_path(run_dir, JOBS).exists():
        raise UsageError(
            f"{run_dir}: no {TABLES_DIR}/{JOBS}.parquet (the job table): "
            f"write it with `suite report {run_dir}`"
        )


def _tables(run_dir: Path) -> tuple[pa.Table | None, pa.Table]:
    """The run and job tables (the run table optional), each holding the columns the export reads;
    a damaged or older file is exit 2 (`suite report` writes it again)."""
    try:
        run = read_table(run_dir, RUN) if table_path(run_dir, RUN).is_file() else None
        jobs = read_table(run_dir, JOBS)
    except (pa.ArrowException, OSError, ValueError, KeyError) as exc:
        raise UsageError(
            f"{run_dir}: its tables cannot be read ({type(exc).__name__}): write them again with "
            f"`suite report {run_dir}`"
        ) from None
    missing = [c for c in (*SPAN_COLUMNS, *METRIC_COLUMNS) if c not in jobs.column_names]
    if run is not None and not set(RUN_INFO_COLUMNS) <= set(run.column_names):
        run = None  # the run table of another schema: the job table's first row says the same
    if missing:
        raise UsageError(
            f"{run_dir}: {TABLES_DIR}/{JOBS}.parquet lacks {len(missing)} column(s) the export reads "
            f"(first: {missing[0]}): write it again with `suite report {run_dir}`"
        )
    return run, jobs


class _Sender:
    def __init__(self, client: httpx.Client, clock: Clock) -> None:
        self.client, self.clock = client, clock

    def post(self, url: str, signal: str, request: Message, response: Message) -> None:
        """POST one request, tried again on 429/502/503/504 and connection errors; EnvironmentFailure
        after MAX_TRIES or on another status; a partial success that rejected items is a failure too."""
        body = request.SerializeToString()
        said, wait = "", 0.0
        for attempt in range(MAX_TRIES):
            if attempt:
                self.clock.sleep(wait)
            try:
                answer = self.client.post(url, content=body, headers={"Content-Type": PROTOBUF})
            except httpx.TransportError as exc:
                said, wait = f"no answer ({type(exc).__name__})", float(2**attempt)
                continue
            if answer.status_code in RETRY_STATUSES:
                said, wait = (
                    f"HTTP {answer.status_code}",
                    retry_after(answer.headers.get("retry-after"), attempt),
                )
                continue
            if not answer.is_success:
                raise EnvironmentFailure(
                    f"the OTLP endpoint refused {signal}: HTTP {answer.status_code}; check the URL "
                    "(the collector's OTLP/HTTP port, 4318 by default) and its authentication"
                )
            _check_partial(answer.content, response, signal)
            return
        raise EnvironmentFailure(
            f"the OTLP endpoint did not take {signal} after {MAX_TRIES} tries (last: {said}); "
            "check that the collector is up and reachable"
        )


def retry_after(header: str | None, attempt: int) -> float:
    """Seconds to wait: the collector's Retry-After when it is a number of seconds (capped at
    MAX_WAIT_S), else 1, 2, 4 ... s."""
    if header is not None and header.strip().isdigit() and len(header) < 10:
        return min(float(header.strip()), MAX_WAIT_S)
    return min(float(2**attempt), MAX_WAIT_S)


def _check_partial(content: bytes, response: Message, signal: str) -> None:
    if not content:
        return
    try:
        response.ParseFromString(content)
    except DecodeError:
        return  # a 2xx whose body is not the response message (a proxy's page): taken as accepted
    partial = getattr(response, "partial_success", None)
    rejected = getattr(partial, "rejected_spans", 0) or getattr(partial, "rejected_data_points", 0)
    if rejected:
        raise EnvironmentFailure(
            f"the OTLP endpoint rejected {rejected} item(s) of {signal} (a partial success); see the "
            "collector's log for why"
        )

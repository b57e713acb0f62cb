"""The twin's AWS side: a moto server on loopback, fed by the fleet simulator.

Every running task publishes Container Insights task figures each virtual minute: with `enhanced`
(the default, what terraform/ deploys) as metrics with a TaskId dimension; with `standard` only as
`Type=Task` events in the performance log group `/aws/ecs/containerinsights/<cluster>/performance`,
one stream per task (`FargateTelemetry-<task id>`), as Fargate writes them. The task lifecycle
(EventBridge "ECS Task State Change" events) goes to a CloudWatch Logs group, as the real fleet's
EventBridge rule does. The in-task sampler's readings (suite.twin.sampler) go, one JSON line per log
event stamped with the reading's time, to the sampler log group, one stream per task, as the awslogs
driver sends them.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import botocore.config
import httpx
from moto.server import ThreadedMotoServer

NAMESPACE = "ECS/ContainerInsights"
EVENTS_STREAM = "ecs-task-state-change"
SAMPLER_STREAM_PREFIX = "sampler/sampler/"  # awslogs: prefix "sampler" / container "sampler" / task id

# moto needs some credentials; these name no real account and never leave loopback.
TWIN_CREDENTIALS = {"aws_access_key_id": "twin", "aws_secret_access_key": "twin"}


def task_events_log_group(cluster: str) -> str:
    return f"/aws/events/ecs/{cluster}"


def twin_client(service: str, endpoint: str, region: str) -> Any:
    # moto answers GetMetricData in time proportional to queries x periods x datapoints in the window
    # (suite.collect.task_metrics keeps each call to 30 minutes); the read timeout stays generous all the same
    config = botocore.config.Config(read_timeout=600, retries={"max_attempts": 1})
    return boto3.client(  # type: ignore[call-overload]
        service, endpoint_url=endpoint, region_name=region, config=config, **TWIN_CREDENTIALS
    )


def sampler_log_group(cluster: str) -> str:
    """terraform/main.tf's sampler log group (suite.collect.samples spells it on its own: the twin checks
    that spelling rather than sharing it)."""
    return f"/ecs/{cluster}/sampler"


def performance_log_group(cluster: str) -> str:
    """Where Container Insights writes its performance log events (AWS's name; suite.collect.task_metrics
    spells it out on its own, so the twin checks that spelling rather than sharing it)."""
    return f"/aws/ecs/containerinsights/{cluster}/performance"


class AwsTwin:
    def __init__(
        self,
        cluster: str,
        service: str,
        region: str,
        container_insights: str = "enhanced",
        skew_s: float = 0.0,
    ) -> None:
        self.skew_s = skew_s  # the world's clock − the twin's: AWS stamps on the clock GitHub stamps on
        self.cluster = cluster
        self.service = service
        self.region = region
        self.container_insights = container_insights
        self._streams: set[tuple[str, str]] = set()  # (log group, stream) created
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""
        self.flushed_until = 0.0

    def start(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        # moto keeps its state per process, not per server: start from empty, as a fresh account would
        httpx.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        self._cw = twin_client("cloudwatch", self.endpoint, self.region)
        self._logs = twin_client("logs", self.endpoint, self.region)
        self._logs.create_log_group(logGroupName=task_events_log_group(self.cluster))
        self._logs.create_log_stream(
            logGroupName=task_events_log_group(self.cluster), logStreamName=EVENTS_STREAM
        )
        if self.container_insights == "standard":
            self._logs.create_log_group(logGroupName=performance_log_group(self.cluster))
        self._logs.create_log_group(logGroupName=sampler_log_group(self.cluster))

    def stop(self) -> None:
        self._server.stop()

    def publish(
        self,
        samples: list[tuple[str, int, str, float]],
        events: list[dict[str, Any]],
        upto: float,
        readings: list[dict[str, Any]] | None = None,
    ) -> None:
        """Send what the simulator produced up to virtual time `upto` (stamped on the world's clock):
        Container Insights samples, task events, and the sampler's readings."""
        readings = readings or []
        if self.skew_s:
            from suite.clock import iso_ms
            from suite.isotime import parse_iso

            samples = [(task, int(t + self.skew_s), metric, v) for task, t, metric, v in samples]
            events = [{**e, "time": iso_ms(parse_iso(e["time"]) + self.skew_s)} for e in events]
            skew_ms = round(self.skew_s * 1000)
            readings = [{**r, "timestamp_ms": r["timestamp_ms"] + skew_ms} for r in readings]
        self._put_readings(readings)
        if self.container_insights == "standard":
            self._put_performance_events(samples)
        else:
            self._put_task_metrics(samples)
        if events:
            from suite.isotime import parse_iso

            stamped = sorted((int(parse_iso(e["time"]) * 1000), json.dumps(e)) for e in events)
            log_events = [{"timestamp": t, "message": m} for t, m in stamped]
            for i in range(0, len(log_events), 1000):
                self._logs.put_log_events(
                    logGroupName=task_events_log_group(self.cluster),
                    logStreamName=EVENTS_STREAM,
                    logEvents=log_events[i : i + 1000],
                )
        self.flushed_until = upto

    def _put_readings(self, readings: list[dict[str, Any]]) -> None:
        """Each reading as one compact JSON line in its task's stream, in time order."""
        streams: dict[str, list[dict[str, Any]]] = {}
        for r in sorted(readings, key=lambda r: r["timestamp_ms"]):
            line = json.dumps(r, separators=(",", ":"))
            streams.setdefault(SAMPLER_STREAM_PREFIX + r["task_id"], []).append(
                {"timestamp": r["timestamp_ms"], "message": line}
            )
        self._put_streams(sampler_log_group(self.cluster), streams)

    def _put_streams(self, group: str, streams: dict[str, list[dict[str, Any]]]) -> None:
        for stream, log_events in streams.items():
            if (group, stream) not in self._streams:
                self._logs.create_log_stream(logGroupName=group, logStreamName=stream)
                self._streams.add((group, stream))
            for i in range(0, len(log_events), 1000):
                self._logs.put_log_events(
                    logGroupName=group, logStreamName=stream, logEvents=log_events[i : i + 1000]
                )

    def _put_task_metrics(self, samples: list[tuple[str, int, str, float]]) -> None:
        data = [
            {
                "MetricName": metric,
                "Dimensions": [
                    {"Name": "ClusterName", "Value": self.cluster},
                    {"Name": "ServiceName", "Value": self.service},
                    {"Name": "TaskId", "Value": task_id},
                ],
                "Timestamp": t,
                "Value": value,
                "Unit": "None" if metric.startswith("Cpu") else "Megabytes",
            }
            for task_id, t, metric, value in samples
        ]
        for i in range(0, len(data), 1000):
            self._cw.put_metric_data(Namespace=NAMESPACE, MetricData=data[i : i + 1000])

    def _put_performance_events(self, samples: list[tuple[str, int, str, float]]) -> None:
        """One `Type=Task` event per task and minute (every figure of that minute in it), in the task's
        stream, in time order."""
        minutes: dict[tuple[str, int], dict[str, float]] = {}
        for task_id, t, metric, value in samples:
            minutes.setdefault((task_id, t), {})[metric] = value
        streams: dict[str, list[dict[str, Any]]] = {}
        for (task_id, t), figures in sorted(minutes.items(), key=lambda kv: kv[0][1]):
            event = {
                "Version": "0",
                "Type": "Task",
                "TaskId": task_id,
                "ClusterName": self.cluster,
                "ServiceName": self.service,
                "Timestamp": t * 1000,
                **figures,
                "Unit": "None",
            }
            streams.setdefault(f"FargateTelemetry-{task_id}", []).append(
                {"timestamp": t * 1000, "message": json.dumps(event)}
            )
        self._put_streams(performance_log_group(self.cluster), streams)

"""The twin's AWS side: a moto server on loopback, fed by the fleet simulator.

Every running task publishes Container Insights (enhanced) task metrics each virtual minute, and
the task lifecycle (EventBridge "ECS Task State Change" events) goes to a CloudWatch Logs group, as
the real fleet's EventBridge rule does.
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

# moto needs some credentials; these name no real account and never leave loopback.
TWIN_CREDENTIALS = {"aws_access_key_id": "twin", "aws_secret_access_key": "twin"}


def task_events_log_group(cluster: str) -> str:
    return f"/aws/events/ecs/{cluster}"


def twin_client(service: str, endpoint: str, region: str) -> Any:
    # moto answers GetMetricData in time proportional to queries x periods x datapoints in the window
    # (suite.collect keeps each call to 30 minutes); the read timeout stays generous all the same
    config = botocore.config.Config(read_timeout=600, retries={"max_attempts": 1})
    return boto3.client(  # type: ignore[call-overload]
        service, endpoint_url=endpoint, region_name=region, config=config, **TWIN_CREDENTIALS
    )


class AwsTwin:
    def __init__(self, cluster: str, service: str, region: str) -> None:
        self.cluster = cluster
        self.service = service
        self.region = region
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

    def stop(self) -> None:
        self._server.stop()

    def publish(
        self, samples: list[tuple[str, int, str, float]], events: list[dict[str, Any]], upto: float
    ) -> None:
        """Send what the simulator produced up to virtual time `upto`."""
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
        if events:
            from suite.clock import parse_iso

            stamped = sorted((int(parse_iso(e["time"]) * 1000), json.dumps(e)) for e in events)
            log_events = [{"timestamp": t, "message": m} for t, m in stamped]
            for i in range(0, len(log_events), 1000):
                self._logs.put_log_events(
                    logGroupName=task_events_log_group(self.cluster),
                    logStreamName=EVENTS_STREAM,
                    logEvents=log_events[i : i + 1000],
                )
        self.flushed_until = upto

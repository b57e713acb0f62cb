"""Clients for a target: the one GitHub client on the target's clock, and boto3 clients (the twin's moto
server when the target has an AWS endpoint)."""

from __future__ import annotations

from typing import Any

from suite.fleet.environments import Target
from suite.github.client import GitHubClient
from suite.twin.aws import twin_client


def github_client(target: Target) -> GitHubClient:
    return GitHubClient(target.github_url, target.repo, target.credentials, clock=target.clock)


def aws_client(target: Target, service: str) -> Any:
    if target.aws_endpoint is not None:
        return twin_client(service, target.aws_endpoint, target.region)
    import boto3  # startup: boto3 only when a real AWS client is needed

    return boto3.client(service, region_name=target.region)  # type: ignore[call-overload]

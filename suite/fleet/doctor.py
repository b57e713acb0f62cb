"""`suite doctor`: is everything a run needs in place? One line per check, and for each failure what to do.

The checks, in the order a run needs them:
- GitHub: the credential authenticates (GET /rate_limit; its budget), GitHub's clock against this
  machine's, the catalogue's workflows are in the target repository and active, and the runners are
  online with the fleet's labels (listing runners needs admin read on the repository);
- AWS (skipped on `existing` fleets without CloudWatch): who the credentials are (aws), Container
  Insights data for the cluster (enhanced: TaskId metrics; standard: the performance log group; neither:
  every job's CPU and memory would be null), and the ECS task-event log group (cold starts).

`fail` means a run would not work or would lose figures (exit 3); `warn` means it works with less.
Every check talks to the target's own endpoints: on the local twin, the twin's API and its moto server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tabulate import tabulate

from suite.collect.task_metrics import NAMESPACE, performance_log_group
from suite.errors import EXIT_ENVIRONMENT, EXIT_PASS, SuiteError
from suite.fleet.clients import aws_client, github_client
from suite.fleet.environments import NO_CLUSTER, Target
from suite.fleet.readiness import label_names
from suite.fleet.targets import resolve_target
from suite.workflows import catalogue_files

OK, WARN, FAIL = "ok", "warn", "fail"
MARK = {OK: "✓", WARN: "!", FAIL: "✗"}
LOW_BUDGET = 500  # requests left in the hour: enough for a small run only
CLOCK_WARN_S = 5.0
# the workflow files the suite ships in workflows/: the dispatched ones and the one k8s_like.yml calls
CATALOGUE_WORKFLOWS = catalogue_files()


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK | WARN | FAIL
    detail: str
    fix: str = ""


def github_checks(
    client: Any, target: Target, workflow_files: Iterable[str] = CATALOGUE_WORKFLOWS
) -> list[Check]:
    """The GitHub side; `client` is a suite.github.client.GitHubClient for the target."""
    try:
        budget = client.rate_limit()
    except SuiteError as exc:
        return [
            Check(
                "GitHub credential",
                FAIL,
                str(exc),
                "set GITHUB_TOKEN (a fine-grained token for the repository with Actions: read and write, "
                "Administration: read) or the GITHUB_APP_* variables",
            )
        ]
    checks = [_budget_check(budget)]
    offset = client.clock_offset_s()
    if offset is None:
        checks.append(
            Check("GitHub clock", WARN, "GitHub sent no Date header: no clock offset to correct by")
        )
    else:
        status = OK if abs(offset) <= CLOCK_WARN_S else WARN
        checks.append(
            Check(
                "GitHub clock",
                status,
                f"GitHub's clock is {offset:+.1f} s from this machine's (queue time from the schedule is "
                "corrected by it)",
                "" if status == OK else "sync this machine's clock (NTP) for exact dispatch lag",
            )
        )
    checks.append(_guarded("workflows", lambda: _workflows_check(client, target, workflow_files)))
    checks.append(_guarded("runners", lambda: _runners_check(client, target)))
    return checks


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except SuiteError as exc:
        fix = "the token needs Administration: read on the repository" if "403" in str(exc) else ""
        return Check(name, FAIL, str(exc), fix)


def _budget_check(budget: dict[str, Any]) -> Check:
    core = (budget.get("resources") or {}).get("core") or budget.get("rate") or {}
    if not core:
        return Check("GitHub credential", OK, "authenticated; this server has rate limiting off")
    remaining, limit = core.get("remaining"), core.get("limit")
    detail = f"authenticated; REST budget {remaining} of {limit} requests left this hour"
    if isinstance(remaining, int) and remaining < LOW_BUDGET:
        return Check(
            "GitHub credential",
            WARN,
            detail,
            "a run's preflight refuses what the budget cannot carry: wait for the reset or use a GitHub App",
        )
    return Check("GitHub credential", OK, detail)


def _workflows_check(client: Any, target: Target, files: Iterable[str]) -> Check:
    found = {str(w.get("path", "")).rsplit("/", 1)[-1]: w for w in client.list_workflows()}
    missing = [f for f in files if f not in found]
    inactive = [f for f in files if f in found and found[f].get("state") != "active"]
    if missing or inactive:
        parts = []
        if missing:
            parts.append("missing: " + ", ".join(missing))
        if inactive:
            parts.append("not active: " + ", ".join(f"{f} ({found[f].get('state')})" for f in inactive))
        return Check(
            "workflows",
            FAIL,
            f"{target.repo}: " + "; ".join(parts),
            "copy those files from workflows/ into .github/workflows/ of "
            f"{target.repo} on its default branch, and enable any that are disabled",
        )
    return Check("workflows", OK, f"{target.repo}: {', '.join(files)} present and active")


def _runners_check(client: Any, target: Target) -> Check:
    runners = client.list_runners()
    labels = {str(x).lower() for x in target.fleet.get("labels") or []}
    labelled = [r for r in runners if r.get("status") == "online" and labels <= label_names(r)]
    want = target.fleet.get("runner_count")
    detail = f"{len(labelled)} runners online with the labels {', '.join(sorted(labels)) or '(any)'}"
    detail += f" ({len(runners)} registered)" if len(runners) != len(labelled) else ""
    if not labelled:
        start = "deploy the fleet (`suite deploy`) and wait until it is ready"
        if target.environment == "existing":
            start = "start the fleet's runners, and check existing.runner_labels in suite.yaml matches theirs"
        return Check("runners", FAIL, detail, f"{start}; `suite status` shows the runners")
    if isinstance(want, int) and len(labelled) < want:
        return Check(
            "runners",
            WARN,
            f"{detail}, of {want} configured",
            "an ephemeral fleet replaces each task after its job: wait a minute, or see `suite status`",
        )
    return Check("runners", OK, detail + (f", of {want} configured" if isinstance(want, int) else ""))


def aws_checks(target: Target, client: Callable[[str], Any]) -> list[Check]:
    """The AWS side; `client(service)` gives a boto3 client for the target (moto on the twin)."""
    if target.cluster is None:  # an `existing` fleet measured GitHub-side only
        return [
            Check(
                "ECS",
                WARN,
                NO_CLUSTER,
                "a fleet on ECS: set cluster and service under existing: in suite.yaml for per-job CPU and "
                "memory; any other platform is measured GitHub-side only",
            )
        ]
    if target.fleet.get("cloudwatch") is False:
        return [
            Check("CloudWatch", WARN, "this fleet is configured without CloudWatch: CPU and memory are null")
        ]
    checks: list[Check] = []
    if not target.is_twin:
        try:
            who = client("sts").get_caller_identity()
            checks.append(Check("AWS credentials", OK, f"account {who['Account']} as {who['Arn']}"))
        except Exception as exc:  # botocore's errors: no credentials, expired token, no region
            return [
                Check(
                    "AWS credentials",
                    FAIL,
                    f"{type(exc).__name__}: {exc}",
                    "configure the AWS SDK: AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                    "and AWS_REGION",
                )
            ]
    logs = client("logs")
    checks.append(
        _aws_guarded(
            "Container Insights", lambda: _container_insights_check(target, client("cloudwatch"), logs)
        )
    )
    checks.append(_aws_guarded("task events", lambda: _task_events_check(target, logs)))
    return checks


def _aws_guarded(name: str, check: Callable[[], Check]) -> Check:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return check()
    except (BotoCoreError, ClientError) as exc:
        return Check(
            name,
            FAIL,
            f"{type(exc).__name__}: {exc}",
            "the AWS credentials need cloudwatch:ListMetrics and logs:DescribeLogGroups (docs/aws.md)",
        )


def _container_insights_check(target: Target, cloudwatch: Any, logs: Any) -> Check:
    assert target.cluster is not None  # aws_checks returns before
    tasks: set[str] = set()
    for page in cloudwatch.get_paginator("list_metrics").paginate(
        Namespace=NAMESPACE, MetricName="CpuUtilized"
    ):
        for metric in page.get("Metrics", []):
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            if dims.get("ClusterName") == target.cluster and "TaskId" in dims:
                tasks.add(dims["TaskId"])
    if tasks:
        return Check(
            "Container Insights", OK, f"enhanced: task metrics for {len(tasks)} tasks of {target.cluster}"
        )
    group = performance_log_group(target.cluster)
    if _log_group_exists(logs, group):
        return Check(
            "Container Insights",
            OK,
            f"standard: per-task CPU and memory are read from the performance log {group}",
        )
    return Check(
        "Container Insights",
        FAIL,
        f"no task metrics and no performance log for cluster {target.cluster}: every job's CPU and memory "
        "would be null",
        "turn Container Insights on for the cluster (terraform/ does: container_insights = enhanced or "
        "standard); task metrics appear a minute after tasks run",
    )


def _task_events_check(target: Target, logs: Any) -> Check:
    group = target.task_events_log_group
    if not group:
        return Check("task events", WARN, "no task-event log group configured: task cold starts are null")
    if _log_group_exists(logs, group):
        return Check("task events", OK, f"ECS task state changes in {group} (cold starts)")
    return Check(
        "task events",
        WARN,
        f"log group {group} does not exist: task cold starts are null",
        "terraform/ creates it with an EventBridge rule; for an existing fleet set task_events_log_group to "
        "a group that rule writes to",
    )


def _log_group_exists(logs: Any, name: str) -> bool:
    groups = logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
    return any(g.get("logGroupName") == name for g in groups)


def render(target_line: str, checks: list[Check]) -> str:
    rows = [[MARK[c.status], c.name, c.detail] for c in checks]
    out = [target_line, tabulate(rows, tablefmt="plain")]
    fixes = [f"  {c.name}: {c.fix}" for c in checks if c.status != OK and c.fix]
    if fixes:
        out += ["", "To fix:", *fixes]
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    verdict = "ready to run" if not failed else f"{failed} check(s) failed: a run would not work as it should"
    out += ["", verdict + (f" ({warned} warning(s))" if warned else "")]
    return "\n".join(out)


def doctor(environment: str) -> int:
    """Check the target of `environment` and print the findings; exit 3 when a check failed."""
    target = resolve_target(environment)
    if target is None:
        print(
            "local: no twin is deployed, so there is nothing to check: `suite run` starts an embedded twin "
            "for each run. `suite deploy` keeps one running; `suite doctor` then checks it."
        )
        return EXIT_PASS
    with github_client(target) as client:
        checks = github_checks(client, target)
    checks += aws_checks(target, lambda service: aws_client(target, service))
    where = f"{environment}: GitHub {target.github_url} ({target.repo})"
    where += f" · cluster {target.cluster} in {target.region}" if target.cluster else " · no ECS cluster"
    print(render(where, checks))
    return EXIT_ENVIRONMENT if any(c.status == FAIL for c in checks) else EXIT_PASS

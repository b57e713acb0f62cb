"""`suite doctor`: is everything a run needs in place? One line per check, and for each failure what to do.

Every check is printed in every state, in the order a run needs them; a check that cannot run yet (no
fleet deployed, no GitHub credential) is ✗ "not checked" with the check it waits for:
- fleet: the environment resolves to a target (a deployed twin, Terraform outputs, suite.yaml existing);
- GitHub: a credential is configured (aws, existing: GITHUB_TOKEN/GH_TOKEN or GITHUB_APP_*; the twin has
  its own) and authenticates (GET /rate_limit; its budget), GitHub's clock against this machine's, the
  catalogue's workflows are in the target repository and active (with `--profile` naming a workflow the
  suite does not ship: that file instead), the profile's workflow (`--profile`: dispatchable, suite_id
  input and run-name, the inputs the profile sends; suite.fleet.doctor_workflow), and the runners are
  online with the fleet's labels (listing runners needs admin read on the repository);
- AWS: who the credentials are (aws, existing; the twin needs none), Container Insights data for the
  cluster (enhanced: TaskId metrics; standard: the performance log group; neither: every job's CPU and
  memory would be null), and the ECS task-event log group (cold starts). On an `existing` fleet without
  CloudWatch they are warnings: CPU and memory will be null.

`fail` means a run would not work or would lose figures (exit 3); `warn` means it works with less.
Every check talks to the target's own endpoints: on the local twin, the twin's API and its moto server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tabulate import tabulate

from suite.collect.task_metrics import NAMESPACE, performance_log_group
from suite.errors import EXIT_ENVIRONMENT, EXIT_PASS, SuiteError, UsageError
from suite.fleet.clients import aws_client, github_client
from suite.fleet.doctor_workflow import PROFILE_CHECK, check_names, profile_workflow
from suite.fleet.environments import NO_CLUSTER, Target
from suite.fleet.readiness import label_names
from suite.fleet.targets import resolve_target
from suite.github.app import credentials_from_env
from suite.profiles.model import Profile
from suite.workflows import catalogue_files

OK, WARN, FAIL = "ok", "warn", "fail"
MARK = {OK: "✓", WARN: "!", FAIL: "✗"}
GITHUB_CHECKS = ("GitHub credential", "GitHub clock", "workflows", "runners")
AWS_CHECKS = ("AWS credentials", "Container Insights", "task events")
CREDENTIAL_FIX = (
    "set GITHUB_TOKEN (a fine-grained token for the repository with Actions: read and write, "
    "Administration: read) or the GITHUB_APP_* variables"
)
FLEET_FIX = {
    "local": "`suite deploy` (make deploy) starts a twin for doctor to check; `suite run` alone starts an "
    "embedded twin for that run only",
    "aws": "`suite deploy --env aws` (make deploy ENV=aws); see docs/aws.md",
    "existing": "describe the fleet in suite.yaml's `existing:` section (repo, region, cluster, service)",
}
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
    waits_for: str = ""  # not checked: the check that must pass first


def github_checks(
    client: Any,
    target: Target,
    workflow_files: Iterable[str] = CATALOGUE_WORKFLOWS,
    profile: Profile | None = None,
) -> list[Check]:
    """The GitHub side; `client` is a suite.github.client.GitHubClient for the target. With a
    `profile`, its workflow is checked too (suite.fleet.doctor_workflow) and a custom workflow's file
    is the one the workflows check looks for (not the catalogue)."""
    if profile is not None and profile.custom:
        workflow_files = (profile.workflow_file,)
    try:
        budget = client.rate_limit()
    except SuiteError as exc:
        return [
            Check("GitHub credential", FAIL, str(exc), CREDENTIAL_FIX),
            *not_checked(check_names(GITHUB_CHECKS, profile)[1:], "GitHub credential"),
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
    if profile is not None:
        # every fleet the suite knows runs on ECS Fargate (the twin models one); GitHub-side only: unknown
        status, detail, fix = profile_workflow(client, profile, fargate=target.cluster is not None)
        checks.append(Check(PROFILE_CHECK, status, detail, fix))
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
    if target.cluster is None:  # an `existing` fleet measured GitHub-side only: every AWS check is moot
        fix = (
            "a fleet on ECS: set cluster and service under existing: in suite.yaml for per-job CPU and "
            "memory; any other platform is measured GitHub-side only"
        )
        first, *rest = AWS_CHECKS  # the fix once, on the first
        return [
            Check(first, WARN, f"not used: {NO_CLUSTER}", fix),
            *(Check(n, WARN, "not used: no ECS cluster configured") for n in rest),
        ]
    if target.fleet.get("cloudwatch") is False:
        why = "configured without CloudWatch"
        return [
            Check(name, WARN, f"not used: this fleet is {why}, so CPU and memory are null")
            for name in AWS_CHECKS
        ]
    if target.is_twin:
        checks = [
            Check("AWS credentials", OK, "none needed: the twin's CloudWatch and Logs are its moto server")
        ]
    else:
        checks = [aws_credentials_check(client)]
        if checks[0].status == FAIL:
            return [*checks, *not_checked(AWS_CHECKS[1:], "AWS credentials")]
    logs = client("logs")
    checks.append(
        _aws_guarded(
            "Container Insights", lambda: _container_insights_check(target, client("cloudwatch"), logs)
        )
    )
    checks.append(_aws_guarded("task events", lambda: _task_events_check(target, logs)))
    return checks


def aws_credentials_check(client: Callable[[str], Any]) -> Check:
    try:
        who = client("sts").get_caller_identity()
    except Exception as exc:  # botocore's errors: no credentials, expired token, no region
        return Check(
            "AWS credentials",
            FAIL,
            f"{type(exc).__name__}: {exc}",
            "configure the AWS SDK: AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and AWS_REGION",
        )
    return Check("AWS credentials", OK, f"account {who['Account']} as {who['Arn']}")


def not_checked(names: Iterable[str], waits_for: str) -> list[Check]:
    """Checks that cannot run until `waits_for` passes: ✗, saying so (its fix is that check's fix)."""
    return [
        Check(name, FAIL, f"not checked until the {waits_for} check passes", "", waits_for) for name in names
    ]


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
    failed = sum(c.status == FAIL and not c.waits_for for c in checks)
    unchecked = sum(bool(c.waits_for) for c in checks)
    warned = sum(c.status == WARN for c in checks)
    verdict = "ready to run"
    if failed:
        verdict = f"{failed} check(s) failed{f', {unchecked} not checked' if unchecked else ''}: "
        verdict += "a run would not work as it should"
    out += ["", verdict + (f" ({warned} warning(s))" if warned else "")]
    return "\n".join(out)


def doctor(environment: str, profile: Profile | None = None) -> int:
    """Check the target of `environment` (and `profile`'s workflow) and print every check; exit 3
    when one failed."""
    where, checks = checklist(environment, profile)
    print(render(where, checks))
    return EXIT_ENVIRONMENT if any(c.status == FAIL for c in checks) else EXIT_PASS


def checklist(environment: str, profile: Profile | None = None) -> tuple[str, list[Check]]:
    """(the target line, every check in order): fleet, the GitHub checks, the AWS checks."""
    fleet, target = _fleet_check(environment)
    credential = None if environment == "local" else _credential_configured()
    checks = [fleet]
    names = check_names(GITHUB_CHECKS, profile)
    if target is None:
        checks += [credential] if credential else not_checked(names[:1], "fleet")
        checks += not_checked(names[1:], "fleet")
    elif credential is not None:
        checks += [credential, *not_checked(names[1:], "GitHub credential")]
    else:
        with github_client(target) as client:
            checks += github_checks(client, target, profile=profile)
    if target is not None:
        checks += aws_checks(target, lambda service: aws_client(target, service))
    elif environment == "local":
        checks += [Check("AWS credentials", OK, "none needed: the twin's CloudWatch is its moto server")]
        checks += not_checked(AWS_CHECKS[1:], "fleet")
    else:
        checks += [aws_credentials_check(_default_aws_client), *not_checked(AWS_CHECKS[1:], "fleet")]
    where = f"{environment}: "
    if target is None:
        where += "no fleet to check"
    else:
        where += f"GitHub {target.github_url} ({target.repo})"
        where += f" · cluster {target.cluster} in {target.region}" if target.cluster else " · no ECS cluster"
    return where, checks


def _fleet_check(environment: str) -> tuple[Check, Target | None]:
    try:
        target = resolve_target(environment, credentials_required=False)
    except UsageError as exc:
        if environment == "existing":  # suite.yaml is the user's configuration: bad input, exit 2
            raise
        return Check("fleet", FAIL, str(exc), FLEET_FIX.get(environment, "")), None
    if target is None:
        return Check("fleet", FAIL, "no local twin is deployed", FLEET_FIX["local"]), None
    f = target.fleet
    count = f.get("runner_count")
    sizing = f"{count} runners configured" if count is not None else "runner count not configured"
    if f.get("task_cpu") is not None:
        sizing += f" ({f['task_cpu']} CPU units / {f['task_memory']} MiB)"
    what = "local twin" if target.is_twin else f"{environment} fleet"
    return Check("fleet", OK, f"{what}: {sizing}"), target


def _credential_configured() -> Check | None:
    """None when the environment holds a GitHub credential (the GitHub checks then verify it)."""
    try:
        credentials_from_env()
    except UsageError as exc:
        none = str(exc).startswith("No GitHub token")  # else: the GITHUB_APP_* variables are wrong
        detail = "none in the environment (GITHUB_TOKEN, GH_TOKEN or GITHUB_APP_*)" if none else str(exc)
        return Check("GitHub credential", FAIL, detail, CREDENTIAL_FIX)
    return None


def _default_aws_client(service: str) -> Any:
    import boto3  # startup: boto3 only when a real AWS client is needed

    return boto3.client(service)  # type: ignore[call-overload]

"""`suite doctor --profile P`: can the target repository run the profile's workflow as the profile says?

Read through the one GitHub client: the workflow exists and is active (GET .../actions/workflows/{file}),
its file (GET .../contents/.github/workflows/{file}, the default branch) is dispatchable, declares the
suite_id input and the run-name the suite finds runs by, and declares the inputs the profile sends
(suite.profiles.byo: the same rules as `suite run`'s preflight). On a Fargate fleet it also warns of
jobs that need a Docker daemon (`container:`, `services:`, `uses: docker://`): Fargate has none, so
those jobs fail there. One (status, detail, fix) for suite.fleet.doctor to print as its "profile
workflow" check; status is "ok", "warn" or "fail" (suite.fleet.doctor's OK, WARN, FAIL).
"""

from __future__ import annotations

from typing import Any

from suite.errors import SuiteError, UsageError
from suite.profiles.byo import check_workflow
from suite.profiles.model import Profile
from suite.workflows import Workflow, parse_workflow

PROFILE_CHECK = "profile workflow"
OK, WARN, FAIL = "ok", "warn", "fail"  # the same words as suite.fleet.doctor's
DOCKER_FIX = (
    "Fargate has no Docker daemon: run those steps without a container (install the tools in the job), "
    "or send those jobs to runners with Docker (another runs-on)"
)


def check_names(github_checks: tuple[str, ...], profile: Profile | None) -> tuple[str, ...]:
    """The GitHub checks' names in order: with a profile, its workflow's check after "workflows"."""
    if profile is None:
        return github_checks
    at = github_checks.index("workflows") + 1
    return (*github_checks[:at], PROFILE_CHECK, *github_checks[at:])


def profile_workflow(client: Any, profile: Profile, *, fargate: bool = False) -> tuple[str, str, str]:
    """(status, detail, fix) for `profile`'s workflow in the client's repository; `fargate`: the fleet
    runs on Fargate (no Docker daemon)."""
    file = profile.workflow_file
    where = f".github/workflows/{file} in {client.repo}"
    try:
        found = client.get_workflow(file)
        text = client.workflow_text(file) if found is not None else None
    except SuiteError as exc:
        return FAIL, str(exc), "the token needs Actions: read and Contents: read on the repository"
    if found is None or text is None:
        return (
            FAIL,
            f"no {where} (GitHub answered 404)",
            f"add the workflow to {client.repo}'s default branch",
        )
    if found.get("state") != "active":
        return (
            FAIL,
            f"{where} is {found.get('state')}",
            "enable the workflow (Actions tab, or gh workflow enable)",
        )
    try:
        workflow = parse_workflow(file, text)
        check_workflow(profile, workflow, client.repo)
    except UsageError as exc:
        return FAIL, str(exc), "fix the profile or the workflow as the message says"
    inputs = ", ".join(profile.inputs) or "no inputs"
    detail = f"{where}: dispatchable, run-name is the suite_id, declares the inputs sent ({inputs})"
    docker = docker_jobs(workflow) if fargate else []
    if docker:
        return WARN, f"{detail}; but on Fargate these jobs will fail: {'; '.join(docker)}", DOCKER_FIX
    return OK, detail, ""


def docker_jobs(workflow: Workflow) -> list[str]:
    """ "<job id> (container:, services:)" for every job that needs a Docker daemon and may run on the
    fleet (a job on GitHub-hosted runners has Docker)."""
    return [
        f"{job.id} ({', '.join(job.docker)})" for job in workflow.jobs if job.docker and not job.github_hosted
    ]

"""`suite doctor --profile P`: can the target repository run the profile's workflow as the profile says?

Read through the one GitHub client: the workflow exists and is active (GET .../actions/workflows/{file}),
its file (GET .../contents/.github/workflows/{file}, the default branch) is dispatchable, declares the
suite_id input and the run-name the suite finds runs by, and declares the inputs the profile sends
(suite.profiles.byo: the same rules as `suite run`'s preflight). One (status, detail, fix) for
suite.fleet.doctor to print as its "profile workflow" check.
"""

from __future__ import annotations

from typing import Any

from suite.errors import SuiteError, UsageError
from suite.profiles.byo import check_workflow
from suite.profiles.model import Profile
from suite.workflows import parse_workflow

PROFILE_CHECK = "profile workflow"


def check_names(github_checks: tuple[str, ...], profile: Profile | None) -> tuple[str, ...]:
    """The GitHub checks' names in order: with a profile, its workflow's check after "workflows"."""
    if profile is None:
        return github_checks
    at = github_checks.index("workflows") + 1
    return (*github_checks[:at], PROFILE_CHECK, *github_checks[at:])


def profile_workflow(client: Any, profile: Profile) -> tuple[bool, str, str]:
    """(passed, detail, fix) for `profile`'s workflow in the client's repository."""
    file = profile.workflow_file
    where = f".github/workflows/{file} in {client.repo}"
    try:
        found = client.get_workflow(file)
        text = client.workflow_text(file) if found is not None else None
    except SuiteError as exc:
        return False, str(exc), "the token needs Actions: read and Contents: read on the repository"
    if found is None or text is None:
        return (
            False,
            f"no {where} (GitHub answered 404)",
            f"add the workflow to {client.repo}'s default branch",
        )
    if found.get("state") != "active":
        return (
            False,
            f"{where} is {found.get('state')}",
            "enable the workflow (Actions tab, or gh workflow enable)",
        )
    try:
        check_workflow(profile, parse_workflow(file, text), client.repo)
    except UsageError as exc:
        return False, str(exc), "fix the profile or the workflow as the message says"
    inputs = ", ".join(profile.inputs) or "no inputs"
    return True, f"{where}: dispatchable, run-name is the suite_id, declares the inputs sent ({inputs})", ""

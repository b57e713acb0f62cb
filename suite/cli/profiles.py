"""`suite profiles [list]` and `suite profiles validate FILE`."""

from __future__ import annotations

from pathlib import Path

from tabulate import tabulate

from suite.dispatch import preflight
from suite.errors import EXIT_PASS, UsageError
from suite.pipeline.progress import fmt_eta
from suite.profiles.profile import Profile, list_profiles, load_profile


def api_cost(profile: Profile) -> int:
    """Counted GitHub requests a run of the profile needs: the figure `suite run`'s budget preflight
    prints (suite.dispatch.preflight)."""
    return preflight.for_schedule(
        profile.schedule(), profile.jobs_per_workflow, profile.drain_timeout_s
    ).total


def profiles_command(action: str, file: Path | None, folder: Path) -> int:
    if action == "validate":
        if file is None:
            raise UsageError("`suite profiles validate FILE`: name the profile file to check")
        p = load_profile(file)
        for env in p.environments:  # every environment's overrides must load too
            load_profile(file, env)
        print(f"{file}: valid — {describe(p)}")
        return EXIT_PASS
    if file is not None:
        raise UsageError("`suite profiles list` takes no file; did you mean `suite profiles validate FILE`?")
    rows = [
        [
            p.name,
            p.purpose,
            p.workflow,
            p.expected_workflows,
            "?" if p.expected_jobs is None else p.expected_jobs,
            fmt_eta(p.duration_s),
            f"~{api_cost(p)}",
        ]
        for p in list_profiles(folder)
    ]
    print(
        tabulate(
            rows,
            headers=[
                "profile",
                "purpose",
                "workflow",
                "workflows",
                "jobs",
                "dispatch window",
                "API requests",
            ],
        )
    )
    print("\nRun one with `make test-<profile>` or `suite run <profile>`.")
    return EXIT_PASS


def describe(p: Profile) -> str:
    if p.expected_jobs is None:  # a custom workflow: its jobs are learned from GitHub during the run
        jobs = "jobs learned from GitHub; its inputs are checked against the repository's file at `suite run`"
    else:
        jobs = f"{p.expected_jobs} jobs"
    estimate = " (estimated at one jobs page per run)" if p.expected_jobs is None else ""
    return (
        f"{p.expected_workflows} workflows of {p.workflow_file} ({jobs}) over "
        f"{fmt_eta(p.duration_s)}, about {api_cost(p)} counted GitHub requests{estimate}"
    )

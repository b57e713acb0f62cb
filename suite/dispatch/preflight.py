"""Preflight: before a run sends anything, what the profile asks of GitHub is checked.

The workflow (:func:`check_workflow`): a workflow the suite does not ship is read from the target
repository (GET .../contents/.github/workflows/{file}, the default branch) and the profile's inputs
are held to what it declares (suite.profiles.byo): a problem is one exit-2 error at the profile's
file:line, before the run directory exists. A shipped workflow was checked when the profile loaded.

The budget: from the profile (workflows, jobs per workflow, dispatch window, drain timeout) and GET
/rate_limit (which does not count), estimate the counted requests; refuse (UsageError, exit 2) with the
numbers when they cannot fit in the remaining budget plus the budget of any hourly resets during the
run, otherwise return the plan for printing. A custom workflow's job count is not known before GitHub
lists its jobs: its job reads are estimated at one page (up to 100 jobs) per run, and said so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from suite.errors import UsageError
from suite.profiles.byo import check_workflow as check_against
from suite.profiles.byo import fail
from suite.profiles.model import Profile
from suite.workflows import Workflow, parse_workflow

# The live observer's polls during the dispatch window (suite.pipeline.observer: the progress line, the
# dashboard and abort_on_fail share them): one runs page per poll, the runners every RUNNERS_EVERY-th poll.
# Their budget is PROGRESS_READS_PER_WORKFLOW counted reads per workflow (at most MAX_PROGRESS_POLLS
# polls), spread evenly over the window, never closer than PROGRESS_POLL_S: with the floor of two
# requests per workflow (its dispatch, its jobs read once) and the drain's polls, a run stays within
# 2.5 counted requests per workflow (`capacity`: a poll every 220 s of its 1760 s window)
PROGRESS_POLL_S = 60.0
MAX_PROGRESS_POLLS = 30
PROGRESS_READS_PER_WORKFLOW = 0.25
RUNNERS_EVERY = 4
DRAIN_POLL_S = 30.0  # after the last dispatch: one runs page per poll, at most this often
MAX_DRAIN_POLL_S = 120.0  # and at least this often (a long backlog: suite.pipeline.observer.drain_poll_s)
DRAIN_ESTIMATE_S = 900.0  # drain expected to last at most this long (bounded by drain_timeout_s)
RUNNER_SNAPSHOTS = 2  # runners read at the start and the end
RETRY_MARGIN = 0.05  # requests sent again after 5xx / connection errors
JOBS_PER_PAGE = 100
RUNS_PER_PAGE = 100
CONTENT_PER_HOUR = 500  # GitHub's secondary limit on content creation (dispatches)


@dataclass(frozen=True)
class Budget:
    workflows: int
    jobs_per_workflow: int | None  # None: not known before the run (a custom workflow)
    duration_s: float
    dispatches: int
    job_reads: int
    progress_reads: int
    drain_reads: int
    runner_reads: int
    retry_margin: int
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    available: int | None = None

    @property
    def total(self) -> int:
        return (
            self.dispatches
            + self.job_reads
            + self.progress_reads
            + self.drain_reads
            + self.runner_reads
            + self.retry_margin
        )

    @property
    def fits(self) -> bool:
        return self.available is None or self.total <= self.available

    def describe(self) -> str:
        parts = (
            f"{self.dispatches} dispatches + {self.job_reads} job reads + {self.progress_reads} progress "
            f"reads + {self.drain_reads} drain reads + {self.runner_reads} runner reads + "
            f"{self.retry_margin} retry margin = {self.total} counted requests "
            f"({self.total / max(1, self.workflows):.2f} per workflow)"
        )
        if self.jobs_per_workflow is None:
            parts += (
                " [estimate: the workflow's job count is learned from GitHub during the run; one jobs "
                f"page (up to {JOBS_PER_PAGE} jobs) per run assumed]"
            )
        if self.available is None:
            return f"API budget: {parts}; GitHub reports no rate limit"
        return (
            f"API budget: {parts}; available {self.available} "
            f"({self.remaining}/{self.limit} remaining now, resets included for the run's length)"
        )


def estimate(
    workflows: int, jobs_per_workflow: int | None, duration_s: float, drain_timeout_s: float
) -> Budget:
    """The counted requests of a run of ``workflows`` dispatches over ``duration_s`` (from the first
    dispatch to the last), before GET /rate_limit says what is available. ``jobs_per_workflow`` None:
    not known (one jobs page per run is assumed, and the plan says so)."""
    pages_per_run = max(1, math.ceil((jobs_per_workflow or 1) / JOBS_PER_PAGE))
    drain_s = min(drain_timeout_s, DRAIN_ESTIMATE_S)
    drain_reads = math.ceil(drain_s / DRAIN_POLL_S) + math.ceil(workflows / RUNS_PER_PAGE)
    base = workflows + workflows * pages_per_run
    return Budget(
        workflows=workflows,
        jobs_per_workflow=jobs_per_workflow,
        duration_s=duration_s,
        dispatches=workflows,
        job_reads=workflows * pages_per_run,
        progress_reads=progress_reads(duration_s, workflows),
        drain_reads=drain_reads,
        runner_reads=RUNNER_SNAPSHOTS,
        retry_margin=math.ceil(base * RETRY_MARGIN),
    )


def progress_polls(duration_s: float, workflows: int) -> int:
    """How many polls the live observer's budget allows in the dispatch window (at least one)."""
    reads = math.floor(PROGRESS_READS_PER_WORKFLOW * workflows)
    return max(1, min(MAX_PROGRESS_POLLS, math.floor(reads / (1 + 1 / RUNNERS_EVERY))))


def progress_poll_s(duration_s: float, workflows: int) -> float:
    """Seconds of the run's clock between the live observer's polls in a dispatch window this long."""
    return max(PROGRESS_POLL_S, duration_s / progress_polls(duration_s, workflows))


def progress_reads(duration_s: float, workflows: int) -> int:
    """The counted reads of those polls: a runs page each, the runners every RUNNERS_EVERY-th."""
    polls = math.ceil(duration_s / progress_poll_s(duration_s, workflows))
    return polls + math.ceil(polls / RUNNERS_EVERY)


def for_schedule(offsets: Sequence[float], jobs_per_workflow: int | None, drain_timeout_s: float) -> Budget:
    """:func:`estimate` for a run of this schedule (suite.schedule.arrivals offsets), as `suite run`
    estimates it before it dispatches and `suite profiles` lists it."""
    return estimate(len(offsets), jobs_per_workflow, offsets[-1] if offsets else 0.0, drain_timeout_s)


def with_rate_limit(budget: Budget, rate_limit: dict[str, Any], now: float, drain_timeout_s: float) -> Budget:
    """Add what GET /rate_limit says: remaining now, plus a full limit for each reset during the run."""
    core = (rate_limit.get("resources") or {}).get("core") or rate_limit.get("rate")
    if not isinstance(core, dict) or "remaining" not in core:
        return budget
    limit, remaining = int(core.get("limit") or 0), int(core["remaining"])
    reset = float(core.get("reset") or now)
    end = now + budget.duration_s + min(drain_timeout_s, DRAIN_ESTIMATE_S)
    resets = 0 if end < reset else 1 + int((end - reset) // 3600)
    return replace(
        budget, limit=limit, remaining=remaining, reset_at=reset, available=remaining + resets * limit
    )


def check(budget: Budget) -> str:
    """The plan text; raises UsageError with the numbers when the run cannot fit."""
    text = budget.describe()
    if not budget.fits:
        raise UsageError(
            f"The run cannot fit in the GitHub API budget: it needs about {budget.total} counted requests "
            f"but {budget.available} are available ({budget.remaining} of {budget.limit} remaining, "
            f"the limit resets at epoch {budget.reset_at:.0f}). {text}. Wait for the reset, use a token "
            "with a higher limit (GitHub App: up to 12,500/h), or shorten the profile; --force runs anyway "
            "(the governor then waits for the limit to reset)"
        )
    hours = max(budget.duration_s / 3600, 1.0)
    if budget.dispatches / hours > CONTENT_PER_HOUR:
        text += (
            f"; note: {budget.dispatches / hours:.0f} dispatches/h exceeds GitHub's {CONTENT_PER_HOUR}/h "
            "content-creation limit: the governor will wait when GitHub refuses"
        )
    return text


class WorkflowReader(Protocol):
    repo: str

    def workflow_text(self, workflow_file: str) -> str | None: ...


def check_workflow(profile: Profile, client: WorkflowReader) -> Workflow | None:
    """A custom workflow read from the repository and the profile held to it (module docstring);
    None for a shipped workflow (checked at load). Raises UsageError at the profile's file:line."""
    if not profile.custom:
        return None
    file = profile.workflow_file
    text = client.workflow_text(file)
    if text is None:
        fail(
            profile,
            "workflow",
            f"no .github/workflows/{file} on the default branch of {client.repo} (GitHub answered 404); "
            "add the workflow there (the local twin: `suite deploy --workflows DIR` with the folder "
            "that holds it), correct the file name, or check that the token can read the repository's "
            "contents",
        )
    try:
        workflow = parse_workflow(file, text)
    except UsageError:
        fail(
            profile,
            "workflow",
            f".github/workflows/{file} in {client.repo} is not a workflow the suite can read (not YAML, "
            "or not shaped like a workflow); fix the file on the default branch",
        )
    check_against(profile, workflow, client.repo)
    return workflow

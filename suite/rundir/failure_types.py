"""result.json's `failures` section, typed (re-exported by suite.rundir.result_types): one cause per
job that did not succeed (suite.analyze.failures; the rules: docs/architecture.md, Definitions)."""

from __future__ import annotations

from typing import TypedDict


class FailureCounts(TypedDict):
    """Jobs that did not succeed (conclusion failure, timed_out, cancelled or startup_failure: the
    jobs `suite compare`'s failure rate counts as 1), and how many of them each cause explains; the
    six causes partition them."""

    did_not_succeed: int
    timed_out: int
    cancelled: int
    out_of_memory: int
    runner_lost: int
    failed: int  # the job's own failure: none of the causes above
    unknown: int  # the data to tell is not collected (unknown_reasons says which)


class Failures(TypedDict):
    total: FailureCounts
    by_job_name: dict[str, FailureCounts]  # keyed by job name, in order of each name's first job
    unknown_reasons: dict[str, int]  # why a cause is unknown -> its jobs (fixed texts, bounded)

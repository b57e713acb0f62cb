"""The verdict of a run: pass, fail, inconclusive or incomplete, with the reasons (pure).

The rule (docs/architecture.md, "Verdicts"), in order of precedence:

1. incomplete: the run's figures cover part of its load, or none of it yet. Either it was never
   collected (the run has not ended, or raw/runs.jsonl / raw/jobs.jsonl is absent: `suite collect DIR`),
   or it was interrupted before it sent its whole schedule (Ctrl-C, SIGTERM, a kill: scheduled
   dispatches that were never sent, when no abort_on_fail threshold stopped the load).
2. fail: a threshold does not hold on its figure, or names a job name or workflow the run does not have
   (an abort_on_fail threshold that stopped the run fails
   whatever its final value), or a dispatched (accepted) workflow is missing after collection.
3. inconclusive: a threshold could not be judged (a figure it reads is null: nothing was observed; or a
   statistic over fewer samples than it needs, see needed_samples), or nothing was measured (no job of
   this test collected).
4. pass: none of the above.

Every reason of every level is listed (verdict_reasons), the deciding level's first. Exit codes:
pass 0, fail and inconclusive 1, incomplete 4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from suite.errors import EXIT_FAILED, EXIT_INCOMPLETE, EXIT_PASS

PASS, FAIL, INCONCLUSIVE, INCOMPLETE = "pass", "fail", "inconclusive", "incomplete"
VERDICTS = (PASS, FAIL, INCONCLUSIVE, INCOMPLETE)
EXIT_CODES = {PASS: EXIT_PASS, FAIL: EXIT_FAILED, INCONCLUSIVE: EXIT_FAILED, INCOMPLETE: EXIT_INCOMPLETE}
INCOMPLETE_REASONS = ("not collected", "interrupted")  # how the reasons of an incomplete run begin
RUN_DIR = "<run directory>"  # stands for the run directory's path when the caller does not give it


def needed_samples(stat: str) -> int:
    """Samples a distribution needs before its `stat` can gate a run.

    pN (a percentile q = N/100) needs n >= ceil(1 / (1 - q)): with fewer, less than one sample is
    expected above the percentile, so the figure is an interpolation towards the sample maximum, not a
    tail estimate (p50 2, p90 10, p95 20, p99 100). min, max and mean need one sample; count none.
    """
    if stat == "count":
        return 0
    if stat.startswith("p") and stat[1:].isdigit():
        q = int(stat[1:]) / 100
        return math.ceil(round(1 / (1 - q), 9))
    return 1


def threshold_status(row: Mapping[str, Any], aborted_by: str | None = None) -> tuple[str, str | None]:
    """(pass | fail | inconclusive, why) of one evaluated threshold (suite.gates.thresholds.evaluate's
    row: expr, value, ok, reason, and samples / needs when it reads a distribution's statistic)."""
    expr = str(row.get("expr"))
    if aborted_by is not None and expr == aborted_by:
        return FAIL, row.get("reason") or "it stopped the run (abort_on_fail)"
    if row.get("absent"):  # a job name or workflow the run does not have (suite.gates.selectors.absent)
        return FAIL, str(row.get("reason"))
    if row.get("reason"):  # a side could not be read: null (not observed), absent, not a number
        return INCONCLUSIVE, str(row["reason"])
    samples, needs = row.get("samples"), row.get("needs")
    if samples is not None and needs is not None and samples < needs:
        sampled = str(row.get("sampled") or "the figure")
        stat = sampled.rpartition(".")[2]
        return INCONCLUSIVE, f"{sampled} is over {samples} sample(s); a {stat} needs at least {needs}"
    if row.get("ok") is True:
        return PASS, None
    return FAIL, None


def judge_thresholds(rows: Sequence[Mapping[str, Any]], result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each threshold row with its `status`; an inconclusive one is not ok, with the reason."""
    aborted_by = ((result.get("dispatch") or {}).get("aborted") or {}).get("threshold")
    out = []
    for row in rows:
        status, why = threshold_status(row, aborted_by)
        judged = dict(row) | {"status": status}
        if status != PASS:
            judged["ok"] = False
        if status == INCONCLUSIVE:
            judged["reason"] = why
        out.append(judged)
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "null" if value is None else str(value)


def verdict(
    result: Mapping[str, Any], thresholds: Sequence[Mapping[str, Any]], run_dir: str | None = None
) -> tuple[str, list[str]]:
    """(verdict, reasons) of a result whose thresholds are `thresholds` (judge_thresholds' rows)."""
    done = result.get("completeness") or {}
    incomplete: list[str] = []
    fail: list[str] = []
    inconclusive: list[str] = []
    collected = done.get("collected", True)
    if not collected:
        incomplete.append(
            f"not collected ({done.get('not_collected_why') or 'the run has not ended'}): "
            f"run `suite collect {run_dir or RUN_DIR}`"
        )
    if done.get("stopped_by") == "interruption":
        incomplete.append(
            f"interrupted: {done.get('sent')} of {done.get('scheduled')} scheduled dispatches sent before "
            f"the run stopped ({done.get('never_sent')} never sent); the figures cover part of the load"
        )
    for row in thresholds:
        status = row.get("status") or threshold_status(row)[0]
        if status == FAIL:
            why = f": {row['reason']}" if row.get("reason") else ""
            fail.append(f"threshold `{row.get('expr')}` failed (value {_fmt(row.get('value'))}){why}")
        elif status == INCONCLUSIVE:
            inconclusive.append(f"threshold `{row.get('expr')}` could not be judged: {row.get('reason')}")
    wf = result.get("workflows") or {}
    missing = wf.get("missing") or []
    if collected and missing:
        dispatched = wf.get("dispatched")
        fail.append(f"{len(missing)} of {dispatched} dispatched workflow(s) missing after collection")
    jobs = (result.get("jobs") or {}).get("count")
    if collected and not jobs:
        inconclusive.append("nothing measured: no job of this test was collected")
    if incomplete:
        return INCOMPLETE, incomplete + fail + inconclusive
    if fail:
        return FAIL, fail + inconclusive
    if inconclusive:
        return INCONCLUSIVE, inconclusive
    return PASS, []


def exit_code(verdict_: str | None) -> int:
    """The CLI's exit code for a verdict (an unknown one fails)."""
    return EXIT_CODES.get(str(verdict_), EXIT_FAILED)

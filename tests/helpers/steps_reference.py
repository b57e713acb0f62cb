"""result.json `steps`, record by record from the raw job rows (the definitions in docs/architecture.md,
written without suite.analyze.steps): the oracle tests/analyze/test_equivalence.py holds it to."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from suite.analyze.stats import distribution
from suite.analyze.steps import DEFINITION  # the text only
from suite.isotime import parse_iso
from tests.helpers.analyze_records import Job

FAILING = ("failure", "timed_out", "cancelled")


def _duration(step: dict[str, Any]) -> float | None:
    started, completed = step.get("started_at"), step.get("completed_at")
    if not started or not completed:
        return None
    d = parse_iso(completed) - parse_iso(started)
    return d if d >= 0 else None


def steps_reference(
    rows: Iterable[dict[str, Any]], scoped: list[Job], reasons: dict[str, str]
) -> dict[str, Any]:
    raw: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        raw[row["id"]] = list(row.get("steps") or [])  # the last copy of a job id wins
    keys: list[tuple[str, int | None, str]] = []
    steps_of: dict[tuple[str, int | None, str], list[dict[str, Any]]] = {}
    failed_at = []
    for job in scoped:
        steps = sorted(raw.get(job.id, []), key=lambda s: (s.get("number") is None, s.get("number") or 0))
        for s in steps:
            key = (job.name, s.get("number"), str(s.get("name") or ""))
            if key not in steps_of:
                keys.append(key)
            steps_of.setdefault(key, []).append(s)
        if job.conclusion in ("failure", "timed_out"):
            first = next((s for s in steps if s.get("conclusion") in FAILING), None)
            why = None if first else "the job carried no steps" if not steps else (
                "no step concluded failure, timed_out or cancelled"
            )  # fmt: skip
            failed_at.append({
                "job_id": job.id, "job_name": job.name,
                "step_number": first and first.get("number"), "step_name": first and first.get("name"),
                "step_conclusion": first and first.get("conclusion"), "reason": why,
            })  # fmt: skip
    first_of = {}
    for job, _, _ in keys:
        first_of.setdefault(job, len(first_of))
    keys.sort(key=lambda k: (first_of[k[0]], k[1] is None, k[1] or 0, k[2]))
    by_step = []
    for key in keys:
        durations = [d for s in steps_of[key] if (d := _duration(s)) is not None]
        if not durations:
            address = f"steps[{json.dumps(key[0])}][{json.dumps(key[1])}].duration_s"
            reasons.setdefault(address, "no step of this key had both started_at and completed_at (skipped)")
        by_step.append({
            "job_name": key[0], "number": key[1], "name": key[2], "steps": len(steps_of[key]),
            "timed": len(durations), "failed": sum(s.get("conclusion") in FAILING for s in steps_of[key]),
            "duration_s": distribution(durations),
        })  # fmt: skip
    timed = [f for f in by_step if f["timed"]]
    if not timed:
        reasons.setdefault("steps", "no job of this test carried a step with started_at and completed_at")
    slowest = sorted(timed, key=lambda f: -f["duration_s"]["p95"])[:10]
    return {"definition": DEFINITION, "by_step": by_step, "slowest": slowest, "failed_at": failed_at}

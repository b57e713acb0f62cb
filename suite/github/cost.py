"""API cost figures for result.json's `api` section (written to raw/api.json; analysis passes it on)."""

from __future__ import annotations

from typing import Any

SUMMED = ("requests", "counted", "not_modified", "retries", "rate_limited", "connection_errors")
SUMMED_S = ("waited_s", "backoff_s", "paced_s")


def merge_stats(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two sessions' GitHubClient.api_stats() added up (dispatch session + a later `suite collect`)."""
    out: dict[str, Any] = {}
    for key in SUMMED:
        out[key] = int(a.get(key) or 0) + int(b.get(key) or 0)
    for key in SUMMED_S:
        out[key] = round(float(a.get(key) or 0) + float(b.get(key) or 0), 3)
    per_endpoint: dict[str, dict[str, int]] = {}
    for src in (a, b):
        for name, counts in (src.get("per_endpoint") or {}).items():
            dst = per_endpoint.setdefault(name, {})
            for k, v in counts.items():
                dst[k] = dst.get(k, 0) + int(v)
    out["per_endpoint"] = per_endpoint
    by_wf: dict[str, dict[str, int]] = {}
    for src in (a, b):
        for name, counts in (src.get("dispatches_by_workflow") or {}).items():
            dst = by_wf.setdefault(name, {})
            for k, v in counts.items():
                dst[k] = dst.get(k, 0) + int(v)
    out["dispatches_by_workflow"] = by_wf
    return out


def api_section(stats: dict[str, Any], dispatched_workflows: int) -> dict[str, Any]:
    """stats plus `dispatched_workflows` and `per_workflow` = counted requests / dispatched workflows
    (a number; None when nothing was dispatched)."""
    out = dict(stats)
    out["dispatched_workflows"] = dispatched_workflows
    counted = int(stats.get("counted") or 0)
    out["per_workflow"] = round(counted / dispatched_workflows, 3) if dispatched_workflows else None
    return out

"""The series the one page draws (suite.report.page), as JSON, from suite.report.series. Pure.

Every series comes from series.py's functions, already bounded (MAX_POINTS points per scatter or step
series, MAX_BARS throughput bars, MAX_LANES Gantt lanes), so the page never carries per-job arrays beyond
them however many jobs the run had; each says whether it was binned or strided, and the page's caption
says so. Times are epoch seconds on GitHub's clock (the ledger's own clock shifted by clock_offset_s).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from suite.analyze.resources import CPU, MEM
from suite.isotime import ts
from suite.report import series as S

Rows = Iterable[dict[str, Any]]

# the Gantt's bar kinds, in the order the page colours them (index = the bar's `k`)
BAR_KINDS = ("cold", "idle", "success", "failure", "cancelled", "other")
MAX_TASK_LINES = 64  # CPU/memory: one line per task up to this many tasks, else one cloud of points
MAX_CURVE = 2_000  # points of a cumulative dispatch curve (exact at each point drawn)


def steps(st: S.Steps) -> dict[str, Any]:
    return {"t": st.t, "v": st.v, "binned": st.binned}


def _cumulative(times: list[float], max_points: int) -> dict[str, list[float] | list[int]]:
    """A sorted list of event times as a cumulative count: (t, how many by then), every k-th event kept
    (always the last), so the curve is exact at every point drawn."""
    if not times:
        return {"t": [], "n": []}
    step = max(1, math.ceil(len(times) / max_points))
    idx = list(range(0, len(times), step))
    if idx[-1] != len(times) - 1:
        idx.append(len(times) - 1)
    return {"t": [times[i] for i in idx], "n": [i + 1 for i in idx]}


def dispatch(
    result: dict[str, Any],
    ledger: Rows | None = None,
    max_points: int = S.MAX_POINTS,
    max_curve: int = MAX_CURVE,
) -> dict[str, Any]:
    """Dispatch progress against the schedule, from each scheduled dispatch's first send.

    `scheduled` and `sent`: cumulative counts over time ({t, n}; a dispatch never sent is not in `sent`),
    at most `max_curve` points each; `lag_t`/`lag_s`: per sent dispatch, its scheduled time and sent −
    scheduled, so a late dispatch stands out (every `stride`-th beyond `max_points`).
    """
    shift = float(result.get("clock_offset_s") or 0.0)
    scheduled, sent = _first_sends(result, ledger)  # per suite_id (NaN: none)
    known_a, known_b = ~np.isnan(scheduled), ~np.isnan(sent)
    on_time = np.sort(scheduled[known_a] + shift)
    sends = np.sort(sent[known_b] + shift)
    both = known_a & known_b
    lag_t, lag_s = scheduled[both] + shift, sent[both] - scheduled[both]
    by_time = np.lexsort((lag_s, lag_t))  # as sorted() orders the (t, lag) pairs: by t, then lag
    stride = max(1, math.ceil(by_time.size / max_points))
    picked = by_time[::stride]
    return {
        "scheduled": _cumulative(on_time.tolist(), max_curve),
        "sent": _cumulative(sends.tolist(), max_curve),
        "lag_t": lag_t[picked].tolist(),
        "lag_s": lag_s[picked].tolist(),
        "counts": {
            "scheduled": int(on_time.size),
            "sent": int(sends.size),
            "not_sent": int((~known_b).sum()),
        },
        "stride": stride,
    }


def _first_sends(result: dict[str, Any], ledger: Rows | None) -> tuple[np.ndarray, np.ndarray]:
    """Per suite_id, its first scheduled_at and first sent_at (series.sends), as float arrays with NaN
    for none: the result's in-memory `dispatches` columns as they are when each suite_id is there once
    (the analysis keeps them so), else through series.sends' dict (a suite_id repeated: its last entry)."""
    cols = result.get("dispatches") or {}
    ids = cols.get("suite_id")
    if ledger is None and ids is not None and len(set(map(str, ids))) == len(ids):
        return (
            np.asarray(cols.get("scheduled", ()), dtype=np.float64).reshape(-1),
            np.asarray(cols.get("sent", ()), dtype=np.float64).reshape(-1),
        )
    first = S.sends(result, ledger)
    scheduled = np.array([np.nan if a is None else a for a, _, _ in first.values()], dtype=np.float64)
    sent = np.array([np.nan if b is None else b for _, b, _ in first.values()], dtype=np.float64)
    return scheduled, sent


def queue(result: dict[str, Any], ledger: Rows | None = None) -> dict[str, Any]:
    q = S.queue_points(result, ledger)
    return {
        "x": q.dispatched,
        "github": q.github,
        "from_schedule": q.from_schedule,
        "x_is_dispatch": q.x_is_dispatch,
        "stride": q.stride,
    }


def throughput(result: dict[str, Any]) -> dict[str, Any]:
    th = S.throughput_bins(result)
    return {
        "starts": th.starts,
        "width_s": th.width_s,
        "completed": th.completed,
        "started": th.started,
        "jobs_per_min": th.jobs_per_min,
    }


def gantt(
    result: dict[str, Any], task_events: Rows | None = None, max_jobs: int = S.MAX_GANTT_JOBS
) -> dict[str, Any]:
    """Lanes of bars: bar i is lane[i], from s[i] to e[i], of kind BAR_KINDS[k[i]] (task_events None: the
    tasks' lifecycles from the result's in-memory per_task)."""
    g = S.gantt(result, task_events, max_jobs=max_jobs)
    lane: list[int] = []
    s: list[float] = []
    e: list[float] = []
    k: list[int] = []

    def add(i: int, kind: str, spans: list[tuple[float, float]]) -> None:
        for a, b in spans:
            lane.append(i)
            s.append(a)
            e.append(b)
            k.append(BAR_KINDS.index(kind))

    for i, ln in enumerate(g.lanes):
        add(i, "cold", ln.cold)
        add(i, "idle", ln.idle)
        for outcome in BAR_KINDS[2:]:
            add(i, outcome, ln.jobs.get(outcome, []))
    return {
        "kinds": list(BAR_KINDS),
        "lanes": len(g.lanes),
        "lanes_total": g.lanes_total,
        "jobs_drawn": g.jobs_drawn,
        "jobs_total": g.jobs_total,
        "cold_starts": g.cold_starts,
        "sliced": g.jobs_total > max_jobs,  # the view ends at the max_jobs-th job's end
        "max_jobs": max_jobs,
        "view": None if g.view is None else [g.view.start, g.view.end],
        "lane": lane,
        "s": s,
        "e": e,
        "k": k,
    }


def resources(metric_rows: Rows, usage: dict[str, Any] | None = None) -> dict[str, Any]:
    """CPU (units) and memory (MiB) per task: {metric: {"tasks": [...], "t": [[...]], "v": [[...]]}}, from
    the result's in-memory task-usage columns when it has them (`suite report`: metric_rows then never
    read), else from the metric rows (the live page)."""
    tm = S.task_metrics(metric_rows) if usage is None else S.usage_metrics(usage)
    out: dict[str, Any] = {"samples": tm.samples, "stride": tm.stride}
    for key, metric in (("cpu", CPU), ("memory", MEM)):
        per = tm.series[metric]
        names = sorted(per)
        out[key] = {
            "tasks": names,
            "t": [[p[0] for p in per[n]] for n in names],
            "v": [[p[1] for p in per[n]] for n in names],
            "reserved": tm.reserved[metric],
        }
    out["lines"] = len(set(tm.series[CPU]) | set(tm.series[MEM])) <= MAX_TASK_LINES
    return out


def stages(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The load pattern's phases to shade on every time chart: saturation's stages (step, ramp) or the
    spike's baseline, surge and after; none for a constant load."""
    out: list[dict[str, Any]] = []
    sat = result.get("saturation") or {}
    for st in sat.get("stages") or []:
        a, b = ts(st.get("start")), ts(st.get("end"))
        if a is not None and b is not None:
            rate = st.get("target_rate_per_min")
            label = f"stage {st.get('stage')}" + (f" · {rate:g}/min" if isinstance(rate, int | float) else "")
            out.append({"label": label, "start": a, "end": b})
    rec = result.get("recovery") or {}
    a, b = ts(rec.get("surge_start")), ts(rec.get("surge_end"))
    if a is not None and b is not None:
        w = S.window_of(result)
        if w is not None and w.start < a:
            out.append({"label": "baseline", "start": w.start, "end": a})
        out.append({"label": "surge", "start": a, "end": b})
        if w is not None and b < w.end:
            out.append({"label": "after the surge", "start": b, "end": w.end})
    return out

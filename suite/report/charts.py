"""report.html's charts as PNG bytes (matplotlib, Agg; no pyplot, so no global state).

Every chart renders even without data: it then says what is missing instead of being left out, so
the report always has the same charts. Big runs are downsampled in suite.report.series; the caption
of each chart says when it was.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before anything can pick an interactive backend

from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from suite.analyze.resources import CPU, MEM
from suite.report import series as S

Rows = Iterable[dict[str, Any]]  # read once, in order (rows streamed from a JSONL file)
DPI = 100
WIDTH_IN = 11.0
DAY = 86400.0
COLOURS = {
    "success": "#2f6fb0",
    "failure": "#d1372f",
    "cancelled": "#e69a28",
    "other": "#8c8c8c",
    "cold": "#b9b9b9",
    "idle": "#eef1f5",
    "limit": "#d1372f",
    "accent": "#2f6fb0",
    "accent2": "#e69a28",
}


@dataclass(frozen=True)
class Chart:
    name: str  # file stem in charts/
    title: str
    caption: str
    png: bytes


def _num(t: float) -> float:
    """Epoch seconds -> matplotlib date number (days since 1970-01-01, matplotlib's default epoch)."""
    return t / DAY


def _nums(ts: Sequence[float]) -> list[float]:
    return [t / DAY for t in ts]


def _margins(fig: Figure, top_in: float = 0.45, bottom_in: float = 0.75) -> None:
    """Fixed margins in inches (a layout engine would draw every figure twice to measure it)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(
        left=1.3 / w, right=1 - 0.25 / w, top=1 - top_in / h, bottom=bottom_in / h, hspace=0.12
    )


def _figure(height_in: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    _margins(fig)
    return fig, fig.add_subplot()


def _style(ax: Axes, ylabel: str, time_axis: bool = True) -> None:
    ax.set_ylabel(ylabel)
    ax.grid(True, color="#e3e3e3", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if time_axis:
        locator = mdates.AutoDateLocator(minticks=6, maxticks=14)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel("time (UTC, GitHub clock)")


def _legend(ax: Axes, **kw: Any) -> None:
    """Above the plot, so it never hides data."""
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=4, frameon=False, borderaxespad=0.2, **kw)


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555", fontsize=12)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#cccccc")


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=DPI,
        facecolor="white",
        metadata={"Software": None},
        pil_kwargs={"compress_level": 3},
    )
    return buf.getvalue()


def concurrency_chart(result: dict[str, Any]) -> Chart:
    steps = S.concurrency_steps(result)
    configured = (result.get("runners") or {}).get("configured")
    fig, ax = _figure(3.4)
    title = "Concurrency over time"
    caption = (
        "Jobs of this test running at each instant (half-open intervals [started, completed)); "
        "the dashed line is the configured runner count."
    )
    if len(steps.t) < 2:
        _empty(ax, "no job ran: no concurrency to show")
        return Chart("concurrency", title, caption, _png(fig))
    x = _nums(steps.t)
    ax.fill_between(x, steps.v, step="post", color=COLOURS["accent"], alpha=0.25, linewidth=0)
    ax.step(x, steps.v, where="post", color=COLOURS["accent"], linewidth=1.4, label="running jobs")
    top = max(steps.v)
    if configured is not None:
        ax.axhline(configured, color=COLOURS["limit"], linestyle="--", linewidth=1.4)
        ax.annotate(
            f"configured runners: {configured}",
            xy=(1.0, configured),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 4),
            textcoords="offset points",
            ha="right",
            va="bottom",
            color=COLOURS["limit"],
        )
        top = max(top, float(configured))
    waiting = S.waiting_steps(result)
    if len(waiting.t) >= 2:
        ax.step(
            _nums(waiting.t),
            waiting.v,
            where="post",
            color=COLOURS["accent2"],
            linewidth=1.2,
            label=f"jobs waiting (created, not started; max {max(waiting.v):g})",
        )
        top = max(top, max(waiting.v))
        caption += " The orange line is the jobs waiting for a runner (created, not yet started)."
        _legend(ax)
    ax.set_ylim(0, top * 1.15 + 0.5)
    ax.set_xlim(x[0], x[-1])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _style(ax, "jobs")
    if steps.binned or waiting.binned:
        caption += " Downsampled: each bin shows its maximum."
    return Chart("concurrency", title, caption, _png(fig))


def queue_chart(result: dict[str, Any], ledger: Rows) -> Chart:
    pts = S.queue_points(result, ledger)
    fig, ax = _figure(3.4)
    title = "Queue time by dispatch time"
    basis = "dispatch (sent_at, clock-offset corrected)" if pts.x_is_dispatch else "job created_at"
    caption = f"Each job at its workflow's {basis}: GitHub queue time (started − created)"
    if not pts.dispatched:
        _empty(ax, "no job started: no queue time to show")
        return Chart("queue_time", title, caption + ".", _png(fig))
    x = _nums(pts.dispatched)
    gh = [(a, b) for a, b in zip(x, pts.github, strict=True) if b is not None]
    sc = [(a, b) for a, b in zip(x, pts.from_schedule, strict=True) if b is not None]
    size = 18 if len(x) < 2000 else 4
    if sc:
        ax.scatter(
            [a for a, _ in sc],
            [b for _, b in sc],
            s=size,
            facecolors="none",
            edgecolors=COLOURS["accent2"],
            linewidths=0.9,
            label="from schedule (started − scheduled)",
            rasterized=True,
        )
        caption += " and queue time from the schedule (started − scheduled_at)"
    ax.scatter(
        [a for a, _ in gh],
        [b for _, b in gh],
        s=size,
        color=COLOURS["accent"],
        label="GitHub (started − created)",
        rasterized=True,
    )
    ax.set_ylim(bottom=0)
    _legend(ax)
    _style(ax, "queue time (s)")
    ax.set_xlabel(f"{basis} (UTC)")
    caption += "."
    if pts.stride > 1:
        caption += f" Downsampled: every {pts.stride}th job."
    return Chart("queue_time", title, caption, _png(fig))


def gantt_chart(result: dict[str, Any], task_events: Rows) -> Chart:
    g = S.gantt(result, task_events)
    lanes = len(g.lanes)
    fig, ax = _figure(1.6 + 0.32 * max(lanes, 3))
    title = "Runner timeline"
    caption = (
        "One lane per runner slot: ECS tasks that ran one after another share a lane (an ephemeral "
        "runner is one task and one job). Grey: task cold start (createdAt → startedAt, from the "
        "ECS task events); pale: runner up and idle; coloured: jobs by conclusion."
    )
    if not lanes or g.view is None:
        _empty(ax, "no job ran on a named runner: no timeline to show")
        return Chart("runner_timeline", title, caption, _png(fig))
    height = 0.7
    for i, lane in enumerate(g.lanes):
        y = i - height / 2

        def bars(spans: list[tuple[float, float]], y: float = y, **kw: Any) -> None:
            if spans:
                ax.broken_barh([(_num(s), _num(e) - _num(s)) for s, e in spans], (y, height), **kw)

        bars(lane.idle, facecolors=COLOURS["idle"], edgecolor="none")
        bars(lane.cold, facecolors=COLOURS["cold"], edgecolor="#8a8a8a", hatch="///", linewidth=0.4)
        for outcome, spans in lane.jobs.items():
            bars(spans, facecolors=COLOURS[outcome], edgecolor="white", linewidth=0.5)
    labels = [
        lane.runners[0][:12] if len(lane.runners) == 1 else f"slot {i + 1} ({len(lane.runners)} tasks)"
        for i, lane in enumerate(g.lanes)
    ]
    ax.set_yticks(range(lanes), labels, fontsize=8)
    ax.set_ylim(lanes - 0.5, -0.5)
    ax.set_xlim(_num(g.view.start), _num(g.view.end))
    present = {k for lane in g.lanes for k, v in lane.jobs.items() if v}
    handles = [Patch(facecolor=COLOURS["cold"], hatch="///", edgecolor="#8a8a8a", label="cold start")]
    handles.append(Patch(facecolor=COLOURS["idle"], edgecolor="#cccccc", label="idle"))
    handles += [Patch(facecolor=COLOURS[k], label=f"job: {k}") for k in COLOURS if k in present]
    _legend(ax, handles=handles)
    _style(ax, "")
    ax.grid(False, axis="y")
    caption += f" {g.cold_starts} cold start(s) shown."
    if g.lanes_total > lanes:
        caption += f" Showing {lanes} of {g.lanes_total} lanes."
    if g.jobs_drawn < g.jobs_total:
        caption += f" Showing {g.jobs_drawn} of {g.jobs_total} jobs (the start of the run)."
    return Chart("runner_timeline", title, caption, _png(fig))


def throughput_chart(result: dict[str, Any]) -> Chart:
    tp = S.throughput_bins(result)
    fig, ax = _figure(3.2)
    unit = "minute" if tp.width_s == 60 else f"{tp.width_s / 60:.0f} minutes"
    title = "Throughput per minute"
    caption = f"Jobs completed (bars) and started (line) per {unit} of the window, from its start."
    if not tp.starts:
        _empty(ax, "no window: no throughput to show")
        return Chart("throughput", title, caption, _png(fig))
    x = _nums(tp.starts)
    w = tp.width_s / DAY
    ax.bar(x, tp.completed, width=w * 0.9, align="edge", color=COLOURS["accent"], label="completed")
    ax.step(
        [*x, x[-1] + w],
        [*tp.started, tp.started[-1]],
        where="post",
        color=COLOURS["accent2"],
        label="started",
    )
    if tp.jobs_per_min is not None:
        per_bin = tp.jobs_per_min * tp.width_s / 60.0
        ax.axhline(
            per_bin, color="#444", linestyle=":", linewidth=1.2, label=f"mean {tp.jobs_per_min:.2f}/min"
        )
    ax.set_xlim(x[0], x[-1] + w)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend(ax)
    _style(ax, f"jobs per {unit}")
    return Chart("throughput", title, caption, _png(fig))


def resources_chart(result: dict[str, Any], metric_rows: Rows) -> Chart:
    ts_ = S.task_metrics(metric_rows)
    fig = Figure(figsize=(WIDTH_IN, 5.6), dpi=DPI)
    _margins(fig, top_in=0.2)
    axes = fig.subplots(2, 1, sharex=True)
    title = "CPU and memory per task over time"
    caption = (
        "Per ECS task, one line each: the in-task sampler's readings (every few seconds) where the task "
        "has them, else Container Insights samples (one a minute, RUNNING tasks only); dashed: the task's "
        "reservation. CPU in CPU units (1024 = 1 vCPU), memory in MiB."
    )
    if ts_.samples == 0:
        fig.clear()
        _empty(fig.add_subplot(), "no samples in raw/samples.jsonl or raw/metrics.jsonl")
        return Chart("resources", title, caption, _png(fig))
    w = S.window_of(result)
    cmap = matplotlib.colormaps["tab20"]
    for ax, metric, label in ((axes[0], CPU, "CPU (units)"), (axes[1], MEM, "memory (MiB)")):
        per_task = ts_.series[metric]
        segments, singles, colours = [], [], []
        for k, task in enumerate(sorted(per_task)):
            pts = [(_num(t), v) for t, v in per_task[task]]
            colour = cmap(k % 20)
            if len(pts) > 1:
                segments.append(pts)
                colours.append(colour)
            singles += [(p, colour) for p in pts]
        if segments:
            ax.add_collection(LineCollection(segments, colors=colours, linewidths=1.2))
        if singles:
            ax.scatter(
                [p[0] for p, _ in singles], [p[1] for p, _ in singles], s=10, c=[c for _, c in singles]
            )
        reserved = ts_.reserved[metric]
        top = max((p[0][1] for p in singles), default=0.0)
        if reserved:
            ax.axhline(reserved, color=COLOURS["limit"], linestyle="--", linewidth=1.2)
            ax.annotate(
                f"reserved {reserved:g}",
                xy=(1.0, reserved),
                xycoords=("axes fraction", "data"),
                xytext=(-4, -12),
                textcoords="offset points",
                ha="right",
                color=COLOURS["limit"],
            )
            top = max(top, reserved)
        ax.set_ylim(0, top * 1.1 or 1.0)
        _style(ax, label)
    axes[0].set_xlabel("")
    if w is not None:
        axes[1].set_xlim(_num(w.start), _num(w.end))
    else:
        axes[1].autoscale(axis="x")
    n_tasks = len(set(ts_.series[CPU]) | set(ts_.series[MEM]))
    caption += f" {ts_.samples} samples from {n_tasks} task(s)."
    if ts_.stride > 1:
        caption += f" Downsampled: every {ts_.stride}th sample."
    return Chart("resources", title, caption, _png(fig))


def render_charts(result: dict[str, Any], ledger: Rows, task_events: Rows, metric_rows: Rows) -> list[Chart]:
    return [
        concurrency_chart(result),
        queue_chart(result, ledger),
        gantt_chart(result, task_events),
        throughput_chart(result),
        resources_chart(result, metric_rows),
    ]

"""summary.md: the result as Markdown tables (tabulate, GitHub flavour)."""

from __future__ import annotations

from itertools import islice
from typing import Any

from tabulate import tabulate

from suite.analyze.stats import PERCENTILE_METHOD
from suite.report.fmt import DIST_KEYS, dist_row, num, pct

MAX_LISTED = 50  # rows listed per detail table (missing workflows, jobs without samples)


def _table(rows: list[list[str]], headers: list[str] | tuple[str, ...]) -> str:
    return tabulate(rows, headers=list(headers), tablefmt="github", disable_numparse=True)


def _listed(rows: list[list[str]], headers: list[str], what: str, unlisted: int = 0) -> list[str]:
    """The first MAX_LISTED rows; the rest (and `unlisted` rows not passed) counted."""
    out = [_table(rows[:MAX_LISTED], headers)]
    more = max(0, len(rows) - MAX_LISTED) + unlisted
    if more:
        out.append(f"\n… and {more} more {what} (see result.json).")
    return out


def _workflows(r: dict[str, Any]) -> list[str]:
    wf = r["workflows"]
    keys = ("dispatched", "collected", "succeeded", "failed", "incomplete")
    row = [*(num(wf.get(k)) for k in keys), pct(wf.get("success_rate")), str(len(wf["missing"]))]
    row.append(str(len(wf.get("not_dispatched") or [])))
    out = ["## Workflows", "", _table([row], [*keys, "success rate", "missing", "not dispatched"])]
    d = r.get("dispatch") or {}
    if d.get("aborted"):
        a = d["aborted"]
        out += [
            "",
            f"**Run aborted at {a['at']}**: {a['reason']}; {d['not_dispatched']} scheduled "
            "workflow(s) were not dispatched (listed in result.json `workflows.not_dispatched`).",
        ]
    if d.get("late"):
        out += ["", f"{d['late']} dispatch(es) went out more than {d['late_after_real_s']:g} s (real) late."]
    if wf["missing"]:
        rows = [[m["suite_id"], m["reason"]] for m in wf["missing"]]
        out += ["", "### Missing workflows", "", *_listed(rows, ["suite_id", "reason"], "missing workflows")]
    return out


def _jobs(r: dict[str, Any]) -> list[str]:
    jobs = r["jobs"]
    keys = [k for k in ("count", "succeeded", "failed", "cancelled", "skipped", "incomplete") if k in jobs]
    return ["## Jobs", "", _table([[num(jobs[k]) for k in keys]], keys)]


def _timings(r: dict[str, Any]) -> list[str]:
    rows = [
        dist_row("queue (started − created)", r["queue_time_s"]),
        dist_row("execution (completed − started)", r["execution_time_s"]),
        dist_row("workflow total (last job completed − run created)", r["total_time_s"]),
        dist_row("dispatch lag (sent − scheduled)", r["dispatch_lag_s"]),
    ]
    if "dispatch_lag_real_s" in r and (r.get("dispatch") or {}).get("clock_speed", 1) != 1:
        speed = r["dispatch"]["clock_speed"]
        rows.append(dist_row(f"dispatch lag, real seconds (twin clock {speed:g}x)", r["dispatch_lag_real_s"]))
    if "queue_from_schedule_s" in r:
        rows.append(dist_row("queue from schedule (started − scheduled)", r["queue_from_schedule_s"]))
    rows.append(dist_row("task cold start (createdAt → startedAt)", r["tasks"]["cold_start_s"]))
    return [
        "## Timings (seconds)",
        "",
        _table(rows, ["figure", *DIST_KEYS]),
        "",
        f"Percentiles: {PERCENTILE_METHOD}.",
    ]


def _load(r: dict[str, Any]) -> list[str]:
    conc, thru, ll = r["concurrency"], r["throughput"], r.get("little_law") or {}
    rows = [
        ["max concurrency (exact)", num(conc["max"])],
        ["mean concurrency (time-weighted over the window)", num(conc["mean"])],
        ["throughput (completed jobs / window minutes)", num(thru["jobs_per_min"])],
        ["Little's law: throughput × mean execution", num(ll.get("throughput_x_execution"))],
        ["Little's law: relative error vs mean concurrency", pct(ll.get("relative_error"))],
    ]
    return ["## Concurrency and throughput", "", _table(rows, ["figure", "value"])]


def _runners(r: dict[str, Any]) -> list[str]:
    run = r["runners"]
    head = [[num(run["configured"]), num(run["observed"]), pct(run["utilization"])]]
    rows = [
        [p["runner_name"], num(p["jobs"]), num(p["busy_s"], 1), pct(p["utilization"])]
        for p in run["per_runner"]
    ]
    return [
        "## Runners",
        "",
        "Utilization = busy runner-seconds / (configured runners × window seconds).",
        "",
        _table(head, ["configured", "observed", "utilization"]),
        "",
        *_listed(rows, ["runner", "jobs", "busy s", "utilization"], "runners"),
    ]


def _resources(r: dict[str, Any]) -> list[str]:
    res = r["resources"]
    cpu, mem = res["cpu"], res["memory"]
    rows = [
        dist_row("CPU max per job (units)", cpu["max"]),
        dist_row("CPU mean per job (units)", cpu["mean"]),
        dist_row("CPU max per job (% of reserved)", cpu["max_pct"]),
        dist_row("memory max per job (MiB)", mem["max"]),
        dist_row("memory mean per job (MiB)", mem["mean"]),
        dist_row("memory max per job (% of reserved)", mem["max_pct"]),
    ]
    out = [
        "## Resources",
        "",
        f"Jobs with Container Insights samples inside their interval: {res['jobs_with_samples']}; "
        f"without: {res['jobs_without_samples']} (their figures are null, not 0).",
        "",
        _table(rows, ["figure", *DIST_KEYS]),
    ]
    # the first MAX_LISTED such jobs are listed, the others counted (a big run has hundreds of thousands)
    lacking_all = (j for j in r.get("per_job") or [] if j.get("resource_reason"))
    lacking = list(islice(lacking_all, MAX_LISTED + 1))
    more = sum(1 for _ in lacking_all)
    if lacking:
        rows = [
            [
                str(j["id"]),
                j["name"],
                num(j["runner_name"]),
                num(j["cpu_max"]),
                num(j["memory_max"]),
                j["resource_reason"],
            ]
            for j in lacking
        ]
        headers = ["job", "name", "runner", "cpu max", "mem max MiB", "reason"]
        out += ["", "### Jobs without (complete) resource figures", "", *_listed(rows, headers, "jobs", more)]
    return out


def _thresholds(r: dict[str, Any]) -> list[str]:
    thresholds = r.get("thresholds") or []
    if not thresholds:
        return ["## Thresholds", "", "No thresholds."]
    rows = [
        [
            str(t.get("expr")),
            num(t.get("value")),
            "ok" if t.get("ok") is True else "FAIL",
            t.get("reason") or "",
        ]
        for t in thresholds
    ]
    return ["## Thresholds", "", _table(rows, ["threshold", "value", "result", "reason"])]


def _reasons(r: dict[str, Any]) -> list[str]:
    reasons = r.get("reasons") or {}
    if not reasons:
        return []
    return ["## Figures that could not be observed", "", *(f"- `{k}`: {v}" for k, v in reasons.items())]


def summary_markdown(result: dict[str, Any]) -> str:
    w = result["window"]
    head = [
        f"# {result.get('test_run_id')}: {str(result.get('verdict')).upper()}",
        "",
        f"Profile `{result.get('profile')}` · environment `{result.get('environment')}` · "
        f"window {num(w.get('start'))} .. {num(w.get('end'))} ({num(w.get('duration_s'), 0)} s)",
    ]
    sections = [head, _workflows(result), _jobs(result), _timings(result), _load(result), _runners(result)]
    sections += [_resources(result), _thresholds(result), _reasons(result)]
    return "\n\n".join("\n".join(s) for s in sections if s) + "\n"

"""A short console summary of a result. Names reach the terminal as text: every line passes through
suite.report.escape.terminal_text (no escape sequence, no control character, no line of its own)."""

from __future__ import annotations

from typing import Any

from suite.report import by_name, cost, failures, load_sections, rightsize
from suite.report import steps as steps_view
from suite.report.escape import terminal_text
from suite.report.fmt import num, pct
from suite.report.verdict_view import banner, other_reasons, verdict_name


def terminal_summary(result: dict[str, Any]) -> str:
    wf, jobs, q, ex = result["workflows"], result["jobs"], result["queue_time_s"], result["execution_time_s"]
    conc, thru, run = result["concurrency"], result["throughput"], result["runners"]
    res = result["resources"]
    res_why = (result.get("reasons") or {}).get("resources")
    unmeasured = f" ({res_why})" if res_why and not res["jobs_with_samples"] else ""
    thresholds = result.get("thresholds") or []
    scheduled = (result.get("completeness") or {}).get("scheduled")
    lines = [
        f"{result.get('test_run_id')} ({result.get('profile')}, {result.get('environment')}): "
        f"{verdict_name(result)}",
        *(f"  !! {text}" for text in [banner(result)] if text),
        *(f"  because   {why}" for why in other_reasons(result)),
        f"  window      {num(result['window']['start'])} .. {num(result['window']['end'])}",
        f"  workflows   {num(scheduled)} scheduled, {wf['dispatched']} dispatched, "
        f"{num(wf['collected'])} collected, {num(wf['succeeded'])} succeeded, {num(wf['failed'])} failed, "
        f"{len(wf['missing'])} missing",
        f"  jobs        {num(jobs['count'])} ({num(jobs['succeeded'])} ok, {num(jobs['failed'])} failed, "
        f"{num(jobs['cancelled'])} cancelled)",
        f"  queue s     p50 {num(q['p50'])}  p95 {num(q['p95'])}  max {num(q['max'])}",
        f"  execution s p50 {num(ex['p50'])}  p95 {num(ex['p95'])}  max {num(ex['max'])}",
        f"  concurrency max {num(conc['max'])}, mean {num(conc['mean'])}; "
        f"throughput {num(thru['jobs_per_min'])} jobs/min",
        f"  runners     {num(run['configured'])} configured, {num(run['observed'])} observed, "
        f"utilization {pct(run['utilization'])}",
        f"  resources   {num(res['jobs_with_samples'])} job(s) with samples, "
        f"{num(res['jobs_without_samples'])} without{unmeasured}",
    ]
    lines += by_name.terminal_lines(result)
    lines += steps_view.terminal_lines(result)
    lines += failures.terminal_lines(result)
    lines += rightsize.terminal_lines(result)
    lines += cost.terminal_lines(result)
    lines += load_sections.terminal_lines(result)
    aborted = (result.get("dispatch") or {}).get("aborted")
    if aborted:
        lines.append(f"  ABORTED     at {aborted['at']}: {aborted['reason']}")
    if thresholds:
        ok = sum(t.get("ok") is True for t in thresholds)
        lines.append(f"  thresholds  {ok}/{len(thresholds)} ok")
        for t in thresholds:
            if t.get("ok") is not True:
                why = f": {t['reason']}" if t.get("reason") else ""
                mark = "INCONCLUSIVE" if t.get("status") == "inconclusive" else "FAIL"
                lines.append(f"    {mark} {t.get('expr')} (value {num(t.get('value'))}){why}")
    return "\n".join(terminal_text(line) for line in lines)

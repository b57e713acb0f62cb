"""The benchmark's run directories: tools/bench.py's Synthetic run written in two shapes.

- COMPACT: the rows exactly as Synthetic yields them (ledger.jsonl, raw/runs.jsonl, raw/jobs.jsonl,
  raw/tasks.jsonl, raw/metrics.jsonl), what tools/bench.py's from_run_directory writes.
- REAL: the same run, but raw/runs.jsonl and raw/jobs.jsonl hold GitHub's full objects, as the twin's
  object builders (suite.twin.github_objects, field sets checked against GitHub's OpenAPI description)
  shape them: a workflow run with its repository, head_repository, head_commit, actor, triggering_actor,
  pull_requests and URLs (about 12.9 KB, the size of a run object from api.github.com); a job with its
  URLs, steps, labels and runner fields. Every field the compact row has keeps its value, so both shapes
  must give the same figures. The ledger, the task events and the metric rows are the compact
  directory's (hard links when the file system allows).

The full objects are rendered from a template per kind: the builder's object is made once with marker
values, dumped once, and each row splices its values into that text (json.dumps of 700,000 12.9 KB
objects would take longer than the report it feeds).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from suite.rundir.jsonio import write_json, write_jsonl
from suite.rundir.paths import RunDir
from suite.twin.fleet import Fleet
from suite.twin.fleet_model import SimJob, SimRun
from suite.twin.github_objects import job_object, run_object
from suite.twin.workflows import WorkflowDef
from tools.bench import Synthetic

API = "https://api.github.com"
REPO = "octo-org/runner-suite-bench"
GITHUB_RUN_OBJECT_BYTES = 12_900  # a workflow run object as api.github.com returns it (issue 18)
SHARED = ("manifest.json", "ledger.jsonl", "raw/tasks.jsonl", "raw/metrics.jsonl")
RUN_ID, JOB_ID = 987_650_000_001, 987_660_000_001  # marker ids: their digits are found again in URLs
CHECK_SUITE = RUN_ID + 7_000_000_000  # suite.twin.github_objects.check_suite_id of the marker run
# the fields each row sets (the compact row's, and those derived from it in real_runs / real_jobs)
RUN_MARKED = (
    *("name", "path", "display_title", "status", "conclusion", "created_at", "updated_at", "run_started_at"),
    *("run_attempt", "event", "head_branch", "node_id", "check_suite_node_id", "run_number"),
)
JOB_MARKED = (
    *("run_attempt", "name", "status", "conclusion", "created_at", "started_at", "completed_at", "runner_id"),
    *("runner_name", "labels", "head_branch", "node_id", "runner_group_id", "runner_group_name"),
    *("workflow_name", "steps"),
)
_MARK = re.compile(r'"@@(\w+)@@"|@@(\w+)@@')


class Raw(str):
    """JSON text spliced into a template as it is (a nested object rendered by its own template)."""


def _value(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, Raw):
        return v
    if isinstance(v, str):
        return f'"{v}"' if '"' not in v and "\\" not in v else json.dumps(v)
    if isinstance(v, bool) or not isinstance(v, int | float):
        return json.dumps(v)
    return repr(v)


class Template:
    """JSON text with markers: `"@@key@@"` (a whole JSON value: the row's value as JSON) and a bare
    `@@key@@` inside a string (a URL's id: the row's value as text)."""

    def __init__(self, text: str) -> None:
        pieces = _MARK.split(text)  # literal, quoted key, bare key, literal, ...
        self.parts: list[tuple[str, str | None, bool]] = []
        for i in range(0, len(pieces) - 1, 3):
            quoted, bare = pieces[i + 1], pieces[i + 2]
            self.parts.append((pieces[i], quoted or bare, quoted is not None))
        self.tail = pieces[-1]

    def render(self, row: dict[str, Any]) -> str:
        out = [
            lit + ((_value(row[key]) if quoted else str(row[key])) if key else "")
            for lit, key, quoted in self.parts
        ]
        out.append(self.tail)
        return "".join(out)


def _marked(obj: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {**obj, **{k: f"@@{k}@@" for k in keys}}


def run_template() -> Template:
    wf = WorkflowDef(id=161_335, file="bench.yml", name="bench", inputs=())
    run = SimRun(RUN_ID, 1, wf, "title", {}, 0, [], status="completed", updated=0)
    obj = run_object(API, REPO, run)
    obj = _marked(obj, RUN_MARKED)
    obj["head_commit"] = {**obj["head_commit"], "timestamp": "@@created_at@@"}
    text = json.dumps(obj, separators=(", ", ": "))
    return Template(text.replace(str(CHECK_SUITE), "@@check_suite_id@@").replace(str(RUN_ID), "@@id@@"))


def job_template(with_steps: bool) -> Template:
    wf = WorkflowDef(id=161_335, file="bench.yml", name="bench", inputs=())
    run = SimRun(RUN_ID, 1, wf, "title", {}, 0, [], status="completed")
    job = SimJob(JOB_ID, RUN_ID, "k", "name", (), 0, status="completed", started=0, completed=0)
    job.task_id, job.runner_id, job.conclusion = "task", 1, "success"
    fleet = SimpleNamespace(runs={RUN_ID: run}, config=SimpleNamespace(labels=("self-hosted",)), now=0)
    obj = job_object(API, REPO, cast(Fleet, fleet), job)
    obj = _marked(obj, JOB_MARKED)
    if not with_steps:
        obj["steps"] = []
    text = json.dumps(obj, separators=(", ", ": "))
    return Template(text.replace(str(JOB_ID), "@@id@@").replace(str(RUN_ID), "@@run_id@@"))


STEPS = ("Set up job", "Run actions/checkout@v4", "Run tests", "Post Run actions/checkout@v4", "Complete job")


def steps_template() -> Template:
    """A started job's steps: set-up and checkout at its start, the tests over its whole interval,
    the post step and Complete job at its end; the tests step concludes as the job did."""
    steps = []
    for n, name in enumerate(STEPS, 1):
        at_end = n > 3
        steps.append(
            {
                "name": name,
                "status": "completed",
                "conclusion": "@@tests@@" if n == 3 else "success",
                "number": n,
                "started_at": "@@completed_at@@" if at_end else "@@started_at@@",
                "completed_at": "@@started_at@@" if n < 3 else "@@completed_at@@",
            }
        )
    return Template(json.dumps(steps, separators=(", ", ": ")))


def real_runs(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    tpl = run_template()
    for r in rows:
        rid = r["id"]
        yield tpl.render(
            {
                **r,
                "node_id": f"WFR_{rid:x}",
                "check_suite_node_id": f"CS_{rid:x}",
                "check_suite_id": rid + 7_000_000_000,
                "run_number": rid - 9_999_999,
            }
        )


def real_jobs(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    with_steps, without, steps = job_template(True), job_template(False), steps_template()
    for j in rows:
        assigned = j["runner_name"] is not None
        row = {
            **j,
            "node_id": f"CR_{j['id']:x}",
            "runner_group_id": 1 if assigned else None,
            "runner_group_name": "Default" if assigned else None,
            "workflow_name": "bench",
        }
        if assigned:
            row["tests"] = j["conclusion"]
            row["steps"] = Raw(steps.render(row))
            yield with_steps.render(row)
        else:
            yield without.render(row)


def _write_lines(path: Path, lines: Iterable[str]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        buf: list[str] = []
        for line in lines:
            buf.append(line)
            if len(buf) >= 4096:
                f.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            f.write("\n".join(buf) + "\n")
    os.replace(tmp, path)


def write_compact(syn: Synthetic, path: Path) -> Path:
    rd = RunDir(path).create()
    write_json(rd.file("manifest.json"), syn.manifest())
    rows = syn.rows()
    write_jsonl(rd.file("ledger.jsonl"), rows.pop("ledger"))
    for kind, it in rows.items():
        write_jsonl(rd.raw_file(f"{kind}.jsonl"), it)
    return path


def write_real(syn: Synthetic, compact: Path, path: Path) -> Path:
    """The real-collection shape of the run in `compact` (written by write_compact from `syn`)."""
    rd = RunDir(path).create()
    for name in SHARED:
        try:
            os.link(compact / name, path / name)
        except OSError:
            shutil.copyfile(compact / name, path / name)
    _write_lines(rd.raw_file("runs.jsonl"), real_runs(syn.run_rows()))
    _write_lines(rd.raw_file("jobs.jsonl"), real_jobs(syn.job_rows()))
    return path


def raw_bytes(path: Path) -> int:
    """Bytes of the files the analysis reads: ledger.jsonl and raw/*.jsonl."""
    files = [path / "ledger.jsonl", *sorted((path / "raw").glob("*.jsonl"))]
    return sum(p.stat().st_size for p in files if p.exists())


def mean_line_bytes(path: Path, lines: int = 1000) -> float:
    """The mean size of the first `lines` lines of a JSONL file (its objects' size)."""
    sizes = []
    with path.open("rb") as f:
        for line in f:
            sizes.append(len(line) - 1)
            if len(sizes) >= lines:
                break
    return sum(sizes) / len(sizes) if sizes else 0.0

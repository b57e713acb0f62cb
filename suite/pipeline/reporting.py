"""`suite report DIR`: recompute result.json and every report from a run directory's raw/ and ledger.

Apart from the rest of the pipeline (suite.pipeline.run: profiles, dispatch, collection), so that the
command imports only what reporting needs (the analysis, the writers, the gates): not the GitHub client,
boto3 or moto, which took about 0.4 s of every `suite report`'s start.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from suite.analyze.result import with_thresholds
from suite.errors import UsageError
from suite.gates.thresholds import evaluate_all
from suite.gates.verdict import exit_code
from suite.pipeline.analysis import analyze_run_dir
from suite.pipeline.guard import writes_run_dir
from suite.report import terminal_summary, write_reports
from suite.report.job_files import JobFiles
from suite.report.writer import check_outputs
from suite.rundir.manifest import read_manifest
from suite.rundir.paths import RunDir
from suite.rundir.readback import opt_dict, read_optional, truth_shape
from suite.twin.truth_check import mismatches


@writes_run_dir("report", repair_ledger=True)
def report(run_dir: Path) -> int:
    """Recompute result.json and every report from raw/ and the ledger; returns the exit code.
    Every file is checked as it is read (a damaged one: exit 2 naming it); the optional truth.json
    and raw/api.json, when damaged, are named on stderr and skipped."""
    rd, manifest = existing_run_dir(run_dir, ("profile",))
    check_outputs(rd.path)  # report.html (or another report file) a directory: refused before any work
    api, api_note = read_optional(rd.raw_file("api.json"), opt_dict, "the API cost section is left empty")
    truth, truth_note = read_optional(rd.file("truth.json"), truth_shape, "the twin check is not made")
    for note in (api_note, truth_note):
        if note is not None:
            print(note, file=sys.stderr, flush=True)
    # raw rows streamed line by line (the metric rows in a worker process when that pays off); jobs.csv
    # is begun from per_job while the analysis computes the rest (suite.report.job_files)
    with JobFiles(rd, manifest) as job_files:
        result = analyze_run_dir(rd.path, api=api, first=job_files.start)
        thresholds = evaluate_all(list(manifest["profile"].get("thresholds") or []), result)
        result = with_thresholds(result, thresholds, run_dir=str(rd.path))
        write_reports(rd.path, result, job_files)
    print(terminal_summary(result))
    if truth is not None:
        diff = mismatches(result, truth)
        print(f"  twin check  {'report equals truth.json job by job' if not diff else '; '.join(diff[:5])}")
    print(f"\nReport: {rd.path}/report.html  (summary.md, result.json, jobs.csv and junit.xml beside it)")
    return exit_code(result.get("verdict"))


def existing_run_dir(run_dir: Path, needed: tuple[str, ...]) -> tuple[RunDir, dict[str, Any]]:
    """The run directory at run_dir and its manifest.json, checked (with the `needed` keys) before any
    work."""
    if not (run_dir / "manifest.json").exists():
        raise UsageError(
            f"{run_dir}: not a run directory (no manifest.json); run directories live under reports/"
        )
    rd = RunDir(run_dir)
    return rd, read_manifest(rd.file("manifest.json"), required=needed)

"""Fuzz the `suite` CLI with hostile profiles, suite.yaml files, CLI calls and damaged run directories.

    python tools/fuzz.py --seed N [--cases 1000] [--kinds profile,suite_yaml,cli,rundir] [--timeout S]
                         [--jobs J] [--out DIR]

Case `index` of seed N is always the same case (tools/fuzz_cases.py; the kinds take turns). The suite
is imported once; each case runs in a forked child (tools/fuzz_harness.py) with its own directory,
state directory and loopback-only network, killed at --timeout. Damaged run directories are copies of
one real run made first on an in-process twin (the smoke profile, a few seconds).

Prints a table of outcomes by kind, then each failing case with its reproducer: the case's files are
written to OUT/<index>-<kind>/ with `repro.sh` (the command, in that directory) and `case.txt` (the
label, the verdict, stderr's head). Exit 0 when every case passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root on the path, for `tools.` and `suite.`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.fuzz_cases import KINDS, Case, case_for
from tools.fuzz_harness import (
    OUTCOMES,
    Outcome,
    Places,
    Running,
    classify,
    make_base_run,
    poll,
    preload,
    start,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="tools/fuzz.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--cases", type=int, default=1000)
    p.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {', '.join(KINDS)}")
    p.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        help="seconds before a case counts as a hang (default 20; on a loaded machine check a hang again "
        "with --index and a longer timeout)",
    )
    p.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    p.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where reproducers go")
    p.add_argument(
        "--index",
        default="",
        metavar="I,J,...",
        help="run only these cases of the seed (e.g. to check a failing case again with a longer --timeout)",
    )
    args = p.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    if not kinds or any(k not in KINDS for k in kinds):
        p.error(f"--kinds: choose from {', '.join(KINDS)}")
    if args.cases < 1 or args.jobs < 1 or not 0 < args.timeout < 3600:
        p.error("--cases and --jobs must be >= 1 and --timeout in (0, 3600) seconds")
    args.kinds = kinds
    try:
        args.index = [int(i) for i in args.index.split(",") if i.strip()]
    except ValueError:
        p.error(f"--index: comma-separated case numbers, e.g. 3,17 (got {args.index[:40]!r})")
    if any(not 0 <= i < args.cases for i in args.index):
        p.error(f"--index: case numbers are 0 to {args.cases - 1} (--cases)")
    return args


def write_reproducer(
    out: Path, index: int, case: Case, verdict: tuple[str, str], o: Outcome, places: Places
) -> Path:
    from tools.fuzz_harness import child_env, materialize

    where = out / f"{index:04d}-{case.kind}"
    shutil.rmtree(where, ignore_errors=True)
    argv = materialize(case, where / "case", places)
    env = {k: v for k, v in child_env(Path("."), case.env).items() if k not in ("PATH", "HOME")}
    env["SUITE_STATE_DIR"] = "state"
    (where / "repro.sh").write_text(
        "#!/bin/sh\n# run from the repository root's venv: the suite as the fuzzer ran it\n"
        'cd "$(dirname "$0")/case" && env ' + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        + " suite " + " ".join(shlex.quote(a) for a in argv) + "\n"
    )  # fmt: skip
    (where / "repro.sh").chmod(0o755)
    (where / "case.txt").write_text(
        f"case {index} ({case.kind}): {case.label}\nverdict: {verdict[0]}: {verdict[1]}\nexit: {o.code}\n"
        f"argv: {argv!r}\n--- stderr (head) ---\n{o.stderr[:3000]}\n"
    )
    return where


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    preload()
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="suite-fuzz-"))
    try:
        places = make_base_run(work / "base")
        print(f"base run directory made on the twin in {time.monotonic() - began:.1f} s", flush=True)
        results = _run_all(args, places, work)
        elapsed = time.monotonic() - began
        _summary(results, args, elapsed)
        failures = [(i, c, v, o) for i, c, v, o in results if v[0] != "pass"]
        if failures:
            args.out.mkdir(parents=True, exist_ok=True)
            kept = places_copy(args.out, places)
            print(f"\nfailing cases (reproducers in {args.out}/):")
        for index, case, verdict, outcome in failures:
            where = write_reproducer(args.out, index, case, verdict, outcome, kept)
            print(
                f"  #{index:<4} {verdict[0]:<10} {case.kind:<10} {case.label[:70]!r}  {outcome.seconds:.1f}s"
            )
            print(f"        {verdict[1][:150]}")
            print(f"        {where}/repro.sh")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not failures else 1


def places_copy(out: Path, places: Places) -> Places:
    """The base run directory kept beside the reproducers (the work directory is removed)."""
    assert places.reports is not None
    keep = out / "base-reports"
    shutil.rmtree(keep, ignore_errors=True)
    shutil.copytree(places.reports, keep, symlinks=True)
    return Places(keep, places.run_name)


def _run_all(
    args: argparse.Namespace, places: Places, work: Path
) -> list[tuple[int, Case, tuple[str, str], Outcome]]:
    pending = list(args.index or range(args.cases))
    running: dict[int, tuple[Case, Running]] = {}
    results = []
    began = time.monotonic()
    while pending or running:
        while pending and len(running) < args.jobs:
            index = pending.pop(0)
            case = case_for(args.seed, index, args.kinds)
            running[index] = (case, start(case, work / f"case-{index}", places, args.timeout))
        for index in list(running):
            case, run = running[index]
            outcome = poll(run)
            if outcome is None:
                continue
            del running[index]
            verdict = classify(case, outcome)
            results.append((index, case, verdict, outcome))
            shutil.rmtree(run.where, ignore_errors=True)
            if len(results) % 100 == 0:
                print(f"  {len(results)} cases, {time.monotonic() - began:.0f} s", flush=True)
        time.sleep(0.005)
    return sorted(results, key=lambda r: r[0])


def _summary(
    results: list[tuple[int, Case, tuple[str, str], Outcome]], args: argparse.Namespace, s: float
) -> None:
    table = Counter((case.kind, verdict[0]) for _, case, verdict, _ in results)
    print(
        f"\nseed {args.seed}: {len(results)} cases in {s:.0f} s "
        f"(timeout {args.timeout:g} s, {args.jobs} at once)"
    )
    print(f"{'kind':<12}" + "".join(f"{o:>12}" for o in OUTCOMES) + f"{'total':>8}")
    for kind in [*args.kinds, "all"]:
        counts = [
            sum(n for (k, o), n in table.items() if o == out and kind in (k, "all")) for out in OUTCOMES
        ]
        print(f"{kind:<12}" + "".join(f"{n:>12}" for n in counts) + f"{sum(counts):>8}")
    classes = Counter(
        (case.kind, verdict[0], class_of(case)) for _, case, verdict, _ in results if verdict[0] != "pass"
    )
    if classes:
        print("\nfailing classes (kind, outcome, what the case does):")
        for (kind, outcome, what), n in classes.most_common():
            print(f"  {n:>4}  {kind:<10} {outcome:<10} {what}")


def class_of(case: Case) -> str:
    """A case's label without what varies inside a class: the command, the base profile, the field."""
    label = re.sub(r"^(validate|sim|[a-z-]+): ", "", case.label)  # the command
    label = re.sub(r"^(aws|existing|[a-z_]+): ", "", label)  # the base profile or suite.yaml section
    label = re.sub(r"^[\w.\[\]-]+ = ", "a value = ", label)  # the field a value was put in
    return re.sub(r"0x[0-9a-f]{2}", "0x..", label)


if __name__ == "__main__":
    sys.exit(main())

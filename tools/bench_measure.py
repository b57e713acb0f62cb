"""Time a command as a subprocess: its wall time and the peak memory of its process tree.

Two peaks, both reported:

- `tree_peak`: the largest sum of the resident set sizes (VmRSS, /proc/PID/status) of the process and
  all of its descendants, polled every POLL_S. It sees a forked worker beside its parent (the way
  `suite report` reads the metric rows), counts pages they share once in each (an upper bound), and
  can miss a peak shorter than the poll.
- `single_peak`: the kernel's own high-water mark, ru_maxrss of os.wait4 on the child: the largest
  peak RSS of any one process of the tree (the child, or a descendant it waited for). Exact, never
  summed.

The target compares max(tree_peak, single_peak). Beside the wall time, the CPU time (user + system, of
the process and the descendants it waited for, from wait4): on cores shared with other work, wall time
grows with the load and CPU time much less.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

POLL_S = 0.05


@dataclass(frozen=True)
class Measured:
    wall_s: float
    cpu_s: float  # user + system CPU of the process and the descendants it waited for (wait4)
    tree_peak_mib: float
    single_peak_mib: float
    exit_code: int
    stdout: str
    stderr: str

    @property
    def peak_mib(self) -> float:
        return max(self.tree_peak_mib, self.single_peak_mib)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
            out.extend(int(c) for c in text.split())
    except OSError:  # the process ended between two reads
        pass
    return out


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kib(root: int) -> int:
    """The RSS of `root` and every descendant now (KiB)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kib(pid)
        todo.extend(_children(pid))
    return total


def run_measured(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run argv to its end; stdout and stderr are captured to files (never a pipe that could fill)."""
    out_dir = Path(os.environ.get("TMPDIR", "/tmp"))
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    out_path, err_path = out_dir / f"bench-{stamp}.out", out_dir / f"bench-{stamp}.err"
    peak = [0]
    done = threading.Event()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd)

        def poll() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], tree_rss_kib(proc.pid))
                done.wait(POLL_S)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    try:
        stdout, stderr = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
    finally:
        out_path.unlink(missing_ok=True)
        err_path.unlink(missing_ok=True)
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(wall, cpu, peak[0] / 1024.0, usage.ru_maxrss / 1024.0, proc.returncode, stdout, stderr)

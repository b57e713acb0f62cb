"""Time a command as a subprocess: its wall time and the peak memory of its process tree.

Two peaks, both reported:

- `tree_peak`: the largest sum of the resident set sizes (VmRSS, /proc/PID/status) of the process and
  all of its descendants, polled every POLL_S. It sees a forked worker beside its parent (the way
  `suite report` reads the metric rows), counts pages they share once in each (an upper bound), and
  can miss a peak shorter than the poll.
- `single_peak`: the largest high-water mark (VmHWM, /proc/PID/status) of any one process of the tree,
  as last polled: the kernel's own peak of that process, never summed; it misses only growth in the
  last poll interval of a process's life. (Not ru_maxrss from wait4: Linux copies the parent's
  high-water mark into a forked child, so a child of this harness, whose own peak is in the GiB after
  reading a large result.json, would report the harness's peak as its own.)

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


def _memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB; (0, 0) once it has ended."""
    rss = hwm = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def tree_memory_kib(root: int) -> tuple[int, int]:
    """The RSS of `root` and every descendant now, summed, and the largest VmHWM among them (KiB)."""
    total, largest, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        rss, hwm = _memory_kib(pid)
        total, largest = total + rss, max(largest, hwm)
        todo.extend(_children(pid))
    return total, largest


def run_measured(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run argv to its end; stdout and stderr are captured to files (never a pipe that could fill)."""
    out_dir = Path(os.environ.get("TMPDIR", "/tmp"))
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    out_path, err_path = out_dir / f"bench-{stamp}.out", out_dir / f"bench-{stamp}.err"
    peak = [0, 0]  # tree RSS sum, largest VmHWM
    done = threading.Event()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=cwd)

        def poll() -> None:
            while not done.is_set():
                rss, hwm = tree_memory_kib(proc.pid)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], hwm)
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
    return Measured(wall, cpu, peak[0] / 1024.0, peak[1] / 1024.0, proc.returncode, stdout, stderr)

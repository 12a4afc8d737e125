"""Timing helper for the benchmarks: wall time, CPU time and peak memory of commands.

The commands compared in one table are run round-robin (A B C A B C ...), so that the drift of a
shared machine affects them alike; each figure is a median.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Measure:
    """Medians over the runs: wall time (ms), CPU time user+sys (ms), peak resident memory (MiB)."""

    label: str
    argv: Sequence[str]
    cwd: str | None = None
    env: Mapping[str, str] | None = None
    expect: int = 0
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)

    @property
    def ms(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpus)

    @property
    def mib(self) -> float:
        return statistics.median(self.peaks)

    def once(self) -> tuple[float, float, float]:
        """Run the command once: (wall ms, cpu ms, peak MiB).

        ``PYTHONDONTWRITEBYTECODE`` is dropped from the environment (unless the measure sets it):
        the warm-up runs then write the bytecode of an editable checkout, as a user's first run
        does, instead of every run compiling it again (about 30 ms per start here).
        """
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(self.env or {})
        start = time.perf_counter()
        proc = subprocess.Popen(
            self.argv, cwd=self.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = (time.perf_counter() - start) * 1000
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        if code != self.expect:
            raise RuntimeError(f"{self.label}: exit {code}\n{err}")
        return wall, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024

    def row(self, baseline: Measure | None = None) -> str:
        wall = f"{self.ms / baseline.ms:5.2f}x" if baseline else "      "
        cpu = f"{self.cpu_ms / baseline.cpu_ms:5.2f}x" if baseline else "      "
        return (
            f"{self.label:<52} {self.ms:7.1f} ms {wall} {self.cpu_ms:7.1f} ms {cpu} "
            f"{self.mib:6.1f} MiB"
        )


HEADER = f"{'command':<52} {'wall':>10} {'ratio':>6} {'cpu':>10} {'ratio':>6} {'peak':>10}"


def run_all(measures: Sequence[Measure], runs: int = 15, warmup: int = 2) -> None:
    """Run every measure ``warmup + runs`` times, round-robin; keep the last ``runs``."""
    for i in range(warmup + runs):
        for m in measures:
            wall, cpu, peak = m.once()
            if i >= warmup:
                m.walls.append(wall)
                m.cpus.append(cpu)
                m.peaks.append(peak)

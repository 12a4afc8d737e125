"""Timing helper for the benchmarks: median wall time and peak memory of a command."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass
class Measure:
    """Median wall time (ms) and median peak resident memory (MiB) over ``runs`` runs."""

    label: str
    ms: float
    mib: float
    runs: int

    def row(self, baseline: Measure | None = None) -> str:
        ratio = f"{self.ms / baseline.ms:5.2f}x" if baseline else "      "
        return f"{self.label:<58} {self.ms:8.1f} ms {ratio} {self.mib:7.1f} MiB"


def measure(
    label: str,
    argv: Sequence[str],
    runs: int = 15,
    cwd: str | None = None,
    env: Mapping[str, str] | None = None,
    warmup: int = 2,
    expect: int = 0,
) -> Measure:
    """Run ``argv`` ``warmup + runs`` times; return the median of the timed runs.

    Peak memory is the child's ``ru_maxrss`` from ``os.wait4`` (KiB on Linux).
    :raises RuntimeError: when the command exits with a status other than ``expect``.
    """
    full_env = {**os.environ, **(env or {})}
    times, peaks = [], []
    for i in range(warmup + runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != expect:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"{label}: exit {code}\n{err}")
        if proc.stderr:
            proc.stderr.close()
        if i >= warmup:
            times.append(elapsed * 1000)
            peaks.append(usage.ru_maxrss / 1024)
    return Measure(label, statistics.median(times), statistics.median(peaks), runs)

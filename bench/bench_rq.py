#!/usr/bin/env python3
"""``manage.py rq worker`` against RQ's own ``rq worker``, and ``rq worker-pool -n 4`` against one.

Builds a project in a temporary directory: a Flask app factory that logs each call, a
``manage.py`` (``Manager(create_app)``, the ``rq`` plugin installed) with a trivial command and a
command that sleeps 50 ms, and ``tasks.py`` with the same two as plain functions. Jobs are
enqueued outside the timing (in one Redis pipeline), on queues of their own; the time measured is
the wall time of the burst worker process that drains them, from start to exit.

1. ``--jobs`` (1,000) trivial jobs: manage.py command lines drained by ``manage.py rq worker
   --burst`` against plain RQ function jobs drained by ``rq worker --burst``; runs alternate
   (round-robin); median of ``--runs``. Target: at most 1.3x. Each run of ours must call the
   app factory exactly once (checked).
2. ``--sleep-jobs`` (2,000) jobs sleeping 50 ms: ``manage.py rq worker-pool -n 4 --burst``
   against ``manage.py rq worker --burst``, once each. Target: the pool at least 3x faster.

Both workers log at WARNING (RQ's ``--quiet``), so the terminal does not weigh on the figures.
Redis: ``--url``, else ``TEST_REDIS_URL``, else ``redis://127.0.0.1:6379/0``; the queues, jobs
and results made are deleted at the end. Run: ``.venv/bin/python bench/bench_rq.py [--runs 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

APP_PY = """
import os


def create_app():
    from flask import Flask

    with open(os.environ["FACTORY_LOG"], "a") as log:
        log.write(f"{os.getpid()}\\n")
    app = Flask("bench")
    app.config["RQ_REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    return app
"""

MANAGE_PY = """
import time

from flask_script_hub import Manager

from app import create_app

manager = Manager(create_app)


@manager.command
def noop():
    \"\"\"Do nothing.\"\"\"


@manager.command
def nap():
    \"\"\"Sleep 50 ms.\"\"\"
    time.sleep(0.05)


if __name__ == "__main__":
    manager.run()
"""

TASKS_PY = """
import time


def noop():
    pass


def nap():
    time.sleep(0.05)
"""


class Bench:
    """The project, the Redis connection and the queues made (deleted by :meth:`cleanup`)."""

    def __init__(self, root: Path, url: str) -> None:
        import redis

        self.root = root
        self.url = url
        self.redis = redis.Redis.from_url(url)
        self.queues: list[str] = []
        self.env = {
            **os.environ,
            "FACTORY_LOG": str(root / "factory.log"),
            "BENCH_REDIS_URL": url,
            "FLASK_SCRIPT_HUB_DISABLE_PLUGINS": "db,migrate",
            "PYTHONPATH": str(root),
        }
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        (root / "app.py").write_text(textwrap.dedent(APP_PY))
        (root / "manage.py").write_text(textwrap.dedent(MANAGE_PY))
        (root / "tasks.py").write_text(textwrap.dedent(TASKS_PY))

    def fill(self, kind: str, what: str, count: int) -> str:
        """Enqueue ``count`` jobs on a new queue; ``kind`` is ``command`` or ``function``."""
        from rq import Queue

        from flask_script_hub_rq.jobs import FUNCTION

        name = f"bench-rq-{uuid.uuid4().hex[:10]}"
        self.queues.append(name)
        queue = Queue(name, connection=self.redis)
        if kind == "command":
            data = [
                Queue.prepare_data(FUNCTION, args=([what],), description=f"manage.py {what}")
                for _ in range(count)
            ]
        else:
            data = [Queue.prepare_data(f"tasks.{what}") for _ in range(count)]
        with self.redis.pipeline() as pipe:
            queue.enqueue_many(data, pipeline=pipe)
            pipe.execute()
        assert queue.count == count, queue.count
        return name

    def drain(self, argv: list[str], queue: str) -> tuple[float, float]:
        """Run a burst worker on ``queue``: (wall s, CPU s of it and its work horses)."""
        (self.root / "factory.log").unlink(missing_ok=True)
        start = time.perf_counter()
        process = subprocess.Popen(
            [*argv, queue],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        assert process.stderr is not None
        errors = process.stderr.read().decode()
        process.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(argv)} failed:\n{errors}")
        self.check_drained(queue)
        return wall, usage.ru_utime + usage.ru_stime

    def check_drained(self, name: str) -> None:
        from rq import Queue

        queue = Queue(name, connection=self.redis)
        failed = queue.failed_job_registry.count
        if queue.count or failed:
            raise RuntimeError(f"{name}: {queue.count} jobs left, {failed} failed")

    def factory_calls(self) -> int:
        path = self.root / "factory.log"
        return len(path.read_text().splitlines()) if path.exists() else 0

    def cleanup(self) -> None:
        from rq import Queue

        for name in self.queues:
            queue = Queue(name, connection=self.redis)
            ids = queue.finished_job_registry.get_job_ids()
            with self.redis.pipeline() as pipe:
                for job_id in ids:
                    pipe.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
                pipe.execute()
            for registry in (queue.finished_job_registry, queue.failed_job_registry):
                self.redis.delete(registry.key)
            queue.delete(delete_jobs=True)


def trivial_jobs(bench: Bench, jobs: int, runs: int) -> float:
    bin_dir = Path(sys.executable).parent
    tools: dict[str, tuple[str, list[str]]] = {
        "manage.py rq worker --burst": (
            "command",
            [sys.executable, "manage.py", "rq", "worker", "--burst", "-l", "WARNING"],
        ),
        "rq worker --burst (plain RQ)": (
            "function",
            [str(bin_dir / "rq"), "worker", "--burst", "--quiet", "--url", bench.url],
        ),
    }
    walls: dict[str, list[float]] = {name: [] for name in tools}
    cpus: dict[str, list[float]] = {name: [] for name in tools}
    for i in range(runs):
        order = list(tools) if i % 2 == 0 else list(reversed(tools))
        for name in order:
            kind, argv = tools[name]
            queue = bench.fill(kind, "noop", jobs)
            wall, cpu = bench.drain(argv, queue)
            if kind == "command":
                calls = bench.factory_calls()
                assert calls == 1, f"the app factory ran {calls} times for {jobs} jobs"
            walls[name].append(wall)
            cpus[name].append(cpu)
    ours, plain = list(tools)
    ratio = statistics.median(walls[ours]) / statistics.median(walls[plain])
    print(f"\n{jobs:,} trivial jobs drained by one burst worker (median of {runs} runs)")
    print(f"  {'':<30} {'wall':>8}  {'ratio':>5}  {'range':<15} {'CPU':>8}  ratio")
    for name in tools:
        wall = statistics.median(walls[name])
        cpu = statistics.median(cpus[name])
        spread = f"[{min(walls[name]):.2f}-{max(walls[name]):.2f}]"
        print(
            f"  {name:<30} {wall:6.2f} s  {wall / statistics.median(walls[plain]):4.2f}x"
            f"  {spread:<15} {cpu:6.2f} s  {cpu / statistics.median(cpus[plain]):4.2f}x"
        )
    print("  app factory calls per manage.py worker run: 1 (checked on every run)")
    return ratio


def sleeping_jobs(bench: Bench, jobs: int, workers: int) -> float:
    manage = [sys.executable, "manage.py", "rq"]
    one_queue = bench.fill("command", "nap", jobs)
    one, one_cpu = bench.drain([*manage, "worker", "--burst", "-l", "WARNING"], one_queue)
    assert bench.factory_calls() == 1
    pool_queue = bench.fill("command", "nap", jobs)
    pool_argv = [*manage, "worker-pool", "-n", str(workers), "--burst", "-l", "WARNING"]
    pool, pool_cpu = bench.drain(pool_argv, pool_queue)
    pool_calls = bench.factory_calls()
    print(f"\n{jobs:,} jobs sleeping 50 ms (one run each)")
    print(f"  {'manage.py rq worker --burst':<38} {one:7.2f} s  CPU {one_cpu:6.2f} s")
    print(
        f"  {f'manage.py rq worker-pool -n {workers} --burst':<38} {pool:7.2f} s"
        f"  CPU {pool_cpu:6.2f} s  ({pool_calls} app factory call)"
    )
    print(f"  speed-up: {one / pool:.2f}x")
    return one / pool


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per worker, trivial jobs")
    parser.add_argument("--jobs", type=int, default=1000, help="trivial jobs per run")
    parser.add_argument("--sleep-jobs", type=int, default=2000, help="jobs sleeping 50 ms")
    parser.add_argument("--workers", type=int, default=4, help="workers in the pool")
    parser.add_argument("--url", default=os.environ.get("TEST_REDIS_URL"), help="Redis URL")
    parser.add_argument("--skip-pool", action="store_true", help="only the trivial-jobs target")
    options = parser.parse_args()
    url = options.url or "redis://127.0.0.1:6379/0"
    with tempfile.TemporaryDirectory(prefix="bench-rq-") as tmp:
        bench = Bench(Path(tmp), url)
        results: list[tuple[str, float, str, bool]] = []
        try:
            ratio = trivial_jobs(bench, options.jobs, options.runs)
            results.append(("trivial jobs, ours / plain RQ", ratio, "<= 1.30x", ratio <= 1.3))
            if not options.skip_pool:
                speedup = sleeping_jobs(bench, options.sleep_jobs, options.workers)
                target = ">= 3.00x"
                results.append(
                    (f"pool of {options.workers} speed-up", speedup, target, speedup >= 3)
                )
        finally:
            bench.cleanup()
    print("\ntargets")
    ok = True
    for label, value, target, met in results:
        print(f"  {label:<32} {value:5.2f}x  (target {target})  {'met' if met else 'MISSED'}")
        ok = ok and met
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

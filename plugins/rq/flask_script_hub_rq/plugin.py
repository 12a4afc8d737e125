"""The ``rq`` plugin: its sub-manager and commands (RQ workers and jobs for manage.py).

Registered by the entry point ``rq = "flask_script_hub_rq.plugin"`` (group ``flask_script_hub``),
or in code with ``manager.register_plugin(flask_script_hub_rq.plugin, name="rq")``. This module
is imported when ``manage.py rq ...`` runs and stays cheap: RQ and redis-py are imported by the
commands. The commands follow RQ's own ``rq`` command line (``rq worker``, ``rq worker-pool``,
``rq enqueue``, ``rq info``, ``rq requeue``, ``rq empty``, ``rq suspend``, ``rq resume``), with the
app's config and the jobs being manage.py command lines.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from flask_script_hub import Command, Manager, Option, hookimpl

if TYPE_CHECKING:
    import pluggy
    from flask import Flask

_URL = Option(
    "-u",
    "--url",
    metavar="URL",
    help="Redis URL (default: app config RQ_REDIS_URL, then REDIS_URL, "
    "then redis://127.0.0.1:6379/0)",
)
_SERIALIZER = Option(
    "-S",
    "--serializer",
    metavar="IMPORT",
    help="RQ serializer: 'json', 'pickle' or an import string (default: app config "
    "RQ_SERIALIZER, else pickle); must be the same for workers and enqueuers",
)
_CONNECTION = (_URL, _SERIALIZER)
_QUEUES = Option(
    "queues",
    nargs="*",
    metavar="QUEUE",
    help="queues to work on, in priority order (default: default)",
)
_QUEUE_FILTER = Option(
    "-q",
    "--queue",
    dest="queues",
    action="append",
    metavar="QUEUE",
    help="only this queue (repeatable)",
)


def _server(app: Flask, url: str | None, serializer: str | None) -> Any:
    from .monitoring import Server

    return Server.open(app, url, serializer)


_WORKER_OPTIONS = (
    _QUEUES,
    *_CONNECTION,
    Option("-b", "--burst", action="store_true", help="stop when the queues are empty"),
    Option(
        "-l",
        "--logging-level",
        default="INFO",
        metavar="LEVEL",
        help="RQ's log level: DEBUG, INFO, WARNING, ERROR (default: INFO)",
    ),
    Option("-w", "--worker-class", metavar="IMPORT", help="RQ worker class (default: rq.Worker)"),
    Option("-j", "--job-class", metavar="IMPORT", help="RQ job class (default: rq.job.Job)"),
    Option(
        "--retry-connect",
        action="store_true",
        help="when Redis does not answer, retry with exponential backoff (1 s to 60 s) "
        "instead of exiting",
    ),
)


def _settings(kwargs: dict[str, Any]) -> Any:
    from .workers import WorkerSettings

    return WorkerSettings(**kwargs)


class WorkerCommand(Command):
    """Run an RQ worker whose jobs are manage.py commands run in this app.

    As RQ's 'rq worker': jobs are taken from the QUEUEs in order; each job runs in a work horse
    forked from this process, in a fresh app context. The app is created once (the manager
    options given before 'rq worker' go to the app factory), before any job is taken: if the
    factory fails, the worker exits 1 and the jobs stay queued. SIGTERM or Ctrl-C finishes the
    current job and exits 0 (warm shutdown); a second one stops at once.
    """

    option_list = (
        *_WORKER_OPTIONS,
        Option("-n", "--name", metavar="NAME", help="worker name (default: a random one)"),
        Option(
            "-s",
            "--with-scheduler",
            action="store_true",
            help="also run RQ's scheduler, which enqueues jobs given --at/--in when due",
        ),
        Option("--max-jobs", type=int, metavar="N", help="exit after N jobs"),
        Option("--max-idle-time", type=int, metavar="S", help="exit after S seconds without jobs"),
    )

    def run(
        self,
        app: Flask,
        name: str | None = None,
        with_scheduler: bool = False,
        max_jobs: int | None = None,
        max_idle_time: int | None = None,
        **settings: Any,
    ) -> int:
        from .workers import run_worker

        return run_worker(app, _settings(settings), name, with_scheduler, max_jobs, max_idle_time)


class WorkerPoolCommand(Command):
    """Run N RQ workers under RQ's WorkerPool, whose jobs are manage.py commands.

    As RQ's 'rq worker-pool': the pool forks N workers (each runs RQ's scheduler too) and
    starts a new one when one dies. The app is created once, in the pool process, before any
    worker starts. SIGTERM or Ctrl-C stops every worker warmly.
    """

    option_list = (
        *_WORKER_OPTIONS,
        Option(
            "-n",
            "--num-workers",
            type=int,
            default=2,
            metavar="N",
            help="number of workers (default: 2)",
        ),
    )

    def run(self, app: Flask, num_workers: int = 2, **settings: Any) -> int:
        from .workers import run_pool

        return run_pool(app, _settings(settings), num_workers)


def _duration(text: str) -> int:
    """A duration for argparse: seconds, or RQ's ``30s``/``10m``/``2h``/``1d`` form."""
    from rq.exceptions import TimeoutFormatError
    from rq.utils import parse_timeout

    try:
        seconds = parse_timeout(text)
    except TimeoutFormatError:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: give seconds or a number with s, m, h or d (10m)"
        ) from None
    assert seconds is not None
    return seconds


def _datetime(text: str) -> Any:
    """An ISO 8601 date-time for argparse; without a time zone, local time."""
    import datetime

    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid ISO 8601 date-time {text!r} (e.g. 2030-01-31T18:00:00+01:00)"
        ) from None
    return value if value.tzinfo else value.astimezone()


class EnqueueCommand(Command):
    """Put a manage.py command line on a queue, for a 'rq worker' to run.

    Everything after '--' is the command line, as you would type it after 'manage.py'. It is
    parsed first (a typo exits 2 and makes no job). The worker runs it through the same
    manager, and keeps its exit status, stdout and stderr as the job's result ('rq result');
    a command that exits non-zero or raises ends in RQ's failed registry. With --wait, follow
    the job and exit with the command's exit status, printing its output.
    """

    option_list = (
        *_CONNECTION,
        Option("-q", "--queue", metavar="QUEUE", help="queue (default: a plugin's, else default)"),
        Option(
            "--at",
            type=_datetime,
            metavar="ISO8601",
            help="run at this date-time (needs a worker --with-scheduler)",
        ),
        Option(
            "--in",
            dest="delay",
            type=_duration,
            metavar="DURATION",
            help="run after this delay: seconds or 30s, 10m, 2h, 1d "
            "(needs a worker --with-scheduler)",
        ),
        Option(
            "-t",
            "--timeout",
            type=_duration,
            metavar="DURATION",
            help="stop the command after this long (RQ's job timeout; default 180 s)",
        ),
        Option("--retry", type=int, metavar="N", help="run a failed command again, up to N times"),
        Option(
            "--retry-interval",
            type=_duration,
            metavar="DURATION",
            help="wait this long between retries (default 0)",
        ),
        Option(
            "--depends-on",
            action="append",
            metavar="JOB_ID",
            help="run after this job has finished (repeatable)",
        ),
        Option(
            "-w",
            "--wait",
            action="store_true",
            help="wait for the command, print its output, exit with its status",
        ),
        Option(
            "--wait-timeout",
            type=float,
            metavar="S",
            help="with --wait, give up after S seconds (exit 1; the job goes on)",
        ),
        Option(
            "command_line",
            nargs=argparse.REMAINDER,
            metavar="-- COMMAND [ARGS ...]",
            help="the manage.py command line to run",
        ),
    )

    def run(
        self,
        app: Flask,
        command_line: list[str],
        url: str | None = None,
        serializer: str | None = None,
        queue: str | None = None,
        at: Any = None,
        delay: int | None = None,
        timeout: int | None = None,
        retry: int | None = None,
        retry_interval: int | None = None,
        depends_on: list[str] | None = None,
        wait: bool = False,
        wait_timeout: float | None = None,
    ) -> int:
        import datetime  # +4 ms at start-up (python -X importtime)

        from .api import enqueue_command
        from .monitoring import wait_for

        argv = list(command_line)
        if argv[:1] == ["--"]:
            argv = argv[1:]
        if not argv:
            print("usage error: give the command line after '--'", file=sys.stderr)
            return 2
        if at is not None and delay is not None:
            print("usage error: give --at or --in, not both", file=sys.stderr)
            return 2
        server = _server(app, url, serializer)
        for dependency in depends_on or ():
            server.fetch(dependency)  # an unknown job id would leave this job deferred forever
        job = enqueue_command(
            argv,
            queue,
            connection=server.connection,
            prog=os.path.basename(sys.argv[0]) or "manage.py",
            at=at,
            delay=None if delay is None else datetime.timedelta(seconds=delay),
            timeout=timeout,
            retry=retry,
            retry_interval=retry_interval,
            depends_on=depends_on,
            serializer=server.serializer,
        )
        line = f"enqueued job {job.id} on queue {job.origin!r}: {job.description}"
        if not wait:
            print(line)
            return 0
        print(line, file=sys.stderr)
        if at is not None or delay is not None:
            print("waiting for a worker --with-scheduler to run it", file=sys.stderr)
        return wait_for(job, wait_timeout)


class InfoCommand(Command):
    """Show the Redis server (password masked), queues with job counts, and workers.

    As RQ's 'rq info'. Jobs of a dead worker whose heartbeat expired are counted as failed.
    """

    option_list = (
        *_CONNECTION,
        Option("queues", nargs="*", metavar="QUEUE", help="only these queues (default: all)"),
        Option("--json", dest="as_json", action="store_true", help="print JSON"),
    )

    def run(
        self,
        app: Flask,
        queues: list[str],
        url: str | None = None,
        serializer: str | None = None,
        as_json: bool = False,
    ) -> int:
        from .monitoring import info

        return info(_server(app, url, serializer), queues, as_json)


class JobsCommand(Command):
    """List jobs: id, status, queue, time enqueued and command line."""

    option_list = (
        *_CONNECTION,
        _QUEUE_FILTER,
        Option(
            "-s",
            "--status",
            dest="statuses",
            action="append",
            choices=(
                "queued",
                "started",
                "scheduled",
                "deferred",
                "finished",
                "failed",
                "canceled",
            ),
            help="only jobs with this status (repeatable)",
        ),
        Option(
            "--limit",
            type=int,
            default=50,
            metavar="N",
            help="show at most N jobs (default: 50; 0: all)",
        ),
    )

    def run(
        self,
        app: Flask,
        queues: list[str] | None = None,
        statuses: list[str] | None = None,
        limit: int = 50,
        url: str | None = None,
        serializer: str | None = None,
    ) -> int:
        from .monitoring import jobs

        return jobs(_server(app, url, serializer), queues or [], statuses or [], limit)


class ResultCommand(Command):
    """Print the output of a job's command and exit with its exit status.

    The command's stdout goes to stdout and its stderr to stderr. Exits 1 when the job has
    not ended (or does not exist).
    """

    option_list = (*_CONNECTION, Option("job_id", metavar="JOB_ID"))

    def run(
        self, app: Flask, job_id: str, url: str | None = None, serializer: str | None = None
    ) -> int:
        from .monitoring import result

        return result(_server(app, url, serializer), job_id)


class CancelCommand(Command):
    """Cancel a job that has not started (RQ's Job.cancel), or stop a running one."""

    option_list = (*_CONNECTION, Option("job_id", metavar="JOB_ID"))

    def run(
        self, app: Flask, job_id: str, url: str | None = None, serializer: str | None = None
    ) -> int:
        from .monitoring import cancel

        return cancel(_server(app, url, serializer), job_id)


class RequeueCommand(Command):
    """Put failed jobs back on their queue (those of a worker that died included).

    As RQ's 'rq requeue': JOB_IDs, or --all failed jobs (of the --queue's, default all).
    """

    option_list = (
        *_CONNECTION,
        _QUEUE_FILTER,
        Option("-a", "--all", dest="every", action="store_true", help="every failed job"),
        Option("job_ids", nargs="*", metavar="JOB_ID"),
    )

    def run(
        self,
        app: Flask,
        job_ids: list[str],
        every: bool = False,
        queues: list[str] | None = None,
        url: str | None = None,
        serializer: str | None = None,
    ) -> int:
        from .monitoring import requeue

        return requeue(_server(app, url, serializer), job_ids, every, queues or [])


class EmptyCommand(Command):
    """Delete every queued job of QUEUE (asks first).

    As RQ's 'rq empty'. Without --yes and with stdin not a terminal it refuses (exit 1) and
    deletes nothing.
    """

    option_list = (
        *_CONNECTION,
        Option("queue", metavar="QUEUE"),
        Option("-y", "--yes", action="store_true", help="do not ask for confirmation"),
    )

    def run(
        self,
        app: Flask,
        queue: str,
        yes: bool = False,
        url: str | None = None,
        serializer: str | None = None,
    ) -> int:
        from .monitoring import empty

        return empty(_server(app, url, serializer), queue, yes)


class SuspendCommand(Command):
    """Suspend every worker: each finishes its current job, then takes no more.

    RQ's 'rq suspend'; undo with 'rq resume'.
    """

    option_list = (
        *_CONNECTION,
        Option(
            "-d",
            "--duration",
            type=_duration,
            metavar="DURATION",
            help="resume by itself after this long",
        ),
    )

    def run(
        self,
        app: Flask,
        duration: int | None = None,
        url: str | None = None,
        serializer: str | None = None,
    ) -> int:
        from .monitoring import suspend

        return suspend(_server(app, url, serializer), duration)


class ResumeCommand(Command):
    """Resume the workers suspended by 'rq suspend' (RQ's 'rq resume')."""

    option_list = _CONNECTION

    def run(self, app: Flask, url: str | None = None, serializer: str | None = None) -> int:
        from .monitoring import resume

        return resume(_server(app, url, serializer))


def make_manager() -> Manager:
    """A new ``rq`` sub-manager with its commands."""
    manager = Manager(
        help="Run manage.py commands on RQ workers (Redis)",
        description="Run manage.py commands on RQ workers (Redis)",
        with_default_commands=False,
    )
    manager.add_command("worker", WorkerCommand())
    manager.add_command("worker-pool", WorkerPoolCommand())
    manager.add_command("enqueue", EnqueueCommand())
    manager.add_command("info", InfoCommand())
    manager.add_command("jobs", JobsCommand())
    manager.add_command("result", ResultCommand())
    manager.add_command("cancel", CancelCommand())
    manager.add_command("requeue", RequeueCommand())
    manager.add_command("empty", EmptyCommand())
    manager.add_command("suspend", SuspendCommand())
    manager.add_command("resume", ResumeCommand())
    return manager


@hookimpl
def namespace_command(name: str) -> Manager:
    """The ``rq`` sub-manager, mounted under the entry point's name."""
    return make_manager()


@hookimpl
def add_hookspecs(plugin_manager: pluggy.PluginManager) -> None:
    """Add the ``rq_job_options`` spec (:mod:`flask_script_hub_rq.hookspecs`) at registration."""
    from . import hookspecs

    plugin_manager.add_hookspecs(hookspecs)

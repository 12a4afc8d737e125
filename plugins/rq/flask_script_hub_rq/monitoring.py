"""The ``rq`` commands that look at and act on queues, jobs and workers (not the workers).

Each is a thin layer over RQ's own objects: ``Queue``, its registries, ``Job.fetch``,
``Worker.all``, ``rq.suspension`` and ``rq.command``. Listings run RQ's ``clean_registries``
first, so a job whose worker died (its heartbeat expired) shows as failed, as RQ's workers do.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_script_hub import InvalidCommand, prompt_bool

from .connection import connect, mask_url, redis_url, serializer

if TYPE_CHECKING:
    from flask import Flask
    from redis import Redis
    from rq import Queue
    from rq.job import Job
    from rq.serializers import Serializer

__all__ = [
    "STATUSES",
    "Server",
    "cancel",
    "empty",
    "info",
    "jobs",
    "requeue",
    "result",
    "resume",
    "show_result",
    "suspend",
    "wait_for",
]

#: Job statuses ``rq jobs --status`` accepts, with the RQ registry (or queue) holding them.
STATUSES = ("queued", "started", "scheduled", "deferred", "finished", "failed", "canceled")

#: Seconds between two looks at a job followed by ``--wait``.
POLL_INTERVAL = 0.1


@dataclass
class Server:
    """A Redis connection with the URL it came from and the serializer jobs use."""

    connection: Redis
    url: str
    serializer: Serializer

    @classmethod
    def open(cls, app: Flask, url: str | None, serializer_name: str | None) -> Server:
        """Connect as ``--url``/``--serializer`` (or the app config) say.

        :raises InvalidCommand: when Redis cannot be used.
        """
        resolved = redis_url(url, app.config)
        return cls(connect(resolved), resolved, serializer(serializer_name, app.config))

    def queue(self, name: str) -> Queue:
        from rq import Queue

        return Queue(name, connection=self.connection, serializer=self.serializer)

    def queues(self, names: list[str] | None = None) -> list[Queue]:
        """The named queues, or every queue RQ knows of (sorted by name)."""
        from rq import Queue

        if names:
            return [self.queue(name) for name in names]
        found = Queue.all(connection=self.connection, serializer=self.serializer)
        return sorted(found, key=lambda q: q.name)

    def fetch(self, job_id: str) -> Job:
        """RQ's ``Job.fetch``.

        :raises InvalidCommand: when there is no such job (or it expired).
        """
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            return Job.fetch(job_id, connection=self.connection, serializer=self.serializer)
        except NoSuchJobError:
            raise InvalidCommand(f"no job {job_id!r} on {mask_url(self.url)}") from None


def _value(state: Any) -> str:
    """An RQ status enum (``JobStatus``, ``WorkerStatus``) or string, as its plain value."""
    return str(getattr(state, "value", state))


def _status(job: Job) -> str:
    return _value(job.get_status())


def _print_table(headers: list[str], rows: list[list[str]]) -> None:
    from flask_script_hub.tables import print_table

    print_table(headers, rows)


def _counts(queue: Queue) -> dict[str, int]:
    from rq.registry import clean_registries

    clean_registries(queue)
    return {
        "queued": queue.count,
        "started": queue.started_job_registry.count,
        "scheduled": queue.scheduled_job_registry.count,
        "deferred": queue.deferred_job_registry.count,
        "finished": queue.finished_job_registry.count,
        "failed": queue.failed_job_registry.count,
        "canceled": queue.canceled_job_registry.count,
    }


def info(server: Server, queue_names: list[str], as_json: bool) -> int:
    """``rq info``: the server (masked), suspension, each queue's counts, each worker."""
    from rq import Worker
    from rq.suspension import is_suspended

    queues = server.queues(queue_names)
    report: dict[str, Any] = {
        "url": mask_url(server.url),
        "suspended": bool(is_suspended(server.connection)),
        "queues": [{"name": q.name, **_counts(q)} for q in queues],
        "workers": [],
    }
    for worker in sorted(Worker.all(connection=server.connection), key=lambda w: w.name):
        queue_list = worker.queue_names()
        if queue_names and not set(queue_list) & set(queue_names):
            continue
        report["workers"].append(
            {
                "name": worker.name,
                "state": _value(worker.get_state()),
                "queues": queue_list,
                "current_job": worker.get_current_job_id(),
                "hostname": worker.hostname,
                "pid": worker.pid,
            }
        )
    if as_json:
        print(json.dumps(report, indent=2))
        return 0
    suspended = " (workers suspended)" if report["suspended"] else ""
    print(f"Redis: {report['url']}{suspended}")
    if report["queues"]:
        headers = ["queue", *STATUSES]
        rows = [[q["name"], *(str(q[s]) for s in STATUSES)] for q in report["queues"]]
        _print_table(headers, rows)
    else:
        print("no queues")
    if report["workers"]:
        headers = ["worker", "state", "queues", "job", "host", "pid"]
        rows = [
            [
                w["name"],
                w["state"],
                ",".join(w["queues"]),
                w["current_job"] or "-",
                str(w["hostname"]),
                str(w["pid"]),
            ]
            for w in report["workers"]
        ]
        _print_table(headers, rows)
    else:
        print("no workers")
    return 0


def _job_ids(queue: Queue, status: str) -> list[str]:
    if status == "queued":
        return list(queue.get_job_ids())
    registry = getattr(queue, f"{status}_job_registry")
    return list(registry.get_job_ids())


def jobs(server: Server, queue_names: list[str], statuses: list[str], limit: int) -> int:
    """``rq jobs``: one row per job: id, status, queue, enqueued-at, command line."""
    from rq.job import Job
    from rq.registry import clean_registries

    rows: list[list[str]] = []
    for queue in server.queues(queue_names):
        clean_registries(queue)
        for status in statuses or STATUSES:
            ids = _job_ids(queue, status)
            found = Job.fetch_many(ids, connection=server.connection, serializer=server.serializer)
            for job in found:
                if job is None:
                    continue
                enqueued = job.enqueued_at.isoformat(timespec="seconds") if job.enqueued_at else "-"
                rows.append([job.id, status, queue.name, enqueued, job.description or ""])
    if not rows:
        print("no jobs")
        return 0
    shown = rows[:limit] if limit > 0 else rows
    _print_table(["job", "status", "queue", "enqueued", "command"], shown)
    if len(shown) < len(rows):
        print(f"... {len(rows) - len(shown)} more (use --limit)")
    return 0


def show_result(job: Job) -> int:
    """Print a finished or failed job's output; return the command's exit status.

    stdout goes to stdout and stderr to stderr, as the command printed them.

    :raises InvalidCommand: when the job has not ended yet, or was canceled or stopped.
    """
    status = _status(job)
    if status == "finished":
        value = job.return_value()
        if isinstance(value, dict) and "exit_status" in value:
            sys.stdout.write(value.get("stdout", ""))
            sys.stderr.write(value.get("stderr", ""))
            return int(value["exit_status"])
        print(repr(value))
        return 0
    if status == "failed":
        meta = job.get_meta()
        if "exit_status" in meta:
            sys.stdout.write(meta.get("stdout", ""))
            sys.stderr.write(meta.get("stderr", ""))
            return int(meta["exit_status"]) or 1
        latest = job.latest_result()
        error = latest.exc_string if latest is not None else None
        text = (error or "the job failed").rstrip().splitlines()
        print(f"job {job.id} failed: {text[-1] if text else ''}", file=sys.stderr)
        return 1
    raise InvalidCommand(f"job {job.id} is {status}: it has no result")


def result(server: Server, job_id: str) -> int:
    """``rq result``: the output and exit status of a job's command."""
    return show_result(server.fetch(job_id))


def wait_for(job: Job, timeout: float | None) -> int:
    """Follow ``job`` until it ends (retries included), then :func:`show_result`.

    :param timeout: seconds to wait at most; ``None`` waits as long as it takes.
    :raises InvalidCommand: when the timeout passes first, or the job was canceled or stopped.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = _status(job)
        if status in ("finished", "failed", "stopped", "canceled"):
            return show_result(job)
        if deadline is not None and time.monotonic() >= deadline:
            raise InvalidCommand(
                f"job {job.id} is still {status} after {timeout:g} s "
                f"(see it with 'rq result {job.id}')"
            )
        time.sleep(POLL_INTERVAL)


def cancel(server: Server, job_id: str) -> int:
    """``rq cancel``: cancel a waiting job (RQ's ``Job.cancel``) or stop a running one."""
    from rq.command import send_stop_job_command

    job = server.fetch(job_id)
    status = _status(job)
    if status == "started":
        send_stop_job_command(server.connection, job.id, serializer=server.serializer)
        print(f"asked the worker to stop job {job.id}")
        return 0
    if status in ("finished", "failed", "stopped", "canceled"):
        raise InvalidCommand(f"job {job.id} is already {status}")
    job.cancel()
    print(f"canceled job {job.id}")
    return 0


def requeue(server: Server, job_ids: list[str], every: bool, queue_names: list[str]) -> int:
    """``rq requeue``: put failed (or abandoned) jobs back on their queues.

    RQ's ``FailedJobRegistry.requeue``; the registries are cleaned first, so jobs of a dead
    worker whose heartbeat expired are found.
    """
    from rq.exceptions import InvalidJobOperation
    from rq.registry import clean_registries

    if every == bool(job_ids):
        raise InvalidCommand("give JOB_ID ... or --all")
    requeued = 0
    if every:
        for queue in server.queues(queue_names):
            clean_registries(queue)
            for job_id in queue.failed_job_registry.get_job_ids():
                queue.failed_job_registry.requeue(job_id)
                requeued += 1
    for job_id in job_ids:
        job = server.fetch(job_id)
        queue = server.queue(job.origin)
        clean_registries(queue)
        try:
            queue.failed_job_registry.requeue(job.id)
        except InvalidJobOperation:
            raise InvalidCommand(
                f"job {job.id} is {_status(job)}, not failed: nothing to requeue"
            ) from None
        requeued += 1
    print(f"requeued {requeued} job{'s' if requeued != 1 else ''}")
    return 0


def empty(server: Server, queue_name: str, yes: bool) -> int:
    """``rq empty``: delete every queued job of a queue, after confirming."""
    queue = server.queue(queue_name)
    count = queue.count
    if count == 0:
        print(f"queue {queue_name!r} is already empty")
        return 0
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidCommand(
                f"refusing to empty queue {queue_name!r} ({count} jobs) without --yes: "
                "stdin is not a terminal; nothing was deleted"
            )
        if not prompt_bool(f"Delete the {count} queued jobs of {queue_name!r}?"):
            raise InvalidCommand("not confirmed; nothing was deleted")
    deleted = int(queue.empty())  # type: ignore[no-untyped-call]
    print(f"deleted {deleted} job{'s' if deleted != 1 else ''} from queue {queue_name!r}")
    return 0


def suspend(server: Server, duration: int | None) -> int:
    """``rq suspend``: RQ's ``rq.suspension.suspend``: workers finish their job, then wait."""
    from rq.suspension import suspend as rq_suspend

    rq_suspend(server.connection, duration)
    until = f" for {duration} s" if duration else " until 'rq resume'"
    print(f"workers suspended{until}")
    return 0


def resume(server: Server) -> int:
    """``rq resume``: RQ's ``rq.suspension.resume``."""
    from rq.suspension import resume as rq_resume

    rq_resume(server.connection)
    print("workers resumed")
    return 0

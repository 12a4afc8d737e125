"""``rq worker`` and ``rq worker-pool``: RQ's Worker and WorkerPool running jobs in the app.

The app is created by the manager (factory called with the manager options given before
``rq worker``) before any job is taken; the process is then bound to the manager and the app
(:func:`~flask_script_hub_rq.jobs.bind_worker`). RQ's ``Worker`` forks a work horse per job and
``WorkerPool`` forks its workers, so neither creates the app again.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_script_hub import InvalidCommand, current_manager
from flask_script_hub.commands import one_line

from .connection import connect, mask_text, mask_url, redis_url, serializer
from .jobs import bind_worker

if TYPE_CHECKING:
    from flask import Flask
    from redis import Redis
    from rq.job import Job
    from rq.serializers import Serializer
    from rq.worker import BaseWorker

    from flask_script_hub import Manager

__all__ = ["WorkerSettings", "run_pool", "run_worker"]


@dataclass
class WorkerSettings:
    """The options shared by ``rq worker`` and ``rq worker-pool`` (see their ``--help``)."""

    queues: Sequence[str]
    url: str | None = None
    burst: bool = False
    logging_level: str = "INFO"
    serializer: str | None = None
    worker_class: str | None = None
    job_class: str | None = None
    retry_connect: bool = False


@dataclass
class _Resolved:
    connection: Redis
    url: str
    queues: list[str]
    serializer: Serializer
    worker_class: type[BaseWorker]
    job_class: type[Job]


def _prog() -> str:
    return os.path.basename(sys.argv[0]) or "manage.py"


def _import(kind: str, name: str | None, default: Any) -> Any:
    if not name:
        return default
    from rq.utils import import_attribute

    try:
        return import_attribute(name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise InvalidCommand(f"cannot import the {kind} {name!r}: {one_line(exc)}") from None


def _resolve(app: Flask, settings: WorkerSettings) -> _Resolved:
    from rq import Worker
    from rq.job import Job

    url = redis_url(settings.url, app.config)
    resolved = _Resolved(
        connection=connect(url, settings.retry_connect),
        url=url,
        queues=list(settings.queues) or ["default"],
        serializer=serializer(settings.serializer, app.config),
        worker_class=_import("worker class", settings.worker_class, Worker),
        job_class=_import("job class", settings.job_class, Job),
    )
    manager = current_manager()
    bind_worker(manager, app, _prog())
    _prepare_for_forks(manager)
    return resolved


def _prepare_for_forks(manager: Manager) -> None:
    """Do once, in the worker process, what every forked work horse would otherwise redo.

    Mounts every plugin namespace (a job naming one then finds it mounted; a broken plugin is
    left for the job to report) and reads the plugin list once; then ``gc.freeze()`` moves the
    objects made so far out of the collector's reach, so that a work horse's garbage collection
    does not copy the pages they live on (the technique of CPython's ``gc.freeze`` docs for
    pre-fork servers).
    """
    for namespace in manager.command_names():
        try:
            manager.plugins.get_command(namespace)
        except Exception:  # a broken plugin fails in the job that uses it
            continue
    gc.freeze()


def run_worker(
    app: Flask,
    settings: WorkerSettings,
    name: str | None = None,
    with_scheduler: bool = False,
    max_jobs: int | None = None,
    max_idle_time: int | None = None,
) -> int:
    """Run one RQ worker on ``settings.queues`` until stopped (or, with burst, until empty).

    Follows ``rq worker``: SIGTERM or SIGINT asks for a warm shutdown (the current job finishes,
    exit status 0); a second one stops at once.

    :returns: 0.
    :raises InvalidCommand: when Redis cannot be used, a class cannot be imported, or the
        worker name is taken.
    """
    from redis.exceptions import RedisError
    from rq import Queue

    resolved = _resolve(app, settings)
    queues = [
        Queue(
            q,
            connection=resolved.connection,
            job_class=resolved.job_class,
            serializer=resolved.serializer,
        )
        for q in resolved.queues
    ]
    try:
        worker = resolved.worker_class(
            queues,
            name=name,
            connection=resolved.connection,
            job_class=resolved.job_class,
            serializer=resolved.serializer,
        )
        worker.work(
            burst=settings.burst,
            logging_level=settings.logging_level,
            max_jobs=max_jobs,
            max_idle_time=max_idle_time,
            with_scheduler=with_scheduler,
        )
    except ValueError as exc:  # RQ: "There exists an active worker named ... already"
        raise InvalidCommand(one_line(exc)) from None
    except RedisError as exc:
        message = mask_text(one_line(exc), resolved.url)
        raise InvalidCommand(f"lost Redis at {mask_url(resolved.url)}: {message}") from None
    return 0


def run_pool(app: Flask, settings: WorkerSettings, num_workers: int) -> int:
    """Run ``num_workers`` RQ workers under RQ's ``WorkerPool`` (which forks and respawns them).

    Follows ``rq worker-pool``: SIGTERM or SIGINT stops every worker warmly; with burst, the
    pool exits when all its workers have emptied the queues.

    :returns: 0.
    :raises InvalidCommand: when Redis cannot be used or a class cannot be imported.
    """
    from redis.exceptions import RedisError
    from rq.worker_pool import WorkerPool

    if num_workers < 1:
        raise InvalidCommand(f"the pool needs at least one worker, not {num_workers}")
    resolved = _resolve(app, settings)
    pool = WorkerPool(
        resolved.queues,
        connection=resolved.connection,
        num_workers=num_workers,
        worker_class=resolved.worker_class,
        serializer=resolved.serializer,
        job_class=resolved.job_class,
    )
    try:
        pool.start(burst=settings.burst, logging_level=settings.logging_level)
    except RedisError as exc:
        message = mask_text(one_line(exc), resolved.url)
        raise InvalidCommand(f"lost Redis at {mask_url(resolved.url)}: {message}") from None
    return 0

"""Enqueueing manage.py command lines: the Python API behind ``manage.py rq enqueue``."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from flask_script_hub import InvalidCommand, current_manager
from flask_script_hub.commands import one_line

from . import hookspecs
from .commandline import check_command_line
from .jobs import FUNCTION, command_line

if TYPE_CHECKING:
    from redis import Redis
    from rq.job import Job
    from rq.serializers import Serializer

    from flask_script_hub import Manager

__all__ = ["DEFAULT_QUEUE", "enqueue_command", "job_options"]

#: The queue used when neither the caller nor a ``rq_job_options`` hook names one (RQ's default).
DEFAULT_QUEUE = "default"

_KEYS = ("queue", "timeout", "retry", "retry_interval")


def job_options(manager: Manager, path: list[str], argv: list[str]) -> dict[str, Any]:
    """Ask the ``rq_job_options`` hooks about a command line, and merge their answers.

    :returns: ``{"queue", "timeout", "retry", "retry_interval"}`` with the first answer given
        for each key (missing keys are absent).
    :raises InvalidCommand: when a hook refuses the command (``"allowed": False``).
    """
    pm = manager.plugin_manager
    caller = getattr(pm.hook, "rq_job_options", None)
    if caller is None or caller.spec is None:
        pm.add_hookspecs(hookspecs)
    merged: dict[str, Any] = {}
    for answer in manager.call_hook("rq_job_options", path=list(path), argv=list(argv)):
        if not isinstance(answer, Mapping):
            continue
        if answer.get("allowed") is False:
            reason = answer.get("reason") or "a plugin marked it as not runnable on a worker"
            raise InvalidCommand(f"'{' '.join(path)}' cannot run on a worker: {reason}")
        for key in _KEYS:
            if key in answer and answer[key] is not None:
                merged.setdefault(key, answer[key])
    return merged


def _current_app_config() -> Mapping[str, Any]:
    from flask import current_app, has_app_context

    return current_app.config if has_app_context() else {}


def enqueue_command(
    argv: Sequence[str],
    queue: str | None = None,
    *,
    connection: Redis | None = None,
    manager: Manager | None = None,
    prog: str = "manage.py",
    at: datetime.datetime | None = None,
    delay: datetime.timedelta | None = None,
    timeout: int | str | None = None,
    retry: int | None = None,
    retry_interval: int | Sequence[int] | None = None,
    depends_on: str | Job | Sequence[str | Job] | None = None,
    serializer: Serializer | str | None = None,
    **job_kwargs: Any,
) -> Job:
    """Put a manage.py command line on an RQ queue; a ``manage.py rq worker`` will run it.

    Usable from ``manage.py`` commands and from the app's own code (a view, a CLI command)::

        from flask_script_hub_rq import enqueue_command

        job = enqueue_command(["db", "populate", "big.jsonl"], queue="imports")

    The line is parsed first with the manager (``manager``, else the one running, if any), so a
    typo fails here; the ``rq_job_options`` hooks may refuse it or give defaults. The worker runs
    it with the same manager and stores a :class:`~flask_script_hub_rq.jobs.CommandResult`.

    :param argv: the command line after the program name (``list[str]``).
    :param queue: the queue name; default: a hook's answer, else ``"default"``.
    :param connection: a :class:`redis.Redis`; default: from the app config (``RQ_REDIS_URL``,
        ``REDIS_URL``) when an app context is pushed, else ``redis://127.0.0.1:6379/0``.
    :param manager: the root manager to parse with; default: the running one; with neither,
        the line is not checked before the worker parses it.
    :param prog: the program name shown in messages and in the job's description.
    :param at: run at this time (needs a worker with ``--with-scheduler``): RQ's ``enqueue_at``.
    :param delay: run after this delay: RQ's ``enqueue_in``.
    :param timeout: the job's timeout (seconds, or RQ's ``"10m"``/``"2h"`` form).
    :param retry: retry a failed command this many times (RQ's ``Retry(max=...)``).
    :param retry_interval: seconds between retries (an ``int`` or a list, as ``Retry``).
    :param depends_on: job(s) or job ids to wait for (RQ's ``depends_on``).
    :param serializer: RQ serializer or its import string; must match the workers'.
    :param job_kwargs: more keywords for RQ's ``Queue.enqueue_call`` (``result_ttl``, ...).
    :returns: the :class:`rq.job.Job`.
    :raises SystemExit: code 2, with argparse's message on stderr, when the line does not parse.
    :raises InvalidCommand: when a hook refuses the command, or Redis cannot be used.
    """
    from redis.exceptions import RedisError
    from rq import Queue, Retry
    from rq.utils import parse_timeout

    from .connection import connect, redis_url
    from .connection import serializer as resolve_serializer

    argv = [str(arg) for arg in argv]
    if at is not None and delay is not None:
        raise ValueError("give 'at' or 'delay', not both")
    if manager is None:
        try:
            manager = current_manager()
        except RuntimeError:
            manager = None
    defaults: dict[str, Any] = {}
    if manager is not None:
        path = check_command_line(manager, prog, argv)
        defaults = job_options(manager, path, argv)
    config = _current_app_config()
    if connection is None:
        connection = connect(redis_url(None, config))
    if serializer is None or isinstance(serializer, str):
        serializer = resolve_serializer(serializer, config)
    queue_name = queue or defaults.get("queue") or DEFAULT_QUEUE
    timeout = timeout if timeout is not None else defaults.get("timeout")
    retry = retry if retry is not None else defaults.get("retry")
    if retry_interval is None:
        retry_interval = defaults.get("retry_interval", 0)
    rq_queue = Queue(queue_name, connection=connection, serializer=serializer)
    options: dict[str, Any] = {
        "args": (argv,),
        "timeout": parse_timeout(timeout),
        "description": command_line(prog, argv),
        "depends_on": depends_on,
        "meta": {"argv": argv},
        **job_kwargs,
    }
    if retry:
        options["retry"] = Retry(max=int(retry), interval=retry_interval or 0)
    job: Job
    try:
        if at is not None:
            job = rq_queue.enqueue_at(at, FUNCTION, **_as_enqueue_kwargs(options))
        elif delay is not None:
            job = rq_queue.enqueue_in(delay, FUNCTION, **_as_enqueue_kwargs(options))
        else:
            job = rq_queue.enqueue_call(FUNCTION, **options)
    except RedisError as exc:
        raise InvalidCommand(f"cannot enqueue: {one_line(exc)}") from None
    return job


def _as_enqueue_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """``enqueue_call`` keywords as ``enqueue_at``/``enqueue_in`` take them (``job_timeout``)."""
    kwargs = dict(options)
    args = kwargs.pop("args")
    kwargs["job_timeout"] = kwargs.pop("timeout")
    kwargs["args"] = args
    return kwargs

"""What a job of this plugin is: a manage.py command line, run on a worker through the manager.

An enqueued job calls :func:`run_command` with the command line (``list[str]``). The worker
process (``manage.py rq worker``) binds its root manager and its app with :func:`bind_worker`
before taking jobs; RQ forks a work horse per job, which inherits them, so the app factory runs
once per worker process and every job gets a fresh app context from the manager.
"""

from __future__ import annotations

import contextlib
import io
import shlex
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from flask import Flask

    from flask_script_hub import Manager

__all__ = [
    "FUNCTION",
    "CommandFailed",
    "CommandResult",
    "bind_worker",
    "command_line",
    "run_command",
    "tail",
]

#: The import string of the job function, as RQ stores it.
FUNCTION = "flask_script_hub_rq.jobs.run_command"

#: Lines of output kept in a failed job's error message.
TAIL_LINES = 20


class CommandResult(TypedDict):
    """A job's result: the command line, its exit status and everything it printed."""

    argv: list[str]
    exit_status: int
    stdout: str
    stderr: str


@dataclass
class _Worker:
    manager: Manager
    app: Flask
    prog: str


_worker: _Worker | None = None


def bind_worker(manager: Manager, app: Flask, prog: str) -> None:
    """Make this process run jobs with ``manager`` on ``app`` (called by the worker commands).

    :param manager: the root manager of ``manage.py``.
    :param app: the app, created once for this worker process.
    :param prog: the program name for usage lines (``"manage.py"``).
    """
    global _worker
    _worker = _Worker(manager, app, prog)


def command_line(prog: str, argv: Sequence[str]) -> str:
    """``prog`` and ``argv`` as one shell-quoted line (``manage.py db populate 'a b.csv'``)."""
    return shlex.join([prog, *argv])


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of ``text``."""
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])


class CommandFailed(Exception):
    """A command run on a worker exited with a non-zero status (or raised).

    Raised by :func:`run_command`, so that RQ moves the job to its ``FailedJobRegistry`` (and
    retries it when it was enqueued with ``Retry``). The message has the exit status and the
    last :data:`TAIL_LINES` lines of stdout and stderr.

    :param result: the :class:`CommandResult`.
    """

    def __init__(self, result: CommandResult) -> None:
        self.result = result
        parts = [f"{shlex.join(result['argv'])!r} exited with status {result['exit_status']}"]
        for name in ("stdout", "stderr"):
            if result[name].strip():
                text = tail(result[name])
                parts.append(f"--- last lines of {name} ---\n{text}")
        super().__init__("\n".join(parts))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.result,))


def run_command(argv: list[str]) -> CommandResult:
    """Run one ``manage.py`` command line in this worker's app; the job function.

    Parses and dispatches ``argv`` with :meth:`flask_script_hub.Manager.handle` (same parsing,
    same exit-status rules as on a terminal), on the worker's app, in a fresh app context. stdin
    is empty (prompts read end-of-file, so destructive commands need ``--yes``); stdout and stderr
    are captured.

    :param argv: the command line after the program name (``["db", "populate", "x.csv"]``).
    :returns: a :class:`CommandResult`, stored by RQ as the job's result, when the exit status
        is 0.
    :raises CommandFailed: when the exit status is not 0 or the command raised (its traceback is
        in ``stderr``); the output is also saved in the job's ``meta``.
    :raises RuntimeError: when the job is run by a worker that is not ``manage.py rq worker``.
    """
    from rq import get_current_job
    from rq.timeouts import BaseTimeoutException

    if _worker is None:
        raise RuntimeError(
            "this job runs a manage.py command: run it with 'manage.py rq worker', not 'rq worker'"
        )
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = _worker.manager.handle(_worker.prog, list(argv), app=_worker.app)
            except BaseTimeoutException:
                raise
            except Exception:
                traceback.print_exc()
                status = 1
    finally:
        sys.stdin = stdin
    result = CommandResult(
        argv=list(argv), exit_status=status, stdout=out.getvalue(), stderr=err.getvalue()
    )
    if status != 0:
        job = get_current_job()
        if job is not None:
            job.meta.update(result)
            job.save_meta()  # type: ignore[no-untyped-call]
        raise CommandFailed(result)
    return result

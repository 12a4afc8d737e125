"""Checking a manage.py command line before it is enqueued: parsed as the worker will parse it.

The line is walked by :meth:`flask_script_hub.Manager.parse`, the walk the worker's
:meth:`~flask_script_hub.Manager.handle` does (manager options, command word, sub-manager, ...,
the command's own options), with the same argparse parsers, so a typo fails here with argparse's
message and exit status 2, and no job is made.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_script_hub import Manager

__all__ = ["NEVER_ON_WORKER", "check_command_line"]

#: Commands refused by ``rq enqueue``: interactive or long-running, or a worker itself.
NEVER_ON_WORKER = frozenset({"shell", "runserver", "rq"})


def check_command_line(manager: Manager, prog: str, argv: Sequence[str]) -> list[str]:
    """Parse ``argv`` as ``manager`` would run it, without creating the app or running anything.

    :param manager: the root manager.
    :param prog: the program name for argparse's messages (``"manage.py"``).
    :param argv: the command line after the program name.
    :returns: the command path (``["db", "populate"]``), as typed.
    :raises SystemExit: code 2 with argparse's usage error on stderr (unknown command, bad or
        missing option, a command in :data:`NEVER_ON_WORKER`); code 0 after printing help when
        the line asks for it.
    :raises flask_script_hub.plugins.PluginError: when the line names a broken plugin.
    """
    line = manager.parse(prog, argv)
    assert line.parser is not None
    if line.names and line.names[0] in NEVER_ON_WORKER:
        line.manager_parsers[0][1].error(f"{line.names[0]!r} cannot run on a worker")
    if line.command is None:
        line.parser.error("the command line names no command")
    line.parse_command_args()
    return list(line.names)

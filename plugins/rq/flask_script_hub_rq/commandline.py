"""Checking a manage.py command line before it is enqueued: parsed as the worker will parse it.

The line is walked the way :meth:`flask_script_hub.Manager.handle` walks it (manager options,
command word, sub-manager, ..., the command's own options), with the same argparse parsers, so a
typo fails here with argparse's message and exit status 2, and no job is made.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask_script_hub import Manager
from flask_script_hub.commands import add_help_option

from . import _compat

if TYPE_CHECKING:
    pass

__all__ = ["NEVER_ON_WORKER", "check_command_line"]

#: Commands refused by ``rq enqueue``: interactive or long-running, or a worker itself.
NEVER_ON_WORKER = frozenset({"shell", "runserver", "rq"})

_HELP_ARGS = ("-?", "--help")
_COMMAND = "fsh_rq_command"
_REST = "fsh_rq_rest"


def _level_parser(manager: Manager, prog: str, help_args: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, add_help=False)
    options = manager.get_options()
    add_help_option(parser, help_args, options)
    for option in options:
        option.add_to(parser)
    parser.add_argument(_COMMAND, nargs="?", metavar="COMMAND")
    parser.add_argument(_REST, nargs=argparse.REMAINDER)
    return parser


def check_command_line(manager: Manager, prog: str, argv: Sequence[str]) -> list[str]:
    """Parse ``argv`` as ``manager`` would run it, without creating the app or running anything.

    :param manager: the root manager.
    :param prog: the program name for argparse's messages (``"manage.py"``).
    :param argv: the command line after the program name.
    :returns: the command path (``["db", "populate"]``), as typed.
    :raises SystemExit: code 2 with argparse's usage error on stderr (unknown command, bad or
        missing option); code 0 after printing help when the line asks for it.
    :raises flask_script_hub.plugins.PluginError: when the line names a broken plugin.
    """
    current = manager
    args = list(argv)
    path: list[str] = []
    help_args: Sequence[str] = manager.help_args or _HELP_ARGS
    while True:
        if current.help_args is not None:
            help_args = current.help_args
        parser = _level_parser(current, prog, help_args)
        namespace = parser.parse_args(args)
        name, args = getattr(namespace, _COMMAND), getattr(namespace, _REST)
        if name is None:
            parser.error("the command line names no command")
        if not path and name in NEVER_ON_WORKER:
            parser.error(f"{name!r} cannot run on a worker")
        command = _compat.find_command(current, name)
        if command is None:
            choices = ", ".join(current.command_names())
            parser.error(f"argument COMMAND: invalid choice: {name!r} (choose from {choices})")
        path.append(name)
        prog = f"{prog} {name}"
        if command is _compat.NAME_ONLY:
            return path
        if isinstance(command, Manager):
            current = command
            continue
        own_help = getattr(command, "help_args", None) or help_args
        command_parser = command.create_parser(prog, own_help)  # type: ignore[attr-defined]
        if getattr(command, "capture_all_args", False):
            command_parser.parse_known_args(args)
        else:
            command_parser.parse_args(args)
        return path
